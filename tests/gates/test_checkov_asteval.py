"""One asteval interpreter per thread evaluates every expression, and scans every stack, as a new
interpreter per expression does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gates.security import CHECKOV_VENV_BIN
from tests.conftest import ROOT

PYTHON = CHECKOV_VENV_BIN.parent / "python"

# Expressions of the kinds Checkov's renderer evaluates, in an order where state one evaluation
# leaves behind (an error, an assignment, a syntax error's text) would show in the next.
EXPRESSIONS = [
    "1 + 2",
    "max(1, 5, 3)",
    "lower('ABC')",
    "'a' if True else 'b'",
    "no_such_function(1)",
    "concat([1], [2])",
    "length([1, 2, 3])",
    "1 +",
    "'after a syntax error'",
    "x = 3",
    "x",
    "merge({'a': 1}, {'b': 2})",
    "[1, 2, 3][5]",
    "range(3)",
    "tostring(4)",
    "jsonencode({'a': [1, 2]})",
    "try(1 / 0, 'fallback')",
    "...",
    "",
    "contains(['a', 'b'], 'b')",
    "1 / 0",
    "upper('still fine after an exception')",
]

# In Checkov's venv: each expression through Checkov's evaluate, first with its own
# get_asteval, then after install(); the same for whole scans of the stacks given.
RUN_BOTH = r"""
import contextlib, io, json, logging, sys, threading, warnings
warnings.simplefilter("ignore", category=SyntaxWarning)
sys.path.insert(0, sys.argv[1])
expressions = json.loads(sys.argv[2])
from checkov.main import Checkov
from checkov.terraform.graph_builder.variable_rendering import safe_eval_functions as sef
import checkov_asteval
logging.disable(logging.INFO)
argv = sys.argv[3:]

def evaluate_all():
    out = []
    for text in expressions:
        try:
            out.append(["value", repr(sef.evaluate(text))])
        except Exception as error:
            out.append(["error", type(error).__name__, str(error)])
    return out

def scan():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            Checkov(argv).run()
        except SystemExit:
            pass
    return out.getvalue()

def symbols():
    return sorted(k for k in sef.SAFE_EVAL_DICT if k != "print")

before_symbols = symbols()
shipped = evaluate_all()
shipped_scan = scan()
sef.SAFE_EVAL_DICT.pop("x", None)  # the assignment above lands in the shared table either way
installed = checkov_asteval.install()
reused = evaluate_all()
threads = {}
def in_thread(name):
    threads[name] = id(sef.get_asteval())
workers = [threading.Thread(target=in_thread, args=(n,)) for n in ("a", "b")]
for w in workers: w.start()
for w in workers: w.join()
reused_scan = scan()
print(json.dumps({
    "installed": installed, "shipped": shipped, "reused": reused,
    "same_in_one_thread": sef.get_asteval() is sef.get_asteval(),
    "threads_apart": threads["a"] != threads["b"] and id(sef.get_asteval()) not in threads.values(),
    "shipped_scan": shipped_scan, "reused_scan": reused_scan,
    "symbols_kept": before_symbols == [k for k in symbols() if k != "x"],
}))
"""


def test_one_interpreter_per_thread_evaluates_and_scans_as_one_per_expression(synth_dir: Path) -> None:
    if not PYTHON.exists():
        pytest.fail("Checkov's venv is missing: run `make install`")
    argv = ["--framework", "terraform_json", "--skip-download", "-o", "json", "--compact"]
    for name in ("dev", "prod"):
        argv += ["-f", str(synth_dir / "stacks" / name / "cdk.tf.json")]
    argv += ["--external-checks-dir", str(ROOT / "policies" / "checks")]
    completed = subprocess.run(
        [str(PYTHON), "-c", RUN_BOTH, str(ROOT / "gates" / "checkov_worker"), json.dumps(EXPRESSIONS), *argv],
        capture_output=True,
        text=True,
        env={"LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["installed"] is True
    assert result["same_in_one_thread"] and result["threads_apart"]
    assert result["reused"] == result["shipped"]
    kinds = {outcome[0] for outcome in result["shipped"]}
    assert kinds == {"value", "error"}  # the list really exercises both paths
    assert result["symbols_kept"]

    def outcomes(report: dict) -> dict:
        return {
            kind: sorted((e["check_id"], e["resource"], json.dumps(e, sort_keys=True)) for e in report["results"][kind])
            for kind in report["results"]
        }

    shipped, reused = json.loads(result["shipped_scan"]), json.loads(result["reused_scan"])
    assert outcomes(reused) == outcomes(shipped)
    assert reused["summary"] == shipped["summary"] and shipped["summary"]["passed"] > 100
