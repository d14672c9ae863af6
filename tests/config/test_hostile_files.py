"""A table of malformed, hostile and AWS-rejected environment files.

Each file gets exactly one problem naming the file, the key, the value and what is
allowed; and `main.py` over a folder of all of them exits 2 with those problems, no
traceback and nothing written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.config.test_loader import FUNCTIONS, VALID, F, problems_of
from tests.conftest import ROOT

ROUTED = FUNCTIONS.replace('api = "functions"', 'api = "rest"').replace(
    'source = "object_processor"\n', 'source = "object_processor"\nroutes = [{ method = "GET", path = "/items" }]\n'
)
SITE = (
    VALID.replace('storage = "none"\n', 'storage = "s3"\n')
    .replace('cdn = "none"', 'cdn = "cloudfront"')
    .replace("[network]\n", '[buckets.site]\npurpose = "static-site"\n[cdn]\ndefault_behavior = { origin = "site" }\n[network]\n')
)
AURORA = VALID.replace('database = "none"', 'database = "aurora-postgresql"')


def _tag(value: str) -> str:
    return VALID.replace('owner = "platform-team"', f"owner = {value}")


def _function(setting: str) -> str:
    return FUNCTIONS.replace('source = "object_processor"\n', f'source = "object_processor"\n{setting}\n')


# (name, file text, the one problem after "environments/prod.toml: ")
CASES: list[tuple[str, str, str]] = [
    ("profile", VALID.replace('"production"', '"staging"'), "profile = 'staging': one of 'development' or 'production'"),
    ("region-type", VALID.replace('"eu-central-1"', "42"), "region = 42: a string in double quotes"),
    ("tag-empty", _tag('""'), "tags.owner = '': a non-empty tag value"),
    ("tag-long", _tag('"' + "o" * 300 + '"'), "tags.owner = '" + "o" * 119 + "... (302 characters): a tag value may be at most 256 characters long"),
    ("tag-chars", _tag('"team<script>"'), "tags.owner = 'team<script>': a tag value may contain only letters, digits, spaces and _ . : / = + - @"),
    ("tag-control", _tag('"team\\u0007"'), "tags.owner = 'team\\x07': text without control characters such as line breaks"),
    ("tag-expression", _tag('"${var.owner}"'), "tags.owner = '${var.owner}': a plain value: ${ and %{ start Terraform expressions, which settings may not contain"),
    ("tag-aws-key", VALID.replace('cost_centre = "cc-4711"', 'cost_centre = "cc-4711"\nextra = { "aws:owner" = "x" }'),
     "tags.extra.\"aws:owner\" = 'aws:owner': a tag key may not start with 'aws:', which AWS reserves"),
    ("vpc-link-local", VALID + 'vpc_cidr = "169.254.0.0/16"\n',
     "network.vpc_cidr = '169.254.0.0/16': use a private (RFC 1918) range such as 10.0.0.0/16, or 100.64.0.0/10"),
    ("vpc-public", VALID + 'vpc_cidr = "8.8.0.0/16"\n',
     "network.vpc_cidr = '8.8.0.0/16': use a private (RFC 1918) range such as 10.0.0.0/16, or 100.64.0.0/10"),
    ("vpc-too-large", VALID + 'vpc_cidr = "10.0.0.0/8"\n', "network.vpc_cidr = '10.0.0.0/8': a VPC CIDR block must be between /16 and /28"),
    ("vpc-host-bits", VALID + 'vpc_cidr = "10.0.0.300/16"\n',
     "network.vpc_cidr = '10.0.0.300/16': a CIDR block such as 10.0.0.0/16 (network address, prefix length 0 to 32, no host bits set)"),
    ("nat-negative", VALID + "nat_gateways = -1\n", "network.nat_gateways = -1: at least 0"),
    ("nat-zone-has-own", VALID + 'nat_gateways = 2\nnat_gateway_for_zones = { "eu-central-1a" = "eu-central-1b" }\n',
     "network.nat_gateway_for_zones.eu-central-1a = 'eu-central-1b': a zone of the VPC without a NAT gateway of its own: eu-central-1c"),
    ("nat-zone-target", VALID + 'nat_gateways = 2\nnat_gateway_for_zones = { "eu-central-1c" = "eu-central-1c" }\n',
     "network.nat_gateway_for_zones.eu-central-1c = 'eu-central-1c': a zone with a NAT gateway (the first nat_gateways zones): "
     "eu-central-1a, eu-central-1b"),
    ("nat-too-many", VALID + "nat_gateways = 10\n", "network.nat_gateways = 10: at most one NAT gateway per availability zone: 0 to 3"),
    ("prefix-inf", VALID + "subnet_prefix_length = inf\n", "network.subnet_prefix_length = inf: a finite number (not nan or inf)"),
    ("budget-negative", VALID + "[budget]\nmonthly_usd = -5\n", "budget.monthly_usd = -5: more than 0.0"),
    ("budget-nan", VALID + "[budget]\nmonthly_usd = nan\n", "budget.monthly_usd = nan: a finite number (not nan or inf)"),
    ("budget-text", VALID + '[budget]\nmonthly_usd = "lots"\n',
     "budget.monthly_usd = 'lots': a number of US dollars without quotes, such as 250 or 99.5"),
    ("variant", VALID.replace('database = "none"', 'database = "mysql"'),
     "components.database = 'mysql': one of 'aurora-postgresql', 'rds-postgresql', 'none'"),
    ("components-text", 'profile = "production"\nregion = "eu-central-1"\ncomponents = "all"\n[tags]\nproject = "filehub"\n'
     'owner = "platform-team"\ncost_centre = "cc-4711"\n', "components = 'all': a table such as [components] with database = \"none\""),
    ("throttle-off", ROUTED + "[api]\nthrottle_rate_per_second = -1\n", "api.throttle_rate_per_second = -1: at least 1.0"),
    ("throttle-zero", ROUTED + "[api]\nthrottle_rate_per_second = 0\n", "api.throttle_rate_per_second = 0: at least 1.0"),
    ("burst-zero", ROUTED + "[api]\nthrottle_burst = 0\n", "api.throttle_burst = 0: at least 1"),
    ("waf-low", ROUTED + "[api]\nwaf_rate_limit_per_5_minutes = 5\n", "api.waf_rate_limit_per_5_minutes = 5: at least 10"),
    ("waf-high", ROUTED + "[api]\nwaf_rate_limit_per_5_minutes = 3000000000\n",
     "api.waf_rate_limit_per_5_minutes = 3000000000: at most 2000000000"),
    ("waf-nan", ROUTED + "[api]\nwaf_rate_limit_per_5_minutes = nan\n",
     "api.waf_rate_limit_per_5_minutes = nan: a finite number (not nan or inf)"),
    ("cdn-ttl", SITE.replace("[cdn]\n", "[cdn.cache_policies.neg]\nttl_days = -1\n[cdn]\n"), "cdn.cache_policies.neg.ttl_days = -1: at least 0"),
    ("memory", _function("memory_mb = 100000"), "functions.worker.memory_mb = 100000: at most 10240"),
    ("timeout", _function("timeout_seconds = 0"), "functions.worker.timeout_seconds = 0: at least 1"),
    ("environment-size", _function('environment = { BIG = "' + "x" * 5000 + '" }'),
     "functions.worker.environment = '...': at most 4096 bytes of names and values in all (Lambda's limit)"),
    ("runtime", _function('runtime = "python2.7"'),
     "functions.worker.runtime = 'python2.7': one of 'python3.12', 'python3.13', 'python3.14', 'nodejs22.x' or 'nodejs24.x'"),
    ("purpose", FUNCTIONS.replace('purpose = "uploads"', 'purpose = "secret"'),
     "buckets.inbox.purpose = 'secret': one of 'uploads', 'static-site', 'archive', 'logs' or 'media'"),
    ("expiration", FUNCTIONS.replace('purpose = "uploads"\n', 'purpose = "uploads"\nlifecycle = [{ id = "x", expiration_days = -1 }]\n'),
     "buckets.inbox.lifecycle[0].expiration_days = -1: at least 1 day"),
    ("duplicate-table", VALID + "[network]\n", "not valid TOML: Cannot declare ('network',) twice (at line 19, column 9)"),
    ("syntax", VALID + "nat_gateways = = 2\n", "not valid TOML: Invalid value (at line 19, column 16)"),
    ("accepted-unknown", VALID + '[accepted_risks]\n"network.colour" = "because"\n',
     "accepted_risks.network.colour = 'because': not a setting that weakens a protection; see docs/configuration.md (accepted_risks)"),
    ("accepted-empty", VALID + '[accepted_risks]\n"components.audit" = ""\n', "accepted_risks.components.audit = '': a reason of 1 to 500 characters"),
    ("accepted-nothing", VALID + 'nat_gateways = 3\n[accepted_risks]\n"network.nat_gateways" = "one is enough"\n',
     "accepted_risks.network.nat_gateways = 'one is enough': this file does not weaken it (an accepted risk that covers nothing is "
     "a mistake): remove the entry"),
    ("backup-zero", AURORA + "[database]\nbackup_retention_days = 0\n",
     "database.backup_retention_days = 0: backup retention 0 days: Aurora accepts 1 to 35"),
    ("backup-long", AURORA + "[database]\nbackup_retention_days = 40\n",
     "database.backup_retention_days = 40: backup retention 40 days: Aurora accepts 1 to 35"),
    ("rotation-zero", AURORA + "[database]\nmaster_secret_rotation_days = 0\n", "database.master_secret_rotation_days = 0: at least 1"),
    ("acu-negative", AURORA + "[database]\nmin_capacity_acu = -1\n", "database.min_capacity_acu = -1: at least 0.0"),
    ("acu-huge", AURORA + "[database]\nmax_capacity_acu = 1000\n", "database.max_capacity_acu = 1000: at most 256.0"),
    ("log-retention", VALID + "flow_log_retention_days = 4\n", None),
    ("secret-key", FUNCTIONS + '[secrets."bad name!"]\ndescription = "x"\n',
     "secrets.bad name! = 'bad name!': a secret key is 1 to 31 lowercase letters, digits and hyphens, starting with a letter"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_hostile_file_is_one_clear_problem(tmp_path: Path, name: str, text: str, expected: str | None) -> None:
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1, problems
    if expected is None:
        assert problems[0].startswith(f"{F}: network.flow_log_retention_days = 4: ")
    else:
        assert problems == [f"{F}: {expected}"]


def test_main_exits_2_on_a_folder_of_hostile_files_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    for name, text, _ in CASES:
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    outdir = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--gate", "--environments-dir", str(folder), "--outdir", str(outdir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr + result.stdout
    for name, _, _ in CASES:
        assert f"{name}.toml: " in result.stderr, name
    assert not outdir.exists()
