"""Which workflow, triggers, jobs and crawlers in AWS a spec's run is made of.

A `RunTarget` holds what the spec and its environment say: the workflow's name, each trigger's
name and whether the module leaves it activated, and each action's job or crawler name where
the spec or the environment gives it (`jobs`, `crawlers`, a defined job's name). The names an
environment leaves to the root (a module without environments takes `var.jobs` from its
caller) are read from the run itself: each trigger node of the run's graph lists its actions in
the order the module wrote them, so `bind` completes the names from the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.adopt.expected import active
from generator.runs.record import RunRecord
from generator.spec.plan import EnvironmentPlan, Plan


@dataclass(frozen=True)
class Slot:
    """One action of the spec: the job or crawler that one stage's trigger starts."""

    label: str  # "silver", or "<stage>.<action>" in a layer
    stage: str
    kind: str  # "job" or "crawler"
    key: str  # key of var.jobs or var.crawlers
    trigger: str  # address of the trigger that starts it ("start" or a stage)


@dataclass(frozen=True)
class RunTarget:
    plan: Plan
    env: EnvironmentPlan | None
    workflow: str
    triggers: dict[str, str]  # trigger address -> its name in AWS
    activated: dict[str, bool]  # conditional trigger address -> the module leaves it activated
    slots: tuple[Slot, ...]  # every action, in spec order
    names: dict[str, str] = field(default_factory=dict)  # action label -> job or crawler name, where known

    @property
    def where(self) -> str:
        env = f"{self.env.name}, " if self.env else ""
        return f"{self.plan.source} ({env}workflow {self.workflow})"

    @property
    def declared_properties(self) -> tuple[str, ...]:
        """Run property keys the spec (or its environment) declares: the workflow's defaults."""
        keys = dict(self.plan.default_run_properties)
        if self.env is not None:
            keys.update(self.env.input("run_properties", {}))
        return tuple(sorted(keys))

    def deactivated_here(self) -> str:
        """How messages say where a trigger's `enabled` comes from."""
        return f"in environment {self.env.name}" if self.env is not None and self.plan.enabled_stages else "in the spec"


def target(plan: Plan, env: EnvironmentPlan | None) -> RunTarget:
    inputs = dict(env.inputs) if env is not None else {}
    workflow = inputs.get("workflow_name", plan.workflow_name)
    given = {"job": dict(inputs.get("jobs", {})), "crawler": dict(inputs.get("crawlers", {}))}
    slots, names = [], {}
    for trigger in plan.triggers:
        for action in trigger.actions:
            slots.append(Slot(action.label, action.stage, action.kind, action.key, trigger.address))
            known = plan.name_in_aws(action.kind, action.key, workflow, given[action.kind])
            if known is not None:
                names[action.label] = known
    order = {stage.name: index for index, stage in enumerate(plan.stages)}
    slots.sort(key=lambda slot: order[slot.stage])  # stable: a layer's actions keep their order
    return RunTarget(
        plan=plan,
        env=env,
        workflow=workflow,
        triggers={trigger.address: trigger.name_for(workflow) for trigger in plan.triggers},
        activated={trigger.address: active(trigger, inputs) for trigger in plan.triggers if trigger.conditions},
        slots=tuple(slots),
        names=names,
    )


@dataclass(frozen=True)
class Binding:
    """A run's nodes in the spec's terms."""

    names: dict[str, str]  # action label -> job or crawler name
    labels: dict[tuple[str, str], str]  # (kind, name) -> action label
    problems: tuple[str, ...]  # what ties the run to the spec badly (each a verification failure)


def bind(run_target: RunTarget, record: RunRecord) -> Binding:
    """Complete the action names from the run's trigger nodes, and say where the two disagree."""
    names = dict(run_target.names)
    problems = []
    live = {node.trigger.name: node.trigger for node in record.triggers}
    plan = run_target.plan
    for trigger in plan.triggers:
        name = run_target.triggers[trigger.address]
        found = live.get(name)
        what = "the start trigger" if trigger.address == "start" else f"stage {trigger.address}'s trigger"
        if found is None:
            if record.has_graph:
                problems.append(f"{what} '{name}' is not in the run's graph: the workflow in AWS is not the spec's "
                                "(gluegen drift shows how)")
            continue
        theirs = [(action.kind, action.name) for action in found.actions]
        if [kind for kind, _ in theirs] != [action.kind for action in trigger.actions]:
            problems.append(f"{what} '{name}' starts {', '.join(f'{k} {n!r}' for k, n in theirs) or 'nothing'} in AWS, "
                            f"not the spec's {len(trigger.actions)} action(s) (gluegen drift shows how)")
            continue
        for action, (kind, aws_name) in zip(trigger.actions, theirs):
            known = names.setdefault(action.label, aws_name)
            if known != aws_name:
                problems.append(f"{action.label}: {what} '{name}' starts {kind} '{aws_name}' in AWS, where the "
                                f"{'environment' if run_target.env else 'spec'} names '{known}' (gluegen drift shows how)")
    labels = {}
    for slot in run_target.slots:
        if slot.label in names:
            labels.setdefault((slot.kind, names[slot.label]), slot.label)
    return Binding(names, labels, tuple(problems))
