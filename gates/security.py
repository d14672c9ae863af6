"""Security gate: Checkov over every stack in one run, minus reasoned acceptances and suppressions.

Checkov's exit code alone is not trusted: it exits 0 on some parse failures and
when it scanned nothing. The gate reads its JSON report and fails on parse
errors, on a stack with no scanned resource, and on any failure that neither an
acceptance in the JSON (gates/acceptances.py) nor the suppression file covers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates import acceptances, checkov_prestart, scan_cache, secret_blocks
from gates.acceptances import Acceptance
from gates.inputs import Stack
from gates.suppressions import Suppression
from policies.acceptance import UNKNOWN_PREFIX

ROOT = Path(__file__).resolve().parent.parent
# FND_SCAN_1 (policies/scan/): passes on every resource Checkov parsed, so that the gate can
# name the resources it did not; always loaded, whichever checks folder is given.
SCAN_CHECKS_DIR = ROOT / "policies" / "scan"
SCAN_CHECK = "FND_SCAN_1"
CHECKOV_VENV_BIN = ROOT / "tools" / "checkov" / ".venv" / "bin" / "checkov"


class GateError(Exception):
    """A gate could not run at all (exit code 2)."""


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    resource: str
    guideline: str | None
    details: tuple[str, ...] = ()
    line: int = 1
    evaluated_keys: tuple[str, ...] = ()
    # What covers the failure: an acceptance written by the construct (preferred), or a suppression.
    suppressed_by: Acceptance | Suppression | None = None
    # Why the resource's own acceptance of this check does not cover the failure.
    acceptance_problem: str | None = None
    # Checkov's check raised instead of judging the resource.
    crashed: bool = False


@dataclass
class SecurityResult:
    env: str
    path: Path
    passed: list[Finding] = field(default_factory=list)
    resources_scanned: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checkov_version: str | None = None
    # Checks that could not judge a value Terraform learns only at apply: listed, never failed.
    unknown: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is None]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is not None]

    @property
    def accepted(self) -> list[Finding]:
        """Failures covered by an acceptance in the JSON (a subset of `suppressed`)."""
        return [f for f in self.findings if isinstance(f.suppressed_by, Acceptance)]

    @property
    def passed_checks(self) -> int:
        return len(self.passed)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors


def checkov_command() -> list[str]:
    """Checkov lives in its own environment (its pins clash with the app's boto3)."""
    override = os.environ.get("CHECKOV")
    if override:
        return [override]
    if CHECKOV_VENV_BIN.exists():
        return [str(CHECKOV_VENV_BIN)]
    found = shutil.which("checkov")
    if found:
        return [found]
    raise GateError(
        "Checkov is not installed. Run `make install` (it creates tools/checkov/.venv from its lock file) "
        "or set CHECKOV to the checkov executable."
    )


def prestart_checkov() -> None:
    """Start Checkov's import now, in a process that will run this run's scans (gates/checkov_prestart.py)."""
    try:
        executable = Path(checkov_command()[0])
    except GateError:
        return  # the gate reports the missing scanner when it needs it
    checkov_prestart.start(executable, dict(os.environ))


def _has_checks(directory: Path) -> bool:
    return directory.is_dir() and any(p.name != "__init__.py" for p in directory.glob("*.py"))


# Stacks are scanned by this many Checkov processes at once (default: one per core the process
# may use); 1 scans every stack in one process. Findings are the same either way.
WORKERS_VARIABLE = "GATE_CHECKOV_WORKERS"


# Below this many stacks per core one Checkov process scans them all: a second process saves a
# fraction of a second of wall time on a few stacks but costs one to two seconds of CPU, which a
# loaded machine (CI, a laptop building other things) pays in wall time (docs/performance.md).
STACKS_PER_WORKER = 4


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def workers(stacks: int | None = None) -> int:
    """GATE_CHECKOV_WORKERS when set; otherwise one process per core once there are enough stacks."""
    text = os.environ.get(WORKERS_VARIABLE, "")
    if text.strip().isdigit() and int(text) > 0:
        return int(text)
    if stacks is not None and stacks < STACKS_PER_WORKER * cores():
        return 1
    return cores()


def shares(stacks: list[Stack], count: int) -> list[list[Stack]]:
    """The stacks in `count` groups of about equal size (bytes of JSON), each in the given order."""
    count = max(1, min(count, len(stacks)))
    if count == 1:
        return [list(stacks)]
    sizes = []
    for index, stack in enumerate(stacks):
        try:
            sizes.append((stack.path.stat().st_size, index))
        except OSError:
            sizes.append((0, index))
    loads = [0] * count
    members: list[list[int]] = [[] for _ in range(count)]
    for size, index in sorted(sizes, key=lambda pair: (-pair[0], pair[1])):
        target = min(range(count), key=lambda n: (loads[n], n))
        loads[target] += size
        members[target].append(index)
    return [[stacks[i] for i in sorted(group)] for group in members if group]


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Checkov's reports of several runs as one: the lists of each results section joined."""
    if len(reports) == 1:
        return reports[0]
    merged: dict[str, Any] = {"check_type": "terraform_json", "results": {}, "summary": {}}
    for report in reports:
        for kind, entries in (report.get("results") or {}).items():
            if isinstance(entries, list):
                merged["results"].setdefault(kind, []).extend(entries)
        for key, value in (report.get("summary") or {}).items():
            if isinstance(value, int) and not isinstance(value, bool) and isinstance(merged["summary"].get(key), int):
                merged["summary"][key] += value
            else:
                merged["summary"].setdefault(key, value)
    return merged


def _read_report(completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    if completed.returncode not in (0, 1):
        tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
        raise GateError(f"Checkov crashed (exit {completed.returncode}):\n{tail}")
    if "Cannot load external check" in completed.stderr:
        broken = [line for line in completed.stderr.splitlines() if "Cannot load external check" in line]
        raise GateError("a custom check in policies/checks/ failed to load, so it would check nothing:\n" + "\n".join(broken))
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-15:]) or "(it printed nothing)"
        raise GateError(f"Checkov produced no JSON report:\n{tail}")
    # One framework gives one report object; Checkov returns a list only for several.
    if isinstance(report, list):
        report = next((r for r in report if r.get("check_type") == "terraform_json"), {})
    return report if isinstance(report, dict) else {}


def run_checkov(
    stacks: list[Stack], external_checks_dir: Path | None, only: tuple[str, ...] = (), cache: Path | None = None
) -> dict[str, Any]:
    """One report for all stacks; with several cores the stacks are shared among parallel Checkov runs.
    With a `cache` folder, a stack scanned before with the same inputs is not scanned again
    (gates/scan_cache.py)."""
    base = [*checkov_command(), "--framework", "terraform_json", "--skip-download", "-o", "json", "--compact"]
    if only:
        base += ["--check", ",".join((*only, SCAN_CHECK))]
    checks_dirs = [SCAN_CHECKS_DIR]
    if external_checks_dir is not None and _has_checks(external_checks_dir):
        base += ["--external-checks-dir", str(external_checks_dir)]
        checks_dirs.insert(0, external_checks_dir)
    base += ["--external-checks-dir", str(SCAN_CHECKS_DIR)]
    env = {**os.environ, "LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE"}
    reused: list[dict[str, Any]] = []
    keys: dict[str, str] = {}  # resolved scanned file -> its entry in the cache
    pending = list(stacks)
    if cache is not None:
        common = scan_cache.scan_key(base, checks_dirs, env)
        pending = []
        for stack in stacks:
            key = scan_cache.stack_key(common, stack.scanned_file)
            keys[str(stack.scanned_file.resolve())] = key
            hit = scan_cache.load(cache, key, stack.scanned_file)
            if hit is None:
                pending.append(stack)
            else:
                reused.append(hit)
    done = _scan(base, pending, env) if pending else []
    reports = [_read_report(completed) for completed in done]
    crashes = crashed_checks("\n".join(completed.stderr for completed in done))
    if cache is not None:
        scanned = [str(stack.scanned_file.resolve()) for stack in pending]
        located = [{**crash, "path": reported_path(crash["file"])} for crash in crashes]
        split = scan_cache.split(merge_reports(reports), located, scanned) if pending else {}
        for path, share in (split or {}).items():
            scan_cache.store(cache, keys[path], share)
        scan_cache.prune(cache, set(keys.values()))
    report = merge_reports(reports + reused)
    report[CRASHES_KEY] = crashes + [crash for hit in reused for crash in hit["crashes"]]
    return report


def _scan(base: list[str], stacks: list[Stack], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """Checkov over `stacks`, in one run per share."""
    commands = []
    for group in shares(stacks, workers(len(stacks))):
        command = list(base)
        for stack in group:
            command += ["-f", str(stack.scanned_file.resolve())]
        commands.append(command)
    # main.py --gate starts Checkov while the stacks synthesize, the gate's CLI while it reads its
    # inputs (prestart_checkov); that process runs these same commands, or None comes back and
    # Checkov starts here as before.
    done = checkov_prestart.run_many(commands, env)
    if done is None:
        if len(commands) == 1:
            done = [subprocess.run(commands[0], capture_output=True, text=True, env=env, check=False)]
        else:
            running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for c in commands]
            done = []
            for command, process in zip(commands, running, strict=True):
                out, err = process.communicate()
                done.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return done


# Checkov logs a check that raised, and leaves it out of the report, as
# "Failed to run check CKV2_AWS_70 on /path/cdk.tf.json:aws_api_gateway_method.name".
_CRASH = re.compile(
    r"Failed to run check (?P<check>[A-Z][A-Z0-9_]+) on (?P<file>.+?):(?P<type>[a-z0-9_]+)\.(?P<name>[^\s.]+)\s*$"
)
CRASHES_KEY = "crashed_checks"


def crashed_checks(stderr: str) -> list[dict[str, str]]:
    """Every check Checkov logged as crashed: its id, the file and the resource address."""
    crashes = []
    for line in stderr.splitlines():
        match = _CRASH.search(line)
        if match:
            entry = {"check": match["check"], "file": match["file"], "resource": f"{match['type']}.{match['name']}"}
            if entry not in crashes:
                crashes.append(entry)
    return crashes


def reported_path(text: str) -> str:
    """The file a Checkov log line names, resolved. Checkov prints it relative to its working
    directory (the gate's) with a leading slash: "/cdktf.out/stacks/prod/cdk.tf.json", and for a
    file outside that directory "/../../tmp/out/stacks/prod/cdk.tf.json"."""
    return str((Path.cwd() / text.lstrip("/")).resolve())


def _crash_findings(stacks: list[Stack], crashes: list[dict[str, str]]) -> list[tuple[Stack, Finding]]:
    """A crashed check checked nothing: a finding on the resource it crashed on."""
    found = []
    for crash in crashes:
        path = reported_path(crash["file"])
        stack = next((s for s in stacks if str(s.scanned_file.resolve()) == path), None)
        if stack is None:  # a Checkov run in another working directory: the path's tail
            stack = next((s for s in stacks if str(s.scanned_file.resolve()).endswith(crash["file"])), None)
        if stack is None and len(stacks) == 1:
            stack = stacks[0]
        if stack is None:
            continue
        found.append(
            (
                stack,
                Finding(
                    check_id=crash["check"],
                    check_name=f"Checkov's check {crash['check']} crashed on this resource",
                    resource=crash["resource"],
                    guideline=(
                        "a crashed check checked nothing, so the resource is unverified for this rule; fix the input, "
                        "upgrade Checkov, or cover the crash with a reviewed suppression (crash = true, with a reason)"
                    ),
                    details=(f"{crash['check']} raised an error on this resource (see Checkov's log), so it was not checked",),
                    crashed=True,
                ),
            )
        )
    return found


def evaluate(
    stacks: list[Stack],
    suppressions: list[Suppression],
    report: dict[str, Any],
    today: dt.date,
    only: tuple[str, ...] = (),
) -> dict[str, SecurityResult]:
    """Per-stack results; problems with acceptances and suppressions count as errors of the stacks they concern."""
    by_path = {str(stack.scanned_file.resolve()): stack for stack in stacks}
    results = {stack.env: SecurityResult(env=stack.env, path=stack.path) for stack in stacks}
    scanned: dict[str, set[str]] = {stack.env: set() for stack in stacks}
    bodies = {stack.env: stack.resources() for stack in stacks}
    accepted = {stack.env: acceptances.load(stack) for stack in stacks}
    for each in stacks:
        results[each.env].errors += accepted[each.env].errors
    # (env, address, check) that passed, and acceptances that met a failure of their check.
    passed: set[tuple[str, str, str]] = set()
    met: set[tuple[str, str, str]] = set()
    used: set[int] = set()
    sections = report.get("results", {})
    version = (report.get("summary") or {}).get("checkov_version")
    for result in results.values():
        result.checkov_version = str(version) if version else None

    # Checkov repeats the file's path on every entry; resolving it (a syscall per path segment)
    # once per distinct path keeps evaluate() linear in the number of entries.
    resolved: dict[str, Stack | None] = {}

    def stack_of(entry: dict[str, Any]) -> Stack | None:
        text = str(entry.get("file_abs_path", ""))
        if text not in resolved:
            resolved[text] = by_path.get(str(Path(text).resolve()))
        return resolved[text]

    for kind in scan_cache.SECTIONS:
        for entry in sections.get(kind, []):
            stack = stack_of(entry)
            if stack is None:
                continue
            line_range = entry.get("file_line_range") or [1]
            address = stack.address_of(entry["resource"], line_range[0] if line_range else None)
            resources = bodies[stack.env]
            if address in resources:
                scanned[stack.env].add(address)  # provider blocks are checked too, but are not resources
            if entry["check_id"] == SCAN_CHECK:
                continue  # bookkeeping only (see SCAN_CHECK)
            result = results[stack.env]
            check_result = entry.get("check_result") or {}
            finding = Finding(
                check_id=entry["check_id"],
                check_name=entry.get("check_name", ""),
                resource=address,
                guideline=entry.get("guideline"),
                details=tuple(str(d) for d in entry.get("details") or ()),
                line=int(line_range[0]) if line_range and line_range[0] else 1,
                # Checkov collects them in a set: sorted, so that reports do not change with its order.
                evaluated_keys=tuple(sorted({str(k) for k in check_result.get("evaluated_keys") or ()})),
            )
            if kind == "passed_checks":
                result.passed.append(finding)
                passed.add((stack.env, address, finding.check_id))
                unknown = tuple(d.removeprefix(UNKNOWN_PREFIX) for d in finding.details if d.startswith(UNKNOWN_PREFIX))
                if unknown:
                    result.unknown.append(dataclasses.replace(finding, details=unknown))
                continue
            suppression = next(
                (s for s in suppressions if not s.crash and s.matches(stack, finding.check_id, address) and not s.expired(today)),
                None,
            )
            pinned_problem = None
            if suppression is not None:
                used.add(suppression.number)
                pinned_problem = suppression.problem(resources.get(address, {}), finding.evaluated_keys)
                if pinned_problem is not None:
                    suppression = None  # a pinned entry covers only the values it accepted
            acceptance = accepted[stack.env].get(address, finding.check_id)
            if acceptance is None:
                result.findings.append(dataclasses.replace(finding, suppressed_by=suppression, acceptance_problem=pinned_problem))
                continue
            met.add((stack.env, address, finding.check_id))
            problem = acceptances.problem(acceptance, resources.get(address, {}), finding.evaluated_keys, today)
            # A suppression never masks an acceptance that stopped holding: the construct
            # said what it accepted, and that changed.
            cover = acceptance if problem is None else None
            result.findings.append(dataclasses.replace(finding, suppressed_by=cover, acceptance_problem=problem))

    for stack, finding in _crash_findings(stacks, report.get(CRASHES_KEY) or []):
        suppression = next(
            (
                s
                for s in suppressions
                if s.crash and s.matches(stack, finding.check_id, finding.resource) and not s.expired(today)
            ),
            None,
        )
        if suppression is not None:
            used.add(suppression.number)
        results[stack.env].findings.append(dataclasses.replace(finding, suppressed_by=suppression))

    if not only or secret_blocks.CHECK_ID in only:
        for stack in stacks:
            for address, detail in secret_blocks.findings(stack):
                finding = Finding(
                    check_id=secret_blocks.CHECK_ID,
                    check_name=secret_blocks.CHECK_NAME,
                    resource=address,
                    guideline=secret_blocks.GUIDELINE,
                    details=(detail,),
                )
                suppression = next(
                    (s for s in suppressions if s.matches(stack, finding.check_id, address) and not s.expired(today)), None
                )
                if suppression is not None:
                    used.add(suppression.number)
                results[stack.env].findings.append(dataclasses.replace(finding, suppressed_by=suppression))

    for path_text in sections.get("parsing_errors", []):
        stack = by_path.get(str(Path(path_text).resolve()))
        target = results[stack.env] if stack else next(iter(results.values()))
        target.errors.append(
            f"Checkov could not parse {stack.path if stack else path_text}, so none of its resources was checked. The "
            "gate gives Checkov every form of Terraform JSON it knows in the one form Checkov reads; this file holds "
            "another (see Checkov's log with LOG_LEVEL=DEBUG)."
        )

    for stack in stacks:
        result = results[stack.env]
        result.resources_scanned = len(scanned[stack.env])
        if not scanned[stack.env] and not result.errors:
            result.errors.append(f"Checkov scanned no resource in {stack.path}: the stack is empty or Checkov could not read it.")
            continue
        lost = sorted(set(bodies[stack.env]) - scanned[stack.env])
        if lost and not any(e.startswith("Checkov could not parse") for e in result.errors):
            shown = ", ".join(lost[:10]) + (f" and {len(lost) - 10} more" if len(lost) > 10 else "")
            result.errors.append(
                f"Checkov scanned {len(scanned[stack.env])} of the {len(bodies[stack.env])} resources in {stack.path}; "
                f"these were not checked at all: {shown}."
            )

    # Checkov reports graph checks in no fixed order, and parallel runs interleave stacks: one order
    # for every report written from these results, whatever the order Checkov answered in.
    for result in results.values():
        result.passed.sort(key=_order)
        result.findings.sort(key=_order)

    for stack in stacks:
        if scanned[stack.env]:  # with nothing checked, no acceptance can be judged stale
            results[stack.env].errors += _idle_acceptances(stack.env, accepted[stack.env], passed, met, only)

    for suppression in suppressions:
        if only and suppression.check not in only:
            continue  # its check did not run, so it can be neither used nor stale
        in_scope = [stack.env for stack in stacks if suppression.applies_to(stack)]
        if not in_scope:
            continue  # none of the stacks it applies to is being gated: neither used nor stale
        if suppression.expired(today):
            message = (
                f"{suppression.describe()} expired on {suppression.expires}: fix the finding, or renew the "
                "expiry with a reason that still holds."
            )
        elif suppression.number not in used and not suppression.crash:
            # (A crash entry that meets no crash is left alone: whether Checkov crashes depends on the
            # stack's shape, such as a REST API with CORS, and on the Checkov release.)
            message = (
                f"{suppression.describe()} matches no failed check: the finding is gone or the "
                f"{'address' if suppression.resource else 'construct path'} changed; delete or correct the entry."
            )
        else:
            continue
        for env in in_scope:
            results[env].errors.append(message)
    return results


def _order(finding: Finding) -> tuple[str, str, int, tuple[str, ...], bool, str, tuple[str, ...]]:
    return (
        finding.resource,
        finding.check_id,
        finding.line,
        finding.details,
        finding.crashed,
        finding.check_name,
        finding.evaluated_keys,
    )


def _idle_acceptances(
    env: str,
    found: acceptances.StackAcceptances,
    passed: set[tuple[str, str, str]],
    met: set[tuple[str, str, str]],
    only: tuple[str, ...],
) -> list[str]:
    """An acceptance that met no failure of its check is stale: the finding is gone, or it never could exist."""
    errors = []
    for (address, check), acceptance in sorted(found.by_key.items()):
        if (only and check not in only) or (env, address, check) in met:
            continue  # its check was left out of this run, or it met its failure
        if (env, address, check) in passed:
            why = f"the finding is gone ({check} passes on this resource); remove"
        else:
            why = f"{check} did not run on this resource (a mistyped check id, or a check of another resource type); correct or remove"
        errors.append(f"{acceptance.describe()} covers nothing: {why} {acceptance.remedy()}.")
    return errors
