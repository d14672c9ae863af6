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
    args = parser.parse_args(argv)

    from modules.config import ConfigError
    from modules.core.frameworks import FrameworkError

    build = args.outdir / "build"
    built_before = build.exists()
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
    return gates_main([*map(str, stacks), "--reports-dir", str(args.outdir / "reports"), *compare])


if __name__ == "__main__":
    sys.exit(main())
