"""Whole-spec rules pydantic cannot see, and the `Plan` they lead to.

Checks references between stages, self-dependencies, cycles, roots, shared jobs
(pitfall 9) and name lengths; every problem becomes a located diagnostic.
"""

from __future__ import annotations

from generator.errors import Diagnostic, SpecError
from generator.loader import Locations
from generator.messages import suggest
from generator.model import Spec, Stage
from generator.plan import Action, Condition, Plan, StageInfo, Trigger

GLUE_NAME_MAX = 255
START = "start"  # the start trigger's address and name suffix: no stage may take it


def _job_key(name: str, stage: Stage) -> str:
    return stage.job or name


def _reference_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    problems = []
    for name, stage in spec.stages.items():
        seen: set[str] = set()
        for index, upstream in enumerate(stage.after):
            path = ("stages", name, "after", index)
            if upstream == name:
                problems.append(where.diagnostic(path, f"stage '{name}' cannot run after itself"))
            elif upstream not in spec.stages:
                hint = suggest(upstream, (other for other in spec.stages if other != name))
                problems.append(where.diagnostic(path, f"unknown stage '{upstream}'{hint}"))
            elif upstream in seen:
                problems.append(where.diagnostic(path, f"stage '{upstream}' is listed twice"))
            elif _job_key(upstream, spec.stages[upstream]) == _job_key(name, stage):
                job = _job_key(name, stage)
                problems.append(
                    where.diagnostic(
                        path,
                        f"stage '{name}' runs job '{job}', which is also its upstream '{upstream}'s job: "
                        "Glue rejects a trigger whose job is both condition and action",
                    )
                )
            seen.add(upstream)
    return problems


def _find_cycle(spec: Spec) -> list[str] | None:
    """The first cycle in stage order, as `[a, b, a]`, or None."""
    state: dict[str, str] = {}  # "open" while on the DFS stack, "done" after

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = "open"
        trail.append(name)
        for upstream in spec.stages[name].after:
            if upstream not in spec.stages or upstream == name:
                continue
            if state.get(upstream) == "open":
                return trail[trail.index(upstream) :] + [upstream]
            if upstream not in state:
                found = visit(upstream, trail)
                if found:
                    return found
        trail.pop()
        state[name] = "done"
        return None

    for name in spec.stages:
        if name not in state:
            found = visit(name, [])
            if found:
                return found
    return None


def _graph_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    problems = []
    if START in spec.stages:
        problems.append(
            where.diagnostic(("stages", START), f"'{START}' is reserved for the workflow's start trigger", key=True)
        )
    cycle = _find_cycle(spec)
    if cycle:
        # `visit` walks upstream edges, so the cycle reads against the run order: reverse it.
        order = list(reversed(cycle))
        closing = spec.stages[order[-1]].after.index(order[-2])
        path = ("stages", order[-1], "after", closing)
        problems.append(where.diagnostic(path, f"dependency cycle: {' -> '.join(order)}"))
    if not any(not stage.after for stage in spec.stages.values()):
        problems.append(where.diagnostic(("stages",), "no stage without 'after': nothing starts the workflow"))
    longest = max(len(f"-{name}") for name in (*spec.stages, START))
    if len(spec.workflow.name) + longest > GLUE_NAME_MAX:
        problems.append(
            where.diagnostic(
                ("workflow", "name"),
                f"too long: trigger names '<workflow name>-<stage>' need workflow.name of at most "
                f"{GLUE_NAME_MAX - longest} characters, it has {len(spec.workflow.name)}",
            )
        )
    return problems


def _action(name: str, stage: Stage) -> Action:
    return Action(
        stage=name,
        job_key=_job_key(name, stage),
        arguments=tuple(sorted(stage.arguments.items())),
        timeout=stage.timeout,
        notify_delay_after=stage.notify_delay_after,
        security_configuration=stage.security_configuration,
    )


def _triggers(spec: Spec) -> tuple[Trigger, ...]:
    roots = [name for name, stage in spec.stages.items() if not stage.after]
    start_file = f"{roots[0]}_job_trigger.tf"
    scheduled = spec.start.schedule is not None
    start = Trigger(
        address=START,
        file=start_file,
        name_suffix=START,
        type="SCHEDULED" if scheduled else "ON_DEMAND",
        enabled=scheduled,
        schedule=spec.start.schedule,
        actions=tuple(_action(name, spec.stages[name]) for name in roots),
    )
    conditional = tuple(
        Trigger(
            address=name,
            file=f"{name}_job_trigger.tf",
            name_suffix=name,
            type="CONDITIONAL",
            enabled=True,
            description=stage.description,
            actions=(_action(name, stage),),
            conditions=tuple(Condition(up, _job_key(up, spec.stages[up])) for up in stage.after),
        )
        for name, stage in spec.stages.items()
        if stage.after
    )
    return (start, *conditional)


def analyse(spec: Spec, where: Locations) -> Plan:
    """Check the whole-spec rules; return the plan the templates render."""
    problems = _reference_problems(spec, where)
    problems += _graph_problems(spec, where) if not problems else []
    if problems:
        raise SpecError(problems)
    triggers = _triggers(spec)
    by_stage = {action.stage: trigger.address for trigger in triggers for action in trigger.actions}
    longest = max(len(f"-{trigger.name_suffix}") for trigger in triggers)
    return Plan(
        source=where.source,
        module=spec.module,
        workflow_name=spec.workflow.name,
        description=spec.workflow.description,
        max_concurrent_runs=spec.workflow.max_concurrent_runs,
        default_run_properties=tuple(sorted(spec.workflow.default_run_properties.items())),
        tags=tuple(sorted(spec.tags.items())),
        stages=tuple(
            StageInfo(name, _job_key(name, stage), tuple(stage.after), stage.description, by_stage[name])
            for name, stage in spec.stages.items()
        ),
        triggers=triggers,
        job_keys=tuple(sorted({_job_key(name, stage) for name, stage in spec.stages.items()})),
        max_workflow_name_length=GLUE_NAME_MAX - longest,
    )
