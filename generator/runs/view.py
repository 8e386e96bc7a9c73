"""A run in the spec's terms, as rows, lines and JSON: what `run`, `status` and `resume` show.

Pure: every function takes the run and the moment of the view (`now`) and returns values, so a
recorded run shows the same text on any machine. The live view on a terminal (`live`) draws
these same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.runs.record import UNDER_WAY_STATES, RunRecord, hms
from generator.runs.target import Binding, RunTarget
from generator.runs.verify import Observed, Verdict

WORDS = {
    "STARTING": "starting", "RUNNING": "running", "STOPPING": "stopping", "WAITING": "queued",
    "CANCELLING": "cancelling", "SUCCEEDED": "succeeded", "FAILED": "failed", "TIMEOUT": "timed out",
    "STOPPED": "stopped", "ERROR": "error", "CANCELLED": "cancelled", "EXPIRED": "expired",
}
NOT_STARTED, NOT_RUN = "waiting", "not run"
UNDER_WAY = {WORDS[state] for state in UNDER_WAY_STATES}


@dataclass(frozen=True)
class Row:
    """One action of the spec in the run."""

    stage: str
    label: str
    kind: str
    name: str | None  # the job or crawler in AWS (None: not known)
    state: str  # a word of WORDS, "waiting" or "not run"
    started: datetime | None
    completed: datetime | None
    attempt_started: datetime | None  # its last attempt's start (a retry's)
    seconds: float | None  # from its start to its end (or to `now` while it runs)
    error: str | None
    attempts: int
    execution_time: int | None
    dpu_seconds: float | None
    log_group: str | None
    earlier: str | None  # the run whose outcome it is, when a resumed run did not run it again


def rows(run_target: RunTarget, binding: Binding, record: RunRecord, observed: dict[str, Observed],
         now: datetime) -> tuple[Row, ...]:
    found = []
    for slot in run_target.slots:
        seen = observed[slot.label]
        last = seen.node.last if seen.ran else None
        if last is None:
            state = NOT_RUN if record.finished else NOT_STARTED
        else:
            state = WORDS.get(last.state, last.state.lower())
        end = seen.completed or (now if last is not None and not record.finished else None)
        seconds = (end - seen.started).total_seconds() if seen.started and end else None
        found.append(Row(
            stage=slot.stage, label=slot.label, kind=slot.kind, name=binding.names.get(slot.label), state=state,
            started=seen.started, completed=seen.completed,
            attempt_started=last.started if last else None, seconds=seconds, error=last.error if last else None,
            attempts=len(seen.node.attempts) if seen.ran else 0,
            execution_time=last.execution_time if last else None, dpu_seconds=last.dpu_seconds if last else None,
            log_group=last.log_group if last else None, earlier=seen.earlier,
        ))
    return tuple(found)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _what(row: Row) -> str:
    return f"{row.kind} '{row.name}'" if row.name else f"{row.kind} (name not known)"


def changes(before: dict[str, tuple[str, int]], record: RunRecord, now_rows: tuple[Row, ...],
            status_before: str | None) -> list[str]:
    """One plain line per state (or attempt) that changed since `before` (label -> state and
    attempts), for CI logs and pipes."""
    lines = []
    if status_before is None:
        lines.append(f"{hms(record.started, '')} run {record.run_id} of {record.workflow}: {record.status}")
    for row in now_rows:
        if before.get(row.label) == (row.state, row.attempts) or (row.label not in before and row.state == NOT_STARTED):
            continue
        if row.state in (NOT_STARTED, NOT_RUN):
            lines.append(f"{row.label}: {row.state}")
            continue
        if row.earlier:
            lines.append(f"{row.label} ({_what(row)}): {row.state} in run {row.earlier}, not run again")
            continue
        ended = row.state not in UNDER_WAY
        when = hms(row.completed if ended else row.attempt_started, '')
        detail = f" after {duration(row.seconds)}" if ended and row.seconds is not None else ""
        retry = f" (attempt {row.attempts})" if row.attempts > 1 else ""
        error = f": {row.error}" if row.error and row.state != "succeeded" else ""
        lines.append(f"{when} {row.label} ({_what(row)}): {row.state}{detail}{retry}{error}".lstrip())
    if status_before is not None and status_before != record.status:
        lines.append(f"{hms(record.completed, '')} run {record.run_id}: {record.status}".lstrip())
    return lines


HEADINGS = ("stage", "job or crawler", "state", "started", "took", "DPU-s", "error")


NARROW = 80  # columns: below this the live view keeps stage, state, started and took
NARROW_COLUMNS = (0, 2, 3, 4)


def cells(row: Row) -> tuple[str, ...]:
    """The row as the table's cells (the live view's too)."""
    state = row.state + (f" ({row.attempts} attempts)" if row.attempts > 1 else "") + (f" (in {row.earlier})" if row.earlier else "")
    dpu = f"{row.dpu_seconds:g}" if row.dpu_seconds is not None else ""
    return (row.label, row.name or "?", state, hms(row.started, ""), duration(row.seconds), dpu, row.error or "")


def table(found: tuple[Row, ...]) -> list[str]:
    """The rows as a plain table, columns padded to their widest cell."""
    grid = [HEADINGS, *(cells(row) for row in found)]
    widths = [max(len(line[index]) for line in grid) for index in range(len(HEADINGS))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in grid]


def header(run_target: RunTarget, record: RunRecord) -> str:
    took = duration((record.completed - record.started).total_seconds()) if record.completed and record.started else ""
    resumed = f", resumes {record.previous_run_id}" if record.previous_run_id and record.has_graph else ""
    return (f"run {record.run_id} of {run_target.where}: {record.status}, started {record.started.isoformat() if record.started else '?'}"
            + (f", took {took}" if took else "") + resumed)


def report(run_target: RunTarget, record: RunRecord, found: tuple[Row, ...], verdict: Verdict) -> list[str]:
    """What `status` prints: the header, the stages, log groups of failures, the verification, the verdict."""
    lines = [header(run_target, record), *(f"  {line}" for line in table(found))]
    logs = sorted({row.log_group for row in found if row.log_group and row.state not in ("succeeded",)})
    lines += [f"  logs: {group}" for group in logs]
    if record.error:
        lines.append(f"  Glue: {record.error}")
    if verdict.verified:
        so_far = "" if record.finished else " so far"
        lines.append(f"verification{so_far}: " + (f"the run followed the spec{so_far}" if not verdict.mismatches else
                                                  f"{len(verdict.mismatches)} difference(s) from the spec"))
    lines += [f"  - {line}" for line in verdict.mismatches]
    lines += [f"  note: {line}" for line in verdict.notes]
    lines.append(f"verdict: {verdict.summary}")
    return lines


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def document(run_target: RunTarget, record: RunRecord, found: tuple[Row, ...], verdict: Verdict) -> dict[str, Any]:
    """The same as JSON (`--json`): stable keys, times in ISO 8601."""
    return {
        "workflow": record.workflow,
        "spec": run_target.plan.source,
        "environment": run_target.env.name if run_target.env else None,
        "run_id": record.run_id,
        "previous_run_id": record.previous_run_id,
        "status": record.status,
        "started": _time(record.started),
        "completed": _time(record.completed),
        "error": record.error,
        "properties": dict(record.properties),
        "statistics": dict(record.statistics) if record.statistics is not None else None,
        "stages": [
            {"stage": row.stage, "action": row.label, "kind": row.kind, "name": row.name, "state": row.state,
             "started": _time(row.started), "seconds": row.seconds, "attempts": row.attempts, "error": row.error,
             "execution_time": row.execution_time, "dpu_seconds": row.dpu_seconds, "log_group": row.log_group,
             "from_previous_run": row.earlier}
            for row in found
        ],
        "verified": verdict.verified,
        "mismatches": list(verdict.mismatches),
        "notes": list(verdict.notes),
        "verdict": verdict.status,
        "summary": verdict.summary,
        "exit_code": verdict.code,
    }
