"""Compare what a spec's module creates with what runs in AWS, resource by resource, in the
spec's terms: a stage missing or added, a condition or state changed, a schedule changed, a
trigger deactivated, tags changed, a trigger the module does not manage."""

from __future__ import annotations

from typing import Any

from generator.adopt.expected import Expected
from generator.adopt.live import LiveAction, LiveCondition, LiveTrigger, LiveWorkflow, Pairs


def _show(value: Any) -> str:
    return "unset" if value is None else repr(value)


def _map_changes(what: str, spec: Pairs, aws: Pairs) -> list[str]:
    """`tags differ: Env is 'dev' in the spec, 'prod' in AWS; Owner only in AWS`."""
    mine, theirs = dict(spec), dict(aws)
    parts = []
    for key in sorted(set(mine) | set(theirs)):
        if key not in theirs:
            parts.append(f"{key!r} missing in AWS (spec: {mine[key]!r})")
        elif key not in mine:
            parts.append(f"{key!r} only in AWS ({theirs[key]!r})")
        elif mine[key] != theirs[key]:
            parts.append(f"{key!r} is {theirs[key]!r} in AWS, {mine[key]!r} in the spec")
    return [f"{what} differ: {'; '.join(parts)}"] if parts else []


def _starts(trigger: LiveTrigger) -> str:
    return ", ".join(f"{a.kind} '{a.name}'" for a in trigger.actions) or "nothing"


def _action_changes(label: str, spec: tuple[LiveAction, ...], aws: tuple[LiveAction, ...]) -> list[str]:
    found = []
    theirs = {(a.kind, a.name): a for a in aws}
    mine = {(a.kind, a.name): a for a in spec}
    for key, action in mine.items():
        other = theirs.get(key)
        what = f"{label}: {action.kind} '{action.name}'"
        if other is None:
            found.append(f"{what} is no longer started by its trigger in AWS")
            continue
        found += _map_changes(f"{what}: arguments", action.arguments, other.arguments)
        for field, words in (("timeout", "timeout"), ("notify_delay_after", "notify_delay_after"),
                             ("security_configuration", "security_configuration")):
            if getattr(action, field) != getattr(other, field):
                found.append(f"{what}: {words} is {_show(getattr(other, field))} in AWS, "
                             f"{_show(getattr(action, field))} in the spec")
    for key, action in theirs.items():
        if key not in mine:
            found.append(f"{label}: its trigger in AWS also starts {action.kind} '{action.name}', which the spec does not")
    return found


def _listing(items: tuple[LiveCondition, ...] | tuple[LiveAction, ...]) -> str:
    return ", ".join(f"{item.name}" + (f" {item.state}" if isinstance(item, LiveCondition) else "") for item in items)


def _trigger_changes(label: str, spec: LiveTrigger, aws: LiveTrigger, tags: bool) -> list[str]:
    found = []
    if spec.type != aws.type:
        found.append(f"{label}: trigger '{aws.name}' is {aws.type} in AWS, {spec.type} in the spec")
        return found
    if spec.active != aws.active:
        if spec.type in ("ON_DEMAND", "EVENT"):
            found.append(f"{label}: trigger '{aws.name}' is {aws.state} in AWS; the module keeps an {spec.type} start "
                         "CREATED (enabled = false)")
        elif aws.active:
            found.append(f"{label}: trigger '{aws.name}' is activated in AWS; the spec has it deactivated")
        else:
            found.append(f"{label}: trigger '{aws.name}' is deactivated in AWS ({aws.state}); the spec has it active")
    if spec.schedule != aws.schedule:
        found.append(f"{label}: schedule is {_show(aws.schedule)} in AWS, {_show(spec.schedule)} in the spec")
    if spec.description != aws.description:
        found.append(f"{label}: description is {_show(aws.description)} in AWS, {_show(spec.description)} in the spec")
    if (spec.batch_size, spec.batch_window) != (aws.batch_size, aws.batch_window):
        found.append(f"{label}: event batching is {aws.batch_size} events or {aws.batch_window} s in AWS, "
                     f"{spec.batch_size} events or {spec.batch_window} s in the spec")
    if spec.logical != aws.logical and spec.conditions and aws.conditions:
        words = {"AND": "every condition holds (all)", "ANY": "one condition holds (any)"}
        found.append(f"{label}: AWS starts it when {words.get(aws.logical or '', aws.logical)}, "
                     f"the spec when {words.get(spec.logical or '', spec.logical)}")
    for condition in spec.conditions:
        if condition not in aws.conditions:
            found.append(f"{label}: condition {condition.kind} '{condition.name}' {condition.state} is missing in AWS")
    for condition in aws.conditions:
        if condition not in spec.conditions:
            found.append(f"{label}: AWS also waits for {condition.kind} '{condition.name}' {condition.state}, "
                         "which the spec does not")
    if set(spec.conditions) == set(aws.conditions) and spec.conditions != aws.conditions:
        found.append(f"{label}: AWS lists its conditions in another order ({_listing(aws.conditions)}) than the "
                     f"spec ({_listing(spec.conditions)}): the plan reorders them in place")
    found += _action_changes(label, spec.actions, aws.actions)
    if ({(a.kind, a.name) for a in spec.actions} == {(a.kind, a.name) for a in aws.actions}
            and [(a.kind, a.name) for a in spec.actions] != [(a.kind, a.name) for a in aws.actions]):
        found.append(f"{label}: AWS lists its actions in another order ({_listing(aws.actions)}) than the spec "
                     f"({_listing(spec.actions)}): the plan reorders them in place")
    if tags and aws.tags is not None:
        found += _map_changes(f"{label}: trigger '{aws.name}' tags", spec.tags or (), aws.tags)
    return found


def compare(expected: Expected, live: LiveWorkflow | None) -> list[str]:
    """Every difference, one line each, in a fixed order (workflow, then triggers by name); empty: in sync."""
    spec = expected.workflow
    if live is None:
        return [f"workflow '{spec.name}' does not exist in AWS"]
    found = []
    workflow = f"workflow '{spec.name}'"
    if spec.description != live.description:
        found.append(f"{workflow}: description is {_show(live.description)} in AWS, {_show(spec.description)} in the spec")
    if spec.max_concurrent_runs != live.max_concurrent_runs:
        found.append(f"{workflow}: max_concurrent_runs is {_show(live.max_concurrent_runs)} in AWS, "
                     f"{_show(spec.max_concurrent_runs)} in the spec")
    if expected.run_properties:
        found += _map_changes(f"{workflow}: default_run_properties", spec.default_run_properties, live.default_run_properties)
    if live.tags is not None:
        found += _map_changes(f"{workflow}: tags", spec.tags or (), live.tags)
    for trigger in spec.triggers:
        label = expected.labels.get(trigger.name, f"trigger '{trigger.name}'")
        other = live.trigger(trigger.name)
        if other is None:
            found.append(f"{label} is missing in AWS: no trigger '{trigger.name}' in the workflow")
            continue
        found += _trigger_changes(label, trigger, other, tags=True)
    for trigger in live.triggers:
        if spec.trigger(trigger.name) is None:
            found.append(f"trigger '{trigger.name}' ({trigger.type}, starts {_starts(trigger)}) is in the workflow "
                         "but not in the spec: the module does not manage it")
    return found
