"""Checkov's printed report written straight through when it holds no escape sequence (runs in Checkov's own venv).

Checkov calls colorama's `init(autoreset=True)` on import, which wraps stdout in colorama's
`AnsiToWin32`: every write is searched with two regular expressions for ANSI sequences to strip
(stdout is not a terminal here), character by character over the whole report, several
megabytes for a run over many stacks. Both expressions need an ESC character (`\\033`) to match,
so a text without one is written unchanged by colorama too; and the JSON report cannot hold one
(json escapes control characters). `install()` has the wrapper write such a text at once and
hand any text with an ESC to colorama as before: the same bytes, without the search.
"""

from __future__ import annotations

from typing import Any

from colorama.ansitowin32 import AnsiToWin32

ESC = "\033"


def install() -> bool:
    """False (nothing changed) when colorama's writer is not the one this was written against."""
    shipped = AnsiToWin32.write_and_convert
    if getattr(shipped, "passes_plain_text", False):
        return True  # already installed
    if not callable(shipped) or not hasattr(AnsiToWin32, "write_plain_text"):
        return False

    def write_and_convert(self: Any, text: str) -> None:
        if ESC in text:
            shipped(self, text)
        else:
            # What colorama does with a text its expressions do not match: write_plain_text over all of it.
            self.write_plain_text(text, 0, len(text))

    write_and_convert.passes_plain_text = True  # type: ignore[attr-defined]
    AnsiToWin32.write_and_convert = write_and_convert  # type: ignore[method-assign]
    return True
