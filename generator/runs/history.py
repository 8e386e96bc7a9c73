"""What a workflow's past runs say about each stage: how long it takes and how often it fails.

Percentiles are nearest-rank (the smallest duration at least p% of the runs took no longer
than), so every figure is a duration some run really had.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.runs.record import FAILED_STATES, RunRecord
from generator.runs.target import RunTarget, bind
from generator.runs.verify import observe
from generator.runs.view import duration


@dataclass(frozen=True)
class StageHistory:
    label: str
    runs: int  # runs in which it ran
    failures: int
    p50: float | None  # seconds
    p95: float | None


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(run_target: RunTarget, records: list[RunRecord]) -> tuple[StageHistory, ...]:
    took: dict[str, list[float]] = {slot.label: [] for slot in run_target.slots}
    ran = dict.fromkeys(took, 0)
    failed = dict.fromkeys(took, 0)
    for record in records:
        binding = bind(run_target, record)
        for label, seen in observe(run_target, binding, record).items():
            if not seen.ran:
                continue
            ran[label] += 1
            failed[label] += seen.state in FAILED_STATES
            if seen.started and seen.completed:
                took[label].append((seen.completed - seen.started).total_seconds())
    return tuple(StageHistory(label, ran[label], failed[label], percentile(took[label], 0.5),
                              percentile(took[label], 0.95)) for label in took)


def lines(found: tuple[StageHistory, ...], runs: int) -> list[str]:
    grid = [("stage", "ran", "failed", "p50", "p95")]
    for stage in found:
        rate = f"{stage.failures} ({100 * stage.failures / stage.runs:.0f}%)" if stage.runs else "-"
        grid.append((stage.label, str(stage.runs), rate, duration(stage.p50) or "-", duration(stage.p95) or "-"))
    widths = [max(len(row[index]) for row in grid) for index in range(5)]
    return [f"the last {runs} run(s), per stage (durations nearest-rank):",
            *("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in grid)]
