"""gluegen benchmarks (not tests): prints the README's performance table.

    python bench/bench.py            # everything
    python bench/bench.py --quick    # fewer repetitions

1. whole-process runs of the default spec against the import floor
   `python -c "import pydantic, jinja2, yaml"`, interleaved in the same run: `gluegen check` and
   `gluegen generate` answered by a warm result cache (target <= 0.5x each), and `gluegen check
   --no-cache` and `gluegen generate --no-cache` (cold: target <= 1.5x each); the least any run
   that validates with pydantic pays (the floor, then one one-field model built and used once: the
   cold target's lower bound); the peak memory of a warm `check` (target <= 20 MiB);
2. validate + render of generated specs with 100, 1,000 and 5,000 stages, as a chain
   and as a wide fan-out (target: 1,000 stages under 1 s, growing linearly). These specs
   exceed AWS Glue's limits (100 jobs, crawlers and triggers per workflow, 50 actions per
   trigger), so they run with `quotas=False`: a test of the generator, not deployable;
3. whole-process `gluegen check` over 200 specs: cold (--no-cache; target under 3 s) and
   warm (target <= 1.0x the import floor).

Every run uses a cache folder of its own (GLUEGEN_CACHE_DIR), never the user's, and writes
bytecode as a user's Python does (PYTHONDONTWRITEBYTECODE is unset for the runs measured: with it,
every run would compile gluegen's modules from source again).
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


def _gluegen(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


FLOOR = [sys.executable, "-c", "import pydantic, jinja2, yaml"]
# The least any run that validates with pydantic pays: the floor, BaseModel, one model with one constrained
# field built and used once (as gluegen does, with pydantic's plugin discovery off). The cold target's bound.
PYDANTIC_LEAST = [sys.executable, "-c", "import os\nos.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'\n"
                  "import pydantic, jinja2, yaml\nfrom pydantic import BaseModel, Field\n"
                  "class M(BaseModel):\n    x: int = Field(ge=1)\nM.model_validate({'x': 1})"]


def _peak_kib(command: list[str], cwd: Path) -> int:
    """The peak resident set of `command` alone: measured by a parent of its own, whose only child it is."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, check=True, capture_output=True, text=True)
    return int(done.stdout)


def startup(repeat: int) -> dict[str, float]:
    """Median seconds of each whole-process run of the default spec, and of the import floor, interleaved."""
    work = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "specs", work / "specs")
    runs = {
        "floor": FLOOR,
        "pydantic least": PYDANTIC_LEAST,
        "check, warm": _gluegen("check", "specs/metriccare.yaml"),
        "generate, warm": _gluegen("generate", "specs/metriccare.yaml"),
        "check, cold": _gluegen("check", "specs/metriccare.yaml", "--no-cache"),
        "generate, cold": _gluegen("generate", "specs/metriccare.yaml", "--no-cache"),
    }
    for name in ("generate, cold", "check, cold", "floor", "check, warm", "check, warm", "generate, warm", "generate, warm"):
        _wall(runs[name], work)  # out/ written, the result cache filled, bytecode and file system caches warm
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, command in runs.items():
            times[name].append(_wall(command, work))
    result = {name: statistics.median(values) for name, values in times.items()}
    result["peak KiB"] = max(_peak_kib(runs["check, warm"], work) for _ in range(3))
    shutil.rmtree(work)
    return result


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


def check_many(count: int, repeat: int) -> tuple[float, float, float]:
    """Seconds of `gluegen check` over `count` specs: cold (--no-cache), warm, and the import floor."""
    work = Path(tempfile.mkdtemp())
    (work / "specs").mkdir()
    base = (ROOT / "specs" / "metriccare.yaml").read_text()
    for index in range(count):
        text = base.replace("module: glue_workflow", f"module: m{index}").replace(
            "name: metriccare_etl_workflow", f"name: workflow_{index}")
        (work / "specs" / f"s{index}.yaml").write_text(text)
    subprocess.run(_gluegen("generate"), cwd=work, check=True, capture_output=True)
    _wall(_gluegen("check"), work)  # fills the cache
    cold, warm, floor = [], [], []
    for _ in range(repeat):
        cold.append(_wall(_gluegen("check", "--no-cache"), work))
        warm.append(_wall(_gluegen("check"), work))
        floor.append(_wall(FLOOR, work))
    shutil.rmtree(work)
    return min(cold), statistics.median(warm), statistics.median(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 5 if args.quick else 15
    cache = tempfile.mkdtemp(prefix="gluegen-bench-cache-")
    os.environ.update({"PYTHONPATH": str(ROOT), "GLUEGEN_CACHE_DIR": cache})
    os.environ.pop("GLUEGEN_NO_CACHE", None)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    found = startup(repeat)
    floor = found["floor"]
    print(f"| import floor (`python -c \"import pydantic, jinja2, yaml\"`) | {floor * 1000:.0f} ms | |")
    least = found["pydantic least"]
    print(f"| least of a run that validates with pydantic (one model, one field) | {least * 1000:.0f} ms: **{least / floor:.2f}x** "
          "the floor | |")
    for name, target in (("check, warm", 0.5), ("generate, warm", 0.5), ("check, cold", 1.5), ("generate, cold", 1.5)):
        ratio = found[name] / floor
        print(f"| `gluegen {name.split(',')[0]} specs/metriccare.yaml`, {name.split(', ')[1]} | {found[name] * 1000:.0f} ms: "
              f"**{ratio:.2f}x** the floor | <= {target}x {'met' if ratio <= target else 'MISSED'} |")
    peak = found["peak KiB"] / 1024
    print(f"| peak memory of a warm `gluegen check` | {peak:.1f} MiB | <= 20 MiB {'met' if peak <= 20 else 'MISSED'} |")
    for shape, stages, seconds in scale(3 if args.quick else 5):
        print(f"| validate + render, {stages:,} stages ({shape}) | {seconds * 1000:.0f} ms | |")
    cold, warm, floor = check_many(200, 3 if args.quick else 7)
    print(f"| `gluegen check` over 200 specs, cold (--no-cache) | {cold * 1000:.0f} ms | < 3 s {'met' if cold < 3 else 'MISSED'} |")
    print(f"| `gluegen check` over 200 specs, warm | {warm * 1000:.0f} ms: **{warm / floor:.2f}x** the floor ({floor * 1000:.0f} ms) | "
          f"<= 1.0x {'met' if warm <= floor else 'MISSED'} |")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
