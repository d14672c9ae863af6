"""Synthesize every environment stack (and the bootstrap stack) in one process.

    python main.py                 # all environments in environments/
    python main.py --env prod      # only some (repeatable)
    python main.py --gate          # then run the gates on what was synthesized
    python main.py --gate --compare-to base/cdktf.out/reports   # and show each cost change

Exit codes: 0 success, 1 a gate failed, 2 the configuration is invalid (nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# jsii prints a large end-of-life banner under Node 20; the project pins its own
# Node-side tools and tests on Node 20, so the banner is noise for users.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="main.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--env", action="append", dest="envs", metavar="ENV", help="environment to synthesize (repeatable); default: all"
    )
    parser.add_argument("--environments-dir", type=Path, default=ROOT / "environments")
    parser.add_argument("--outdir", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out")))
    parser.add_argument("--gate", action="store_true", help="run the gates on the synthesized environment stacks")
    parser.add_argument(
        "--independent",
        action="store_true",
        help="the files are separate systems (examples): no shared state bucket, no bootstrap stack",
    )
    parser.add_argument(
        "--compare-to",
        type=Path,
        metavar="REPORTS",
        help="with --gate: an earlier reports folder (or cost.json) to diff costs against",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run everything even when no input changed since the last run (also NO_CACHE=1)",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines (for CI logs); results and problems are printed as always (also QUIET=1)",
    )
    # A process of a parallel synthesis: only these stacks (comma-separated) of the environments named.
    parser.add_argument("--synth-part", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from modules.core.frameworks import node_heap_options

    node_heap_options()  # before anything starts the jsii runtime (Node.js)
    if args.synth_part is not None:
        return _synth_part(args)
    args.quiet = args.quiet or os.environ.get("QUIET", "") not in ("", "0")
    no_cache = args.no_cache = args.no_cache or os.environ.get("NO_CACHE", "") not in ("", "0")

    from modules.cache import Cache

    existed = args.outdir.exists()
    cache = Cache(args.outdir)
    code = 2
    try:
        with cache.locked():
            keys = _keys(args)
            if keys is not None and not no_cache and cache.fresh(keys)[0]:
                print(
                    f"Unchanged since the last run: reused {len(keys)} stacks{' and their reports' if args.gate else ''} "
                    f"in {args.outdir}/ (no input changed; --no-cache or NO_CACHE=1 runs everything again)."
                )
                code = 0
                return code
            cache.invalidate()
            if args.gate:
                _prestart_checkov()
            code = _run(args)
            if keys is not None and code == 0:
                cache.record(keys, code)
            return code
    finally:
        if code != 0 and not existed:
            # Nothing of a run that failed before writing is left behind, the lock file included.
            shutil.rmtree(args.outdir / ".cache", ignore_errors=True)
            if args.outdir.exists() and not any(args.outdir.iterdir()):
                args.outdir.rmdir()


def _keys(args: argparse.Namespace) -> dict[str, str] | None:
    """Each stack's input hash; None when an environment file is missing (the full run reports it)."""
    import datetime as dt

    from modules.cache import stack_keys

    directory: Path = args.environments_dir
    names = args.envs or sorted(p.stem for p in directory.glob("*.toml") if not p.name.startswith((".", "#")))
    if not names or not all((directory / f"{name}.toml").is_file() for name in names):
        return None
    compared = None
    if args.compare_to is not None and args.compare_to.exists():
        target: Path = args.compare_to
        files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
        compared = {str(p): hash_file(p) for p in files}
    options = {
        "gate": args.gate,
        "independent": args.independent,
        "names": names,
        "compare_to": compared,
        # Suppressions and acceptances expire: a gate result holds for the day it was computed.
        "today": dt.date.today().isoformat() if args.gate else None,
    }
    return stack_keys(ROOT, directory, names, None if args.independent else "bootstrap", options)


def _prestart_checkov() -> None:
    """Checkov's import overlaps synthesis; the security gate hands it the stacks once written."""
    from gates.security import prestart_checkov

    prestart_checkov()


def hash_file(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _progress(args: argparse.Namespace, text: str) -> None:
    """What a long step is doing, on stderr so that the results on stdout stay clean."""
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


# Parallel synthesis: each process starts its own jsii runtime and loads the framework and the
# provider (about as long as synthesizing a few stacks), so a process is worth it only with at least
# this many stacks to synthesize; below it everything is one App in this process, as before.
STACKS_PER_PROCESS = 4
PROCESSES_VARIABLE = "SYNTH_PROCESSES"


def synth_processes(stacks: int) -> int:
    """How many processes synthesize `stacks` stacks: SYNTH_PROCESSES, else one per core while each gets enough."""
    text = os.environ.get(PROCESSES_VARIABLE, "")
    if text.strip().isdigit() and int(text) > 0:
        return min(int(text), stacks)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, stacks // STACKS_PER_PROCESS))


def synth_parts(names: list[str], processes: int) -> list[list[str]]:
    """The stacks dealt out in turn, so that each process gets about as many; the App's order within each."""
    processes = max(1, min(processes, len(names)))
    return [names[i::processes] for i in range(processes)]


def _synth_part(args: argparse.Namespace) -> int:
    """One process of a parallel synthesis: the stacks named, in an App of their own, in args.outdir."""
    from modules.assembly import BootstrapStack, FoundationStack
    from modules.config import load_environments
    from modules.core.framework import App

    wanted = set(args.synth_part.split(","))
    configs = load_environments(args.environments_dir, args.envs, shared_state=not args.independent)
    app = App(outdir=str(args.outdir))
    for config in configs:
        if config.name in wanted:
            FoundationStack(app, config)
    if not args.independent and "bootstrap" in wanted:
        BootstrapStack(app, configs)  # it is made from every environment, so each process loads them all
    app.synth()
    return 0


def manifest_text(document: object, indent: str = "", *, split_empty: bool = True) -> str:
    """JSON as the framework writes manifest.json: keys sorted, two spaces; CDK for Terraform opens
    and closes an empty list or object on two lines (`split_empty`), CDK Terrain writes `[]`."""
    inner = indent + "  "
    if isinstance(document, dict):
        if not document:
            return "{\n" + indent + "}" if split_empty else "{}"
        items = [
            f"{inner}{json.dumps(k)}: {manifest_text(document[k], inner, split_empty=split_empty)}" for k in sorted(document)
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(document, list):
        if not document:
            return "[\n" + indent + "]" if split_empty else "[]"
        items = [inner + manifest_text(v, inner, split_empty=split_empty) for v in document]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(document)


def _synthesize_in_parallel(args: argparse.Namespace, parts: list[list[str]]) -> int:
    """Each part in its own process and App, written below outdir/.parts/, then moved into outdir
    with one manifest for all stacks: the same files as one App writes. The exit code of the first
    process that failed, else 0."""
    import subprocess

    staging = args.outdir / ".parts"
    shutil.rmtree(staging, ignore_errors=True)
    selection = [a for name in (args.envs or []) for a in ("--env", name)]
    for n in range(len(parts)):
        (staging / str(n)).mkdir(parents=True)
    common = ["--environments-dir", str(args.environments_dir), *selection, *(["--independent"] if args.independent else [])]
    processes = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--synth-part", ",".join(part), "--outdir", str(staging / str(n)), *common]
        )
        for n, part in enumerate(parts)
    ]
    codes = [process.wait() for process in processes]
    try:
        failed = next((code for code in codes if code != 0), 0)
        if failed:
            return failed
        stacks: dict[str, object] = {}
        version = None
        split_empty = True
        for n, part in enumerate(parts):
            source = staging / str(n)
            text = (source / "manifest.json").read_text()
            split_empty = split_empty and "[]" not in text and "{}" not in text  # the framework's style
            manifest = json.loads(text)
            stacks.update(manifest["stacks"])
            version = manifest.get("version", version)
            for folder in ("stacks", "build"):
                for name in part:
                    if (source / folder / name).exists():
                        target = args.outdir / folder / name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        shutil.rmtree(target, ignore_errors=True)
                        (source / folder / name).replace(target)
        merged = {"stacks": stacks, "version": version}
        (args.outdir / "manifest.json").write_text(manifest_text(merged, split_empty=split_empty))
        return 0
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    from modules.config import ConfigError
    from modules.core.frameworks import FrameworkError

    build = args.outdir / "build"
    built_before = build.exists()
    started = time.monotonic()
    _progress(args, "Loading the configuration and the AWS provider, then synthesizing...")
    try:
        found = args.envs or [p.stem for p in args.environments_dir.glob("*.toml") if not p.name.startswith((".", "#"))]
        parts: list[list[str]] = []
        if synth_processes(len(found) + (0 if args.independent else 1)) > 1:
            from modules.config import load_environments

            # Every file is validated here first (no jsii runtime in this process): an invalid one
            # stops the run before anything is written, as with one App.
            configs = load_environments(args.environments_dir, args.envs, shared_state=not args.independent)
            names = [c.name for c in configs] + ([] if args.independent else ["bootstrap"])
            parts = synth_parts(names, synth_processes(len(names)))
        if len(parts) > 1:
            failed = _synthesize_in_parallel(args, parts)
            if failed:
                raise SystemExit(failed)
        else:
            # Importing the app pulls in the provider bindings (seconds); do it only after
            # the arguments parsed, so --help stays instant.
            from modules.app import build_app

            app, configs = build_app(args.environments_dir, args.outdir, args.envs, bootstrap=not args.independent)
            app.synth()
            names = [c.name for c in configs] + ([] if args.independent else ["bootstrap"])
    except (ConfigError, FrameworkError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except BaseException:
        # Function packages are written while the stacks are built: leave nothing half-built.
        if not built_before:
            shutil.rmtree(build, ignore_errors=True)
            if args.outdir.exists() and not any(args.outdir.iterdir()):
                args.outdir.rmdir()
        raise
    _progress(args, f"Synthesis took {time.monotonic() - started:.1f} s.")
    stacks = [args.outdir / "stacks" / name for name in names]
    print(
        f"Synthesized {', '.join(names[:-1])} and {names[-1]} into {args.outdir}/stacks/"
        if len(names) > 1
        else f"Synthesized {names[0]} into {args.outdir}/stacks/"
    )
    if not args.gate:
        return 0
    from gates.cli import main as gates_main

    compare = ["--compare-to", str(args.compare_to)] if args.compare_to else []
    gating = time.monotonic()
    _progress(args, f"Running the gates on {len(stacks)} stacks (Checkov and our checks, then the cost gate)...")
    # Each stack's Checkov results are kept beside the run cache: when one environment changed,
    # the stacks that did not are not scanned again (gates/scan_cache.py).
    scans = [] if args.no_cache else ["--scan-cache", str(args.outdir / ".cache" / "scans")]
    code = gates_main([*map(str, stacks), "--reports-dir", str(args.outdir / "reports"), *compare, *scans])
    _progress(args, f"The gates took {time.monotonic() - gating:.1f} s.")
    return code


if __name__ == "__main__":
    sys.exit(main())
