"""evaluate() on a 5,000-resource stack with a Checkov report of 20 entries per resource: every entry is
accounted for. The time is printed for the README's figure, never asserted."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from gates import security
from gates.inputs import resolve

RESOURCES = 5_000
CHECKS_PER_RESOURCE = 20


def synthetic(tmp_path: Path, count: int) -> tuple[Any, dict[str, Any]]:
    document = {
        "resource": {
            "aws_cloudwatch_log_group": {
                f"group_{i}": {"name": f"/app/{i}", "retention_in_days": 14, "//": {"metadata": {"path": f"s/logs/group_{i}"}}}
                for i in range(count)
            }
        }
    }
    folder = tmp_path / "big"
    folder.mkdir()
    path = folder / "cdk.tf.json"
    path.write_text(json.dumps(document))
    stack = resolve(str(folder))
    entries = [
        {
            "check_id": f"CKV_TEST_{c}",
            "check_name": "test",
            "resource": f"aws_cloudwatch_log_group.group_{i}",
            "file_abs_path": str(stack.scanned_file),  # the file Checkov is given (a canonical copy here)
            "file_line_range": [1, 2],
            "check_result": {"evaluated_keys": ["retention_in_days"]},
        }
        for i in range(count)
        for c in range(CHECKS_PER_RESOURCE)
    ]
    failed, passed = entries[: count // 10], entries[count // 10 :]
    return stack, {"results": {"passed_checks": passed, "failed_checks": failed}, "summary": {"checkov_version": "3.3.30"}}


def test_evaluate_accounts_for_every_entry_of_a_large_stack(tmp_path: Path) -> None:
    stack, report = synthetic(tmp_path, RESOURCES)
    started = time.perf_counter()
    result = security.evaluate([stack], [], report, dt.date(2026, 12, 1))["big"]
    elapsed = time.perf_counter() - started
    print(f"\nevaluate(): {RESOURCES} resources, {RESOURCES * CHECKS_PER_RESOURCE} entries in {elapsed:.2f} s")
    assert result.resources_scanned == RESOURCES
    assert len(result.failed) == RESOURCES // 10
    assert result.passed_checks == RESOURCES * CHECKS_PER_RESOURCE - RESOURCES // 10
    assert result.errors == []
