"""Synthesize one environment as it was at a git ref, with the current virtual environment.

    python tools/ref_synth.py REF ENV [--keep DIR]

The commit's files come from `git archive` into a temporary folder (the work tree is never
touched), and that commit's own main.py synthesizes them with this project's Python, so the
result is what the ref would have produced with today's pinned packages.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class RefError(Exception):
    """The ref cannot be synthesized; the message says why and what to do."""


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=False)


def extract(ref: str, target: Path) -> str:
    """The files of `ref` in `target`; returns the commit's short hash."""
    found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise RefError(f"REF={ref} is not a commit in this repository (try a branch, a tag or a hash such as HEAD~1)")
    commit = found.stdout.decode().strip()
    archive = _git("archive", "--format=tar", commit)
    if archive.returncode != 0:
        raise RefError(f"git archive {ref} failed: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return commit[:12]


def synthesize(ref: str, env: str, workdir: Path) -> Path:
    """The cdk.tf.json of `env` at `ref`, synthesized under `workdir`."""
    commit = extract(ref, workdir)
    environments = workdir / "environments"
    if not (environments / f"{env}.toml").is_file():
        known = sorted(p.stem for p in environments.glob("*.toml"))
        raise RefError(f"environments/{env}.toml does not exist at {ref} ({commit}); it has: {', '.join(known) or 'none'}")
    outdir = workdir / "cdktf.out"
    environ = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    environ.pop("CDKTF_OUTDIR", None)
    done = subprocess.run(
        [sys.executable, "main.py", "--env", env, "--outdir", str(outdir)],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    stack = outdir / "stacks" / env / "cdk.tf.json"
    if done.returncode != 0 or not stack.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise RefError(f"synthesizing {env} at {ref} ({commit}) failed with today's packages:\n{tail}")
    return stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/ref_synth.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("ref")
    parser.add_argument("env")
    parser.add_argument("--keep", type=Path, help="copy the synthesized cdk.tf.json to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ref-synth-") as tmp:
        try:
            stack = synthesize(args.ref, args.env, Path(tmp))
        except RefError as exc:
            print(f"ref_synth: {exc}", file=sys.stderr)
            return 2
        if args.keep:
            args.keep.write_bytes(stack.read_bytes())
        print(f"Synthesized {args.env} at {args.ref}" + (f" into {args.keep}" if args.keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
