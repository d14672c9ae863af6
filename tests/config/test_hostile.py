"""Malformed, hostile and AWS-rejected input: each one clear problem, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modules.config import ConfigError, load_environments
from tests.config.test_loader import FUNCTIONS, VALID, F, problems_of


def _only_problem(tmp_path: Path, text: str) -> str:
    (problem,) = problems_of(tmp_path, text)
    return problem


def _folder_problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    return [p.render() for p in caught.value.problems]


def test_a_directory_named_like_an_environment_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "environments" / "x.toml").mkdir(parents=True)
    assert _folder_problems(tmp_path / "environments") == [
        "environments/x.toml: not a regular file: an environment file is a TOML text file"
    ]


def test_a_symlink_loop_is_one_problem(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "loop.toml").symlink_to(folder / "loop.toml")
    (problem,) = _folder_problems(folder)
    assert problem.startswith("environments/loop.toml: ")


def test_a_fifo_is_refused_without_reading_it(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    os.mkfifo(folder / "pipe.toml")
    assert _folder_problems(folder) == ["environments/pipe.toml: not a regular file: an environment file is a TOML text file"]


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    assert _only_problem(tmp_path, VALID + "# " + "x" * (1024 * 1024) + "\n").endswith(
        "larger than 1024 KiB: an environment file is a few kilobytes of TOML"
    )


def test_deep_nesting_is_one_problem(tmp_path: Path) -> None:
    assert _only_problem(tmp_path, VALID + "x = " + "[" * 5000 + "]" * 5000 + "\n").endswith(
        "nested too deeply to be read; an environment file needs a few levels of tables"
    )


def test_hidden_files_and_editor_leftovers_are_not_environments(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "prod.toml").write_text(VALID)
    (folder / ".#prod.toml").symlink_to(folder / "missing")
    assert [c.name for c in load_environments(folder)] == ["prod"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('cost_centre = "cc-4711"', 'cost_centre = "cc-4711"\nextra = { team = "${file(\\"/etc/passwd\\")}" }'),
         "tags.extra.team = '${file(\"/etc/passwd\")}': a plain value: ${ and %{ start Terraform expressions, which settings may not contain"),
        (("[network]\n", "[network]\nflow_log_traffic_type = \"%{ if true }ALL%{ endif }\"\n"),
         "network.flow_log_traffic_type = '%{ if true }ALL%{ endif }': a plain value: ${ and %{ start Terraform expressions, "
         "which settings may not contain"),
        (("[network]\n", "[network]\nsubnet_prefix_length = nan\n"), "network.subnet_prefix_length = nan: a finite number (not nan or inf)"),
        (('owner = "platform-team"', 'owner = "platform-team\\n"'),
         "tags.owner = 'platform-team\\n': text without control characters such as line breaks"),
    ],
)  # fmt: skip
def test_values_no_setting_may_hold(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert problems_of(tmp_path, VALID.replace(*change)) == [f"{F}: {expected}"]


def test_a_hostile_key_is_printed_escaped(tmp_path: Path) -> None:
    problem = _only_problem(tmp_path, VALID.replace("[network]\n", '[network]\n"\\u001b[31mx\\nfake" = 1\n'))
    assert "\x1b" not in problem and "\n" not in problem
    assert problem.endswith("text without control characters such as line breaks")


def test_a_long_value_is_shown_cut(tmp_path: Path) -> None:
    problem = _only_problem(tmp_path, VALID.replace("[network]\n", '[network]\nbogus = "' + "y" * 500 + '"\n'))
    assert "... (502 characters): unknown key; allowed keys:" in problem


def _function(setting: str) -> str:
    return FUNCTIONS.replace('source = "object_processor"\n', 'source = "object_processor"\n' + setting + "\n")


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('schedule = "rate(1 minutes)"',
         "functions.worker.schedule = 'rate(1 minutes)': an EventBridge schedule: rate(5 minutes), rate(1 hour), cron(0 3 * * ? *)"),
        ('schedule = "cron(foo)"',
         "functions.worker.schedule = 'cron(foo)': an EventBridge schedule: rate(5 minutes), rate(1 hour), cron(0 3 * * ? *)"),
        ("reserved_concurrency = 1000", "functions.worker.reserved_concurrency = 1000: at most 900"),
        ('environment = { LAMBDA_RUNTIME_DIR = "/x" }',
         "functions.worker.environment = {'LAMBDA_RUNTIME_DIR': '/x'}: environment variable names are letters, digits and _, "
         "not starting with AWS_ and not one Lambda sets itself (_HANDLER, _X_AMZN_TRACE_ID, LAMBDA_TASK_ROOT, "
         "LAMBDA_RUNTIME_DIR, TZ): LAMBDA_RUNTIME_DIR"),
        ('writes = ["inbox"]',
         "functions.worker.bucket_events[0] = {'bucket': 'inbox'}: the function writes to inbox under 'any key', where this "
         "event fires: each write would invoke it again; give the trigger and object_prefix separate prefixes"),
    ],
)  # fmt: skip
def test_function_settings_aws_or_a_loop_would_reject(tmp_path: Path, setting: str, expected: str) -> None:
    assert problems_of(tmp_path, _function(setting)) == [f"{F}: {expected}"]


def test_a_request_schema_outside_the_function_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.schema.json").write_text('{"title": "Secret", "secret": "s3cr3t"}')
    text = _function("").replace('api = "functions"', 'api = "rest"') + (
        f'routes = [{{ method = "POST", path = "/x", request_schema = "{tmp_path / "secret.schema.json"}" }}]\n'
    )
    text = text.replace('bucket_events = [{ bucket = "inbox" }]\n', 'bucket_events = [{ bucket = "inbox" }]\n', 1)
    (problem,) = problems_of(tmp_path, text)
    assert problem.endswith("a file inside lambda_src/object_processor/ (it is packaged with the function's sources)")


def test_two_bucket_events_on_overlapping_prefixes_are_refused(tmp_path: Path) -> None:
    text = FUNCTIONS + '[functions.second]\nsource = "object_processor"\nbucket_events = [{ bucket = "inbox", prefix = "a/" }]\n'
    assert problems_of(tmp_path, text) == [
        f"{F}: functions.second.bucket_events[0] = {{'bucket': 'inbox', 'prefix': 'a/'}}: overlaps the bucket event of "
        "functions.worker on inbox: S3 rejects two notifications for the same event type whose prefixes and suffixes both overlap; "
        'set delivery = "eventbridge" on one of them to have both react'
    ]


def test_overlapping_events_through_eventbridge_are_accepted(tmp_path: Path) -> None:
    text = FUNCTIONS.replace(
        'bucket_events = [{ bucket = "inbox" }]', 'bucket_events = [{ bucket = "inbox", delivery = "eventbridge" }]'
    )
    text += '[functions.second]\nsource = "object_processor"\nbucket_events = [{ bucket = "inbox", prefix = "a/" }]\n'
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "prod.toml").write_text(text)
    (config,) = load_environments(folder)
    assert [e.delivery for f in ("worker", "second") for e in config.parts["functions"][f].bucket_events] == ["eventbridge", "s3"]


def test_routes_that_would_collide_in_api_gateway_are_refused(tmp_path: Path) -> None:
    text = FUNCTIONS.replace('api = "functions"', 'api = "rest"') + (
        '[functions.reader]\nsource = "download_url"\nroutes = [{ method = "GET", path = "/files/{id}" }, '
        '{ method = "DELETE", path = "/files/{name}" }]\n'
    )
    assert problems_of(tmp_path, text) == [
        f"{F}: functions.reader.routes = 'DELETE /files/{{name}}': {{id}} and {{name}} at the same place in a path: "
        "API Gateway accepts one name there"
    ]


def test_declared_parts_of_a_component_that_is_off_are_an_error(tmp_path: Path) -> None:
    text = FUNCTIONS.replace('api = "functions"', 'api = "none"')
    assert problems_of(tmp_path, text) == [
        f"{F}: functions = ['worker']: declared, but components.api is \"none\", which builds them: set components.api = "
        '"rest" or "functions", or remove the [functions.<name>] tables'
    ]


def test_a_lifecycle_rule_without_an_action_is_refused(tmp_path: Path) -> None:
    text = FUNCTIONS.replace('purpose = "uploads"\n', 'purpose = "uploads"\nlifecycle = [{ id = "nothing" }]\n')
    assert problems_of(tmp_path, text) == [
        f"{F}: buckets.inbox.lifecycle[0] = {{'id': 'nothing'}}: a rule needs expiration_days or transitions: S3 rejects "
        "a rule that does nothing"
    ]


def test_a_vpc_in_a_range_aws_refuses_is_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID + 'vpc_cidr = "127.0.0.0/16"\n') == [
        f"{F}: network.vpc_cidr = '127.0.0.0/16': use a private (RFC 1918) range such as 10.0.0.0/16, or 100.64.0.0/10"
    ]
