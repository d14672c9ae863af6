"""Locate and read synthesized Terraform JSON; refuse anything else with a clear reason."""

from __future__ import annotations

import atexit
import errno
import json
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

STACK_FILE = "cdk.tf.json"
# Top-level blocks Terraform's JSON syntax allows; a file with none of them is not Terraform.
TERRAFORM_BLOCKS = frozenset(
    {"resource", "data", "provider", "terraform", "module", "output", "variable", "locals", "check", "import", "moved", "removed"}
)


class InputError(Exception):
    """The input cannot be gated at all (exit code 2)."""


PROFILES = ("development", "production")
# A usage profile names a file in policies/usage/; no path separators, no dots.
_USAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Risk:
    """A risk the environment file accepts on purpose (a component turned off, a protection relaxed)."""

    component: str
    setting: str
    risk: str
    reason: str | None = None  # who accepted it and why (the setting's comment), when the app knows


@dataclass(frozen=True)
class Foundation:
    """What this project's app writes under the stack's top-level `"//".foundation`.

    Every field may be absent: hand-written or foreign JSON carries none of it.
    Keys not listed here are ignored, so the app can add metadata without a gate release.
    """

    present: bool = False
    environment: str | None = None
    profile: str | None = None
    components: tuple[tuple[str, str], ...] = ()
    budget_usd: Decimal | None = None
    usage_profile: str | None = None
    risks: tuple[Risk, ...] = ()


def _foundation(path: Path, document: dict[str, Any]) -> Foundation:
    """Parse `"//".foundation`; every problem at once, naming the file and the key."""
    meta = document.get("//")
    data = meta.get("foundation") if isinstance(meta, dict) else None
    if data is None:
        return Foundation()
    where = f'{path}: "//".foundation'
    if not isinstance(data, dict):
        raise InputError(f"{where} = {data!r}: an object (written by the app), or absent")
    problems: list[str] = []

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and value):
            problems.append(f"{where}.{key} = {value!r}: a non-empty string")
            return None
        return value

    environment, profile, usage_profile = text("environment"), text("profile"), text("usage_profile")
    if profile is not None and profile not in PROFILES:
        problems.append(f"{where}.profile = {profile!r}: one of {', '.join(PROFILES)}")
    if usage_profile is not None and not _USAGE_NAME.match(usage_profile):
        problems.append(
            f"{where}.usage_profile = {usage_profile!r}: a file name in policies/usage/ without .toml, such as development"
        )
    budget = data.get("budget_usd")
    budget_usd: Decimal | None = None
    if budget is not None:
        if isinstance(budget, bool) or not isinstance(budget, int | float) or budget < 0:
            problems.append(f"{where}.budget_usd = {budget!r}: a number of US dollars, 0 or more, or null for no budget")
        else:
            budget_usd = Decimal(str(budget))
    components = data.get("components") or {}
    if not isinstance(components, dict) or not all(isinstance(v, str) for v in components.values()):
        problems.append(f"{where}.components = {components!r}: an object of component name to variant name")
        components = {}
    risks: list[Risk] = []
    entries = data.get("risks") or []
    if not isinstance(entries, list):
        problems.append(f"{where}.risks = {entries!r}: a list of objects with component, setting and risk")
        entries = []
    for number, entry in enumerate(entries, start=1):
        component, setting, risk, reason = (
            (entry.get(k) for k in ("component", "setting", "risk", "reason")) if isinstance(entry, dict) else [None] * 4
        )
        if not (
            isinstance(component, str) and isinstance(setting, str) and isinstance(risk, str) and component and setting and risk
        ) or not (reason is None or isinstance(reason, str)):
            problems.append(
                f"{where}.risks[{number}] = {entry!r}: an object with component, setting and risk (strings) and optionally reason"
            )
            continue
        risks.append(Risk(component=component, setting=setting, risk=risk, reason=reason or None))
    if problems:
        if len(problems) == 1:
            raise InputError(f"Invalid stack metadata (written by the app; regenerate the stack): {problems[0]}")
        raise InputError("Invalid stack metadata (written by the app; regenerate the stack):\n  - " + "\n  - ".join(problems))
    return Foundation(
        present=True,
        environment=environment,
        profile=profile,
        components=tuple(sorted(components.items())),
        budget_usd=budget_usd,
        usage_profile=usage_profile,
        risks=tuple(risks),
    )


@dataclass(frozen=True)
class Stack:
    """One synthesized stack: its environment name, file and parsed document."""

    env: str
    path: Path
    document: dict[str, Any]
    # The file Checkov reads: the stack's own, or a canonical copy of it (gates/normalize.py) when
    # the stack is written in a form Checkov cannot parse or is not this project's.
    scan_path: Path | None = field(default=None, compare=False)
    # First line of each resource in the file Checkov reads -> its address.
    scan_lines: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def scanned_file(self) -> Path:
        return self.scan_path or self.path

    def resources(self) -> dict[str, dict[str, Any]]:
        """Resource address -> body, for every resource in the stack."""
        found: dict[str, dict[str, Any]] = {}
        for rtype, named in (self.document.get("resource") or {}).items():
            if isinstance(named, dict):
                for name, body in named.items():
                    found[f"{rtype}.{name}"] = body if isinstance(body, dict) else {}
        return found

    @cached_property
    def foundation(self) -> Foundation:
        """The app's stack metadata; an empty Foundation for foreign JSON."""
        return _foundation(self.path, self.document)

    def construct_path(self, address: str) -> str | None:
        """cdktf's construct path of a resource ("dev/network/flow-log-group"); None when not written by cdktf."""
        rtype, _, name = address.partition(".")
        body = ((self.document.get("resource") or {}).get(rtype) or {}).get(name)
        meta = body.get("//") if isinstance(body, dict) else None
        metadata = meta.get("metadata") if isinstance(meta, dict) else None
        path = metadata.get("path") if isinstance(metadata, dict) else None
        return path if isinstance(path, str) and path else None

    def path_below_stack(self, address: str) -> str | None:
        """The construct path without the stack's own segment ("network/flow-log-group"), which survives
        renaming the stack and moving code; None when the resource carries no construct path."""
        path = self.construct_path(address)
        if path is None:
            return None
        _, _, below = path.partition("/")
        return below or None

    def address_of(self, name_or_address: str, line: int | None = None) -> str:
        """Full `type.name` address, also for Checkov's `resource.<name>` form, which the line
        it reports makes unambiguous when two resource types share a name."""
        block, _, name = name_or_address.partition(".")
        if block not in ("resource", "data"):
            return name_or_address
        at_line = self.scan_lines.get(line) if line is not None else None
        if at_line is not None and at_line.endswith(f".{name}"):
            return at_line
        for candidate_type, named in (self.document.get(block) or {}).items():
            if isinstance(named, dict) and name in named:
                return f"{'data.' if block == 'data' else ''}{candidate_type}.{name}"
        return name_or_address


# A synthesized prod stack is well under 1 MiB; anything past this is not one, and reading it would
# only exhaust memory. Terraform JSON nests a few levels per block; 64 is far beyond any real stack.
MAX_INPUT_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
# Blocks whose value is an object of type -> name -> body.
_TYPED_BLOCKS = ("resource", "data")


def file_state(path: Path) -> tuple[int, int] | None:
    """What tells a changed file from the same one without reading it (modification time and
    size), or None when it cannot be read: the key of the gate's per-process file caches."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def read_regular_file(path: Path, what: str) -> bytes:
    """The bytes of a regular file no larger than MAX_INPUT_BYTES; InputError for anything else
    (a folder, a FIFO or device, which would block or read forever, a dangling or looping symlink)."""
    try:
        info = path.stat()
    except (OSError, RuntimeError) as exc:
        loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
        reason = "a symlink loop" if loop else "no such file"
        raise InputError(f"{path}: {reason} (expected {what})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: a folder (expected {what})")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file (a FIFO, socket or device; expected {what})")
    if info.st_size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: {info.st_size} bytes, above the {MAX_INPUT_BYTES // (1024 * 1024)} MiB limit for {what}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (Terraform JSON has no NaN or Infinity)")


def _depth_problem(document: Any) -> str | None:
    """Iteratively, so that hostile nesting cannot exhaust the interpreter's stack."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels, which no Terraform JSON needs"
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return None


def _shape_problems(document: dict[str, Any]) -> list[str]:
    """resource and data must be objects of type -> name -> object; Terraform rejects anything else."""
    problems = []
    for block in _TYPED_BLOCKS:
        typed = document.get(block)
        if typed is None:
            continue
        if not isinstance(typed, dict):
            problems.append(f'"{block}" is {type(typed).__name__}: an object of resource type to named {block} blocks')
            continue
        for rtype, named in typed.items():
            if not isinstance(named, dict):
                problems.append(f'"{block}"."{rtype}" is {type(named).__name__}: an object of name to {block} body')
                continue
            for name, body in named.items():
                if not isinstance(body, dict):
                    problems.append(f'"{block}"."{rtype}"."{name}" is {type(body).__name__}: an object of attributes')
    for block in ("output", "variable", "locals", "provider", "terraform", "//"):
        value = document.get(block)
        if value is not None and not isinstance(value, dict):
            problems.append(f'"{block}" is {type(value).__name__}: an object')
    return problems


def resolve(path_text: str, env: str | None = None) -> Stack:
    """A Terraform JSON file or a stack folder holding a cdk.tf.json; env defaults from the path."""
    path = Path(path_text)
    try:
        if path.is_dir():
            path = path / STACK_FILE
    except OSError:
        pass  # a symlink loop: read_regular_file names it
    raw = read_regular_file(path, f"a {STACK_FILE} or a stack folder containing one")
    try:
        document = parsed = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, so not synthesized Terraform JSON") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError as exc:
        raise InputError(f"{path}: not valid Terraform JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: nested deeper than Python's parser allows, which no Terraform JSON needs") from None
    if is_plan(document):
        # A saved plan's JSON: gate the resources Terraform will hold after the change.
        env = env or _default_env(path).removesuffix(".plan")
        document = to_terraform_json(document, str(path))
        converted = Path(tempfile.mkdtemp(prefix="gates-plan-")) / f"{env}.tf.json"
        converted.write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")
        path = converted
    if not isinstance(document, dict) or not TERRAFORM_BLOCKS.intersection(document):
        raise InputError(
            f"{path}: JSON, but not Terraform JSON: expected top-level blocks such as 'resource', 'provider' or 'terraform'"
        )
    deep = _depth_problem(document)
    if deep:
        raise InputError(f"{path}: {deep}")
    document = canonical(document, str(path))
    shape = _shape_problems(document)
    if shape:
        raise InputError(
            f"{path}: not Terraform JSON: " + "; ".join(shape[:5]) + (f" (and {len(shape) - 5} more)" if len(shape) > 5 else "")
        )
    stack = Stack(env=env or _default_env(path), path=path, document=document)
    stack.foundation  # noqa: B018  (validate the metadata now, before any gate runs)
    if stack.foundation.present and scanner_document(document) == parsed:
        # This project's own stack, exactly as Checkov can read it: scanned in place.
        return Stack(stack.env, path, document, None, line_addresses(raw.decode("utf-8")))
    text = scanner_text(document)
    scan_path = _scan_folder() / f"{len(list(_scan_folder().iterdir()))}-{stack.env}.tf.json"
    scan_path.write_text(text, encoding="utf-8")
    return Stack(stack.env, path, document, scan_path, line_addresses(text))


_SCAN_FOLDER: list[Path] = []


def _scan_folder() -> Path:
    """One private temporary folder per process for the canonical copies, removed at exit."""
    if not _SCAN_FOLDER:
        folder = Path(tempfile.mkdtemp(prefix="gates-scan-"))
        atexit.register(shutil.rmtree, folder, True)
        _SCAN_FOLDER.append(folder)
    return _SCAN_FOLDER[0]


def _default_env(path: Path) -> str:
    """A cdk.tf.json is named by its stack folder; any other file by its own name."""
    if path.name == STACK_FILE:
        # Resolved: a cdk.tf.json in the working directory is named by that directory.
        return path.resolve().parent.name
    return path.name.removesuffix(".json").removesuffix(".tf")


# At the end: gates.plan_input imports InputError from this module.
from gates.normalize import canonical, line_addresses, scanner_document, scanner_text  # noqa: E402
from gates.plan_input import is_plan, to_terraform_json  # noqa: E402
