"""The live, in-place view of a run on a terminal, drawn with rich.

rich (gluegen's `aws` extra, beside boto3) redraws a table in place without flicker, sizes its
columns to the terminal and degrades on narrow ones; writing that with ANSI codes by hand is
what the library exists to spare. Only `run --wait`, `status --wait` and `resume --wait` on an
interactive terminal import it.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from generator.runs.record import RunRecord
from generator.runs.target import RunTarget
from generator.runs.view import HEADINGS, NARROW, NARROW_COLUMNS, Row, cells, header

STYLES = {"succeeded": "green", "failed": "bold red", "timed out": "bold red", "error": "bold red",
          "stopped": "yellow", "cancelled": "yellow", "expired": "yellow", "running": "cyan",
          "starting": "cyan", "not run": "dim", "waiting": "dim"}


def renderable(run_target: RunTarget, record: RunRecord, found: tuple[Row, ...], width: int = NARROW) -> Table:
    """The table; on a terminal narrower than NARROW columns, without the job names, DPU-seconds and errors."""
    shown = range(len(HEADINGS)) if width >= NARROW else NARROW_COLUMNS
    grid = Table(title=header(run_target, record), title_justify="left", expand=False)
    for index in shown:
        grid.add_column(HEADINGS[index], overflow="fold")
    for row in found:
        values = cells(row)
        grid.add_row(*(values[index] for index in shown), style=STYLES.get(row.state))
    return grid


class LiveView:
    def __init__(self, stream: TextIO, console: Console | None = None) -> None:
        self.console = console or Console(file=stream)
        # transient: the table leaves the screen when the run ends, and the final report takes its place
        self.live = Live(console=self.console, auto_refresh=False, transient=True)
        self.started = False

    def update(self, run_target: RunTarget, record: RunRecord, found: tuple[Row, ...]) -> None:
        if not self.started:
            self.live.start()
            self.started = True
        self.live.update(renderable(run_target, record, found, self.console.width), refresh=True)

    def close(self) -> None:
        if self.started:
            self.live.stop()
