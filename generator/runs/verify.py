"""Check a workflow run against its spec, and say whether it truly succeeded.

Glue reports a run `COMPLETED` when no trigger is left to fire, whatever its jobs did. The
verdict reads the jobs and crawlers themselves (and Glue's own `Statistics`). The verification
judges each stage by the simulator's own rule (`generator.spec.simulate.fires`, what `gluegen
simulate --fail` applies) against the end states Glue observed upstream of it: a stage whose
trigger is activated and whose conditions held must have run, and no other may have; each
started only after the upstream runs its conditions name had ended, and each job run was
started by its own stage's trigger. Each mismatch is one line in the spec's terms, about the
stage where the run first departs from the spec (its downstream is judged by what really ran).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from generator.runs.record import FAILED_STATES, NodeRun, RunRecord, hms
from generator.runs.target import Binding, RunTarget
from generator.spec.plan import Condition, Plan, Trigger
from generator.spec.simulate import fires

SUCCEEDED = "SUCCEEDED"
TERMINAL_STATES = (SUCCEEDED, *FAILED_STATES)


@dataclass(frozen=True)
class Observed:
    """What one action of the spec did in the run (`node` None: it did not run)."""

    label: str
    node: NodeRun | None
    earlier: str | None = None  # the id of the run whose outcome this is: a resumed run did not run it again
    restarted: bool = False  # a node a resume restarted (Glue says nothing of who starts it)

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
    verified: bool  # the run was checked against the spec (asked for, and Glue gave its graph)


def downstream(plan: Plan, labels: Iterable[str]) -> set[str]:
    """The actions whose triggers wait, directly or through others, on any of `labels`."""
    found = set(labels)
    grew = True
    while grew:
        grew = False
        for trigger in plan.triggers:
            if any(condition.label in found for condition in trigger.conditions):
                new = {action.label for action in trigger.actions} - found
                found |= new
                grew = grew or bool(new)
    return found - set(labels)


def observe(run_target: RunTarget, binding: Binding, record: RunRecord, earlier: tuple[RunRecord, ...] = (),
            restarted: Iterable[str] = ()) -> dict[str, Observed]:
    """Each action's node in the run. A resumed run (`earlier`: the runs it continues, newest first;
    `restarted`: the action labels the resume restarted, where known) runs the restarted nodes and
    everything downstream of them again; every other action keeps its outcome in the earlier runs."""
    this = {}
    for slot in run_target.slots:
        name = binding.names.get(slot.label)
        this[slot.label] = record.node(slot.kind, name) if name is not None else None
    ran_here = {label for label, node in this.items() if node is not None and node.attempts}
    points = set(restarted) | {label for label in ran_here if earlier and not _upstream_ran(run_target, label, ran_here)}
    again = points | ran_here | downstream(run_target.plan, points | ran_here)
    found = {}
    for slot in run_target.slots:
        name = binding.names.get(slot.label)
        before = _earlier(earlier, slot.kind, name) if slot.label not in again and name is not None else None
        if before is not None:
            found[slot.label] = Observed(slot.label, before[1], earlier=before[0])
        else:
            found[slot.label] = Observed(slot.label, this[slot.label], restarted=slot.label in points)
    return found


def _earlier(earlier: tuple[RunRecord, ...], kind: str, name: str) -> tuple[str, NodeRun] | None:
    """The newest earlier run in which job (or crawler) `name` ran, with its node there."""
    for run in earlier:
        node = run.node(kind, name)
        if node is not None and node.attempts:
            return run.run_id, node
    return None


def _upstream_ran(run_target: RunTarget, label: str, ran_here: set[str]) -> bool:
    trigger = _starter(run_target, label)
    return any(condition.label in ran_here for condition in trigger.conditions)


def _starter(run_target: RunTarget, label: str) -> Trigger:
    address = next(slot.trigger for slot in run_target.slots if slot.label == label)
    return next(trigger for trigger in run_target.plan.triggers if trigger.address == address)


def _ended(observed: dict[str, Observed]) -> dict[str, str]:
    return {label: seen.state for label, seen in observed.items() if seen.state in TERMINAL_STATES}


def _upstream(observed: dict[str, Observed], condition: Condition) -> str:
    seen = observed[condition.label]
    if seen.state in TERMINAL_STATES:
        return f"{condition.label} ended {seen.state}"
    return f"{condition.label} did not end" if seen.ran else f"{condition.label} did not run"


def _why_not(trigger: Trigger, observed: dict[str, Observed], run_target: RunTarget) -> str:
    """Why `trigger` should not have fired (its conditions, judged as `fires` judges them, did not hold)."""
    if not run_target.activated.get(trigger.address, True):
        return f"its trigger is deactivated {run_target.deactivated_here()}"
    ended = _ended(observed)
    unheld = [c for c in trigger.conditions if ended.get(c.label) != c.state]
    which = "none of its conditions held" if trigger.logical == "ANY" else "its conditions did not hold"
    return f"{which}: " + "; ".join(f"it waits for {c.label} {c.state}, and {_upstream(observed, c)}" for c in unheld)


def _held(trigger: Trigger, observed: dict[str, Observed]) -> str:
    if not trigger.conditions:
        return "the run started (the start trigger starts it)"
    ended = _ended(observed)
    return " and ".join(f"{c.label} {c.state}" for c in trigger.conditions if ended.get(c.label) == c.state)


def _order(label: str, trigger: Trigger, observed: dict[str, Observed]) -> list[str]:
    """`gold started before silver ended`, for each condition the start did not wait for."""
    seen = observed[label]
    if seen.earlier or seen.started is None:
        return []
    late = {}
    for condition in trigger.conditions:
        upstream = observed[condition.label]
        if upstream.completed is None or upstream.completed > seen.started:
            ended = f"{condition.label} ended {hms(upstream.completed)}" if upstream.completed else (
                f"{condition.label} had not ended" if upstream.ran else f"{condition.label} never ran")
            late[condition] = (f"{label} started before {condition.label} ended ({label} started "
                               f"{hms(seen.started)}, {ended})")
    if trigger.logical != "ANY":
        return list(late.values())
    timely = [c for c in trigger.conditions if observed[c.label].state == c.state and c not in late]
    return [] if timely or not late else [f"{label} started before any of its conditions held ({'; '.join(late.values())})"]


def _starts(run_target: RunTarget, observed: dict[str, Observed]) -> list[str]:
    """Each job run must name its own stage's trigger (crawls do not say who started them; nor, as
    far as Glue documents, do the nodes a resume restarts)."""
    found = []
    ours = set(run_target.triggers.values())
    for slot in run_target.slots:
        seen = observed[slot.label]
        if not seen.ran or seen.earlier or seen.restarted or slot.kind != "job":
            continue
        first = seen.node.attempts[0]
        wanted = run_target.triggers[slot.trigger]
        what = f"job '{seen.node.name}' ({slot.label})"
        if first.trigger is None:
            found.append(f"{what} was started outside the workflow: its run {first.run_id or '(no id)'} names no trigger")
        elif first.trigger not in ours:
            found.append(f"{what} was started by trigger '{first.trigger}', which is outside the workflow "
                         f"(its trigger is '{wanted}')")
        elif first.trigger != wanted:
            found.append(f"{what} was started by trigger '{first.trigger}', not by its own trigger '{wanted}'")
    return found


def _against_spec(run_target: RunTarget, binding: Binding, record: RunRecord,
                  observed: dict[str, Observed]) -> tuple[list[str], list[str]]:
    mismatches: list[str] = list(binding.problems)
    notes: list[str] = []
    for node in record.nodes:
        if (node.kind, node.name) not in binding.labels and node.attempts:
            mismatches.append(f"{node.kind} '{node.name}' ran in this workflow run, but no stage of the spec runs it")
    mismatches += _starts(run_target, observed)
    ended = _ended(observed)
    settled = record.finished and record.status != "STOPPED"  # a stopped run leaves stages unrun
    for slot in run_target.slots:
        if slot.label not in binding.names:  # its job is not known: binding.problems says why
            continue
        seen = observed[slot.label]
        trigger = _starter(run_target, slot.label)
        held = not trigger.conditions or fires(trigger, ended)
        active = run_target.activated.get(trigger.address, True)
        if seen.ran and not seen.earlier and not seen.restarted and not (held and active):
            mismatches.append(f"{slot.label} ran although {_why_not(trigger, observed, run_target)}")
        elif held and active and not seen.ran and settled:
            mismatches.append(f"{slot.label} did not run although {_held(trigger, observed)}")
        elif held and not active and not seen.ran and trigger.conditions:
            notes.append(f"{slot.label} did not run although {_held(trigger, observed)}: "
                         f"its trigger is deactivated {run_target.deactivated_here()}")
        if seen.ran and not seen.restarted:
            mismatches += _order(slot.label, trigger, observed)
    return list(dict.fromkeys(mismatches)), notes


def verify(run_target: RunTarget, binding: Binding, record: RunRecord, observed: dict[str, Observed], *,
           against_spec: bool = True) -> Verdict:
    """The verdict; with `against_spec`, after checking the run against the spec (else on its outcomes alone)."""
    checked = against_spec and record.has_graph
    mismatches, notes = _against_spec(run_target, binding, record, observed) if checked else ([], [])
    if against_spec and not record.has_graph:
        notes.append("Glue gave no graph for this run (GetWorkflowRun IncludeGraph), so its stages cannot be "
                     "verified against the spec")
    failed = [f"{label} {seen.state}" + (f" (in run {seen.earlier}, not resumed)" if seen.earlier else "")
              for label, seen in observed.items() if seen.state in FAILED_STATES]
    if not record.finished:
        status, summary = "running", f"the run is {record.status}: no verdict yet"
        if failed:
            summary += f" ({', '.join(failed)} already)"
    elif record.status == "COMPLETED" and not failed and not record.failed_actions and not mismatches:
        status = "succeeded"
        summary = "succeeded: the run completed, every job and crawler that ran succeeded" + (
            ", and it followed the spec" if checked else "")
    else:
        reasons = [f"Glue reports the run {record.status}" + (f": {record.error}" if record.error else "")]
        if failed:
            reasons.append(", ".join(failed))
        elif record.failed_actions:
            reasons.append(f"Glue counts {record.failed_actions} action(s) that did not succeed")
        if mismatches:
            reasons.append(f"{len(mismatches)} difference(s) from the spec")
        status, summary = "failed", "failed: " + "; ".join(reasons)
    return Verdict(0 if status == "succeeded" else 1, status, summary, tuple(mismatches), tuple(notes), checked)
