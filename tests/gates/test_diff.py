"""gates/diff.py: resource changes between two synthesized stacks, stateful replacements flagged."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from gates import diff
from gates.inputs import InputError
from tests.conftest import Stack

RULES = diff.load_rules()


def _key(usage: str) -> dict[str, Any]:
    return {"description": "data", "key_usage": usage, "enable_key_rotation": True}


def _doc(key_usage: str = "ENCRYPT_DECRYPT", **cluster: Any) -> dict[str, Any]:
    return {
        "resource": {
            "aws_kms_key": {"data": _key(key_usage)},
            "aws_rds_cluster": {
                "db": {
                    "cluster_identifier": "app",
                    "engine": "aurora-postgresql",
                    "kms_key_id": "${aws_kms_key.data.arn}",
                    **cluster,
                }
            },
        }
    }


def test_identical_stacks_have_no_changes(prod: Stack) -> None:
    result = diff.compare("prod", prod.doc, copy.deepcopy(prod.doc), RULES)
    assert result.empty
    assert diff.render(result, "a", "b") == "prod: no resource changes between a and b."


def test_renamed_environment_replaces_the_database_and_the_buckets(prod: Stack, synthesized: dict[str, Stack]) -> None:
    # qa is the prod file under another name: every name built from the environment changes.
    result = diff.compare("prod", prod.doc, synthesized["qa"].doc, RULES)
    dangerous = {c.address.split(".")[0]: c for c in result.dangerous}
    assert "cluster_identifier" in dangerous["aws_rds_cluster"].forces_replacement
    assert "bucket" in dangerous["aws_s3_bucket"].forces_replacement
    assert "name" in dangerous["aws_dynamodb_table"].forces_replacement


def test_changed_database_identifier_is_a_dangerous_replacement() -> None:
    result = diff.compare("dev", _doc(), _doc(cluster_identifier="app-2"), RULES)
    (change,) = result.changed
    assert change.address == "aws_rds_cluster.db" and change.dangerous
    assert change.forces_replacement == ("cluster_identifier",)
    text = diff.render(result, "last gated", "current")
    assert "DANGER: 1 resource(s) holding state" in text
    assert 'cluster_identifier: "app" -> "app-2"  # forces replacement' in text


def test_updatable_argument_is_a_change_not_a_replacement() -> None:
    result = diff.compare("dev", _doc(), _doc(backup_retention_period=7), RULES)
    (change,) = result.changed
    assert not change.replaced and not change.dangerous and not result.dangerous
    assert [(a.path, a.after) for a in change.changes] == [("backup_retention_period", 7)]


def test_replaced_key_replaces_the_database_that_names_it() -> None:
    result = diff.compare("dev", _doc(), _doc(key_usage="SIGN_VERIFY"), RULES)
    by_address = {c.address: c for c in result.changed}
    assert by_address["aws_kms_key.data"].forces_replacement == ("key_usage",)
    assert by_address["aws_rds_cluster.db"].forces_replacement == ("kms_key_id (refers to aws_kms_key.data, which is replaced)",)
    assert {c.address for c in result.dangerous} == {"aws_kms_key.data", "aws_rds_cluster.db"}


def test_removed_stateful_resource_is_dangerous_and_an_added_one_is_not() -> None:
    before = _doc()
    after = copy.deepcopy(before)
    del after["resource"]["aws_rds_cluster"]
    after["resource"]["aws_s3_bucket"] = {"new": {"bucket": "fresh"}}
    result = diff.compare("dev", before, after, RULES)
    assert [c.address for c in result.removed] == ["aws_rds_cluster.db"] and result.removed[0].dangerous
    assert [c.address for c in result.added] == ["aws_s3_bucket.new"] and not result.added[0].dangerous


def test_moved_block_is_a_rename_not_a_destroy() -> None:
    before = _doc()
    after = copy.deepcopy(before)
    after["resource"]["aws_rds_cluster"] = {"database": after["resource"]["aws_rds_cluster"].pop("db")}
    after["moved"] = [{"from": "aws_rds_cluster.db", "to": "aws_rds_cluster.database"}]
    result = diff.compare("dev", before, after, RULES)
    assert result.empty


def test_blocks_are_compared_item_by_item_and_metadata_is_ignored() -> None:
    before = {
        "resource": {"aws_s3_bucket_notification": {"n": {"//": {"x": 1}, "lambda_function": [{"events": ["a"], "id": "p"}]}}}
    }
    after = {
        "resource": {"aws_s3_bucket_notification": {"n": {"//": {"x": 2}, "lambda_function": [{"events": ["b"], "id": "p"}]}}}
    }
    (change,) = diff.compare("dev", before, after, RULES).changed
    assert [(a.path, a.argument) for a in change.changes] == [("lambda_function[0].events", "lambda_function")]


def test_every_listed_type_cites_the_provider_documentation() -> None:
    assert {"aws_rds_cluster", "aws_db_instance", "aws_s3_bucket", "aws_dynamodb_table", "aws_kms_key"} <= set(RULES)
    for rule in RULES.values():
        assert rule.source.endswith("/docs/resources/" + rule.rtype.removeprefix("aws_"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[aws_s3_bucket]\nattributes = []\n", "a non-empty list of argument names"),
        ('[aws_s3_bucket]\nattributes = ["bucket"]\n', "needs why"),
        ("[aws_s3_bucket\n", "cannot read the replacement list"),
    ],
)
def test_malformed_replacement_list_names_the_table(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "replacements.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        diff.load_rules(path)


def test_gated_copy_is_written_whole(tmp_path: Path, dev: Stack) -> None:
    from gates.inputs import Stack as GateStack

    written = diff.keep_gated(tmp_path, GateStack(env="dev", path=tmp_path / "cdk.tf.json", document=dev.doc))
    assert written == tmp_path / "dev" / "gated.tf.json"
    assert json.loads(written.read_text()) == dev.doc
    assert not list(tmp_path.glob("dev/*.tmp"))


def test_quiet_keeps_the_headline_and_the_danger_only() -> None:
    result = diff.compare("dev", _doc(), _doc(cluster_identifier="app-2", backup_retention_period=7), RULES)
    quiet = diff.render(result, "a", "b", quiet=True)
    assert quiet.splitlines()[0] == "dev: 0 to add, 1 to change, 0 to remove (a -> b)"
    assert "!! aws_rds_cluster.db replaced: cluster_identifier" in quiet and "backup_retention_period" not in quiet
    assert "\033[" not in quiet
    assert "\033[1;31mDANGER" in diff.render(result, "a", "b", colour=True)
