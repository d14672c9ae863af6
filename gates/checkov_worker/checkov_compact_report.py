"""Checkov's JSON report printed without indentation (runs in Checkov's own venv).

Checkov prints its JSON report with `json.dumps(..., indent=4)`, and with an indent Python's
json module encodes in pure Python: about a tenth of a scan's CPU time on the shipped stacks.
Without one it encodes in C. The gate parses the report (gates/security.py, `_read_report`),
so only its content matters, and that is the same. `install()` hands Checkov's report printer
a `json` module whose `dumps` leaves `indent` out; everything else is the standard module.
The server (checkov_server.py) installs it; `checkov` run as an executable prints as before.
"""

from __future__ import annotations

import json
import types
from typing import Any

from checkov.common.runners import runner_registry


def _dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
    kwargs.pop("indent", None)
    return json.dumps(obj, *args, **kwargs)


def install() -> bool:
    """False (nothing changed) when Checkov's printer does not use the standard json module."""
    if getattr(runner_registry, "json", None) is not json:
        return False
    compact = types.ModuleType("json", json.__doc__)
    compact.__dict__.update({k: v for k, v in json.__dict__.items() if not k.startswith("__")})
    compact.dumps = _dumps  # type: ignore[attr-defined]
    runner_registry.json = compact  # type: ignore[attr-defined]
    return True
