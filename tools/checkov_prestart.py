"""Start Checkov while the stacks synthesize; the security gate hands it the stacks once they are written.

`main.py --gate` calls `start()` before it builds the app. The server
(tools/checkov_server.py, in Checkov's own venv) spends the synthesis
importing Checkov. The gate's launching function (gates/security.py,
`run_checkov`) asks `run()` first: when a prestarted process exists and the
command is for the same Checkov executable, the process runs that exact
command once and its exit code, stdout and stderr come back as from the
executable. Otherwise (no server, another executable, the server failed),
`run()` returns None and the gate starts Checkov itself as before. The gate
finds this module through `sys.modules`, so `python -m gates` never imports it.
"""

from __future__ import annotations

import atexit
import json
import subprocess
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "checkov_server.py"
# Checkov reads these when it is imported, so the process must start with them (the gate sets the same).
IMPORT_TIME_ENVIRONMENT = {"LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE"}

_server: subprocess.Popen[str] | None = None
_executable: Path | None = None


def start(executable: Path, env: dict[str, str]) -> bool:
    """Start the server next to `executable` (its venv's python); False when there is no such interpreter."""
    global _server, _executable
    python = executable.parent / "python"
    if _server is not None or not python.exists():
        return False
    _server = subprocess.Popen(
        [str(python), str(SERVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**env, **IMPORT_TIME_ENVIRONMENT},
    )
    _executable = executable
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
    server.wait()


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str] | None:
    """The result of `command` from the prestarted Checkov, or None when the caller should run it itself."""
    global _server
    server, _server = _server, None
    if server is None:
        return None
    if _executable is None or not command or Path(command[0]).resolve() != _executable.resolve():
        _server = server
        stop()
        return None
    request = json.dumps({"argv": command[1:], "env": env}) + "\n"
    try:
        out, _ = server.communicate(request, timeout=3600)
        lines = out.strip().splitlines()
        answer = json.loads(lines[-1]) if lines else {}
    except (subprocess.TimeoutExpired, OSError, ValueError):
        server.kill()
        server.wait()
        return None
    if not isinstance(answer, dict) or "returncode" not in answer:
        return None  # it could not import Checkov or died: the gate runs the executable
    return subprocess.CompletedProcess(command, int(answer["returncode"]), str(answer["stdout"]), str(answer["stderr"]))
