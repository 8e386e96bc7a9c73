"""Run a workflow locally under Glue's trigger semantics: which stages run, in which
step, and how each ends, given the stages told to fail.

The start trigger fires the root stages. After each step, every conditional trigger
that has not fired yet is evaluated against the end states so far: `all` needs
every condition, `any` one; a trigger fires at most once per run. A stage whose
trigger never fires ends NOT_RUN.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import UsageError
from generator.spec.messages import suggest
from generator.spec.model import CRAWLER_STATES, JOB_STATES
from generator.spec.plan import Plan

NOT_RUN = "NOT_RUN"


@dataclass(frozen=True)
class Run:
    steps: tuple[tuple[str, ...], ...]  # stages started together, step by step
    states: dict[str, str]  # every stage, in spec order: its end state or NOT_RUN

    def lines(self) -> list[str]:
        numbered = [f"step {index}: {', '.join(stages)}" for index, stages in enumerate(self.steps, 1)]
        return numbered + [f"{stage}: {state}" for stage, state in self.states.items()]


def parse_failures(plan: Plan, options: list[str]) -> dict[str, str]:
    """`STAGE` or `STAGE=STATE` -> {stage: state}; the state must be a failure of the stage's kind."""
    kinds = {stage.name: stage.kind for stage in plan.stages}
    failures: dict[str, str] = {}
    for option in options:
        stage, _, state = option.partition("=")
        if stage not in kinds:
            raise UsageError(f"--fail {option}: unknown stage '{stage}'{suggest(stage, kinds)}")
        states = [s for s in (CRAWLER_STATES if kinds[stage] == "crawler" else JOB_STATES) if s != "SUCCEEDED"]
        state = state.upper() or "FAILED"
        if state not in states:
            raise UsageError(f"--fail {option}: a {kinds[stage]} fails with one of {', '.join(states)}")
        if stage in failures:
            raise UsageError(f"--fail {option}: stage '{stage}' is already made to end {failures[stage]}")
        failures[stage] = state
    return failures


def simulate(plan: Plan, failures: dict[str, str]) -> Run:
    ended: dict[str, str] = {}
    waiting = [trigger for trigger in plan.triggers if trigger.conditions]
    current = tuple(action.stage for action in plan.start.actions)
    steps = []
    while current:
        steps.append(current)
        for stage in current:
            ended[stage] = failures.get(stage, "SUCCEEDED")
        fired, still = [], []
        for trigger in waiting:
            held = [ended.get(c.stage) == c.state for c in trigger.conditions]
            (fired if (any(held) if trigger.logical == "ANY" else all(held)) else still).append(trigger)
        waiting = still
        current = tuple(action.stage for trigger in fired for action in trigger.actions if action.stage not in ended)
    return Run(tuple(steps), {stage.name: ended.get(stage.name, NOT_RUN) for stage in plan.stages})
