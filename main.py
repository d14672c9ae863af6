"""Synthesize every environment stack (and the bootstrap stack) in one process.

    python main.py                 # all environments in environments/
    python main.py --env prod      # only some (repeatable)
    python main.py --gate          # then run the gates on what was synthesized
    python main.py --gate --compare-to base/cdktf.out/reports   # and show each cost change

Exit codes: 0 success, 1 a gate failed, 2 the configuration is invalid (nothing written).
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args(argv)
    args.quiet = args.quiet or os.environ.get("QUIET", "") not in ("", "0")
    no_cache = args.no_cache or os.environ.get("NO_CACHE", "") not in ("", "0")

    from modules.cache import Cache
    from modules.core.frameworks import node_heap_options

    node_heap_options()  # before anything starts the jsii runtime (Node.js)

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
    from gates.security import GateError, checkov_command
    from tools import checkov_prestart

    try:
        executable = Path(checkov_command()[0])
    except GateError:
        return  # the gate reports the missing scanner itself
    checkov_prestart.start(executable, dict(os.environ))


def hash_file(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _progress(args: argparse.Namespace, text: str) -> None:
    """What a long step is doing, on stderr so that the results on stdout stay clean."""
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    from modules.config import ConfigError
    from modules.core.frameworks import FrameworkError

    build = args.outdir / "build"
    built_before = build.exists()
    started = time.monotonic()
    _progress(args, "Loading the configuration and the AWS provider, then synthesizing...")
    try:
        # Importing the app pulls in the provider bindings (seconds); do it only after
        # the arguments parsed, so --help stays instant.
        from modules.app import build_app

        app, configs = build_app(args.environments_dir, args.outdir, args.envs, bootstrap=not args.independent)
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
    app.synth()
    _progress(args, f"Synthesis took {time.monotonic() - started:.1f} s.")
    names = [c.name for c in configs] + ([] if args.independent else ["bootstrap"])
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
    code = gates_main([*map(str, stacks), "--reports-dir", str(args.outdir / "reports"), *compare])
    _progress(args, f"The gates took {time.monotonic() - gating:.1f} s.")
    return code


if __name__ == "__main__":
    sys.exit(main())
