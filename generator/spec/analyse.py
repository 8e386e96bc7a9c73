"""Whole-spec rules pydantic cannot see, and the `Plan` they lead to.

Checks references between stages, states against the upstream's kind, `when`,
crawler options, cycles, roots, stages that can never run, shared jobs (pitfall 9),
Glue's quotas, and the workflow name's length and characters; every problem becomes
a located diagnostic. Findings that do not stop generation (a job two stages may
start at once) become the plan's warnings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from generator.spec import graph, names
from generator.errors import Diagnostic, SpecError
from generator.spec.loader import Locations, Path
from generator.spec.messages import suggest
from generator.spec.model import CRAWLER_STATES, JOB_ONLY_FIELDS, JOB_STATES, Spec, Stage
from generator.spec.names import GLUE_NAME_MAX, ResourceName
from generator.spec.plan import Action, Condition, EventSource, Plan, StageInfo, Trigger

START = "start"  # the start trigger's address and name suffix: no stage may take it
# Glue quotas ("Max jobs per trigger") and workflow restrictions ("limit the total number of
# jobs, crawlers, and triggers within a workflow to 100 or less": beyond it, resuming and
# stopping runs can fail).
MAX_TRIGGER_ACTIONS = 50
MAX_WORKFLOW_NODES = 100
# "Glue Crawler State Change" events exist for Started, Succeeded and Failed only: the alert
# states a crawler can raise, and how its events spell them.
CRAWLER_ALERT_STATES = {"SUCCEEDED": "Succeeded", "FAILED": "Failed"}
# The files every environment's root holds beside one `<module>.tf` per module: no module with
# environments may take their names.
ROOT_FILES = ("imports", "providers", "versions")


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def resource_names(spec: Spec) -> tuple[ResourceName, ...]:
    """What the module names after the workflow, beside Glue's own triggers."""
    found: list[ResourceName] = []
    if spec.start.event and not spec.start.event.external:  # an external rule is named elsewhere
        found += [names.START_RULE, names.START_ROLE]
    if spec.iam_role:
        found.append(names.RUN_ROLE)
    if spec.alerts:
        if _has_kind(spec, "job"):
            found.append(names.ALERTS_RULE)
        if _crawler_alert_states(spec):
            found.append(names.CRAWLER_ALERTS_RULE)
        found.append(names.ALERTS_TOPIC)
    if spec.dashboard:
        found.append(names.DASHBOARD)
    return tuple(found)


def name_limit(spec: Spec) -> tuple[int, str]:
    """How many UTF-8 bytes workflow.name (and var.workflow_name) may hold, and why."""
    longest = max(len(f"-{name}") for name in (START, *(n for n, stage in spec.stages.items() if stage.after)))
    limit = (GLUE_NAME_MAX - longest, f'trigger names "<workflow_name>-<stage>" must fit Glue\'s limit of {GLUE_NAME_MAX} bytes')
    for name in resource_names(spec):
        if name.max_length - len(name.suffix) < limit[0]:
            limit = (
                name.max_length - len(name.suffix),
                f'the module names its {name.service} "<workflow_name>{name.suffix}", which holds at most {name.max_length}',
            )
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


def _root_job_problems(stages: Mapping[str, Stage], where: Locations) -> list[Diagnostic]:
    """Root stages share the start trigger: two of them running one job would start it twice."""
    problems = []
    roots: dict[str, str] = {}
    for name, stage in stages.items():
        if stage.after or stage.crawler:
            continue
        job = key(name, stage)
        if job in roots:
            problems.append(where.diagnostic(
                ("stages", name), f"root stages '{roots[job]}' and '{name}' both run job '{job}': "
                "the start trigger would start it twice", key=True))
        roots.setdefault(job, name)
    return problems


def _ambiguous_condition_problems(stages: Mapping[str, Stage], where: Locations) -> list[Diagnostic]:
    """Glue's conditions name jobs, not stages: waiting for a job several stages run is ambiguous."""
    runners: dict[str, list[str]] = {}
    for name, stage in stages.items():
        if not stage.crawler:
            runners.setdefault(key(name, stage), []).append(name)
    problems = []
    for name, stage in stages.items():
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
    return problems


def _root_crawler_problems(stages: Mapping[str, Stage], where: Locations) -> list[Diagnostic]:
    """A Glue trigger starts at most two crawlers, and the start trigger starts every root stage."""
    crawler_roots = [name for name, stage in stages.items() if stage.crawler and not stage.after]
    if len(crawler_roots) <= 2:
        return []
    return [where.diagnostic(
        ("stages", crawler_roots[2]), f"{len(crawler_roots)} crawler stages start the workflow: a Glue trigger "
        "starts at most two crawlers", key=True)]


def _shared_job_problems(stages: Mapping[str, Stage], where: Locations) -> list[Diagnostic]:
    """The rules that come from Glue naming jobs and crawlers, not stages, in triggers."""
    return (_root_job_problems(stages, where) + _ambiguous_condition_problems(stages, where)
            + _root_crawler_problems(stages, where))


def _stage_problems(stages: Mapping[str, Stage], where: Locations, known: Collection[str]) -> list[Diagnostic]:
    problems = _shared_job_problems(stages, where)
    for name, stage in stages.items():
        for index, (upstream, state) in enumerate(stage.after.items()):
            path = _after_path(where, name, index, upstream)
            if upstream == name:
                problems.append(where.diagnostic(path, f"stage '{name}' cannot run after itself"))
            elif upstream not in known:
                hint = suggest(upstream, (other for other in known if other != name))
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
    stages: Mapping[str, Stage], where: Locations, known: Collection[str], *, whole: bool
) -> list[Diagnostic]:
    """Graph rules. A cycle among `stages` is a cycle whatever else is wrong; the rules that
    need the whole graph (a root exists, every stage can run) only run when it is `whole`."""
    problems = []
    edges = {name: stage.after for name, stage in stages.items()}
    if START in known:
        problems.append(
            where.diagnostic(("stages", START), f"'{START}' is reserved for the workflow's start trigger", key=True)
        )
    if stages and len(stages) == len(known) and not any(not stage.after for stage in stages.values()):
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


def _has_kind(spec: Spec, wanted: str) -> bool:
    return any(kind(stage) == wanted for stage in spec.stages.values())


def _crawler_alert_states(spec: Spec) -> tuple[str, ...]:
    """The crawler events the alerts match: only when a stage runs a crawler."""
    if spec.alerts is None or not _has_kind(spec, "crawler"):
        return ()
    return tuple(CRAWLER_ALERT_STATES[state] for state in spec.alerts.states if state in CRAWLER_ALERT_STATES)


def workflow_name_problems(name: str, limit: int, reason: str, found: tuple[ResourceName, ...]) -> list[str]:
    """What is wrong with `name` as this module's workflow name (spec or environment input)."""
    problems = []
    if utf8_length(name) > limit:
        problems.append(f"too long: {utf8_length(name)} bytes in UTF-8, at most {limit} here ({reason})")
    allowed = names.allowed(found)
    bad = next((char for char in name if char not in allowed), None)
    if found and bad is not None:
        refusing = names.services(tuple(n for n in found if bad not in n.characters))
        problems.append(
            f"{bad!r} cannot be used here: the module names its {refusing} after the workflow, and such names "
            f"take only {names.describe(allowed)}"
        )
    return problems


def _name_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    limit, reason = name_limit(spec)
    found = workflow_name_problems(spec.workflow.name, limit, reason, resource_names(spec))
    return [where.diagnostic(("workflow", "name"), message) for message in found]


def _feature_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    problems = _name_problems(spec, where)
    if spec.environments and spec.module in ROOT_FILES:
        problems.append(where.diagnostic(
            ("module",), f"a module named '{spec.module}' cannot have environments: its file in each environment's "
            f"root would be {spec.module}.tf, which gluegen writes for the environment itself; rename the module"))
    if spec.dashboard and not _has_kind(spec, "job"):
        problems.append(where.diagnostic(("dashboard",), "'dashboard' watches job runs, and no stage runs a job"))
    if spec.alerts and not _has_kind(spec, "job") and not _crawler_alert_states(spec):
        states = ", ".join(spec.alerts.states)
        problems.append(where.diagnostic(
            ("alerts",),
            f"'alerts' on {states} watch nothing: no stage runs a job, and crawlers send state-change events only "
            "for SUCCEEDED and FAILED",
        ))
    return problems


def _quota_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    problems = []
    roots = [name for name, stage in spec.stages.items() if not stage.after]
    if len(roots) > MAX_TRIGGER_ACTIONS:
        problems.append(where.diagnostic(
            ("stages", roots[MAX_TRIGGER_ACTIONS]),
            f"{len(roots)} stages start the workflow: the start trigger would start them all, and a Glue trigger "
            f"starts at most {MAX_TRIGGER_ACTIONS} jobs and crawlers (Glue quota 'Max jobs per trigger')",
            key=True,
        ))
    triggers = 1 + len(spec.stages) - len(roots)
    jobs, crawlers = len(_keys(spec, "job")), len(_keys(spec, "crawler"))
    if triggers + jobs + crawlers > MAX_WORKFLOW_NODES:
        problems.append(where.diagnostic(
            ("stages",),
            f"the workflow would hold {jobs} jobs, {crawlers} crawlers and {triggers} triggers, "
            f"{triggers + jobs + crawlers} in all: AWS Glue's workflow restrictions limit a workflow to "
            f"{MAX_WORKFLOW_NODES}, beyond which resuming and stopping its runs can fail",
            key=True,
        ))
    return problems


def _exclusive(first: Stage, second: Stage) -> bool:
    """Whether the two stages can never both run in one workflow run: both require the same
    upstream, each in another end state (a failure branch beside the success path)."""
    def needs(stage: Stage) -> dict[str, str]:
        return dict(stage.after) if stage.when == "all" or len(stage.after) == 1 else {}

    mine, theirs = needs(first), needs(second)
    return any(upstream in theirs and theirs[upstream] != state for upstream, state in mine.items())


def _concurrency_warnings(spec: Spec, where: Locations) -> list[Diagnostic]:
    """Stages that share a job are never ordered (nothing may wait for a shared job), so Glue
    may start the job again while it runs; beyond the job's concurrent-run limit that run fails."""
    runners: dict[str, list[str]] = {}
    for name, stage in spec.stages.items():
        if not stage.crawler:
            runners.setdefault(key(name, stage), []).append(name)
    found = []
    limit = "unless the job allows that many concurrent runs (max_concurrent_runs in its execution_property; 1 by default)"
    for job, stages in runners.items():
        for index, later in enumerate(stages[1:], 1):
            first = next((s for s in stages[:index] if not _exclusive(spec.stages[s], spec.stages[later])), None)
            if first is None:
                continue
            a, b = spec.stages[first], spec.stages[later]
            if (a.after, a.when) == (b.after, b.when):
                when = " and ".join(f"{up} {state}" for up, state in b.after.items()) if b.after else "the workflow starts"
                message = (f"stages '{first}' and '{later}' both run job '{job}' and both start when {when}: "
                           f"Glue starts the job twice at once, and the second run fails {limit}")
            else:
                message = (f"stages '{first}' and '{later}' both run job '{job}' and nothing orders them: when their "
                           f"runs overlap, the later one fails {limit}")
            path = ("stages", later, "job") if ("stages", later, "job") in where.values else ("stages", later)
            found.append(replace(where.diagnostic(path, message), severity="warning"))
    return found


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
    # Pitfalls 1, 3 and 15: an enabled ON_DEMAND trigger starts a run on create; an EVENT
    # trigger reads `enabled` back as false once imported, and a later true calls StartTrigger,
    # which fails for EVENT triggers. Both are created disabled (for EVENT, the same API call).
    types = {"on_demand": ("ON_DEMAND", False), "schedule": ("SCHEDULED", True), "event": ("EVENT", False)}
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
    if event is None or event.external:
        return None
    if event.pattern is not None:
        return EventSource(pattern=event.pattern, s3_bucket=None)
    assert event.s3 is not None
    detail: dict = {"bucket": {"name": [event.s3.bucket]}}
    if event.s3.prefix is not None:
        detail["object"] = {"key": [{"prefix": event.s3.prefix}]}
    pattern = {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": detail}
    return EventSource(pattern=pattern, s3_bucket=event.s3.bucket, s3_prefix=event.s3.prefix)


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
    known = set(stages) if declared is None else set(declared)
    problems = _stage_problems(stages, where, known)
    return problems + _graph_problems(stages, where, known, whole=declared is None and not problems)


def analyse(spec: Spec, where: Locations, *, quotas: bool = True) -> Plan:
    """Check the whole-spec rules; return the plan the templates render.

    `quotas=False` skips Glue's quotas, for generator benchmarks whose specs exceed them.
    """
    problems = stage_problems(spec.stages, where)
    problems += _feature_problems(spec, where)
    problems += _quota_problems(spec, where) if quotas else []
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
        resource_names=resource_names(spec),
        event=_event_source(spec),
        iam_role=spec.iam_role,
        alert_states=tuple(spec.alerts.states) if spec.alerts else None,
        alert_crawler_states=_crawler_alert_states(spec),
        dashboard=spec.dashboard,
        module_at=where.find(("module",)),
        warnings=tuple(sorted(_concurrency_warnings(spec, where))),
        ignore_run_properties="default_run_properties" in spec.workflow.ignore_changes,
        event_external=bool(spec.start.event and spec.start.event.external),
    )
