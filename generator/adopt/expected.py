"""What a spec's module creates in one environment, as a `LiveWorkflow`: the same values a read
of the applied workflow gives, so `drift` compares like with like.

It follows the module's HCL (generator.render): every trigger carries the merged tags of the
workflow, job actions the stage's arguments under `var.stage_arguments`, the ON_DEMAND and
EVENT starts stay CREATED (pitfalls 1, 3, 15), a scheduled start is ACTIVATED unless `paused`,
and a conditional trigger is ACTIVATED unless `enabled` (or the environment's
`trigger_enabled`) says false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.adopt.live import GLUE_BATCH_WINDOW, LiveAction, LiveCondition, LiveTrigger, LiveWorkflow, pairs
from generator.spec.plan import EnvironmentPlan, Plan, Trigger


@dataclass(frozen=True)
class Expected:
    workflow: LiveWorkflow
    labels: dict[str, str]  # trigger name -> how the spec calls it ("stage 'gold'", "the start trigger")
    run_properties: bool = True  # False: workflow.ignore_changes leaves them to something else


def active(trigger: Trigger, inputs: dict[str, Any]) -> bool:
    """Whether the module leaves `trigger` activated under an environment's `inputs` (a start
    trigger: whether it fires by itself; a conditional trigger: whether it fires at all)."""
    if trigger.type == "SCHEDULED":
        return not inputs.get("paused", False)
    if trigger.type != "CONDITIONAL":
        return False
    if trigger.enabled_input:
        return bool(inputs.get("trigger_enabled", {}).get(trigger.address, trigger.enabled))
    return trigger.enabled


def expected(plan: Plan, env: EnvironmentPlan | None) -> Expected:
    """The workflow `plan`'s module creates with `env`'s inputs (None: the module's defaults)."""
    inputs: dict[str, Any] = dict(env.inputs) if env is not None else {}
    name = inputs.get("workflow_name", plan.workflow_name)
    tags = pairs({**dict(plan.tags), **inputs.get("tags", {})})
    names = {"job": inputs.get("jobs", {}), "crawler": inputs.get("crawlers", {})}
    stage_arguments = inputs.get("stage_arguments", {})

    def named(kind: str, key: str) -> str:
        found = plan.name_in_aws(kind, key, name, names[kind])
        return found if found is not None else f"<var.{kind}s[{key!r}] unset>"

    triggers, labels = [], {}
    for trigger in plan.triggers:
        actions = tuple(
            LiveAction(
                kind=action.kind,
                name=named(action.kind, action.key),
                arguments=pairs({**dict(action.arguments), **stage_arguments.get(action.label, {})})
                if action.kind == "job" else (),
                timeout=action.timeout,
                notify_delay_after=action.notify_delay_after,
                security_configuration=action.security_configuration,
            )
            for action in trigger.actions
        )
        conditions = tuple(LiveCondition(c.kind, named(c.kind, c.key), c.state) for c in trigger.conditions)
        event = trigger.type == "EVENT"
        window = inputs.get("event_batch_window", trigger.batch_window)
        live = LiveTrigger(
            name=trigger.name_for(name),
            type=trigger.type,
            state="ACTIVATED" if active(trigger, inputs) else "CREATED",
            description=trigger.description,
            schedule=inputs.get("schedule", trigger.schedule) if trigger.type == "SCHEDULED" else None,
            logical=(trigger.logical or "AND") if conditions else None,
            conditions=conditions,
            actions=actions,
            batch_size=inputs.get("event_batch_size", trigger.batch_size) if event else None,
            batch_window=(window if window is not None else GLUE_BATCH_WINDOW) if event else None,
            tags=tags,
        )
        triggers.append(live)
        labels[live.name] = "the start trigger" if trigger.address == "start" else f"stage '{trigger.address}'"
    run_properties = pairs({**dict(plan.default_run_properties), **inputs.get("run_properties", {})})
    workflow = LiveWorkflow(
        name=name,
        description=inputs.get("description", plan.description),
        default_run_properties=run_properties,
        max_concurrent_runs=inputs.get("max_concurrent_runs", plan.max_concurrent_runs),
        tags=tags,
        triggers=tuple(sorted(triggers, key=lambda t: t.name)),
    )
    return Expected(workflow, labels, run_properties=not plan.ignore_run_properties)
