"""`make diff ENV=<name> [REF=<git ref>]`: what a change does to the resources, with no credentials.

    python tools/diff.py ENV                 # current synthesis against the last gated copy
    python tools/diff.py ENV --ref main      # against the output synthesized at a git ref
    python tools/diff.py ENV --against FILE  # against any cdk.tf.json

Prints resources added, removed and changed (with the changed attributes), and flags first the
changes that destroy a resource holding state (policies/replacements.toml). Then, where Terraform,
its provider and AWS credentials are available, it runs `terraform plan`; where they are not, it
says which part it skipped and why.

Exit codes: 0 compared, 2 nothing to compare (the message says what to run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gates import diff  # noqa: E402  (needs the project root on sys.path)
from gates.inputs import InputError, resolve  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ref_synth  # noqa: E402
import terraform  # noqa: E402


def _paragraph(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=100, break_long_words=False, break_on_hyphens=False)


def plan(stack_dir: Path) -> int:
    """`terraform plan` when the machine can run it; otherwise one paragraph on what was skipped."""
    env = terraform.terraform_env()
    try:
        binary = terraform.check_terraform(env)
        terraform.check_credentials()
        terraform.init(binary, stack_dir, env)
    except terraform.NotReady as exc:
        print("\n" + _paragraph(f"Skipped terraform plan (the resource diff above needed none of it): {exc}"))
        return 0
    except subprocess.CalledProcessError:
        print("\nSkipped terraform plan: terraform init failed (its output is above).")
        return 0
    print("\nterraform plan (against the deployed state):")
    return (
        0 if subprocess.run([binary, f"-chdir={stack_dir}", "plan", "-input=false"], env=env, check=False).returncode == 0 else 1
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/diff.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("env")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--ref", help="compare with the output synthesized at this git ref (branch, tag, hash)")
    source.add_argument("--against", type=Path, help="compare with this cdk.tf.json")
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--replacements", type=Path, default=diff.REPLACEMENTS)
    parser.add_argument("--no-plan", action="store_true", help="stop after the offline diff")
    parser.add_argument("--quiet", action="store_true", help="only the headline and the dangerous changes (for CI logs)")
    args = parser.parse_args(argv)

    current = args.outdir / "stacks" / args.env / "cdk.tf.json"
    if not current.is_file():
        print(f"No synthesized stack at {current}; run `make synth` (make diff does it first).", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="diff-") as tmp:
        try:
            rules = diff.load_rules(args.replacements)
            if args.ref:
                started = time.monotonic()
                print(f"Synthesizing {args.env} at {args.ref} in a temporary folder...", end=" ", flush=True)
                before_path, label = ref_synth.synthesize(args.ref, args.env, Path(tmp)), args.ref
                print(f"done in {time.monotonic() - started:.0f} s.", flush=True)
            elif args.against:
                before_path, label = args.against, str(args.against)
            else:
                before_path, label = args.outdir / "reports" / args.env / diff.GATED_COPY, "last gated"
                if not before_path.is_file():
                    print(
                        _paragraph(
                            f"No gated copy of {args.env} yet ({before_path}): `make check` keeps one each time the "
                            f"gates pass. Run it once, or compare with a commit: make diff ENV={args.env} REF=main"
                        ),
                        file=sys.stderr,
                    )
                    return 2
            before = resolve(str(before_path), args.env).document
            after = json.loads(current.read_text(encoding="utf-8"))
        except (InputError, ref_synth.RefError) as exc:
            print(f"diff: {exc}", file=sys.stderr)
            return 2
    # Colour only for a person at a terminal; NO_COLOR (no-color.org) turns it off there too.
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    print(diff.render(diff.compare(args.env, before, after, rules), label, "current synthesis", args.quiet, colour))
    if args.no_plan:
        return 0
    return plan(current.parent)


if __name__ == "__main__":
    sys.exit(main())
