"""One asteval interpreter per thread for Checkov's expression evaluation (runs in Checkov's own venv).

Checkov evaluates each Terraform expression it renders (`safe_eval_functions.evaluate`) in a
new `asteval.Interpreter`, and building one (its configuration, its table of node handlers)
costs more than most of the evaluations: about a tenth of a scan's CPU time on the shipped
stacks. Every interpreter Checkov builds is the same: the same shared symbol table
(`SAFE_EVAL_DICT`, which asteval uses as given, not a copy), the minimal node set, no numpy.
`install()` has `get_asteval` hand out one interpreter per thread instead, with the state an
evaluation leaves on it (its errors, the expression and code text, the call depth, the
interrupt and return value) set back to what a new one starts with, so each evaluation sees
what it would have seen in a fresh interpreter. Per thread, because Checkov may render in
threads (RENDER_VARIABLES_ASYNC) and an interpreter's state is not shared safely.
tests/gates/test_checkov_asteval.py compares expressions, errors and whole reports both ways.

Each of these interpreters also keeps the syntax tree of every text it parsed
(`_keep_trees`): parsing is about two thirds of an evaluation, and a scan evaluates the same
texts again and again (over five stacks, 8,050 evaluations of 873 distinct texts). asteval
only reads a tree when it runs it (none of its node handlers changes a node), so a text
parsed again gives the same tree; a text that does not parse is parsed, and fails, every time.
The server (checkov_server.py) installs it; `checkov` run as an executable is unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

from checkov.terraform.graph_builder.variable_rendering import safe_eval_functions

_local = threading.local()


def _fresh(interpreter: Any) -> Any:
    """`interpreter` with the per-evaluation state a new asteval.Interpreter starts with."""
    interpreter.symtable["print"] = interpreter._printer  # as the constructor binds it
    interpreter.error = []
    interpreter.error_msg = None
    interpreter.expr = None
    interpreter.retval = None
    interpreter._interrupt = None
    interpreter._calldepth = 0
    interpreter.lineno = 0
    interpreter.code_text = []
    return interpreter


# Trees kept per interpreter at most; texts beyond are parsed each time (a bound on memory for
# stacks with very many distinct expressions; the shipped ones have under a thousand).
KEPT_TREES = 20_000


def _keep_trees(interpreter: Any) -> Any:
    """`interpreter`, parsing each text once and handing out its tree again after."""
    parse_text = interpreter.parse
    trees: dict[str, Any] = {}

    def parse(text: str) -> Any:
        tree = trees.get(text)
        if tree is None:
            tree = parse_text(text)  # a text that does not parse raises here, as before, and is not kept
            if len(trees) < KEPT_TREES:
                trees[text] = tree
        else:
            interpreter.expr = text  # what asteval's parse records first
        return tree

    interpreter.parse = parse
    interpreter.kept_trees = trees
    return interpreter


def get_asteval() -> Any:
    """This thread's interpreter, built the way Checkov builds each of its own."""
    interpreter = getattr(_local, "interpreter", None)
    if interpreter is None:
        interpreter = _local.interpreter = _keep_trees(_checkov_get_asteval())
    return _fresh(interpreter)


# Checkov's own function, kept before `install()` replaces it.
_checkov_get_asteval = safe_eval_functions.get_asteval


def install() -> bool:
    """Route Checkov's interpreter requests through `get_asteval`; False (nothing changed) when the
    Checkov installed builds its interpreters some other way."""
    if not callable(getattr(safe_eval_functions, "get_asteval", None)) or not hasattr(safe_eval_functions, "Interpreter"):
        return False
    probe = _checkov_get_asteval()
    expected = ("error", "error_msg", "expr", "retval", "_interrupt", "_calldepth", "lineno", "code_text", "_printer")
    if not all(hasattr(probe, name) for name in expected) or probe.symtable is not safe_eval_functions.SAFE_EVAL_DICT:
        return False  # another asteval: its interpreters may carry state this module does not know to reset
    safe_eval_functions.get_asteval = get_asteval
    return True
