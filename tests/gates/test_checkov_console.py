"""The report written through colorama's wrapper is the same text with or without the plain-text pass."""

from __future__ import annotations

import json
from pathlib import Path

from tests.gates import checkov_venv

# Texts a console wrapper may get: plain ones (the JSON report, an empty write, control characters
# other than ESC) and ones with sequences colorama strips (colour, cursor, a hyperlink).
TEXTS = [
    '{"check_type": "terraform_json", "results": {"passed_checks": []}}',
    "",
    "a line\nanother\t\x01\x02 with \x07 bell\n",
    "\033[31mred\033[0m and plain",
    "\033]8;;https://example.com\a a link\033]8;;\a",
    "\001\033[1;32m\002bold green\033[0m",
    "half an escape \033 left alone",
    "ünïcode ✓ and \\u001b, an ESC as a JSON report escapes it: six plain characters",
]

# In Checkov's venv: each text through colorama's wrapper as Checkov sets it up (stdout not a
# terminal, autoreset), before and after install(), into a buffer; and a whole scan's report.
RUN_BOTH = r"""
import io
import checkov.main
from colorama.ansitowin32 import AnsiToWin32
import checkov_console

texts = json.loads(sys.argv[2])

def written():
    out = []
    for text in texts:
        buffer = io.StringIO()
        wrapper = AnsiToWin32(buffer, strip=True, convert=False, autoreset=True)
        wrapper.write(text)
        out.append(buffer.getvalue())
    return out

def report(argv):
    # Checkov's own printing through a colorama wrapper, as its import leaves stdout.
    buffer = io.StringIO()
    saved = sys.stdout
    sys.stdout = AnsiToWin32(buffer, strip=True, convert=False, autoreset=True).stream
    try:
        from checkov.main import Checkov
        try:
            Checkov(argv).run()
        except SystemExit:
            pass
    finally:
        sys.stdout = saved
    return buffer.getvalue()

argv = sys.argv[3:]
shipped, shipped_report = written(), report(argv)
installed = checkov_console.install()
again = checkov_console.install()
passed, passed_report = written(), report(argv)
print(json.dumps({"installed": installed, "again": again, "shipped": shipped, "passed": passed,
                  "shipped_report": shipped_report, "passed_report": passed_report,
                  "marked": getattr(AnsiToWin32.write_and_convert, "passes_plain_text", False)}))
"""


def test_plain_text_is_written_as_colorama_writes_it(synth_dir: Path) -> None:
    argv = checkov_venv.scan_argv([synth_dir / "stacks" / "dev" / "cdk.tf.json"])
    result = checkov_venv.run(RUN_BOTH, json.dumps(TEXTS), *argv)
    assert result["installed"] is True and result["again"] is True and result["marked"] is True
    assert result["passed"] == result["shipped"]
    # The list exercises both paths: colorama really strips something from some of the texts.
    assert any(out != text for out, text in zip(result["shipped"], TEXTS, strict=True))
    assert "red and plain" in result["shipped"]
    # Checkov's entry order varies between runs (its checks run in threads): compared by content.
    shipped, passed = json.loads(result["shipped_report"]), json.loads(result["passed_report"])
    assert checkov_venv.outcomes(passed) == checkov_venv.outcomes(shipped)
    assert passed["summary"] == shipped["summary"] and shipped["summary"]["passed"] > 100
