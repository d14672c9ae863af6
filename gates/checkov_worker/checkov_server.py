"""A Checkov process started before the stacks exist, so its import overlaps synthesis (runs in Checkov's own venv).

`gates/checkov_prestart.py` starts it while the app synthesizes (or the gate reads its inputs). It imports
Checkov (its runners and the registry of built-in checks: about 1.75 s of a
4.6 s run) and then waits for requests on stdin, one JSON line each: the
command-line arguments of one or more runs the gate would have passed to the
`checkov` executable (`runs`), the environment and the working folder to run
them in. Each run
happens in a child forked from this process, so it starts with Checkov already
imported and leaves nothing behind for the next one (Checkov's registries keep
the external checks a run loads); the runs of one request go in parallel, one
child each (the gate gives each a share of the stacks, one per core). The answer,
on the original stdout, holds each run's exit code and what Checkov printed on
stdout and stderr, as the executable would have. The process exits when stdin
closes: `main.py --gate` sends one request, a test session several.

Checkov's logging setup formats every debug record of a run into an in-memory
log kept only for its `--support` upload, which the gate never uses; records below
WARNING are switched off here (the console shows ERROR and above either way).
Checkov reads Terraform JSON with PyYAML's pure-Python parser; this process has it
read by libyaml where the result is the same (checkov_json_loader.py, beside this file),
prints its JSON report without indentation (checkov_compact_report.py) and without colorama
searching it for escape sequences it cannot hold (checkov_console.py), and evaluates
expressions in one interpreter per thread (checkov_asteval.py): the same content. The
libraries a scan would import on first use (PRELOADED) are imported before any fork, and
the objects of all these imports are then kept out of the garbage collector's walks
(`_settle`, `CHILD_COLLECTION_THRESHOLDS`).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import selectors
import socket
import sys
import tempfile
import warnings
from typing import Any

# What the executable's entry point does before running.
warnings.simplefilter("ignore", category=SyntaxWarning)


# Libraries a scan imports only when a check first needs them, so every forked run would import
# them again (about 0.55 s of CPU a run, most of a one-stack run's fixed cost): detect-secrets'
# plugins (Checkov's secret checks and the project's, policies/checks/_secrets.py), policyuniverse
# (Checkov's IAM checks and the project's) and pycountry's country table (policies/aws_rules.py).
# Imported here once, before any fork: modules and read-only tables, no settings or registries.
PRELOADED = (
    "detect_secrets.core.scan",
    "detect_secrets.settings",
    "detect_secrets.filters.common",
    "detect_secrets.plugins",
    "policyuniverse.statement",
    "policyuniverse.expander_minimizer",
    "policyuniverse.organization",
    "pycountry",
)


def _preload() -> None:
    import importlib
    import pkgutil

    for name in PRELOADED:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue  # a Checkov without it imports what it has when a check asks, as before
        if name == "detect_secrets.plugins":  # each plugin is its own module, found by listing the package
            for plugin in pkgutil.iter_modules(module.__path__):
                importlib.import_module(f"{name}.{plugin.name}")
        if name == "pycountry":
            len(module.countries)  # the table is read from its JSON file on first use


# Checkov's import leaves about 320,000 objects that live as long as this process. Every full
# collection in a forked run walked all of them again, and a run's own objects (each stack's
# definitions and graph, kept to the end of the run) made each walk longer as the run held more
# stacks: about a fifth of the CPU time of a run over eight stacks. `_settle` moves what the import
# left out of the collector's sight (gc.freeze) before any fork, which also keeps the children from
# writing to the memory pages they share with this process. A run then collects its young objects
# every 20,000 allocations instead of 700 and its older ones rarely: Checkov's definitions and
# graph are few reference cycles (a few hundred objects collected per run), so the peak memory
# of a run stays the same (measured over eight stacks).
CHILD_COLLECTION_THRESHOLDS = (20_000, 50, 100)


def _settle() -> None:
    """Before any fork: what the import and the preload left is collected once, then frozen."""
    gc.collect()
    gc.freeze()


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


def _one(argv: list[str], env: dict[str, str], cwd: str | None) -> dict[str, Any]:
    os.environ.clear()
    os.environ.update(env)
    if cwd:
        os.chdir(cwd)  # relative paths in argv are the requester's
    try:
        exit_code, out, err = _capture(argv)
    except Exception as exc:  # reported as a crash, exactly as the executable would exit with a traceback
        exit_code, out, err = 2, "", f"{type(exc).__name__}: {exc}"
    return {"returncode": exit_code, "stdout": out, "stderr": err}


def _forked(runs: list[list[str]], env: dict[str, str], cwd: str | None = None) -> list[dict[str, Any]]:
    """Each run in its own child of this (imported) process, all at once; their answers in order."""
    children: list[tuple[int, Any]] = []
    for argv in runs:
        result_file = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed once the child's answer is read)
        pid = os.fork()
        if pid == 0:  # the child: run, write the answer, leave without running the parent's cleanup
            gc.set_threshold(*CHILD_COLLECTION_THRESHOLDS)
            status = 0
            try:
                json.dump(_one(argv, env, cwd), result_file)
                result_file.flush()
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        children.append((pid, result_file))
    answers = []
    for pid, result_file in children:
        _, status = os.waitpid(pid, 0)
        result_file.seek(0)
        text = result_file.read()
        result_file.close()
        try:
            answers.append(json.loads(text))
        except ValueError:
            answers.append({"returncode": 2, "stdout": "", "stderr": f"the Checkov worker died (status {status})"})
    return answers


def _reply(line: str) -> dict[str, Any]:
    """The answer to one request line: each run's result, or why the request was refused."""
    try:
        request = json.loads(line)
        runs = request["runs"]
        env = request["env"]
        cwd = request.get("cwd")
        valid = (
            isinstance(runs, list)
            and all(isinstance(r, list) and all(isinstance(a, str) for a in r) for r in runs)
            and isinstance(env, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
            and (cwd is None or isinstance(cwd, str))
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        return {"refused": "a request is one JSON object with runs (lists of strings), env and cwd"}
    executable = request.get("executable")
    if executable is not None and os.path.normpath(os.path.join(os.path.dirname(str(executable)), "python")) != os.path.normpath(
        sys.executable
    ):
        return {"refused": f"this process runs the Checkov beside {sys.executable}, not {executable}"}
    return {"results": _forked([list(r) for r in runs], dict(env), cwd)}


def _listener() -> socket.socket | None:
    """The listening Unix socket the caller made (in a folder only its user can reach), by descriptor."""
    if "--socket-fd" not in sys.argv[1:-1]:
        return None
    return socket.socket(fileno=int(sys.argv[sys.argv.index("--socket-fd") + 1]))


def _serve_connection(connection: socket.socket) -> None:
    """One request per connection, from a gate run in another process; its answer, then close."""
    # A requester that connects and then neither sends nor reads must not hold up the others
    # (nor this process's own requests on stdin): the request line and the answer have a minute.
    connection.settimeout(60)
    with connection, connection.makefile("rw", encoding="utf-8") as stream:
        try:
            line = stream.readline()
            if line.strip():
                stream.write(json.dumps(_reply(line)) + "\n")
                stream.flush()
        except OSError:
            pass  # the requester went away: nothing to answer


def main() -> int:
    # Answers go to the stdout this process started with; Checkov's own output is captured.
    answer = os.fdopen(os.dup(1), "w")
    # With --socket-fd N, gate runs in other processes (a test session's subprocesses) send their
    # requests to that listening socket, so they too run in children of this one import; one that
    # comes during the import waits for it.
    listener = _listener()
    import checkov.main  # noqa: F401  (the slow part, done while the app synthesizes)
    import checkov_asteval  # beside this file
    import checkov_compact_report
    import checkov_console
    import checkov_json_loader

    checkov_json_loader.install()  # Terraform JSON read by libyaml: the same definitions, faster
    checkov_compact_report.install()  # the JSON report printed in C: the same content
    checkov_asteval.install()  # one expression interpreter per thread instead of one per expression
    checkov_console.install()  # the report written without colorama's search for escape sequences
    _preload()
    logging.disable(logging.INFO)
    _settle()
    answer.write(json.dumps({"ready": True}) + "\n")
    answer.flush()
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    if listener is not None:
        selector.register(listener, selectors.EVENT_READ, "socket")
    while True:
        for key, _ in selector.select():
            if key.data == "socket" and listener is not None:
                connection, _ = listener.accept()
                _serve_connection(connection)
                continue
            line = sys.stdin.readline()
            if not line:
                return 0  # stdin closed: the app stopped before the gates, or the session ended
            if line.strip():
                answer.write(json.dumps(_reply(line)) + "\n")
                answer.flush()


if __name__ == "__main__":
    sys.exit(main())
