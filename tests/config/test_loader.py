"""Environment files: presets, and every invalid file rejected with its exact message."""

from __future__ import annotations

import subprocess
import sys
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from modules.components.api.settings import FunctionSettings
from modules.components.database.settings import AuroraPostgresqlSettings
from modules.components.network.settings import NetworkSettings
from modules.config import ConfigError, load_environment, load_environments
from tests.conftest import ROOT

# Only the network: the smallest file that builds something.
VALID = """\
profile = "production"
region = "eu-central-1"

[components]
database = "none"
storage = "none"
metadata_table = "none"
audit = "none"
cdn = "none"
api = "none"
monitoring = "none"

[tags]
project = "filehub"
owner = "platform-team"
cost_centre = "cc-4711"

[network]
"""
F = "environments/prod.toml"


def problems_of(tmp_path: Path, text: str, name: str = "prod") -> list[str]:
    folder = tmp_path / "environments"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    return [p.render() for p in caught.value.problems]


def test_shipped_environments_are_valid() -> None:
    names = [c.name for c in load_environments(ROOT / "environments")]
    assert names == ["dev", "prod"]


def test_prod_preset_fills_left_out_keys(tmp_path: Path) -> None:
    path = tmp_path / "environments" / "prod.toml"
    path.parent.mkdir()
    path.write_text(VALID)
    config = load_environment(path)
    network = config.settings["network"]
    assert isinstance(network, NetworkSettings)
    assert network.nat_gateways == 3
    assert network.interface_endpoints == ("secretsmanager", "rds-data", "kms", "logs")
    assert network.flow_log_retention_days == 365
    assert network.zones("eu-central-1") == ("eu-central-1a", "eu-central-1b", "eu-central-1c")
    assert network.layout("eu-central-1").public[0] == IPv4Network("10.0.1.0/24")
    assert config.state.backend == "local"
    assert config.state.key == "prod/terraform.tfstate"


def test_development_profile_is_cheap(tmp_path: Path) -> None:
    path = tmp_path / "environments" / "dev.toml"
    path.parent.mkdir()
    path.write_text(VALID.replace('profile = "production"', 'profile = "development"'))
    network = load_environment(path).settings["network"]
    assert isinstance(network, NetworkSettings)
    assert (network.nat_gateways, network.interface_endpoints, network.flow_log_retention_days) == (
        0,
        (),
        14,
    )


def test_config_model_is_frozen(tmp_path: Path) -> None:
    path = tmp_path / "prod.toml"
    path.write_text(VALID)
    config = load_environment(path)
    with pytest.raises(Exception, match="frozen"):
        config.settings["network"].nat_gateways = 1  # type: ignore[attr-defined]


def test_rejects_unknown_key(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + "nat_gatways = 2\n") == [
        f"{F}: network.nat_gatways = 2: unknown key; allowed keys: vpc_cidr, availability_zones, subnet_prefix_length, "
        "public_subnets, private_subnets, database_subnets, nat_gateways, nat_gateway_for_zones, interface_endpoints, flow_log_retention_days, "
        "flow_log_traffic_type, alarm_nat_packets_dropped"
    ]


def test_rejects_unknown_top_level_key(tmp_path: Path) -> None:
    assert problems_of(tmp_path, 'colour = "red"\n' + VALID) == [
        f"{F}: colour = 'red': unknown key; allowed keys: profile, region, backend, bucket_suffix, tags, state, budget, "
        "components, network, database, storage, metadata_table, audit, dns, email, cdn, api, monitoring, buckets, functions, secrets, accepted_risks, usage"
    ]


def test_rejects_wrong_type(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + 'nat_gateways = "two"\n') == [
        f"{F}: network.nat_gateways = 'two': a whole number, without quotes"
    ]


def test_rejects_bad_cidr(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + 'vpc_cidr = "10.0.0.1/16"\n') == [
        f"{F}: network.vpc_cidr = '10.0.0.1/16': a CIDR block such as 10.0.0.0/16 "
        "(network address, prefix length 0 to 32, no host bits set)"
    ]


def test_rejects_vpc_larger_than_aws_allows(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + 'vpc_cidr = "10.0.0.0/8"\n') == [
        f"{F}: network.vpc_cidr = '10.0.0.0/8': a VPC CIDR block must be between /16 and /28"
    ]


def test_rejects_overlapping_subnets(tmp_path: Path) -> None:
    text = VALID + 'public_subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.11.0/25"]\n'
    assert problems_of(tmp_path, text) == [
        f"{F}: network.private_subnets[0] = '10.0.11.0/24': overlaps network.public_subnets[2] (10.0.11.0/25); "
        "subnets must not overlap"
    ]


def test_rejects_subnet_outside_the_vpc(tmp_path: Path) -> None:
    text = VALID + 'database_subnets = ["10.0.21.0/24", "10.0.22.0/24", "10.1.23.0/24"]\n'
    assert problems_of(tmp_path, text) == [
        f"{F}: network.database_subnets[2] = '10.1.23.0/24': must lie inside the VPC CIDR 10.0.0.0/16"
    ]


def test_rejects_a_subnet_count_other_than_the_zone_count(tmp_path: Path) -> None:
    text = VALID + 'private_subnets = ["10.0.11.0/24", "10.0.12.0/24"]\n'
    assert problems_of(tmp_path, text) == [
        f"{F}: network.private_subnets = ['10.0.11.0/24', '10.0.12.0/24']: one CIDR per availability zone (3)"
    ]


def test_rejects_zone_not_in_region(tmp_path: Path) -> None:
    text = VALID + 'availability_zones = ["eu-central-1a", "eu-central-1b", "eu-west-1c"]\n'
    assert problems_of(tmp_path, text) == [
        f"{F}: network.availability_zones[2] = 'eu-west-1c': not a zone of eu-central-1; "
        "allowed: eu-central-1a, eu-central-1b, eu-central-1c"
    ]


def test_rejects_tag_value_with_characters_aws_rejects(tmp_path: Path) -> None:
    text = VALID.replace('owner = "platform-team"', 'owner = "platform team <ops>"')
    assert problems_of(tmp_path, text) == [
        f"{F}: tags.owner = 'platform team <ops>': a tag value may contain only letters, digits, spaces and _ . : / = + - @"
    ]


def test_rejects_reserved_aws_tag_prefix(tmp_path: Path) -> None:
    text = VALID.replace('cost_centre = "cc-4711"', 'cost_centre = "cc-4711"\nextra = { "aws:team" = "x" }')
    assert problems_of(tmp_path, text) == [
        f"{F}: tags.extra.\"aws:team\" = 'aws:team': a tag key may not start with 'aws:', which AWS reserves"
    ]


def test_rejects_more_nat_gateways_than_zones(tmp_path: Path) -> None:
    text = VALID + 'availability_zones = ["eu-central-1a", "eu-central-1b"]\nnat_gateways = 3\n'
    assert problems_of(tmp_path, text) == [
        f"{F}: network.nat_gateways = 3: at most one NAT gateway per availability zone: 0 to 2"
    ]


def test_any_environment_name_aws_accepts_is_an_environment(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "qa-eu.toml").write_text(VALID)
    (config,) = load_environments(folder)
    assert (config.name, config.profile, config.state.key) == ("qa-eu", "production", "qa-eu/terraform.tfstate")


def test_rejects_a_file_name_aws_would_reject_in_resource_names(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID, name="QA_env") == [
        "environments/QA_env.toml: (file name) = 'QA_env': an environment name is 2 to 16 lowercase letters, digits and "
        "hyphens, starting with a letter (it goes into bucket and resource names); not bootstrap"
    ]


def test_rejects_the_first_versions_environment_key_naming_its_replacement(tmp_path: Path) -> None:
    assert problems_of(tmp_path, 'environment = "prod"\n' + VALID) == [
        f"{F}: environment = 'prod': moved: remove it: the file name is the environment's name, and `profile` chooses its behaviour"
    ]


def test_rejects_a_profile_that_does_not_exist(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID.replace('profile = "production"', 'profile = "staging"')) == [
        f"{F}: profile = 'staging': one of 'development' or 'production'"
    ]


def test_rejects_unknown_region(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, VALID.replace('region = "eu-central-1"', 'region = "eu-centrl-1"'))
    assert problem.startswith(f"{F}: region = 'eu-centrl-1': one of the supported Regions: eu-central-1, us-east-1")


def test_rejects_retention_cloudwatch_does_not_offer(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, VALID + "flow_log_retention_days = 10\n")
    assert problem == (
        f"{F}: network.flow_log_retention_days = 10: one of the retention periods CloudWatch Logs accepts: "
        "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
    )


def test_rejects_unknown_interface_endpoint(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, VALID + 'interface_endpoints = ["secretsmanager", "s3"]\n')
    assert problem.startswith(
        f"{F}: network.interface_endpoints = ['secretsmanager', 's3']: unknown service 's3'; allowed: secretsmanager,"
    )


def test_rejects_unknown_backend(tmp_path: Path) -> None:
    text = VALID.replace('region = "eu-central-1"', 'region = "eu-central-1"\nbackend = "consul"')
    assert problems_of(tmp_path, text) == [f"{F}: backend = 'consul': one of 'local' or 's3'"]


def test_rejects_invalid_state_bucket_name(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + '[state]\nbucket = "My_State"\n') == [
        f"{F}: state.bucket = 'My_State': a bucket name is 3 to 63 characters: lowercase letters, digits, dots and "
        "hyphens, starting and ending with a letter or digit"
    ]


def test_rejects_state_bucket_too_long_for_its_log_bucket(tmp_path: Path) -> None:
    name = "filehub-" + "s" * 51
    assert problems_of(tmp_path, VALID + f'[state]\nbucket = "{name}"\n') == [
        f"{F}: state.bucket = '{name}': at most 58 characters: its access-log bucket adds '-logs'"
    ]


def test_rejects_vpc_too_small_for_three_tiers(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + 'vpc_cidr = "10.0.0.0/24"\nsubnet_prefix_length = 28\n') == [
        f"{F}: network.subnet_prefix_length = 28: a /24 VPC holds 16 subnets of /28, but 24 are needed for 3 zones; "
        "use a larger VPC or a longer subnet prefix length, or list the subnets explicitly"
    ]


def test_rejects_toml_syntax_error_with_its_position(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + "nat_gateways = \n") == [f"{F}: not valid TOML: Invalid value (at line 19, column 16)"]


def test_reports_missing_required_keys(tmp_path: Path) -> None:
    text = 'profile = "production"\nregion = "eu-central-1"\n[components]\ndatabase = "none"\nstorage = "none"\n' + (
        'metadata_table = "none"\naudit = "none"\ncdn = "none"\napi = "none"\nmonitoring = "none"\n[tags]\nproject = "filehub"\n'
    )
    assert problems_of(tmp_path, text) == [
        f"{F}: tags.owner = (missing): required key is missing",
        f"{F}: tags.cost_centre = (missing): required key is missing",
    ]


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace('owner = "platform-team"', 'owner = "a<b"') + 'nat_gateways = 5\nvpc_cidr = "10.0.0.0/8"\nbogus = 1\n'
    problems = problems_of(tmp_path, text)
    assert [p.split(" = ")[0] for p in problems] == [
        f"{F}: tags.owner",
        f"{F}: network.vpc_cidr",
        f"{F}: network.bogus",
    ]


def test_problems_across_files_are_reported_together(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "dev.toml").write_text(VALID + "nat_gateways = 9\n")
    (folder / "prod.toml").write_text(VALID + 'vpc_cidr = "nope"\n')
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    assert [p.file for p in caught.value.problems] == ["environments/dev.toml", "environments/prod.toml"]


def test_unknown_environment_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_environments(ROOT / "environments", ["qa"])
    assert [p.render() for p in caught.value.problems] == [
        "environments/qa.toml: no such file: environment 'qa' is unknown; available: dev, prod"
    ]


def test_environments_must_share_one_state_bucket(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "dev.toml").write_text(VALID + '[state]\nbucket = "filehub-state-a"\n')
    (folder / "prod.toml").write_text(VALID + '[state]\nbucket = "filehub-state-b"\n')
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    assert [p.render() for p in caught.value.problems] == [
        "environments/prod.toml: state.bucket = 'filehub-state-b': must equal environments/dev.toml's "
        "'filehub-state-a': one bootstrap stack creates one state bucket for every environment (by default named from "
        "tags.project and tags.owner, in the environment's Region); add [state] bucket = 'filehub-state-a' to this file"
    ]


def test_main_exits_2_and_writes_nothing_on_invalid_config(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "prod.toml").write_text(VALID + "nat_gateways = 4\n")
    outdir = tmp_path / "cdktf.out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--environments-dir", str(folder), "--outdir", str(outdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        "environments/prod.toml: network.nat_gateways = 4: at most one NAT gateway per availability zone: 0 to 3" in result.stderr
    )
    assert not outdir.exists()


DB = VALID.replace('database = "none"\n', 'database = "aurora-postgresql"\n').replace("[network]\n", "[database]\n")


def test_database_defaults_differ_by_profile(tmp_path: Path) -> None:
    prod = tmp_path / "prod.toml"
    prod.write_text(DB)
    dev = tmp_path / "dev.toml"
    dev.write_text(DB.replace('profile = "production"', 'profile = "development"'))
    p, d = load_environment(prod).settings["database"], load_environment(dev).settings["database"]
    assert isinstance(p, AuroraPostgresqlSettings) and isinstance(d, AuroraPostgresqlSettings)
    assert (p.capacity, p.instances, p.instance_class, p.backup_retention_days, p.deletion_protection) == (
        "provisioned",
        2,
        "db.r6g.large",
        7,
        True,
    )
    assert (d.capacity, d.min_capacity_acu, d.backup_retention_days, d.deletion_protection) == ("serverless", 0, 1, False)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('instance_class = "db.t4g.micro"',
         "database.instance_class = 'db.t4g.micro': instance class 'db.t4g.micro' is not offered for Aurora PostgreSQL; "
         "use e.g. db.t4g.medium, db.r6g.large, db.r7g.large or db.serverless"),
        ('capacity = "serverless"\nmin_capacity_acu = 0.25\nmax_capacity_acu = 4',
         "database.min_capacity_acu = 0.25: min_capacity 0.25 ACU: Aurora Serverless v2 accepts 0 to 256 in steps of 0.5"),
        ('capacity = "serverless"\nmin_capacity_acu = 1\nmax_capacity_acu = 300',
         "database.max_capacity_acu = 300: at most 256.0"),
        ('capacity = "serverless"\nmin_capacity_acu = 8\nmax_capacity_acu = 4',
         "database.min_capacity_acu = 8.0: min_capacity 8.0 is above max_capacity 4.0"),
        ("performance_insights_retention_days = 30",
         "database.performance_insights_retention_days = 30: Performance Insights retention 30 days: AWS accepts 7, a multiple of 31 up to 713, or 731"),
        ("backup_retention_days = 0", "database.backup_retention_days = 0: backup retention 0 days: Aurora accepts 1 to 35"),
        ("backup_retention_days = 36", "database.backup_retention_days = 36: backup retention 36 days: Aurora accepts 1 to 35"),
        ('preferred_backup_window = "03:30-04:30"',
         "database.preferred_maintenance_window = 'sun:04:00-sun:05:00': overlaps the daily backup window 03:30-04:30; AWS requires them apart"),
        ('capacity = "serverless"\nmin_capacity_acu = 0\nengine_version = "15.4"',
         "database.min_capacity_acu = 0.0: 0 ACU (auto-pause) needs Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 or later; "
         "engine_version is 15.4: raise the version or set min_capacity_acu to 0.5 or more"),
        ('cluster_parameters = { "rds.force_ssl" = "0" }',
         "database.cluster_parameters = {'rds.force_ssl': '0'}: rds.force_ssl is always 1: clients must use TLS; remove it from cluster_parameters"),
        ("monitoring_interval_seconds = 45", "database.monitoring_interval_seconds = 45: one of 0, 1, 5, 10, 15, 30, 60"),
    ],
)  # fmt: skip
def test_rejects_database_values_aws_rejects(tmp_path: Path, setting: str, expected: str) -> None:
    assert problems_of(tmp_path, DB + setting + "\n") == [f"{F}: {expected}"]


def test_windows_crossing_midnight_are_compared_whole() -> None:
    from modules.components.database.settings import windows_overlap

    assert windows_overlap("23:30-00:30", "mon:00:00-mon:00:45") is True
    assert windows_overlap("23:30-00:30", "mon:00:30-mon:01:00") is False
    assert windows_overlap("01:00-02:00", "sun:23:00-mon:01:30") is True


FUNCTIONS = (
    VALID.replace('api = "none"', 'api = "functions"')
    .replace('storage = "none"\n', 'storage = "s3"\n')
    .replace(
        "[network]\n",
        '[buckets.inbox]\npurpose = "uploads"\n[functions.worker]\nsource = "object_processor"\nreads = ["inbox"]\n'
        'bucket_events = [{ bucket = "inbox" }]\n',
    )
)


def test_function_defaults_and_profile_defaults(tmp_path: Path) -> None:
    path = tmp_path / "prod.toml"
    path.write_text(FUNCTIONS)
    worker = load_environment(path).parts["functions"]["worker"]
    assert isinstance(worker, FunctionSettings)
    assert (worker.memory_mb, worker.timeout_seconds, worker.reserved_concurrency, worker.log_retention_days) == (
        256,
        10,
        10,
        365,
    )
    assert worker.asynchronous and not worker.in_vpc


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("memory_mb = 64", "functions.worker.memory_mb = 64: at least 128"),
        ("timeout_seconds = 901", "functions.worker.timeout_seconds = 901: at most 900"),
        ("reserved_concurrency = 0", "functions.worker.reserved_concurrency = 0: at least 1"),
        ("log_retention_days = 10",
         "functions.worker.log_retention_days = 10: one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, "
         "60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"),
        ("in_vpc = 1", "functions.worker.in_vpc = 1: true or false, without quotes"),
        ('source = "nowhere"', "functions.worker.source = 'nowhere': lambda_src/nowhere/ does not exist"),
        ('writes = ["outbox"]', "functions.worker.writes[0] = 'outbox': not a declared bucket; declared: inbox"),
        ('table_access = ["read"]', "functions.worker.table_access = ['read']: needs components.metadata_table, which is \"none\""),
        ('schedule = "every day"',
         "functions.worker.schedule = 'every day': an EventBridge schedule: rate(5 minutes), rate(1 hour), cron(0 3 * * ? *)"),
        ('object_prefix = "uploads"',
         "functions.worker.object_prefix = 'uploads': end the prefix with '/' so a grant cannot reach a sibling prefix"),
        ('environment_from = { DB = "database.endpoint" }',
         "functions.worker.environment_from.DB = 'database.endpoint': needs components.database, which is \"none\""),
        ("connects_to_database = true\nin_vpc = true",
         "functions.worker.connects_to_database = True: needs components.database, which is \"none\""),
        ('routes = [{ method = "GET", path = "/items" }]',
         "functions.worker.routes = '...': routes need components.api = \"rest\"; \"functions\" builds no REST API"),
    ],
)  # fmt: skip
def test_rejects_function_values_aws_or_the_foundation_rejects(tmp_path: Path, setting: str, expected: str) -> None:
    text = FUNCTIONS.replace('source = "object_processor"\n', 'source = "object_processor"\n' + setting + "\n")
    if setting.startswith("source"):
        text = text.replace('source = "object_processor"\n', "", 1)
    assert problems_of(tmp_path, text) == [f"{F}: {expected}"]


def test_rejects_api_values_aws_rejects(tmp_path: Path) -> None:
    text = FUNCTIONS.replace("[buckets.inbox]", '[api]\nuser_pool_arn = "my-pool"\nlog_retention_days = 10\n[buckets.inbox]')
    assert problems_of(tmp_path, text) == [
        f"{F}: api.log_retention_days = 10: one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, "
        "120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        f"{F}: api.user_pool_arn = 'my-pool': a user pool ARN such as "
        "arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_AbCdEf123",
    ]


def test_first_version_keys_name_their_new_place(tmp_path: Path) -> None:
    text = FUNCTIONS.replace(
        "[buckets.inbox]", "[api]\nlambdas_in_vpc = true\n[monitoring]\ndb_cpu_percent = 90\n[buckets.inbox]"
    ).replace('monitoring = "none"', 'monitoring = "cloudwatch"')
    assert problems_of(tmp_path, text) == [
        f"{F}: api.lambdas_in_vpc = True: moved: [functions.<name>] in_vpc",
        f"{F}: monitoring.db_cpu_percent = 90: moved: database.alarm_cpu_percent",
    ]


def test_a_component_without_one_it_needs_is_one_error_naming_both(tmp_path: Path) -> None:
    text = (
        VALID.replace('database = "none"\n', 'database = "aurora-postgresql"\n')
        .replace("[components]\n", '[components]\nnetwork = "none"\n')
        .replace("[network]\n", "")
    )
    assert problems_of(tmp_path, text) == [
        f"{F}: components.database = 'aurora-postgresql': needs components.network, which is \"none\": enable network or "
        'set components.database = "none"'
    ]


def test_rejects_an_unknown_component_and_an_unknown_variant(tmp_path: Path) -> None:
    text = VALID.replace("[components]\n", '[components]\nqueue = "sqs"\ncdn = "fastly"\n').replace('cdn = "none"\n', "")
    assert problems_of(tmp_path, text) == [
        f"{F}: components.queue = 'sqs': unknown component; components: network, database, storage, metadata_table, audit, dns, email, "
        "cdn, api, monitoring",
        f"{F}: components.cdn = 'fastly': one of 'cloudfront', 'none'",
    ]


def test_a_behaviour_pointing_at_an_unknown_origin_is_an_error(tmp_path: Path) -> None:
    text = VALID.replace('cdn = "none"\n', 'cdn = "cloudfront"\n').replace('storage = "none"\n', 'storage = "s3"\n') + (
        '[buckets.site]\npurpose = "static-site"\n[cdn]\ndefault_behavior = { origin = "site" }\n'
        'behaviors = [{ path_pattern = "/img/*", origin = "images" }]\n'
    )
    assert problems_of(tmp_path, text) == [f"{F}: cdn.behaviors[0].origin = 'images': not a declared bucket; declared: site"]


def test_budget_must_be_a_number_without_quotes(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID.replace("[network]", '[budget]\nmonthly_usd = "1000"\n[network]')) == [
        f"{F}: budget.monthly_usd = '1000': a number of US dollars without quotes, such as 250 or 99.5"
    ]


def test_budget_and_usage_profile_come_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "prod.toml"
    path.write_text(VALID.replace("[network]", "[budget]\nmonthly_usd = 250\n[network]"))
    config = load_environment(path)
    assert (config.budget_usd, config.usage_profile) == (250.0, "production")
