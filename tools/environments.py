"""The environment files present, by profile, for CI matrices (`make ci-environments`).

Writes `all`, `development` and `production` as JSON lists to $GITHUB_OUTPUT when it is
set (GitHub Actions), and prints them either way. Only the `profile` key is read here;
`make check` validates the files.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def by_profile(directory: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"all": [], "development": [], "production": []}
    for path in sorted(directory.glob("*.toml")):
        try:
            profile = tomllib.loads(path.read_text(encoding="utf-8")).get("profile")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SystemExit(f"{path.relative_to(ROOT)}: cannot be read ({exc}); run make check for the details")
        found["all"].append(path.stem)
        if profile in ("development", "production"):
            found[profile].append(path.stem)
    return found


def main() -> int:
    found = by_profile(ROOT / "environments")
    lines = [f"{key}={json.dumps(names)}" for key, names in found.items()]
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
