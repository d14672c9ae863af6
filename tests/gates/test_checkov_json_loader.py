"""Terraform JSON read by libyaml gives Checkov exactly the definitions its own reading gives."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gates.security import CHECKOV_VENV_BIN
from tests.conftest import ROOT

PYTHON = CHECKOV_VENV_BIN.parent / "python"

# Run in Checkov's venv: for each file, Checkov's reading (its loader module's `loads` and its
# Terraform JSON parser) before and after install(), and whether libyaml itself read it.
COMPARE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import yaml
from checkov.common.parsers.yaml import loader
from checkov.terraform_json import parser
import checkov_json_loader

asked = json.loads(sys.stdin.read())
paths = [Path(p) for p in asked["paths"]]
def outcome(read, *args):
    # Checkov's parser refuses some shapes (array-form blocks) with an exception: the same one either way.
    try:
        return read(*args)
    except Exception as exc:
        return ("raised", type(exc).__name__)
def both(path):
    # Checkov's Terraform JSON parser reads through the loader's `loads`: asked for where it matters.
    return outcome(loader.loads, path.read_text()), (outcome(parser.loads, path) if asked["parser"] else ("not asked",))
before = [both(p) for p in paths]
installed = checkov_json_loader.install()
after = [both(p) for p in paths]
def by_libyaml(path):
    try:
        list(yaml.load_all(path.read_text(), Loader=checkov_json_loader.CSafeLineLoader))
        return "\t" not in path.read_text()
    except Exception:
        return False
print(json.dumps({
    "installed": installed,
    "libyaml": [by_libyaml(p) for p in paths],
    "same": [b == a for b, a in zip(before, after)],
    "parsed": [b[1][0] != "raised" and bool(b[1][0]) for b in before],
}))
"""

# Files whose reading takes each path: libyaml, a tab (Checkov's own reading), an escaped surrogate pair (libyaml refuses, Checkov's reading accepts), non-ASCII
# text, Windows line ends, a label comment, nested arrays of objects, and malformed JSON.
EDGE_CASES = {
    "plain.tf.json": '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x", "tags": {"a": "1"}}}}}',
    "tabs.tf.json": '{\n\t"resource": {\n\t\t"aws_s3_bucket": {"b": {"bucket": "x"}}\n\t}\n}\n',
    "surrogate.tf.json": '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x", "tags": {"e": "\\ud83d\\ude00"}}}}}',
    "unicode.tf.json": '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x", "tags": {"n": "Grüße – 日本 😀"}}}}}',
    "crlf.tf.json": '{\r\n  "resource": {\r\n    "aws_s3_bucket": {\r\n      "b": {"bucket": "x"}\r\n    }\r\n  }\r\n}\r\n',
    "comment.tf.json": '{"//": {"metadata": {"x": 1}}, "resource": {"aws_s3_bucket": {"b": {"//": "note", "bucket": "x"}}}}',
    "arrays.tf.json": '{"resource": [{"aws_security_group": [{"sg": [{"ingress": [{"from_port": 22, "cidr_blocks": []}]}]}]}]}',
    "broken.tf.json": '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x",}}',
}


def _compare(paths: list[Path], parser: bool) -> dict[str, list[bool] | bool]:
    if not PYTHON.exists():
        pytest.fail("Checkov's venv is missing: run `make install`")
    completed = subprocess.run(
        [str(PYTHON), "-c", COMPARE, str(ROOT / "gates" / "checkov_worker")],
        input=json.dumps({"paths": [str(p) for p in paths], "parser": parser}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result: dict[str, list[bool] | bool] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_every_stack_and_fixture_reads_the_same(synth_dir: Path) -> None:
    paths = sorted(synth_dir.glob("stacks/*/cdk.tf.json")) + sorted((ROOT / "tests" / "fixtures").rglob("*.json"))
    assert len(paths) > 20
    result = _compare(paths, parser=False)
    assert result["installed"] is True
    assert result["same"] == [True] * len(paths), [str(p) for p, same in zip(paths, result["same"], strict=True) if not same]
    # Not vacuous: libyaml really read the synthesized stacks.
    stacks = [flag for p, flag in zip(paths, result["libyaml"], strict=True) if p.name == "cdk.tf.json"]
    assert stacks and all(stacks)


def test_edge_cases_take_the_path_that_reads_them_as_checkov_does(tmp_path: Path) -> None:
    paths = []
    for name, text in EDGE_CASES.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    result = _compare(paths, parser=True)
    assert result["same"] == [True] * len(paths)
    taken = dict(zip(EDGE_CASES, result["libyaml"], strict=True))
    assert taken == {
        "plain.tf.json": True,
        "tabs.tf.json": False,
        "surrogate.tf.json": False,
        "unicode.tf.json": True,
        "crlf.tf.json": True,
        "comment.tf.json": True,
        "arrays.tf.json": True,
        "broken.tf.json": False,
    }
    parsed = dict(zip(EDGE_CASES, result["parsed"], strict=True))
    # Checkov's own reading takes the escaped pair, and reads a file with tabs as empty (its loader
    # swallows the scanner's refusal, so its JSON fallback never runs): the same either way.
    assert parsed["surrogate.tf.json"] and parsed["unicode.tf.json"]
    assert not parsed["tabs.tf.json"] and not parsed["broken.tf.json"]
