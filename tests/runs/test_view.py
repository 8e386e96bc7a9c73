"""The views of a run: plain lines for logs and pipes, and the live table on a terminal (rich)."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from rich.console import Console

from generator.adopt.read import Shape
from generator.runs.live import LiveView, renderable
from generator.runs.record import from_run
from generator.runs.target import bind, target
from generator.runs.verify import observe
from generator.runs.view import rows
from generator.runs.watch import PlainView, QuietView, view_for
from generator.spec.load import load_plan
from recorded import as_of, load

MOMENT = datetime(2026, 12, 1, 10, 6, 0, tzinfo=timezone.utc)  # silver's second attempt is under way


def seed_at(moment):
    plan = load_plan(open("specs/metriccare.yaml", encoding="utf-8").read(), "specs/metriccare.yaml")
    run_target = target(plan, None)
    record = from_run(Shape(as_of(load("seed-failed.json")["runs"][0], moment), "", "recording"))
    binding = bind(run_target, record)
    return run_target, record, rows(run_target, binding, record, observe(run_target, binding, record), moment)


def capture(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, color_system=None, force_terminal=True, record=True)


def test_the_live_table_at_terminal_width():
    console = capture(100)
    console.print(renderable(*seed_at(MOMENT), console.width))
    assert [line.rstrip() for line in console.export_text().splitlines()] == [
        "run wr_5eedfa11ed of specs/metriccare.yaml (workflow metriccare_etl_workflow): RUNNING,",
        "started 2026-12-01T10:00:00+00:00",
        "┏━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━┓",
        "┃ stage  ┃ job or crawler        ┃ state                ┃ started  ┃ took  ┃ DPU-s ┃ error ┃",
        "┡━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━┩",
        "│ bronze │ metriccare_bronze_job │ succeeded            │ 10:00:05 │ 4m05s │       │       │",
        "│ silver │ metriccare_silver_job │ running (2 attempts) │ 10:04:20 │ 1m40s │       │       │",
        "│ gold   │ metriccare_gold_job   │ waiting              │          │       │       │       │",
        "└────────┴───────────────────────┴──────────────────────┴──────────┴───────┴───────┴───────┘",
    ]


def test_the_live_table_fits_a_narrow_terminal():
    console = capture(60)
    console.print(renderable(*seed_at(MOMENT), console.width))
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    assert all(len(line) <= 60 for line in lines)
    assert "│ silver │ running (2 attempts) │ 10:04:20 │ 1m40s │" in lines


def test_the_live_view_redraws_in_place():
    stream = io.StringIO()
    view = LiveView(stream, Console(file=stream, width=100, color_system=None, force_terminal=True))
    view.update(*seed_at(MOMENT))
    view.update(*seed_at(datetime(2026, 12, 1, 10, 7, 0, tzinfo=timezone.utc)))
    view.close()
    drawn = stream.getvalue()
    assert "\x1b[" in drawn  # cursor movement: the table is redrawn, not appended
    assert drawn.count("running (2 attempts)") == 1 and "not run" in drawn


def test_plain_lines_are_stable_for_a_non_terminal():
    stream = io.StringIO()
    view = PlainView(stream)
    for moment in (datetime(2026, 12, 1, 10, 5, 0, tzinfo=timezone.utc), MOMENT, MOMENT):
        view.update(*seed_at(moment))
    assert stream.getvalue().splitlines() == [
        "10:00:00 run wr_5eedfa11ed of metriccare_etl_workflow: RUNNING",
        "10:04:10 bronze (job 'metriccare_bronze_job'): succeeded after 4m05s",
        "10:04:20 silver (job 'metriccare_silver_job'): running",
        "10:05:40 silver (job 'metriccare_silver_job'): running (attempt 2)",
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream, env, json_output, kind", [
    (Terminal(), {}, False, LiveView),
    (Terminal(), {"CI": "true"}, False, PlainView),
    (Terminal(), {"TERM": "dumb"}, False, PlainView),
    (io.StringIO(), {}, False, PlainView),
    (Terminal(), {}, True, QuietView),
])
def test_the_view_suits_the_stream(stream, env, json_output, kind, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert type(view_for(stream, json_output)) is kind
