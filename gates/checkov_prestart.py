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
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "checkov_worker" / "checkov_server.py"
# Checkov reads these when it is imported, so the process must start with them (the gate sets the same).
IMPORT_TIME_ENVIRONMENT = {"LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE"}
# A session opened with share=True listens on a Unix socket in a private folder and names it here,
# so gate runs in child processes (python -m gates, main.py --gate) send their scans to it instead
# of importing Checkov again. Unset, or naming no socket: each run starts its own.
SERVER_VARIABLE = "GATE_CHECKOV_SERVER"


class _Server:
    """One server process and the executable whose venv it runs in."""

    def __init__(self, executable: Path, env: dict[str, str], listen: Path | None = None) -> None:
        self.executable = executable
        self.listen = listen  # the socket shared with child processes, in a folder of its own
        listener = None
        if listen is not None:
            # Bound and listening before the server starts: a request made at once waits for it.
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(str(listen))
            listener.listen(8)
        self.process = subprocess.Popen(
            [str(executable.parent / "python"), str(SERVER), *(["--socket-fd", str(listener.fileno())] if listener else [])],
            pass_fds=(listener.fileno(),) if listener else (),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**env, **IMPORT_TIME_ENVIRONMENT},
        )
        if listener is not None:
            listener.close()  # the server holds it now

    def serves(self, commands: list[list[str]]) -> bool:
        return bool(commands) and all(c and Path(c[0]).resolve() == self.executable.resolve() for c in commands)

    def request(self, commands: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]] | None:
        """Send the commands and read the answer (waiting for the import if it is still going)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        line = json.dumps({"runs": [c[1:] for c in commands], "env": env, "cwd": os.getcwd()}) + "\n"
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
        results = _completed(commands, answer)
        if results is None:
            self.kill()  # it could not import Checkov or died: the gate runs the executable
        return results

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


def _completed(commands: list[list[str]], answer: object) -> list[subprocess.CompletedProcess[str]] | None:
    """Each command's result from a server's answer, or None when the answer is not one."""
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or len(results) != len(commands):
        return None
    try:
        return [
            subprocess.CompletedProcess(c, int(r["returncode"]), str(r["stdout"]), str(r["stderr"]))
            for c, r in zip(commands, results, strict=True)
        ]
    except (KeyError, TypeError, ValueError):
        return None


def _shared_socket() -> str | None:
    path = os.environ.get(SERVER_VARIABLE, "")
    return path if path and Path(path).is_socket() else None


def _request_shared(path: str, commands: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]] | None:
    """Send the commands to the shared session's socket; None when it cannot answer them."""
    if len({c[0] for c in commands if c}) != 1 or not all(commands):
        return None
    request = {"runs": [c[1:] for c in commands], "env": env, "cwd": os.getcwd(), "executable": commands[0][0]}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(path)
            connection.sendall((json.dumps(request) + "\n").encode())
            with connection.makefile("r", encoding="utf-8") as stream:
                answer = json.loads(stream.readline() or "null")
    except (OSError, ValueError):
        return None
    return _completed(commands, answer)


_server: _Server | None = None
_session: _Server | None = None


def _python_of(executable: Path) -> bool:
    return (executable.parent / "python").exists()


def start(executable: Path, env: dict[str, str]) -> bool:
    """Start the server next to `executable` (its venv's python); False when there is no such interpreter."""
    global _server
    if _server is not None or not _python_of(executable) or _shared_socket() is not None:
        return False  # running, impossible, or a shared session will answer
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


def open_session(executable: Path, env: dict[str, str], share: bool = False) -> bool:
    """A server that answers every scan until `close_session()`; False when there is no interpreter.
    With `share`, also the scans of gate runs in child processes (SERVER_VARIABLE names its socket)."""
    global _session
    if _session is not None:
        return True
    if not _python_of(executable):
        return False
    listen = None
    if share:
        listen = Path(tempfile.mkdtemp(prefix="checkov-session-")) / "server.sock"  # folder mode 0700: this user only
        os.environ[SERVER_VARIABLE] = str(listen)
    _session = _Server(executable, env, listen)
    atexit.register(close_session)
    return True


def close_session() -> None:
    global _session
    session, _session = _session, None
    if session is None:
        return
    if session.listen is not None and os.environ.get(SERVER_VARIABLE) == str(session.listen):
        del os.environ[SERVER_VARIABLE]
    session.close()
    if session.listen is not None:
        shutil.rmtree(session.listen.parent, ignore_errors=True)


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
    shared = _shared_socket()
    return _request_shared(shared, commands, env) if shared else None


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str] | None:
    """The result of `command` from the prestarted Checkov, or None when the caller should run it itself."""
    results = run_many([command], env)
    return results[0] if results else None
