"""A Checkov process started before the stacks exist, so its import overlaps synthesis (runs in Checkov's own venv).

`tools/checkov_prestart.py` starts it while the app synthesizes. It imports
Checkov (its runners and the registry of built-in checks: about 1.75 s of a
4.6 s run) and then waits for one request on stdin: the command-line arguments
the gate would have passed to the `checkov` executable, and the environment to
run them in. It runs exactly that, once, and answers on its original stdout
with the exit code and what Checkov printed on stdout and stderr, as the
executable would have. One request, then it exits: one Checkov run over all stacks.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from typing import Any

# What the executable's entry point does before running.
warnings.simplefilter("ignore", category=SyntaxWarning)


def _capture(argv: list[str]) -> tuple[int, str, str]:
    """Run Checkov with file descriptors 1 and 2 sent to files: its loggers hold the original stream objects."""
    from checkov.main import Checkov

    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            try:
                code = Checkov(argv).run()
                exit_code = int(code or 0)
            except SystemExit as stop:
                exit_code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
        out.seek(0)
        err.seek(0)
        return exit_code, out.read(), err.read()


def main() -> int:
    # Answers go to the stdout this process started with; Checkov's own output is captured.
    answer = os.fdopen(os.dup(1), "w")
    import checkov.main  # noqa: F401  (the slow part, done while the app synthesizes)

    answer.write(json.dumps({"ready": True}) + "\n")
    answer.flush()
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the app stopped before the gates (invalid configuration, interrupted): nothing to scan
    request: dict[str, Any] = json.loads(line)
    os.environ.clear()
    os.environ.update(request["env"])
    try:
        exit_code, out, err = _capture(list(request["argv"]))
    except Exception as exc:  # reported as a crash, exactly as the executable would exit with a traceback
        exit_code, out, err = 2, "", f"{type(exc).__name__}: {exc}"
    answer.write(json.dumps({"returncode": exit_code, "stdout": out, "stderr": err}) + "\n")
    answer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
