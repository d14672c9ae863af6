"""Checkov started before the stacks exist gives the gate the same report as the executable."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from gates import checkov_prestart, security
from gates.inputs import Stack, resolve
from tests.conftest import ROOT

BUCKET_STACK = {
    "resource": {
        "aws_s3_bucket": {"uploads": {"bucket": "uploads-example"}},
        "aws_security_group": {
            "open": {
                "name": "open",
                "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
            }
        },
    }
}


@pytest.fixture(autouse=True)
def no_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the one-request process of main.py: the test session's shared one stays aside."""
    monkeypatch.setattr(checkov_prestart, "_session", None)
    monkeypatch.delenv(checkov_prestart.SERVER_VARIABLE, raising=False)


@pytest.fixture
def stacks(tmp_path: Path) -> list[Stack]:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "cdk.tf.json").write_text(json.dumps(BUCKET_STACK, indent=1))
    return [resolve(str(tmp_path / "demo"))]


def _outcomes(report: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Checkov reports graph checks in no fixed order: compare the sets of (check, resource) per outcome."""
    results = report.get("results", {})
    return {
        kind: sorted((e["check_id"], e["resource"]) for e in results.get(kind, [])) for kind in ("passed_checks", "failed_checks")
    }


def test_without_a_prestarted_process_the_gate_starts_checkov_itself() -> None:
    assert checkov_prestart.run(["checkov", "--version"], dict(os.environ)) is None


def test_the_prestarted_process_runs_the_gates_command_and_reports_as_the_executable(
    stacks: list[Stack], monkeypatch: pytest.MonkeyPatch
) -> None:
    executable = Path(security.checkov_command()[0])
    expected = security.run_checkov(stacks, ROOT / "policies" / "checks")
    assert checkov_prestart.start(executable, dict(os.environ))

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError("the gate started Checkov although a prestarted process was waiting")

    monkeypatch.setattr(security.subprocess, "run", no_subprocess)
    report = security.run_checkov(stacks, ROOT / "policies" / "checks")
    assert _outcomes(report) == _outcomes(expected)
    assert ("CKV2_AWS_6", "aws_s3_bucket.uploads") in _outcomes(report)["failed_checks"]  # it really scanned


def test_a_command_for_another_executable_is_left_to_the_gate() -> None:
    executable = Path(security.checkov_command()[0])
    assert checkov_prestart.start(executable, dict(os.environ))
    assert checkov_prestart.run(["/usr/bin/true", "--version"], dict(os.environ)) is None
    assert checkov_prestart.run([str(executable), "--version"], dict(os.environ)) is None  # used up: one run per start


def test_a_server_that_cannot_import_checkov_leaves_the_scan_to_the_gate(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python").symlink_to(Path(subprocess.check_output(["which", "python3"], text=True).strip()))
    (fake / "checkov").write_text("")
    assert checkov_prestart.start(fake / "checkov", dict(os.environ))
    assert checkov_prestart.run([str(fake / "checkov"), "-f", "x.json"], dict(os.environ)) is None


def _relay(listener: socket.socket, target: str, seen: list[dict[str, Any]]) -> None:
    """Accept one connection, note its request, pass it to the shared session and its answer back."""
    connection, _ = listener.accept()
    with connection, connection.makefile("rw", encoding="utf-8") as stream:
        line = stream.readline()
        seen.append(json.loads(line))
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as upstream:
            upstream.connect(target)
            upstream.sendall(line.encode())
            with upstream.makefile("r", encoding="utf-8") as answer:
                stream.write(answer.readline())
                stream.flush()


def test_a_shared_session_scans_for_a_gate_run_in_a_child_process(stacks: list[Stack], tmp_path: Path) -> None:
    executable = Path(security.checkov_command()[0])
    assert checkov_prestart.open_session(executable, dict(os.environ), share=True)
    shared = os.environ[checkov_prestart.SERVER_VARIABLE]
    try:
        # The child is pointed at a relay that notes what it asks, in front of the session's socket.
        relay = tmp_path / "relay.sock"
        seen: list[dict[str, Any]] = []
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(str(relay))
            listener.listen(1)
            thread = threading.Thread(target=_relay, args=(listener, shared, seen), daemon=True)
            thread.start()
            result = subprocess.run(
                [sys.executable, "-m", "gates", str(stacks[0].path.parent), "--reports-dir", str(tmp_path / "reports")],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, checkov_prestart.SERVER_VARIABLE: str(relay)},
                check=False,
            )
            thread.join(timeout=120)
    finally:
        checkov_prestart.close_session()
    assert checkov_prestart.SERVER_VARIABLE not in os.environ and not Path(shared).exists()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CKV2_AWS_6" in result.stdout  # the session's children really scanned it
    (request,) = seen
    assert request["executable"] == str(executable) and request["cwd"] == str(ROOT)
    assert [r.count("-f") for r in request["runs"]] == [1]


def test_a_shared_session_refuses_another_executable_and_the_gate_runs_its_own(stacks: list[Stack]) -> None:
    executable = Path(security.checkov_command()[0])
    assert checkov_prestart.open_session(executable, dict(os.environ), share=True)
    session = checkov_prestart._session
    try:
        checkov_prestart._session = None  # as in a child process: only the socket is known
        assert not checkov_prestart.start(executable, dict(os.environ))  # the shared session will answer
        assert checkov_prestart.run(["/usr/bin/checkov", "--version"], dict(os.environ)) is None
        answered = checkov_prestart.run([str(executable), "-f", str(stacks[0].scanned_file)], dict(os.environ))
        assert answered is not None and "CKV2_AWS_6" in answered.stdout
    finally:
        checkov_prestart._session = session
        checkov_prestart.close_session()


def test_a_shared_session_refuses_a_malformed_request_and_serves_the_next(stacks: list[Stack]) -> None:
    executable = Path(security.checkov_command()[0])
    assert checkov_prestart.open_session(executable, dict(os.environ), share=True)
    shared = os.environ[checkov_prestart.SERVER_VARIABLE]
    session = checkov_prestart._session
    try:
        for garbage in ("not json", json.dumps({"runs": [["-f", 3]], "env": {}}), json.dumps({"runs": [], "env": "x"})):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(shared)
                connection.sendall((garbage + "\n").encode())
                with connection.makefile("r", encoding="utf-8") as stream:
                    assert "refused" in json.loads(stream.readline())
        checkov_prestart._session = None  # as in a child process: only the socket is known
        answered = checkov_prestart.run([str(executable), "-f", str(stacks[0].scanned_file)], dict(os.environ))
        assert answered is not None and "CKV2_AWS_6" in answered.stdout
    finally:
        checkov_prestart._session = session
        checkov_prestart.close_session()
