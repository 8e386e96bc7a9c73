"""Check a workflow run against its spec, and say whether it truly succeeded.

Glue reports a run `COMPLETED` when no trigger is left to fire, whatever its jobs did. The
verdict reads the jobs and crawlers themselves (and Glue's own `Statistics`), and the
verification replays the run through the simulator (`generator.spec.simulate`, the rules of
`gluegen simulate --fail`) with the outcomes Glue observed: every stage that should have run
given those outcomes ran, none ran whose conditions did not hold, each started only after the
upstream runs its conditions name had ended, and every job run was started by its own stage's
trigger. Each mismatch is one line in the spec's terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.runs.record import FAILED_STATES, NodeRun, RunRecord
from generator.runs.target import Binding, RunTarget
from generator.spec.plan import Condition, Trigger
from generator.spec.simulate import NOT_RUN, simulate

SUCCEEDED = "SUCCEEDED"
TERMINAL_STATES = (SUCCEEDED, *FAILED_STATES)


@dataclass(frozen=True)
class Observed:
    """What one action of the spec did in the run (`node` None: it did not run)."""

    label: str
    node: NodeRun | None
    earlier: bool = False  # from the run this one resumed: not run again here

    @property
    def ran(self) -> bool:
        return self.node is not None and bool(self.node.attempts)

    @property
    def state(self) -> str | None:
        return self.node.state if self.node is not None else None

    @property
    def started(self) -> datetime | None:
        return self.node.started if self.node is not None else None

    @property
    def completed(self) -> datetime | None:
        return self.node.completed if self.node is not None else None


@dataclass(frozen=True)
class Verdict:
    code: int  # 0: the run completed and everything that ran succeeded; 1: anything else
    status: str  # "succeeded", "failed" or "running"
    summary: str
    mismatches: tuple[str, ...]
    notes: tuple[str, ...]
    observed: dict[str, Observed]
    verified: bool  # False: Glue gave no graph to verify against


def observe(run_target: RunTarget, binding: Binding, record: RunRecord,
            previous: RunRecord | None = None) -> dict[str, Observed]:
    """Each action's node in the run; a resumed run (`previous`: the run it resumed) keeps the
    outcome of each node it did not run again."""
    found = {}
    for slot in run_target.slots:
        name = binding.names.get(slot.label)
        node = record.node(slot.kind, name) if name is not None else None
        if (node is None or not node.attempts) and previous is not None and name is not None:
            earlier = previous.node(slot.kind, name)
            if earlier is not None and earlier.attempts:
                found[slot.label] = Observed(slot.label, earlier, earlier=True)
                continue
        found[slot.label] = Observed(slot.label, node)
    return found


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M:%S") if moment else "?"


def _starter(plan_triggers: tuple[Trigger, ...], address: str) -> Trigger:
    return next(trigger for trigger in plan_triggers if trigger.address == address)


def _upstream(observed: dict[str, Observed], condition: Condition) -> str:
    seen = observed[condition.label]
    return f"{condition.label} ended {seen.state}" if seen.state in TERMINAL_STATES else (
        f"{condition.label} did not end" if seen.ran else f"{condition.label} did not run")


def _holds(observed: dict[str, Observed], condition: Condition) -> bool:
    return observed[condition.label].state == condition.state


def _why_not(trigger: Trigger, observed: dict[str, Observed], run_target: RunTarget) -> str:
    if not run_target.activated.get(trigger.address, True):
        return f"its trigger is deactivated {run_target.deactivated_here()}"
    unheld = [c for c in trigger.conditions if not _holds(observed, c)]
    if trigger.logical == "ANY":
        return "none of its conditions held: " + "; ".join(
            f"it waits for {c.label} {c.state}, and {_upstream(observed, c)}" for c in unheld)
    return "its conditions did not hold: " + "; ".join(
        f"it waits for {c.label} {c.state}, and {_upstream(observed, c)}" for c in unheld)


def _held(trigger: Trigger, observed: dict[str, Observed]) -> str:
    if not trigger.conditions:
        return "the run started (the start trigger starts it)"
    held = [c for c in trigger.conditions if _holds(observed, c)]
    return " and ".join(f"{c.label} {c.state}" for c in held)


def _order(label: str, trigger: Trigger, observed: dict[str, Observed]) -> list[str]:
    """`gold started before silver ended`, for each condition the start did not wait for."""
    seen = observed[label]
    if seen.earlier or seen.started is None:
        return []
    late = []
    for condition in trigger.conditions:
        upstream = observed[condition.label]
        if upstream.completed is None or upstream.completed > seen.started:
            ended = f"{condition.label} ended {_clock(upstream.completed)}" if upstream.completed else (
                f"{condition.label} had not ended" if upstream.ran else f"{condition.label} never ran")
            late.append((condition, f"{label} started before {condition.label} ended ({label} started "
                                    f"{_clock(seen.started)}, {ended})"))
    if trigger.logical == "ANY":
        timely = [c for c in trigger.conditions if _holds(observed, c) and c not in {c for c, _ in late}]
        if timely:
            return []
        return [f"{label} started before any of its conditions held ({'; '.join(text for _, text in late)})"] if late else []
    return [text for _, text in late]


def _starts(run_target: RunTarget, binding: Binding, observed: dict[str, Observed]) -> list[str]:
    """Each job run must name its own stage's trigger (crawls do not say who started them)."""
    found = []
    ours = set(run_target.triggers.values())
    for slot in run_target.slots:
        seen = observed[slot.label]
        if not seen.ran or seen.earlier or slot.kind != "job":
            continue
        first = seen.node.attempts[0]
        wanted = run_target.triggers[slot.trigger]
        what = f"job '{seen.node.name}' ({slot.label})"
        if first.trigger is None:
            found.append(f"{what} was started outside the workflow: its run {first.run_id or ''} names no trigger".replace("  ", " "))
        elif first.trigger not in ours:
            found.append(f"{what} was started by trigger '{first.trigger}', which is outside the workflow "
                         f"(its trigger is '{wanted}')")
        elif first.trigger != wanted:
            found.append(f"{what} was started by trigger '{first.trigger}', not by its own trigger '{wanted}'")
    return found


def verify(run_target: RunTarget, binding: Binding, record: RunRecord, observed: dict[str, Observed], *,
           against_spec: bool = True) -> Verdict:
    """The verdict; with `against_spec`, after checking the run against the spec (else on its outcomes alone)."""
    plan = run_target.plan
    mismatches: list[str] = []
    notes: list[str] = []
    if record.has_graph and against_spec:
        mismatches += binding.problems
        for node in record.nodes:
            if (node.kind, node.name) not in binding.labels and node.attempts:
                mismatches.append(f"{node.kind} '{node.name}' ran in this workflow run, but no stage of the spec runs it")
        mismatches += _starts(run_target, binding, observed)
        ended = {label: seen.state for label, seen in observed.items() if seen.state in TERMINAL_STATES}
        predicted = simulate(plan, {label: state for label, state in ended.items() if state != SUCCEEDED},
                             run_target.activated)
        settled = record.finished and record.status != "STOPPED"  # a stopped run leaves stages unrun
        for slot in run_target.slots:
            if slot.label not in binding.names:  # its job is not known: binding.problems says why
                continue
            seen = observed[slot.label]
            trigger = _starter(plan.triggers, slot.trigger)
            should = predicted.states[slot.label] != NOT_RUN
            if seen.ran and not should:
                mismatches.append(f"{slot.label} ran although {_why_not(trigger, observed, run_target)}")
            elif should and not seen.ran and settled:
                mismatches.append(f"{slot.label} did not run although {_held(trigger, observed)}")
            elif not seen.ran and not run_target.activated.get(trigger.address, True):
                conditions = [c for c in trigger.conditions if _holds(observed, c)]
                if conditions and (trigger.logical == "ANY" or len(conditions) == len(trigger.conditions)):
                    notes.append(f"{slot.label} did not run although {_held(trigger, observed)}: "
                                 f"its trigger is deactivated {run_target.deactivated_here()}")
            if seen.ran:
                mismatches += _order(slot.label, trigger, observed)
    elif against_spec:
        notes.append("Glue gave no graph for this run (GetWorkflowRun IncludeGraph), so its stages cannot be "
                     "verified against the spec")
    mismatches = list(dict.fromkeys(mismatches))
    failed = [f"{label} {seen.state}" for label, seen in observed.items() if seen.state in FAILED_STATES]
    if not record.finished:
        status, summary = "running", f"the run is {record.status}: no verdict yet"
        if failed:
            summary += f" ({', '.join(failed)} already)"
    elif record.status == "COMPLETED" and not failed and not record.failed_actions and not mismatches:
        status, summary = "succeeded", "succeeded: the run completed, every job and crawler that ran succeeded" + (
            ", and it followed the spec" if record.has_graph and against_spec else "")
    else:
        reasons = [f"Glue reports the run {record.status}" + (f": {record.error}" if record.error else "")]
        if failed:
            reasons.append(", ".join(failed))
        elif record.failed_actions:
            reasons.append(f"Glue counts {record.failed_actions} action(s) that did not succeed")
        if mismatches:
            reasons.append(f"{len(mismatches)} difference(s) from the spec")
        status, summary = "failed", "failed: " + "; ".join(reasons)
    code = 0 if status == "succeeded" else 1
    return Verdict(code, status, summary, tuple(mismatches), tuple(notes), observed, record.has_graph and against_spec)
