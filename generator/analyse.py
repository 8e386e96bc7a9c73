"""Whole-spec rules pydantic cannot see, and the `Plan` they lead to.

Checks references between stages, states against the upstream's kind, `when`,
crawler options, cycles, roots, stages that can never run, shared jobs (pitfall 9)
and name lengths; every problem becomes a located diagnostic.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from generator import graph
from generator.errors import Diagnostic, SpecError
from generator.loader import Locations, Path
from generator.messages import suggest
from generator.model import CRAWLER_STATES, JOB_ONLY_FIELDS, JOB_STATES, Spec, Stage
from generator.plan import Action, Condition, EventSource, Plan, StageInfo, Trigger

GLUE_NAME_MAX = 255
START = "start"  # the start trigger's address and name suffix: no stage may take it
# Feature resources are named "<workflow name>-<suffix>"; IAM roles and EventBridge rules hold 64 characters.
FEATURE_NAME_MAX = 64
FEATURE_SUFFIX = "-alerts"  # the longest suffix


def name_limit(spec: Spec) -> tuple[int, str]:
    """How long workflow.name (and var.workflow_name) may be, and why."""
    longest = max(len(f"-{name}") for name in (START, *(n for n, stage in spec.stages.items() if stage.after)))
    limit = (GLUE_NAME_MAX - longest, "trigger names \"<workflow_name>-<stage>\" must fit Glue's limit of 255")
    if spec.start.event or spec.iam_role or spec.alerts or spec.dashboard:
        feature = FEATURE_NAME_MAX - len(FEATURE_SUFFIX)
        if feature < limit[0]:
            limit = (feature, "names of the module's roles and rules are \"<workflow_name>-<suffix>\" and hold at most 64")
    return limit


def kind(stage: Stage) -> str:
    return "crawler" if stage.crawler else "job"


def key(name: str, stage: Stage) -> str:
    return stage.job or name


def _after_path(where: Locations, name: str, index: int, upstream: str) -> Path:
    """The YAML path of one `after` entry: `after.<upstream>` in map form, `after[i]` in list form."""
    as_map = ("stages", name, "after", upstream)
    return as_map if as_map in where.values else ("stages", name, "after", index)


def _state_problem(upstream: str, stage: Stage, state: str) -> str | None:
    states = CRAWLER_STATES if stage.crawler else JOB_STATES
    if state in states:
        return None
    hint = suggest(state.upper(), states) if state.upper() != state else ""
    if state.upper() in states:
        hint = f" (did you mean '{state.upper()}'?)"
    return f"'{state}' is not a state of {kind(stage)} '{upstream}'{hint}: a {kind(stage)} ends in {', '.join(states)}"


def _shared_job_problems(stages: Mapping[str, Stage], where: Locations) -> list[Diagnostic]:
    """Glue's conditions and actions name jobs, not stages: a job run by several stages is
    ambiguous as a condition, and twice in one trigger it would start twice."""
    runners: dict[str, list[str]] = {}
    for name, stage in stages.items():
        if not stage.crawler:
            runners.setdefault(key(name, stage), []).append(name)
    problems = []
    roots: dict[str, str] = {}
    for name, stage in stages.items():
        if not stage.after and not stage.crawler:
            job = key(name, stage)
            if job in roots:
                problems.append(where.diagnostic(
                    ("stages", name), f"root stages '{roots[job]}' and '{name}' both run job '{job}': "
                    "the start trigger would start it twice", key=True))
            roots.setdefault(job, name)
        for index, upstream in enumerate(stage.after):
            if upstream not in stages or stages[upstream].crawler or upstream == name:
                continue
            job = key(upstream, stages[upstream])
            others = [other for other in runners.get(job, []) if other != upstream]
            if others and job != key(name, stage):
                problems.append(where.diagnostic(
                    _after_path(where, name, index, upstream),
                    f"'{upstream}' runs job '{job}', which '{others[0]}' runs too: Glue conditions name jobs, "
                    "not stages, so this condition would also hold for the other stage's run; give each its own job",
                ))
    crawler_roots = [name for name, stage in stages.items() if stage.crawler and not stage.after]
    if len(crawler_roots) > 2:
        problems.append(where.diagnostic(
            ("stages", crawler_roots[2]), f"{len(crawler_roots)} crawler stages start the workflow: a Glue trigger "
            "starts at most two crawlers", key=True))
    return problems


def _stage_problems(stages: Mapping[str, Stage], where: Locations, names: Collection[str]) -> list[Diagnostic]:
    problems = _shared_job_problems(stages, where)
    for name, stage in stages.items():
        for index, (upstream, state) in enumerate(stage.after.items()):
            path = _after_path(where, name, index, upstream)
            if upstream == name:
                problems.append(where.diagnostic(path, f"stage '{name}' cannot run after itself"))
            elif upstream not in names:
                hint = suggest(upstream, (other for other in names if other != name))
                problems.append(where.diagnostic(path, f"unknown stage '{upstream}'{hint}"))
            elif upstream not in stages:  # it failed validation; its own problems are reported
                continue
            elif (message := _state_problem(upstream, stages[upstream], state)) is not None:
                problems.append(where.diagnostic(path, message))
            elif (kind(stages[upstream]), key(upstream, stages[upstream])) == (kind(stage), key(name, stage)):
                problems.append(
                    where.diagnostic(
                        path,
                        f"stage '{name}' runs {kind(stage)} '{key(name, stage)}', which is also the {kind(stage)} of its upstream "
                        f"'{upstream}': Glue rejects a trigger whose {kind(stage)} is both condition and action",
                    )
                )
        if stage.when == "any" and len(stage.after) < 2:
            problems.append(
                where.diagnostic(
                    ("stages", name, "when"),
                    "'when: any' needs at least two upstream stages: with one, it is the same as 'all'",
                )
            )
        if stage.crawler:
            for field in JOB_ONLY_FIELDS:
                if field in stage.model_fields_set:
                    problems.append(
                        where.diagnostic(
                            ("stages", name, field),
                            f"'{field}' is for job stages; a crawler stage runs var.crawlers[\"{name}\"] with no run options",
                            key=True,
                        )
                    )
    return problems


def _graph_problems(
    stages: Mapping[str, Stage], where: Locations, names: Collection[str], *, whole: bool
) -> list[Diagnostic]:
    """Graph rules. A cycle among `stages` is a cycle whatever else is wrong; the rules that
    need the whole graph (a root exists, every stage can run) only run when it is `whole`."""
    problems = []
    edges = {name: stage.after for name, stage in stages.items()}
    if START in names:
        problems.append(
            where.diagnostic(("stages", START), f"'{START}' is reserved for the workflow's start trigger", key=True)
        )
    if stages and len(stages) == len(names) and not any(not stage.after for stage in stages.values()):
        problems.append(where.diagnostic(("stages",), "no stage without 'after': nothing starts the workflow"))
    cycle = graph.find_cycle(edges)
    if cycle:
        last, before = cycle[-1], cycle[-2]
        index = list(stages[last].after).index(before)
        path = _after_path(where, last, index, before)
        problems.append(where.diagnostic(path, f"dependency cycle: {' -> '.join(cycle)}"))
        return problems
    if not whole:
        return problems
    when = {name: stage.when for name, stage in stages.items()}
    for name, reason in graph.never_run(edges, when).items():
        problems.append(where.diagnostic(("stages", name, "after"), f"stage '{name}' can never run: {reason}"))
    return problems


def _feature_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    problems = []
    limit, reason = name_limit(spec)
    if len(spec.workflow.name) > limit:
        problems.append(
            where.diagnostic(
                ("workflow", "name"),
                f"too long: {len(spec.workflow.name)} characters, at most {limit} here ({reason})",
            )
        )
    has_jobs = any(not stage.crawler for stage in spec.stages.values())
    for feature, enabled in (("alerts", spec.alerts is not None), ("dashboard", spec.dashboard)):
        if enabled and not has_jobs:
            problems.append(where.diagnostic((feature,), f"'{feature}' watches job runs, and no stage runs a job"))
    return problems


def _action(name: str, stage: Stage) -> Action:
    return Action(
        stage=name,
        kind=kind(stage),
        key=key(name, stage),
        arguments=tuple(sorted(stage.arguments.items())),
        timeout=stage.timeout,
        notify_delay_after=stage.notify_delay_after,
        security_configuration=stage.security_configuration,
    )


def _file(name: str, stage: Stage) -> str:
    return f"{name}_{kind(stage)}_trigger.tf"


def _start_trigger(spec: Spec) -> Trigger:
    roots = [name for name, stage in spec.stages.items() if not stage.after]
    start = spec.start
    types = {"on_demand": ("ON_DEMAND", False), "schedule": ("SCHEDULED", True), "event": ("EVENT", None)}
    trigger_type, enabled = types[start.kind]
    return Trigger(
        address=START,
        file=_file(roots[0], spec.stages[roots[0]]),
        name_suffix=START,
        type=trigger_type,
        enabled=enabled,
        schedule=start.schedule,
        batch_size=start.event.batch_size if start.event else None,
        batch_window=start.event.batch_window if start.event else None,
        actions=tuple(_action(name, spec.stages[name]) for name in roots),
    )


def _conditional_trigger(spec: Spec, name: str, stage: Stage) -> Trigger:
    conditions = tuple(
        Condition(up, kind(spec.stages[up]), key(up, spec.stages[up]), state) for up, state in stage.after.items()
    )
    logical = "ANY" if stage.when == "any" else ("AND" if len(conditions) > 1 else None)
    return Trigger(
        address=name,
        file=_file(name, stage),
        name_suffix=name,
        type="CONDITIONAL",
        enabled=True,
        description=stage.description,
        actions=(_action(name, stage),),
        conditions=conditions,
        logical=logical,
    )


def _event_source(spec: Spec) -> EventSource | None:
    event = spec.start.event
    if event is None:
        return None
    if event.pattern is not None:
        return EventSource(pattern=event.pattern, s3_bucket=None)
    assert event.s3 is not None
    detail: dict = {"bucket": {"name": [event.s3.bucket]}}
    if event.s3.prefix is not None:
        detail["object"] = {"key": [{"prefix": event.s3.prefix}]}
    pattern = {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": detail}
    return EventSource(pattern=pattern, s3_bucket=event.s3.bucket)


def _keys(spec: Spec, wanted: str) -> tuple[str, ...]:
    return tuple(sorted({key(name, stage) for name, stage in spec.stages.items() if kind(stage) == wanted}))


def stage_problems(
    stages: Mapping[str, Stage], where: Locations, declared: Collection[str] | None = None
) -> list[Diagnostic]:
    """The rules about stages: references, states, `when`, crawler options, shared jobs, the graph.

    `declared` lists every stage name of a spec some of whose stages failed validation (those
    are not in `stages`): then only the rules that hold for part of a spec run, so a spec's
    schema, reference and graph problems are all reported at once.
    """
    names = set(stages) if declared is None else set(declared)
    problems = _stage_problems(stages, where, names)
    return problems + _graph_problems(stages, where, names, whole=declared is None and not problems)


def analyse(spec: Spec, where: Locations) -> Plan:
    """Check the whole-spec rules; return the plan the templates render."""
    problems = stage_problems(spec.stages, where)
    problems += _feature_problems(spec, where)
    if problems:
        raise SpecError(problems)
    triggers = (_start_trigger(spec), *(_conditional_trigger(spec, n, s) for n, s in spec.stages.items() if s.after))
    by_stage = {action.stage: trigger.address for trigger in triggers for action in trigger.actions}
    limit, reason = name_limit(spec)
    return Plan(
        source=where.source,
        module=spec.module,
        workflow_name=spec.workflow.name,
        description=spec.workflow.description,
        max_concurrent_runs=spec.workflow.max_concurrent_runs,
        default_run_properties=tuple(sorted(spec.workflow.default_run_properties.items())),
        tags=tuple(sorted(spec.tags.items())),
        stages=tuple(
            StageInfo(name, kind(stage), key(name, stage), tuple(stage.after.items()), stage.when,
                      stage.description, by_stage[name])
            for name, stage in spec.stages.items()
        ),
        triggers=triggers,
        job_keys=_keys(spec, "job"),
        crawler_keys=_keys(spec, "crawler"),
        max_workflow_name_length=limit,
        name_limit_reason=reason,
        event=_event_source(spec),
        iam_role=spec.iam_role,
        alert_states=tuple(spec.alerts.states) if spec.alerts else None,
        dashboard=spec.dashboard,
        module_at=where.find(("module",)),
    )
