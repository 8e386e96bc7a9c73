"""Run a workflow locally under Glue's trigger semantics: which stages run, in which
step, and how each of their actions ends, given the actions told to fail.

The start trigger fires the root stages. After each step, every conditional trigger
that has not fired yet is evaluated against the end states so far (each condition
names one action of a stage): `all` needs every condition, `any` one; a trigger fires
at most once per run; a deactivated trigger (`enabled: false`) never fires. An action
whose trigger never fires ends NOT_RUN. A stage with
`actions` (a layer) starts all of them together; each ends on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.errors import UsageError
from generator.spec.messages import suggest
from generator.spec.model import CRAWLER_STATES, JOB_STATES
from generator.spec.plan import Plan, Trigger

NOT_RUN = "NOT_RUN"


@dataclass(frozen=True)
class Run:
    steps: tuple[tuple[str, ...], ...]  # stages started together, step by step
    states: dict[str, str]  # every action (a stage in the old form, else `<stage>.<action>`), in spec order

    def lines(self) -> list[str]:
        numbered = [f"step {index}: {', '.join(stages)}" for index, stages in enumerate(self.steps, 1)]
        return numbered + [f"{action}: {state}" for action, state in self.states.items()]


def parse_failures(plan: Plan, options: list[str]) -> dict[str, str]:
    """`ACTION[=STATE]` -> {action label: state}: ACTION is a stage (every action of it) or
    `<stage>.<action>`; the state must be a failure of each action's kind."""
    kinds = {action.label: action.kind for stage in plan.stages for action in plan.actions_of(stage.name)}
    layers = {stage.name: [f"{stage.name}.{name}" for name in stage.actions] for stage in plan.stages
              if stage.kind == "layer"}
    failures: dict[str, str] = {}
    for option in options:
        target, _, state = option.partition("=")
        labels = layers.get(target, [target])
        if target not in kinds and target not in layers:
            what = "action" if "." in target else "stage"
            raise UsageError(f"--fail {option}: unknown {what} '{target}'{suggest(target, [*kinds, *layers])}")
        state = state.upper() or "FAILED"
        for label in labels:
            states = [s for s in (CRAWLER_STATES if kinds[label] == "crawler" else JOB_STATES) if s != "SUCCEEDED"]
            if state not in states:
                which = "" if label == target else f" ('{label}')"
                raise UsageError(f"--fail {option}: a {kinds[label]}{which} fails with one of {', '.join(states)}")
            if label in failures:
                what = "action" if "." in label else "stage"
                raise UsageError(f"--fail {option}: {what} '{label}' is already made to end {failures[label]}")
            failures[label] = state
    return failures


def fires(trigger: Trigger, ended: Mapping[str, str]) -> bool:
    """Glue's rule for a conditional trigger: given the end state of each action so far (label ->
    state), `when: all` needs every condition to hold, `when: any` one."""
    held = [ended.get(condition.label) == condition.state for condition in trigger.conditions]
    return any(held) if trigger.logical == "ANY" else all(held)


def simulate(plan: Plan, failures: Mapping[str, str], activated: Mapping[str, bool] | None = None) -> Run:
    """`failures`: action label -> the state it ends in (others succeed); `activated`: conditional
    trigger address -> whether it is activated (default: the spec's `enabled`)."""
    ended: dict[str, str] = {}  # action label -> end state
    started: set[str] = set()
    on = activated if activated is not None else {trigger.address: trigger.enabled for trigger in plan.triggers}
    waiting = [trigger for trigger in plan.triggers if trigger.conditions and on[trigger.address]]  # deactivated: never fires
    current = tuple(dict.fromkeys(action.stage for action in plan.start.actions))
    steps = []
    while current:
        steps.append(current)
        started.update(current)
        for stage in current:
            for action in plan.actions_of(stage):
                ended[action.label] = failures.get(action.label, "SUCCEEDED")
        fired, still = [], []
        for trigger in waiting:
            (fired if fires(trigger, ended) else still).append(trigger)
        waiting = still
        current = tuple(dict.fromkeys(
            action.stage for trigger in fired for action in trigger.actions if action.stage not in started))
    labels = [action.label for stage in plan.stages for action in plan.actions_of(stage.name)]
    return Run(tuple(steps), {label: ended.get(label, NOT_RUN) for label in labels})
