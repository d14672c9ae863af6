"""`make bench`: the naive path, this project's cold and warm runs, and scaling by environments, in one run.

Naive path: `import cdktf_cdktf_provider_aws` first (its `__init__` imports all
~2,200 resource modules), the provider's shipped JavaScript index (every module
loaded by Node), the same app, then Checkov once per stack.
Cold run: `main.py --gate --no-cache`, the project as a user runs `make check`
the first time: lazy provider on both sides, every stack in one process, Checkov
imported while the stacks synthesize, one Checkov run over all stacks.
Warm run: `main.py --gate` again with nothing changed (the run cache).
Scaling: cold runs over 1, 3, 10 and 30 copies of the shipped dev environment.
Baseline (`--baseline REV`): an earlier commit in a worktree with its own install, its
cold runs over the fewest and the most copies, its test suite, and the test functions both
commits have (same file, same name) timed on each, in the same run, so that
the per-environment and test-suite targets are also read as ratios that do not depend on how
fast the machine is.

Wall time and peak memory (resident set of the whole process tree, Python, the
jsii Node runtime and Checkov together, sampled every 20 ms) are measured; the
JSON each path writes is compared byte for byte. Targets (issue "Performance")
are printed next to the figures; they are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
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
SCALING = (1, 3, 10, 30)
MIB = 2**20

NAIVE_SYNTH = (
    "import sys, runpy\n"
    "import cdktf_cdktf_provider_aws  # the full package __init__: every resource module\n"
    "sys.argv = ['main.py', '--no-cache', '--outdir', sys.argv[1], *sys.argv[2:]]\n"
    "runpy.run_path('main.py', run_name='__main__')\n"
)


@dataclass
class Sample:
    seconds: float
    peak_mib: float
    # CPU time of the whole process tree (user + system): less sensitive than wall time to other
    # work on a shared machine, and what parallel processes cannot reduce.
    cpu_seconds: float = 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> Sample:
    cpu = _children_cpu()
    start = time.perf_counter()
    process = psutil.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        raise SystemExit(f"benchmark step failed ({' '.join(command[:4])} ...):\n{stderr[-2000:]}")
    return Sample(elapsed, peak / MIB, _children_cpu() - cpu)


def synth_processes(stacks: int) -> int:
    sys.path.insert(0, str(ROOT))
    import main

    return main.synth_processes(stacks)


def checkov_binary() -> str:
    sys.path.insert(0, str(ROOT))
    from gates.security import checkov_command

    return checkov_command()[0]


def same_json(a: Path, b: Path, names: tuple[str, ...]) -> bool:
    return all((a / "stacks" / s / "cdk.tf.json").read_bytes() == (b / "stacks" / s / "cdk.tf.json").read_bytes() for s in names)


def environments(folder: Path, count: int, project: Path = ROOT) -> Path:
    """`count` copies of `project`'s shipped dev environment, each its own stack."""
    folder.mkdir(parents=True)
    text = (project / "environments" / "dev.toml").read_text()
    for n in range(1, count + 1):
        (folder / f"env{n:02d}.toml").write_text(text)
    return folder


@dataclass
class Suite:
    seconds: float
    passed: int


def run_tests(workers: str | None, env: dict[str, str], folder: Path = ROOT) -> Suite:
    """`make test` in `folder` (after its own install, not timed): its wall time and how many tests passed."""
    install(folder, env)
    command = ["make", "--no-print-directory", "test", *([f"TEST_WORKERS={workers}"] if workers else [])]
    return _timed(command, folder, env, f"make test in {folder}")


def _timed(command: list[str], folder: Path, env: dict[str, str], what: str) -> Suite:
    """A pytest run's wall time and how many tests passed; a run with a failure stops the bench."""
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=folder, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    output = completed.stdout.decode(errors="replace") + completed.stderr.decode(errors="replace")
    if completed.returncode != 0:
        raise SystemExit(f"{what} failed:\n{output[-2000:]}")
    found = re.findall(r"(\d+) passed", output)
    return Suite(seconds, int(found[-1]) if found else 0)


_TEST_FUNCTION = re.compile(r"^def (test_\w+)", re.MULTILINE)


def common_tests(baseline: Path, now: Path = ROOT) -> list[str]:
    """The baseline's test functions that exist by the same file and name now, as pytest node ids
    (each with all its parameters): the same tests, timed on both commits."""
    ids = []
    for path in sorted((baseline / "tests").rglob("test_*.py")):
        relative = path.relative_to(baseline)
        current = now / relative
        if not current.is_file():
            continue
        present = set(_TEST_FUNCTION.findall(current.read_text()))
        ids += [f"{relative}::{name}" for name in _TEST_FUNCTION.findall(path.read_text()) if name in present]
    return ids


def run_selected(ids: list[str], parallel: bool, env: dict[str, str], folder: Path = ROOT) -> Suite:
    """`ids` in `folder` (installed) the way its `make test` runs tests: one worker per core
    (`parallel`, as `make test` does now) or in one process (as the baseline's did)."""
    workers = ["-n", "auto", "--dist", "loadfile"] if parallel else []
    python = str(folder / ".venv" / "bin" / "python")
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers, *ids]
    return _timed(command, folder, env, f"the tests common to both commits in {folder}")


def baseline_scaling(folder: Path, counts: list[int], env: dict[str, str], work: Path) -> dict[int, Sample]:
    """Cold gate runs of the earlier commit in `folder` (installed) over `counts` copies of its dev environment."""
    script = (folder / "main.py").read_text()
    no_cache = ["--no-cache"] if "--no-cache" in script else []  # commits before the run cache have none
    samples = {}
    for count in counts:
        envs = environments(work / f"baseline-envs{count}", count, folder)
        python = str(folder / ".venv" / "bin" / "python")
        outdir = work / f"baseline-out{count}"
        command = [python, "main.py", "--gate", *no_cache, "--environments-dir", str(envs), "--outdir", str(outdir)]
        samples[count] = measure(command, env, cwd=folder)
    return samples


def install(folder: Path, env: dict[str, str]) -> None:
    done = subprocess.run(["make", "--no-print-directory", "install"], cwd=folder, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"make install in {folder} failed:\n{done.stderr.decode()[-2000:]}")


def row(label: str, sample: Sample, note: str = "") -> str:
    return f"  {label:<44}{sample.seconds:>8.1f} s {sample.peak_mib:>8.0f} MiB {sample.cpu_seconds:>8.1f} s  {note}"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scaling", default=",".join(map(str, SCALING)), help="environment counts (default 1,3,10,30)")
    parser.add_argument("--tests", action="store_true", help="also time `make test` serially and with one worker per core")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also measure commit REV (in a worktree, with its own install): its cost per added environment "
        "and its test suite, against today's",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.scaling.split(",") if n]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_CACHE", "PROVIDER_EAGER_INDEX")}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    eager = {**env, "PROVIDER_EAGER_INDEX": "1"}

    cpu = platform.processor() or platform.machine()
    load = os.getloadavg()
    print(
        f"Machine: {os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, load average {load[0]:.1f} at start"
    )
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        naive_out, cold_out = work / "naive", work / "project"
        figures: dict[str, Sample] = {}
        interpreter = measure([PY, "-c", "pass"], env)

        # Synthesis alone: the provider loading is what differs.
        figures["naive synth"] = measure([PY, "-c", NAIVE_SYNTH, str(naive_out)], eager)
        figures["project synth"] = measure([PY, "main.py", "--no-cache", "--outdir", str(work / "synth-only")], env)
        # Naive gates: Checkov once per stack.
        checkov = checkov_binary()
        from gates.security import workers

        checkov_workers = workers
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
        naive_gates = Sample(
            sum(s.seconds for s in per_stack), max(s.peak_mib for s in per_stack), sum(s.cpu_seconds for s in per_stack)
        )
        figures["naive"] = Sample(
            figures["naive synth"].seconds + naive_gates.seconds,
            max(figures["naive synth"].peak_mib, naive_gates.peak_mib),
            figures["naive synth"].cpu_seconds + naive_gates.cpu_seconds,
        )
        figures["cold"] = measure([PY, "main.py", "--gate", "--no-cache", "--outdir", str(cold_out)], env)
        figures["warm"] = measure([PY, "main.py", "--gate", "--outdir", str(cold_out)], env)

        identical = same_json(naive_out, cold_out, STACKS) and same_json(work / "synth-only", cold_out, STACKS)
        scaling: dict[int, Sample] = {}
        for count in counts:
            folder = environments(work / f"envs{count}", count)
            scaling[count] = measure(
                [PY, "main.py", "--gate", "--no-cache", "--environments-dir", str(folder), "--outdir", str(work / f"out{count}")],
                env,
            )
        tests: dict[str, Suite] = {}
        if args.tests:
            tests["serial"] = run_tests("1", env)
        if args.tests or args.baseline:
            tests["parallel"] = run_tests("auto", env)
        baseline: dict[int, Sample] = {}
        same_functions = 0
        if args.baseline:
            folder = work / "baseline"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(folder), args.baseline], cwd=ROOT, check=True, capture_output=True
            )
            try:
                tests["baseline"] = run_tests(None, env, folder)  # installs it first
                same = common_tests(folder)
                if same:
                    tests["baseline same"] = run_selected(same, parallel=False, env=env, folder=folder)
                    tests["same"] = run_selected(same, parallel=True, env=env)
                    same_functions = len(same)
                if len(counts) >= 2:
                    baseline = baseline_scaling(folder, [min(counts), max(counts)], env, work)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    end_load = os.getloadavg()
    print(f"Load average at the end: {end_load[0]:.1f} (1 min), {end_load[2]:.1f} (15 min)")
    print(
        f"Stacks: {', '.join(STACKS)}; JSON byte-identical between the naive, synth-only and cold paths: {'yes' if identical else 'NO'}\n"
    )
    print(f"  {'':<44}{'wall':>10} {'peak (tree)':>12} {'cpu (tree)':>10}")
    print(row("interpreter start (python -c pass)", interpreter))
    print(row("naive synth (full provider, eager JS index)", figures["naive synth"]))
    print(row("project synth (lazy provider, both sides)", figures["project synth"]))
    print(row("naive gates (Checkov once per stack)", naive_gates))
    print(row("naive path: synth + gates", figures["naive"]))
    print(
        row(
            "cold run: main.py --gate --no-cache",
            figures["cold"],
            f"{figures['cold'].seconds / figures['naive'].seconds:.2f} x naive",
        )
    )
    print(row("warm run: main.py --gate (nothing changed)", figures["warm"]))
    print("\nScaling (copies of the dev environment, cold runs, + bootstrap stack):")
    previous: tuple[int, Sample] | None = None
    for count, sample in scaling.items():
        processes = synth_processes(count + 1)
        note = f"synthesis in {processes} process{'es' if processes > 1 else ''}, Checkov in {min(checkov_workers(count + 1), count + 1)}"
        if previous is not None:
            step = (sample.seconds - previous[1].seconds) / (count - previous[0])
            note += f"; +{step:.2f} s per environment since {previous[0]}"
        print(row(f"{count} environment{'s' if count > 1 else ''}", sample, note))
        previous = (count, sample)
    slope = None
    if len(scaling) >= 2:
        low, high = min(scaling), max(scaling)
        slope = (scaling[high].seconds - scaling[low].seconds) / (high - low)
        cpu_slope = (scaling[high].cpu_seconds - scaling[low].cpu_seconds) / (high - low)
        print(f"  each added environment ({low} -> {high}): {slope:.2f} s wall, {cpu_slope:.2f} s of CPU time")
    baseline_slope = None
    if baseline:
        low, high = min(baseline), max(baseline)
        baseline_slope = (baseline[high].seconds - baseline[low].seconds) / (high - low)
        baseline_cpu = (baseline[high].cpu_seconds - baseline[low].cpu_seconds) / (high - low)
        print(f"\nThe same for {args.baseline} (its code, its install, its dev environment):")
        for count, sample in baseline.items():
            print(row(f"{count} environment{'s' if count > 1 else ''}", sample))
        print(f"  each added environment ({low} -> {high}): {baseline_slope:.2f} s wall, {baseline_cpu:.2f} s of CPU time")
    if tests:
        print()
    for name, label in (
        ("baseline", f"make test of {args.baseline} (its suite, its install)"),
        ("serial", "make test TEST_WORKERS=1 (one process)"),
        ("parallel", "make test (one worker per core)"),
        ("baseline same", f"{same_functions} test functions in both, at {args.baseline}"),
        ("same", f"the same {same_functions} functions now"),
    ):
        if name in tests:
            suite = tests[name]
            per_test = suite.seconds / suite.passed if suite.passed else float("nan")
            print(f"  {label:<52}{suite.seconds:>7.0f} s  {suite.passed:>5} tests  {per_test:.3f} s per test")

    print("\nTargets:")
    ratio = figures["cold"].seconds / figures["naive"].seconds
    beyond = figures["warm"].seconds - interpreter.seconds
    print(f"  cold run <= 0.35 x naive path:                 {ratio:.2f} x   {verdict(ratio <= 0.35)}")
    print(f"  unchanged re-run <= 1 s beyond interpreter:    {beyond:.2f} s   {verdict(beyond <= 1.0)}")
    if slope is not None:
        print(f"  each added environment <= 1.0 s:              {slope:.2f} s   {verdict(slope <= 1.0)}")
    if slope is not None and baseline_slope:
        # The issue measured 2.1 s per environment before the work and asked for 1.0 s on the same
        # machine: read as a share of the baseline's slope measured in this run, on this machine.
        share = slope / baseline_slope
        print(
            f"    as a share of {args.baseline}'s ({baseline_slope:.2f} s) <= 1.0/2.1:  {share:.2f} x   {verdict(share <= 1.0 / 2.1)}"
        )
    peak = figures["project synth"].peak_mib
    print(f"  peak memory of synthesis <= 300 MiB:           {peak:.0f} MiB {verdict(peak <= 300)}")
    if "serial" in tests:
        share = tests["parallel"].seconds / tests["serial"].seconds
        print(f"  make test <= 0.5 x serial:                     {share:.2f} x   {verdict(share <= 0.5)}")
    if "baseline" in tests:
        before, now = tests["baseline"], tests["parallel"]
        ratio = now.seconds / before.seconds
        per_test = (now.seconds / now.passed) / (before.seconds / before.passed) if now.passed and before.passed else float("nan")
        if "same" in tests:
            # The suite grew with other work since the baseline; the target is read on the tests
            # both commits have (same file, same function), each commit running them its own way.
            same_ratio = tests["same"].seconds / tests["baseline same"].seconds
            print(f"  make test <= 0.5 x, the same tests:            {same_ratio:.2f} x   {verdict(same_ratio <= 0.5)}")
        print(f"    whole suites ({now.passed} tests now, {before.passed} then): {ratio:.2f} x")
        print(f"    per test:                                    {per_test:.2f} x")
    print(f"  JSON byte-identical between paths:             {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
