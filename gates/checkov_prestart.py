"""Start Checkov while the stacks synthesize; the security gate hands it the stacks once they are written.

`main.py --gate` calls `start()` before it builds the app, and `python -m gates`
before it reads its inputs. The server (gates/checkov_worker/checkov_server.py,
run by the Python of Checkov's own venv) spends that time importing Checkov. The
gate's launching function (gates/security.py, `run_checkov`) asks `run_many()`
first: when a started process exists and the commands are for the same Checkov
executable, the process runs them, each in a child forked from it, all at once,
and their exit codes, stdout and stderr come back as from the executable.
Otherwise (no server, another executable, the server failed), None comes back
and the gate starts Checkov itself as before.

A prestarted process serves one request. `open_session()` keeps one for many
(a test session: Checkov is imported once per worker, and each scan still runs
in a fresh child of that process); `close_session()` ends it.
"""

from __future__ import annotations

import atexit
import json
import subprocess
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "checkov_worker" / "checkov_server.py"
# Checkov reads these when it is imported, so the process must start with them (the gate sets the same).
IMPORT_TIME_ENVIRONMENT = {"LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE"}


class _Server:
    """One server process and the executable whose venv it runs in."""

    def __init__(self, executable: Path, env: dict[str, str]) -> None:
        self.executable = executable
        self.process = subprocess.Popen(
            [str(executable.parent / "python"), str(SERVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**env, **IMPORT_TIME_ENVIRONMENT},
        )

    def serves(self, commands: list[list[str]]) -> bool:
        return bool(commands) and all(c and Path(c[0]).resolve() == self.executable.resolve() for c in commands)

    def request(self, commands: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]] | None:
        """Send the commands and read the answer (waiting for the import if it is still going)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        line = json.dumps({"runs": [c[1:] for c in commands], "env": env}) + "\n"
        try:
            self.process.stdin.write(line)
            self.process.stdin.flush()
            answer: object = None
            while True:
                text = self.process.stdout.readline()
                if not text:
                    break
                answer = json.loads(text)
                if not (isinstance(answer, dict) and answer.get("ready")):
                    break
        except (OSError, ValueError):
            self.kill()
            return None
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(commands):
            self.kill()
            return None  # it could not import Checkov or died: the gate runs the executable
        return [
            subprocess.CompletedProcess(c, int(r["returncode"]), str(r["stdout"]), str(r["stderr"]))
            for c, r in zip(commands, results, strict=True)
        ]

    def close(self) -> None:
        """Let it exit after what it is doing (stdin closed)."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


_server: _Server | None = None
_session: _Server | None = None


def _python_of(executable: Path) -> bool:
    return (executable.parent / "python").exists()


def start(executable: Path, env: dict[str, str]) -> bool:
    """Start the server next to `executable` (its venv's python); False when there is no such interpreter."""
    global _server
    if _server is not None or not _python_of(executable):
        return False
    if _session is not None and _session.serves([[str(executable)]]):
        return False  # the open session answers this executable's scans
    _server = _Server(executable, env)
    atexit.register(stop)
    return True


def stop() -> None:
    """No scan after all (an invalid configuration, an interrupted run): let the server exit."""
    global _server
    server, _server = _server, None
    if server is None:
        return
    # It has scanned nothing: stopping it now beats waiting for its import to finish.
    server.kill()


def open_session(executable: Path, env: dict[str, str]) -> bool:
    """A server that answers every scan until `close_session()`; False when there is no interpreter."""
    global _session
    if _session is not None:
        return True
    if not _python_of(executable):
        return False
    _session = _Server(executable, env)
    atexit.register(close_session)
    return True


def close_session() -> None:
    global _session
    session, _session = _session, None
    if session is not None:
        session.close()


def run_many(commands: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]] | None:
    """The results of `commands`, run in parallel by the prestarted Checkov (or the session), or None
    when the caller should run them itself."""
    global _server, _session
    server, _server = _server, None
    if server is not None:
        if not server.serves(commands):
            server.kill()
            return None
        results = server.request(commands, env)
        server.close()
        return results
    if _session is not None and _session.serves(commands):
        results = _session.request(commands, env)
        if results is None:
            _session = None  # it died: later scans start Checkov themselves
        return results
    return None


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str] | None:
    """The result of `command` from the prestarted Checkov, or None when the caller should run it itself."""
    results = run_many([command], env)
    return results[0] if results else None
