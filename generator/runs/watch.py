"""Follow a workflow run to its end: poll GetWorkflowRun, show each change, stop at the end or the timeout.

The poll interval starts at 2 s, grows by half each time nothing changed, up to 30 s, and
drops back to 2 s when a stage changes state. A call throttled past botocore's retries
doubles the interval (up to 60 s) and is tried again; six in a row end the watch with the
throttling error (exit 2). The run itself is never stopped: Ctrl-C and `--timeout` only end
the watching.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from generator.adopt.read import Connection
from generator.errors import Throttled
from generator.runs import glue
from generator.runs.record import RunRecord
from generator.runs.target import RunTarget, bind
from generator.runs.verify import observe
from generator.runs.view import Row, changes, rows

FIRST_POLL = 2.0  # seconds
MAX_POLL = 30.0
GROWTH = 1.5
MAX_THROTTLED = 6  # polls in a row, each after botocore's own retries


@dataclass
class Clock:
    """Time as the watcher sees it (tests give one that does not sleep)."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))


class PlainView:
    """One line per state change: for CI logs, pipes and files."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.states: dict[str, tuple[str, int]] = {}
        self.status: str | None = None

    def update(self, run_target: RunTarget, record: RunRecord, found: tuple[Row, ...]) -> None:
        for line in changes(self.states, record, found, self.status):
            print(line, file=self.stream, flush=True)
        self.states = {row.label: (row.state, row.attempts) for row in found}
        self.status = record.status

    def close(self) -> None:
        pass


class QuietView(PlainView):
    """`--json`: nothing until the end."""

    def update(self, run_target: RunTarget, record: RunRecord, found: tuple[Row, ...]) -> None:
        pass


def view_for(stream: TextIO, json_output: bool):
    """The live view on an interactive terminal (with rich, from gluegen's `aws` extra), else plain lines."""
    if json_output:
        return QuietView(stream)
    interactive = hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("CI") \
        and os.environ.get("TERM") != "dumb"
    if interactive:
        try:
            from generator.runs.live import LiveView
        except ImportError:  # rich is missing: plain lines serve as well
            return PlainView(stream)
        return LiveView(stream)
    return PlainView(stream)


def _signature(record: RunRecord) -> tuple:
    return record.status, tuple((node.name, node.state, len(node.attempts)) for node in record.nodes)


def follow(connection: Connection, run_target: RunTarget, run_id: str, view, *, timeout: float | None,
           clock: Clock, listing: str, earlier: tuple[RunRecord, ...] = (),
           restarted: Iterable[str] = ()) -> tuple[RunRecord | None, bool]:
    """Poll until the run ends (-> its last record, False) or `timeout` seconds pass (-> the last
    record seen, True; None when no poll got through). A resumed run's `earlier` runs and
    `restarted` actions are as `observe` takes them. KeyboardInterrupt and errors go to the
    caller, which says how to watch again."""
    deadline = clock.monotonic() + timeout if timeout is not None else None
    interval = FIRST_POLL
    throttled = 0
    record, seen = None, None
    while True:
        try:
            record = glue.run(connection, run_target.workflow, run_id, listing)
            throttled = 0
        except Throttled:
            throttled += 1
            if throttled >= MAX_THROTTLED:
                raise Throttled(f"AWS throttled glue:GetWorkflowRun on {throttled} polls in a row, each after "
                                "botocore's own retries (AWS_MAX_ATTEMPTS raises their number)") from None
            interval = min(interval * 2, 2 * MAX_POLL)
        else:
            binding = bind(run_target, record)
            view.update(run_target, record, rows(run_target, binding, record,
                                                 observe(run_target, binding, record, earlier, restarted), clock.now()))
            if record.finished:
                return record, False
            signature = _signature(record)
            interval = FIRST_POLL if signature != seen else min(interval * GROWTH, MAX_POLL)
            seen = signature
        if deadline is not None:
            left = deadline - clock.monotonic()
            if left <= 0:
                return record, True
            clock.sleep(min(interval, left))
        else:
            clock.sleep(interval)
