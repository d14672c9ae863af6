"""One asteval interpreter per thread evaluates every expression, and scans every stack, as a new
interpreter per expression does."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT
from tests.gates import checkov_venv

# Expressions of the kinds Checkov's renderer evaluates, in an order where state one evaluation
# leaves behind (an error, an assignment, a syntax error's text) would show in the next.
EXPRESSIONS = [
    "x",
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
    # Again: the kept tree of a text must evaluate as a fresh parse (the name now assigned, the
    # syntax error raised again, the same values).
    "x",
    "1 +",
    "1 + 2",
    "no_such_function(1)",
    "merge({'a': 1}, {'b': 2})",
]

# In Checkov's venv: each expression through Checkov's evaluate, first with its own
# get_asteval, then after install(); the same for whole scans of the stacks given.
RUN_BOTH = r"""
import threading
expressions = json.loads(sys.argv[2])
import checkov.main
from checkov.terraform.graph_builder.variable_rendering import safe_eval_functions as sef
import checkov_asteval
argv = sys.argv[3:]

def evaluate_all():
    out = []
    for text in expressions:
        try:
            out.append(["value", repr(sef.evaluate(text))])
        except Exception as error:
            out.append(["error", type(error).__name__, str(error)])
    return out

def symbols():
    return sorted(k for k in sef.SAFE_EVAL_DICT if k != "print")

before_symbols = symbols()
shipped = evaluate_all()
shipped_scan = scan(argv)
sef.SAFE_EVAL_DICT.pop("x", None)  # the assignment above lands in the shared table either way
installed = checkov_asteval.install()
reused = evaluate_all()
kept = sorted(getattr(sef.get_asteval(), "kept_trees", {}))
threads = {}
def in_thread(name):
    threads[name] = id(sef.get_asteval())
workers = [threading.Thread(target=in_thread, args=(n,)) for n in ("a", "b")]
for w in workers: w.start()
for w in workers: w.join()
reused_scan = scan(argv)
print(json.dumps({
    "installed": installed, "shipped": shipped, "reused": reused,
    "same_in_one_thread": sef.get_asteval() is sef.get_asteval(),
    "threads_apart": threads["a"] != threads["b"] and id(sef.get_asteval()) not in threads.values(),
    "shipped_scan": shipped_scan, "reused_scan": reused_scan,
    "symbols_kept": before_symbols == [k for k in symbols() if k != "x"],
    "kept": kept,
}))
"""


def test_one_interpreter_per_thread_evaluates_and_scans_as_one_per_expression(synth_dir: Path) -> None:
    stacks = [synth_dir / "stacks" / name / "cdk.tf.json" for name in ("dev", "prod")]
    argv = checkov_venv.scan_argv(stacks, ROOT / "policies" / "checks")
    result = checkov_venv.run(RUN_BOTH, json.dumps(EXPRESSIONS), *argv)
    assert result["installed"] is True
    assert result["same_in_one_thread"] and result["threads_apart"]
    assert result["reused"] == result["shipped"]
    kinds = {outcome[0] for outcome in result["shipped"]}
    assert kinds == {"value", "error"}  # the list really exercises both paths
    assert result["symbols_kept"]
    # Each text that parses is kept once, a text that does not parse never.
    assert "1 + 2" in result["kept"] and "x" in result["kept"] and "1 +" not in result["kept"]
    assert len(result["kept"]) == len(set(result["kept"])) < len(EXPRESSIONS)
    shipped, reused = json.loads(result["shipped_scan"]), json.loads(result["reused_scan"])
    assert checkov_venv.outcomes(reused) == checkov_venv.outcomes(shipped)
    assert reused["summary"] == shipped["summary"] and shipped["summary"]["passed"] > 100
