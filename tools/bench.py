"""`make bench`: this project's synth + gates against the naive path, side by side, in one run.

Project path: provider modules loaded through `modules/aws.py` (no package
`__init__`), every stack in one process, one Checkov run over all stacks.
Naive path: `import cdktf_cdktf_provider_aws` first (its `__init__` imports all
~2,200 resource modules), then the same app, and Checkov once per stack.

Wall time and peak memory (resident set of the whole process tree, Python and
the jsii Node runtime together, sampled every 20 ms) are measured; the JSON both
paths write is compared byte for byte.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
STACKS = ("dev", "prod", "bootstrap")

NAIVE_SYNTH = (
    "import sys, runpy\n"
    "import cdktf_cdktf_provider_aws  # the full package __init__: every resource module\n"
    "sys.argv = ['main.py', '--outdir', sys.argv[1]]\n"
    "runpy.run_path('main.py', run_name='__main__')\n"
)


@dataclass
class Sample:
    seconds: float
    peak_mb: float


def measure(command: list[str], env: dict[str, str]) -> Sample:
    start = time.perf_counter()
    process = psutil.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"benchmark step failed ({' '.join(command[:3])} ...):\n{stderr[-2000:]}")
    return Sample(elapsed, peak / 1e6)


def checkov_binary() -> str:
    sys.path.insert(0, str(ROOT))
    from gates.security import checkov_command

    return checkov_command()[0]


def run_once(work: Path, env: dict[str, str]) -> dict[str, Sample]:
    project_out, naive_out = work / "project", work / "naive"
    results = {
        "project synth": measure([PY, "main.py", "--outdir", str(project_out)], env),
        "naive synth": measure([PY, "-c", NAIVE_SYNTH, str(naive_out)], env),
    }
    stack_dirs = [str(project_out / "stacks" / s) for s in STACKS]
    results["project gates"] = measure([PY, "-m", "gates", *stack_dirs, "--reports-dir", str(work / "reports")], env)
    checkov = checkov_binary()
    per_stack = [
        measure(
            [
                checkov,
                "-f",
                str(naive_out / "stacks" / s / "cdk.tf.json"),
                "--framework",
                "terraform_json",
                "--skip-download",
                "-o",
                "json",
            ],
            env,
        )
        for s in STACKS
    ]
    results["naive gates"] = Sample(sum(s.seconds for s in per_stack), max(s.peak_mb for s in per_stack))
    for s in STACKS:
        a = (project_out / "stacks" / s / "cdk.tf.json").read_bytes()
        b = (naive_out / "stacks" / s / "cdk.tf.json").read_bytes()
        if a != b:
            raise SystemExit(f"the two paths synthesized different JSON for {s}: the loader is broken")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path; the median is shown (default 1)")
    args = parser.parse_args()
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            runs.append(run_once(Path(tmp), env))

    def med(key: str) -> Sample:
        return Sample(statistics.median(r[key].seconds for r in runs), statistics.median(r[key].peak_mb for r in runs))

    cpu = platform.processor() or platform.machine()
    memory_gb = psutil.virtual_memory().total / 2**30
    print(
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB, Python {platform.python_version()}, {args.repeat} run(s), median shown"
    )
    print(f"Stacks: {', '.join(STACKS)} (identical JSON from both paths)\n")
    print(f"{'':<22}{'project':>22}{'naive':>22}{'speed-up':>10}")
    for label, key in (("synth (all stacks)", "synth"), ("gates (Checkov)", "gates")):
        p, n = med(f"project {key}"), med(f"naive {key}")
        print(
            f"{label:<22}{p.seconds:>9.1f} s {p.peak_mb:>7.0f} MB{n.seconds:>9.1f} s {n.peak_mb:>7.0f} MB{n.seconds / p.seconds:>9.1f}x"
        )
    total_p = med("project synth").seconds + med("project gates").seconds
    total_n = med("naive synth").seconds + med("naive gates").seconds
    print(f"{'total':<22}{total_p:>9.1f} s {'':>10}{total_n:>9.1f} s {'':>10}{total_n / total_p:>9.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
