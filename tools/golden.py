"""Refresh the golden JSON of the shipped environments (`make golden`).

The golden files are what a reviewer reads to see what a change does to the
synthesized stacks: `git diff tests/golden/` after this command. The address
snapshot only grows here: an address that disappears is a resource Terraform
would destroy, and removing it from the snapshot is a deliberate edit.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SHIPPED = ("dev", "prod", "bootstrap")
sys.path.insert(0, str(ROOT))


def addresses(document: dict[str, object]) -> set[str]:
    resources = document.get("resource") or {}
    assert isinstance(resources, dict)
    return {f"{rtype}.{name}" for rtype, named in resources.items() for name in named}


def main() -> int:
    from main import main as synthesize

    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp) / "cdktf.out"
        status = synthesize(["--outdir", str(outdir), "--env", "dev", "--env", "prod"])
        if status != 0:
            return status
        snapshot_file = GOLDEN / "addresses.json"
        snapshot = json.loads(snapshot_file.read_text()) if snapshot_file.exists() else {}
        for env in SHIPPED:
            source = outdir / "stacks" / env / "cdk.tf.json"
            shutil.copyfile(source, GOLDEN / f"{env}.json")
            known = set(snapshot.get(env, []))
            snapshot[env] = sorted(known | addresses(json.loads(source.read_text())))
        snapshot_file.write_text(json.dumps(snapshot, indent=1) + "\n")
    print(f"Golden JSON refreshed in {GOLDEN.relative_to(ROOT)}/; review it with `git diff {GOLDEN.relative_to(ROOT)}`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
