"""gluegen benchmarks (not tests): prints the README's performance table.

    python bench/bench.py            # all three
    python bench/bench.py --quick    # fewer repetitions

1. whole-process `gluegen generate` on the default spec against the import floor
   `python -c "import pydantic, jinja2, yaml"`, measured in the same run (target <= 1.5x);
2. validate + render of generated specs with 100, 1,000 and 5,000 stages, as a chain
   and as a wide fan-out (target: 1,000 stages under 1 s, growing linearly). These specs
   exceed AWS Glue's limits (100 jobs, crawlers and triggers per workflow, 50 actions per
   trigger), so they run with `quotas=False`: a test of the generator, not deployable;
3. whole-process `gluegen check` over 200 specs (target: under 3 s).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.cli import gc_paused  # noqa: E402
from generator.render.module import render  # noqa: E402
from generator.spec.load import load_plan  # noqa: E402


def _wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def startup(repeat: int) -> tuple[float, float]:
    """Median seconds of `gluegen generate` (default spec) and of the import floor, interleaved."""
    work = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "specs", work / "specs")
    generate = [sys.executable, "-m", "generator", "generate", "specs/metriccare.yaml"]
    floor = [sys.executable, "-c", "import pydantic, jinja2, yaml"]
    env_root = {"PYTHONPATH": str(ROOT)}
    os.environ.update(env_root)
    _wall(generate, work)  # warm caches (bytecode, file system)
    ours, base = [], []
    for _ in range(repeat):
        ours.append(_wall(generate, work))
        base.append(_wall(floor, work))
    shutil.rmtree(work)
    return statistics.median(ours), statistics.median(base)


def synthetic(stages: int, shape: str) -> str:
    label = f"bench_{shape.replace('-', '_')}_{stages}"
    lines = ["version: 1", f"module: {label}", "workflow:", f"  name: {label}", "stages:"]
    lines.append("  s0: {}")
    for index in range(1, stages):
        upstream = f"s{index - 1}" if shape == "chain" else "s0"
        lines.append(f"  s{index}: {{after: [{upstream}], timeout: 60, arguments: {{'--n': '{index}'}}}}")
    return "\n".join(lines) + "\n"


def scale(repeat: int) -> list[tuple[str, int, float]]:
    results = []
    for shape in ("chain", "fan-out"):
        for stages in (100, 1000, 5000):
            text = synthetic(stages, shape)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                with gc_paused():  # as the CLI runs it
                    render(load_plan(text, "bench.yaml", quotas=False))
                times.append(time.perf_counter() - started)
            results.append((shape, stages, min(times)))
    return results


def check_many(count: int) -> float:
    work = Path(tempfile.mkdtemp())
    (work / "specs").mkdir()
    base = (ROOT / "specs" / "metriccare.yaml").read_text()
    for index in range(count):
        text = base.replace("module: glue_workflow", f"module: m{index}").replace(
            "name: metriccare_etl_workflow", f"name: workflow_{index}")
        (work / "specs" / f"s{index}.yaml").write_text(text)
    subprocess.run([sys.executable, "-m", "generator", "generate"], cwd=work, check=True, capture_output=True)
    seconds = min(_wall([sys.executable, "-m", "generator", "check"], work) for _ in range(3))
    shutil.rmtree(work)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 5 if args.quick else 15
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    ours, base = startup(repeat)
    print(f"| generate, default spec (whole process) | {ours * 1000:.0f} ms | import floor {base * 1000:.0f} ms; ratio {ours / base:.2f}x (target <= 1.5x) |")
    for shape, stages, seconds in scale(3 if args.quick else 5):
        print(f"| validate + render, {stages:,} stages ({shape}) | {seconds * 1000:.0f} ms | |")
    print(f"| check, 200 specs (whole process) | {check_many(200) * 1000:.0f} ms | target < 3 s |")


if __name__ == "__main__":
    main()
