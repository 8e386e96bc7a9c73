"""Whole-spec rules pydantic cannot see, and the `Plan` they lead to.

Checks references between stages, states against the upstream's kind, `when`,
crawler options, cycles, roots, stages that can never run, shared jobs (pitfall 9),
Glue's quotas, and the workflow name's length and characters; every problem becomes
a located diagnostic. Findings that do not stop generation (a job two stages may
start at once) become the plan's warnings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from generator.spec import graph, jobs, names
from generator.errors import Diagnostic, SpecError
from generator.spec.loader import Locations, Path
from generator.spec.messages import suggest
from generator.spec.model import (
    ACTION_FIELDS, CRAWLER_STATES, JOB_ONLY_FIELDS, JOB_STATES, Spec, Stage, StageAction,
)
from generator.spec.names import GLUE_NAME_MAX, ResourceName
from generator.spec.plan import Action, Condition, EventSource, JobDefinition, Plan, StageInfo, Trigger, label

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
    if spec.job_role:
        found.append(names.JOB_ROLE)
    return tuple(found)


def _suffixes(spec: Spec) -> list[tuple[str, str, bool]]:
    """The name suffixes in use, "<workflow_name>-<suffix>": (suffix, "trigger" or "job", whether it is
    the default suffix) for each trigger and defined job without an exact name."""
    triggers = []
    if spec.start.trigger_name is None:
        triggers.append(spec.start.trigger_suffix or START)
    for name, stage in spec.stages.items():
        if stage.after and stage.trigger_name is None:
            triggers.append(stage.trigger_suffix or name)
    found = [(suffix, "trigger", suffix in spec.stages or suffix == START) for suffix in triggers]
    for key, job in spec.jobs.items():
        if job.name is None:
            suffix = job.name_suffix or key
            found.append((suffix, "job", suffix in spec.jobs))
    return found


def name_limit(spec: Spec) -> tuple[int, str]:
    """How many UTF-8 bytes workflow.name (and var.workflow_name) may hold, and why."""
    suffixes = _suffixes(spec)
    if suffixes:
        longest, what, default = max(suffixes, key=lambda found: (utf8_length(found[0]), found[2], found[1] == "trigger"))
        usual = {"trigger": 'trigger names "<workflow_name>-<stage>"', "job": 'job names "<workflow_name>-<key>"'}
        shape = usual[what] if default else f"the {what} name \"<workflow_name>-{longest}\""
        limit = (GLUE_NAME_MAX - 1 - utf8_length(longest), f"{shape} must fit Glue's limit of {GLUE_NAME_MAX} bytes")
    else:
        limit = (GLUE_NAME_MAX, f"Glue's limit of {GLUE_NAME_MAX} bytes")
    for name in resource_names(spec):
        if name.max_length - len(name.suffix) < limit[0]:
            limit = (
                name.max_length - len(name.suffix),
                f'the module names its {name.service} "<workflow_name>{name.suffix}", which holds at most {name.max_length}',
            )
    return limit


def kind(stage: Stage | StageAction) -> str:
    return "crawler" if stage.crawler else "job"


def key(name: str, stage: Stage | StageAction) -> str:
    return stage.job or name


@dataclass(frozen=True)
class _Act:
    """One action of the spec: a stage's one job or crawler (old form) or one of its `actions`."""

    stage: str
    name: str
    kind: str
    key: str
    options: Stage | StageAction
    path: Path  # where the action is written: the stage, or its entry under `actions`

    @property
    def label(self) -> str:
        return label(self.stage, self.name)


def stage_actions(name: str, stage: Stage) -> list[_Act]:
    if stage.actions is None:
        return [_Act(name, name, kind(stage), key(name, stage), stage, ("stages", name))]
    return [_Act(name, action, kind(options), key(action, options), options, ("stages", name, "actions", action))
            for action, options in stage.actions.items()]


@dataclass(frozen=True)
class _Cond:
    """One condition of a stage's trigger, with where it is written."""

    path: Path  # the `after` entry (or one state of its list)
    written: str  # the `after` key: "<stage>" or "<stage>.<action>"
    upstream: _Act
    state: str


def _after_path(where: Locations, name: str, index: int, upstream: str) -> Path:
    """The YAML path of one `after` entry: `after.<upstream>` in map form, `after[i]` in list form."""
    as_map = ("stages", name, "after", upstream)
    return as_map if as_map in where.values else ("stages", name, "after", index)


def _states_of(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _state_problem(upstream: str, act_kind: str, state: str) -> str | None:
    states = CRAWLER_STATES if act_kind == "crawler" else JOB_STATES
    if state in states:
        return None
    hint = suggest(state.upper(), states) if state.upper() != state else ""
    if state.upper() in states:
        hint = f" (did you mean '{state.upper()}'?)"
    return f"'{state}' is not a state of {act_kind} '{upstream}'{hint}: a {act_kind} ends in {', '.join(states)}"


def _conditions(name: str, stage: Stage, stages: Mapping[str, Stage], where: Locations, known: Collection[str],
                problems: list[Diagnostic]) -> list[_Cond]:
    """The conditions `after` gives the stage's trigger, one per action and state; problems appended."""
    found: list[_Cond] = []
    seen: dict[tuple[str, str], dict[str, _Cond]] = {}
    for index, (written, value) in enumerate(stage.after.items()):
        path = _after_path(where, name, index, written)
        upstream, dot, action = written.partition(".")
        if upstream == name:
            problems.append(where.diagnostic(path, f"stage '{name}' cannot run after itself"))
            continue
        if upstream not in known:
            hint = suggest(upstream, (other for other in known if other != name))
            problems.append(where.diagnostic(path, f"unknown stage '{upstream}'{hint}"))
            continue
        if upstream not in stages:  # it failed validation; its own problems are reported
            continue
        acts = stage_actions(upstream, stages[upstream])
        if dot:
            acts = [act for act in acts if act.name == action]
            if not acts:
                names_ = [act.name for act in stage_actions(upstream, stages[upstream])]
                problems.append(where.diagnostic(
                    path, f"stage '{upstream}' has no action '{action}'{suggest(action, names_)}: "
                    f"its actions are {', '.join(names_)}", key=True))
                continue
        states = _states_of(value)
        reported: set[Path] = set()
        for act in acts:  # one condition per action and state, grouped by action (by job, as Glue reads them)
            for position, state in enumerate(states):
                at = path + (position,) if isinstance(value, list) and path + (position,) in where.values else path
                if at in reported:
                    continue
                if (message := _state_problem(act.label, act.kind, state)) is not None:
                    reported.add(at)
                    problems.append(where.diagnostic(at, message))
                    continue
                earlier = seen.setdefault((act.stage, act.name), {})
                if state in earlier:
                    reported.add(at)
                    problems.append(where.diagnostic(at, (
                        f"'{act.label}' ending {state} is already a condition of this stage "
                        f"(through '{earlier[state].written}')")))
                    continue
                if earlier and stage.when == "all":
                    reported.add(at)
                    problems.append(where.diagnostic(at, (
                        f"stage '{name}' can never run: with 'when: all' it needs '{act.label}' to end both "
                        f"{next(iter(earlier))} and {state}; write 'when: any' to start on either")))
                    continue
                earlier[state] = _Cond(at, written, act, state)
                found.append(earlier[state])
    return found


def _acts_problems(name: str, stage: Stage, where: Locations) -> list[Diagnostic]:
    """The options a stage (and each of its actions) may set."""
    problems = []
    if stage.actions is not None:
        for field in ACTION_FIELDS:
            if field in stage.model_fields_set:
                problems.append(where.diagnostic(
                    ("stages", name, field),
                    f"put '{field}' on an action: stage '{name}' has 'actions', and each action has its own options",
                    key=True))
    for act in stage_actions(name, stage):
        if act.kind != "crawler":
            continue
        what = "stage" if act.options is stage else "action"
        for field in JOB_ONLY_FIELDS:
            if field in act.options.model_fields_set:
                problems.append(where.diagnostic(
                    act.path + (field,),
                    f"'{field}' is for jobs; a crawler {what} runs var.crawlers[\"{act.key}\"] with no job options "
                    "(a 'timeout' at most)",
                    key=True))
    if stage.trigger_name is not None and stage.trigger_suffix is not None:
        problems.append(where.diagnostic(
            ("stages", name, "trigger_suffix"), "give one of 'trigger_name' and 'trigger_suffix', not both", key=True))
    if not stage.after:
        for field, instead in (("trigger_name", "start.trigger_name"), ("trigger_suffix", "start.trigger_suffix"),
                               ("enabled", "the module input 'paused' for a scheduled start")):
            if field in stage.model_fields_set:
                problems.append(where.diagnostic(
                    ("stages", name, field),
                    f"'{field}' is for a stage's own trigger, and root stages share the start trigger: use {instead}",
                    key=True))
    return problems


def _twice_in_one_trigger(acts: list[_Act], where: Locations, root: bool) -> list[Diagnostic]:
    """One trigger starting one job (or crawler) twice."""
    problems = []
    first: dict[tuple[str, str], _Act] = {}
    for act in acts:
        earlier = first.setdefault((act.kind, act.key), act)
        if earlier is act:
            continue
        if root:
            message = (f"root stages '{earlier.label}' and '{act.label}' both run {act.kind} '{act.key}': "
                       "the start trigger would start it twice")
        else:
            message = (f"actions '{earlier.name}' and '{act.name}' of stage '{act.stage}' both run {act.kind} "
                       f"'{act.key}': its trigger would start it twice")
        problems.append(where.diagnostic(act.path, message, key=True))
    return problems


def _crawler_count_problems(acts: list[_Act], where: Locations, root: bool) -> list[Diagnostic]:
    """A Glue trigger starts at most two crawlers."""
    crawlers = [act for act in acts if act.kind == "crawler"]
    if len(crawlers) <= 2:
        return []
    if root:
        noun = "crawler stages" if all(act.options.__class__ is Stage for act in crawlers) else "crawlers"
        message = f"{len(crawlers)} {noun} start the workflow: a Glue trigger starts at most two crawlers"
    else:
        message = f"stage '{crawlers[2].stage}' starts {len(crawlers)} crawlers: a Glue trigger starts at most two crawlers"
    return [where.diagnostic(crawlers[2].path, message, key=True)]


def _stage_problems(stages: Mapping[str, Stage], where: Locations, known: Collection[str],
                    conds: dict[str, list[_Cond]]) -> list[Diagnostic]:
    """The rules about each stage and its conditions; each stage's conditions go to `conds`."""
    problems: list[Diagnostic] = []
    acts = {name: stage_actions(name, stage) for name, stage in stages.items()}
    runners: dict[tuple[str, str], list[str]] = {}
    for found in acts.values():
        for act in found:
            runners.setdefault((act.kind, act.key), []).append(act.label)
    roots = [act for name, stage in stages.items() if not stage.after for act in acts[name]]
    problems += _twice_in_one_trigger(roots, where, root=True)
    for name, stage in stages.items():
        problems += _acts_problems(name, stage, where)
        conditions = conds[name] = _conditions(name, stage, stages, where, known, problems)
        if stage.after:
            problems += _twice_in_one_trigger(acts[name], where, root=False)
        own = {(act.kind, act.key) for act in acts[name]}
        reported: set[Path] = set()
        for condition in conditions:
            up = condition.upstream
            if condition.path in reported:
                continue
            if (up.kind, up.key) in own:
                reported.add(condition.path)
                problems.append(where.diagnostic(condition.path, (
                    f"stage '{name}' runs {up.kind} '{up.key}', which is also the {up.kind} of its upstream "
                    f"'{up.label}': Glue rejects a trigger whose {up.kind} is both condition and action")))
                continue
            others = [other for other in runners[(up.kind, up.key)] if other != up.label]
            if others:
                reported.add(condition.path)
                noun = "jobs" if up.kind == "job" else "crawlers"
                problems.append(where.diagnostic(condition.path, (
                    f"'{up.label}' runs {up.kind} '{up.key}', which '{others[0]}' runs too: Glue conditions name "
                    f"{noun}, not stages, so this condition would also hold for the other stage's run; give each "
                    f"its own {up.kind}")))
    problems += _crawler_count_problems(roots, where, root=True)
    for name, stage in stages.items():
        if stage.after:
            problems += _crawler_count_problems(acts[name], where, root=False)
    return problems


def _graph_problems(
    stages: Mapping[str, Stage], where: Locations, known: Collection[str], found: dict[str, list[_Cond]], *, whole: bool
) -> list[Diagnostic]:
    """Graph rules. A cycle among `stages` is a cycle whatever else is wrong; the rules that
    need the whole graph (a root exists, every stage can run) only run when it is `whole`."""
    problems = []
    edges = {name: {written.partition(".")[0]: None for written in stage.after} for name, stage in stages.items()}
    if START in known:
        problems.append(
            where.diagnostic(("stages", START), f"'{START}' is reserved for the workflow's start trigger", key=True)
        )
    if stages and len(stages) == len(known) and not any(not stage.after for stage in stages.values()):
        problems.append(where.diagnostic(("stages",), "no stage without 'after': nothing starts the workflow"))
    cycle = graph.find_cycle(edges)
    if cycle:
        last, before = cycle[-1], cycle[-2]
        index, written = next((i, w) for i, w in enumerate(stages[last].after) if w.partition(".")[0] == before)
        path = _after_path(where, last, index, written)
        problems.append(where.diagnostic(path, f"dependency cycle: {' -> '.join(cycle)}"))
        return problems
    if not whole:
        return problems
    when = {name: stage.when for name, stage in stages.items()}
    conditions = {name: [(c.upstream.stage, c.upstream.label, c.state) for c in found[name]] for name in stages}
    for name, reason in graph.never_run(conditions, when).items():
        problems.append(where.diagnostic(("stages", name, "after"), f"stage '{name}' can never run: {reason}"))
    return problems


def _has_kind(spec: Spec, wanted: str) -> bool:
    return any(act.kind == wanted for name, stage in spec.stages.items() for act in stage_actions(name, stage))


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
    roots = [act for name, stage in spec.stages.items() if not stage.after for act in stage_actions(name, stage)]
    if len(roots) > MAX_TRIGGER_ACTIONS:
        old = all(act.options is spec.stages[act.stage] for act in roots)
        what = "stages start" if old else "jobs and crawlers start"
        problems.append(where.diagnostic(
            roots[MAX_TRIGGER_ACTIONS].path,
            f"{len(roots)} {what} the workflow: the start trigger would start them all, and a Glue trigger "
            f"starts at most {MAX_TRIGGER_ACTIONS} jobs and crawlers (Glue quota 'Max jobs per trigger')",
            key=True,
        ))
    for name, stage in spec.stages.items():
        if stage.after and stage.actions is not None and len(stage.actions) > MAX_TRIGGER_ACTIONS:
            acts = stage_actions(name, stage)
            problems.append(where.diagnostic(
                acts[MAX_TRIGGER_ACTIONS].path,
                f"stage '{name}' starts {len(acts)} jobs and crawlers: a Glue trigger starts at most "
                f"{MAX_TRIGGER_ACTIONS} (Glue quota 'Max jobs per trigger')",
                key=True,
            ))
    triggers = 1 + sum(1 for stage in spec.stages.values() if stage.after)
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


def _trigger_name_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    """Two triggers of one workflow cannot share a name (with the spec's workflow name)."""
    problems = []
    taken: dict[str, str] = {}
    entries = [(("start",), "the start trigger", spec.start)]
    entries += [(("stages", name), f"the trigger of stage '{name}'", stage) for name, stage in spec.stages.items() if stage.after]
    for path, what, owner in entries:
        default = START if path == ("start",) else path[-1]
        if owner.trigger_name is not None:
            resolved, at = owner.trigger_name, path + ("trigger_name",)
        else:
            resolved = f"{spec.workflow.name}-{owner.trigger_suffix or default}"
            at = path + ("trigger_suffix",) if owner.trigger_suffix is not None else path
        other = taken.setdefault(resolved, what)
        if other != what:
            problems.append(where.diagnostic(
                at if at in where.values or at == path else path,
                f"trigger name '{resolved}' is also the name of {other}: two triggers of a workflow cannot share a name",
                key=at == path))
    start = spec.start
    if start.trigger_name is not None and start.trigger_suffix is not None:
        problems.append(where.diagnostic(
            ("start", "trigger_suffix"), "give one of 'trigger_name' and 'trigger_suffix', not both", key=True))
    return problems


def _needs(spec: Spec, name: str, where: Locations) -> dict[str, str]:
    """What a stage's start requires of earlier actions, as far as its own conditions tell."""
    stage = spec.stages[name]
    found = _conditions(name, stage, spec.stages, where, spec.stages, [])
    if stage.when == "all" or len(found) == 1:
        return {c.upstream.label: c.state for c in found}
    return {}


def _exclusive(spec: Spec, first: str, second: str, where: Locations) -> bool:
    """Whether the two stages can never both run in one workflow run: both require the same
    upstream, each in another end state (a failure branch beside the success path)."""
    mine, theirs = _needs(spec, first, where), _needs(spec, second, where)
    return any(upstream in theirs and theirs[upstream] != state for upstream, state in mine.items())


def _runners(spec: Spec) -> dict[str, list[_Act]]:
    """The actions that run each job, in spec order."""
    runners: dict[str, list[_Act]] = {}
    for name, stage in spec.stages.items():
        for act in stage_actions(name, stage):
            if act.kind == "job":
                runners.setdefault(act.key, []).append(act)
    return runners


def _may_overlap(spec: Spec, a: _Act, b: _Act, where: Locations) -> bool:
    return a.stage != b.stage and not _exclusive(spec, a.stage, b.stage, where)


def _concurrency_warnings(spec: Spec, where: Locations) -> list[Diagnostic]:
    """Stages that share a job are never ordered (nothing may wait for a shared job), so Glue
    may start the job again while it runs; beyond the job's concurrent-run limit that run fails.
    A job the spec defines has its limit in the spec: `_concurrency_errors` checks it instead."""
    found = []
    limit = "unless the job allows that many concurrent runs (max_concurrent_runs in its execution_property; 1 by default)"
    for job, acts in _runners(spec).items():
        if job in spec.jobs:
            continue
        for index, later in enumerate(acts[1:], 1):
            first = next((a for a in acts[:index] if _may_overlap(spec, a, later, where)), None)
            if first is None:
                continue
            a, b = spec.stages[first.stage], spec.stages[later.stage]
            if (a.after, a.when) == (b.after, b.when):
                when = (" and ".join(f"{up} {' or '.join(_states_of(state))}" for up, state in b.after.items())
                        if b.after else "the workflow starts")
                message = (f"stages '{first.label}' and '{later.label}' both run job '{job}' and both start when {when}: "
                           f"Glue starts the job twice at once, and the second run fails {limit}")
            else:
                message = (f"stages '{first.label}' and '{later.label}' both run job '{job}' and nothing orders them: "
                           f"when their runs overlap, the later one fails {limit}")
            path = later.path + ("job",) if later.path + ("job",) in where.values else later.path
            found.append(replace(where.diagnostic(path, message), severity="warning"))
    return found


def _largest_overlap(acts: list[_Act], overlap: dict[tuple[int, int], bool]) -> list[int]:
    """The largest set of `acts` (by index) that may all run at once: a maximum clique (Bron-Kerbosch
    with a pivot; a job has few runners)."""
    best: list[int] = []

    def extend(chosen: list[int], candidates: set[int], excluded: set[int]) -> None:
        nonlocal best
        if not candidates and not excluded:
            if len(chosen) > len(best) or (len(chosen) == len(best) and chosen < best):
                best = list(chosen)
            return
        pivot = max(candidates | excluded, key=lambda i: sum(overlap[i, j] for j in candidates if j != i))
        for index in sorted(candidates - {j for j in candidates if j != pivot and overlap[pivot, j]}):
            neighbours = {j for j in range(len(acts)) if j != index and overlap[index, j]}
            extend(sorted(chosen + [index]), candidates & neighbours, excluded & neighbours)
            candidates = candidates - {index}
            excluded = excluded | {index}

    extend([], set(range(len(acts))), set())
    return best


def _concurrency_errors(spec: Spec, where: Locations) -> list[Diagnostic]:
    """A defined job that several stages may run at once needs max_concurrent_runs for that many runs
    (Glue fails a run beyond it: ExecutionProperty, "An error is returned when this threshold is
    reached"), unless job_run_queuing_enabled queues such runs instead."""
    problems = []
    for key, acts in _runners(spec).items():
        if key not in spec.jobs or len(acts) < 2:
            continue
        merged = jobs.merged_job(key, spec.job_defaults, spec.jobs[key])
        if merged.get("job_run_queuing_enabled"):
            continue
        overlap = {(i, j): i != j and _may_overlap(spec, a, b, where)
                   for i, a in enumerate(acts) for j, b in enumerate(acts)}
        group = [acts[index] for index in _largest_overlap(acts, overlap)]
        allowed = merged.get("max_concurrent_runs", 1)
        if len(group) <= allowed:
            continue
        labels = ", ".join(f"'{act.label}'" for act in group[:-1]) + f" and '{group[-1].label}'"
        message = (f"stages {labels} run job '{key}' and may run at the same time, so it may run {len(group)} times at "
                   f"once, and max_concurrent_runs allows {allowed}: Glue fails the run beyond it; set "
                   f"max_concurrent_runs to {len(group)} or more (or job_run_queuing_enabled: true to queue it)")
        if "max_concurrent_runs" in merged.values:
            problem = merged.problem("max_concurrent_runs", message)
            problems.append(where.diagnostic(problem.path, problem.message))
        else:
            problems.append(where.diagnostic(("jobs", key), message, key=True))
    return problems


def _job_problems(spec: Spec, where: Locations) -> list[Diagnostic]:
    """`jobs`, `job_defaults` and `job_role`: each merged job's settings, and the features that need jobs."""
    problems = []
    if not spec.jobs:
        for field, what in (("job_defaults", "settings the jobs of 'jobs' inherit"),
                            ("job_role", "the role the jobs of 'jobs' run with")):
            if field in spec.model_fields_set and (field != "job_role" or spec.job_role):
                problems.append(where.diagnostic(
                    (field,), f"'{field}' gives {what}, and the spec defines no jobs: define them under 'jobs', "
                    "or remove it", key=True))
    taken: dict[str, str] = {}
    for key, job in spec.jobs.items():
        merged = jobs.merged_job(key, spec.job_defaults, job)
        for problem in jobs.problems(merged):
            problems.append(where.diagnostic(problem.path, problem.message, key=problem.key))
        name = job.name if job.name is not None else f"{spec.workflow.name}-{job.name_suffix or key}"
        other = taken.setdefault(name, key)
        if other != key:
            at = ("jobs", key, "name" if job.name is not None else "name_suffix")
            problems.append(where.diagnostic(
                at if at in where.values else ("jobs", key),
                f"job name '{name}' is also the name of job '{other}': Glue job names are unique in an account",
                key=at not in where.values))
    return problems


def _unused_job_warnings(spec: Spec, where: Locations) -> list[Diagnostic]:
    """A defined job no stage runs: the module creates it, and nothing starts it."""
    used = set(_keys(spec, "job"))
    return [
        replace(where.diagnostic(
            ("jobs", key),
            f"job '{key}' is defined but no stage runs it: the module creates it and no trigger starts it "
            "(run it from a stage or action, or remove it)", key=True), severity="warning")
        for key in spec.jobs if key not in used
    ]


def _definition(spec: Spec, key: str) -> JobDefinition:
    """`jobs.<key>` merged with `job_defaults`, as the module creates it."""
    merged = jobs.merged_job(key, spec.job_defaults, spec.jobs[key]).values
    command = merged.get("command", jobs.DEFAULT_COMMAND)
    values = {**jobs.written_defaults(command, merged["glue_version"]), **merged}  # gluegen writes Glue's defaults
    arguments = dict(values.get("default_arguments", {}))
    if spec.dashboard:  # the dashboard's metrics come from jobs that run with --enable-metrics
        arguments.setdefault("--enable-metrics", "")
    return JobDefinition(
        key=key,
        command=command,
        script_location=values["script_location"],
        glue_version=values["glue_version"],
        name=values.get("name"),
        name_suffix=values.get("name_suffix") or "",
        python_version=values.get("python_version"),
        worker_type=values.get("worker_type"),
        number_of_workers=values.get("number_of_workers"),
        max_capacity=float(values["max_capacity"]) if "max_capacity" in values else None,
        default_arguments=tuple(sorted(arguments.items())),
        non_overridable_arguments=tuple(sorted(values.get("non_overridable_arguments", {}).items())),
        connections=tuple(values.get("connections", ())),
        max_retries=values.get("max_retries"),
        timeout=values.get("timeout"),
        max_concurrent_runs=values.get("max_concurrent_runs"),
        execution_class=values.get("execution_class"),
        job_run_queuing_enabled=values.get("job_run_queuing_enabled"),
        security_configuration=values.get("security_configuration"),
        notify_delay_after=values.get("notify_delay_after"),
        description=values.get("description"),
        tags=tuple(sorted(values.get("tags", {}).items())),
    )


def _action(act: _Act) -> Action:
    options = act.options
    return Action(
        stage=act.stage,
        kind=act.kind,
        key=act.key,
        arguments=tuple(sorted(options.arguments.items())),
        timeout=options.timeout,
        notify_delay_after=options.notify_delay_after,
        security_configuration=options.security_configuration,
        name=act.name,
    )


def _file(name: str, stage: Stage) -> str:
    return f"{name}_{'stage' if stage.actions is not None else kind(stage)}_trigger.tf"


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
        name_suffix=start.trigger_suffix or START,
        exact_name=start.trigger_name,
        type=trigger_type,
        enabled=enabled,
        schedule=start.schedule,
        description=start.description,
        batch_size=start.event.batch_size if start.event else None,
        batch_window=start.event.batch_window if start.event else None,
        actions=tuple(_action(act) for name in roots for act in stage_actions(name, spec.stages[name])),
    )


def _conditional_trigger(spec: Spec, name: str, stage: Stage, where: Locations) -> Trigger:
    conditions = tuple(
        Condition(c.upstream.stage, c.upstream.kind, c.upstream.key, c.state, c.upstream.name)
        for c in _conditions(name, stage, spec.stages, where, spec.stages, [])
    )
    logical = "ANY" if stage.when == "any" else ("AND" if len(conditions) > 1 else None)
    return Trigger(
        address=name,
        file=_file(name, stage),
        name_suffix=stage.trigger_suffix or name,
        exact_name=stage.trigger_name,
        type="CONDITIONAL",
        enabled=stage.enabled,
        enabled_input="enabled" in stage.model_fields_set,
        description=stage.description,
        actions=tuple(_action(act) for act in stage_actions(name, stage)),
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
    return tuple(sorted({act.key for name, stage in spec.stages.items() for act in stage_actions(name, stage)
                         if act.kind == wanted}))


def stage_problems(
    stages: Mapping[str, Stage], where: Locations, declared: Collection[str] | None = None
) -> list[Diagnostic]:
    """The rules about stages: references, states, `when`, crawler options, shared jobs, the graph.

    `declared` lists every stage name of a spec some of whose stages failed validation (those
    are not in `stages`): then only the rules that hold for part of a spec run, so a spec's
    schema, reference and graph problems are all reported at once.
    """
    known = set(stages) if declared is None else set(declared)
    found: dict[str, list[_Cond]] = {}
    problems = _stage_problems(stages, where, known, found)
    return problems + _graph_problems(stages, where, known, found, whole=declared is None and not problems)


def analyse(spec: Spec, where: Locations, *, quotas: bool = True) -> Plan:
    """Check the whole-spec rules; return the plan the templates render.

    `quotas=False` skips Glue's quotas, for generator benchmarks whose specs exceed them.
    """
    problems = stage_problems(spec.stages, where)
    problems += _feature_problems(spec, where)
    problems += _quota_problems(spec, where) if quotas else []
    problems += _trigger_name_problems(spec, where)
    problems += _job_problems(spec, where)
    if not problems:
        problems += _concurrency_errors(spec, where)
    if problems:
        raise SpecError(problems)
    triggers = (_start_trigger(spec),
                *(_conditional_trigger(spec, n, s, where) for n, s in spec.stages.items() if s.after))
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
            StageInfo(
                name, "layer" if stage.actions is not None else kind(stage),
                "" if stage.actions is not None else key(name, stage),
                tuple((written, state) for written, value in stage.after.items() for state in _states_of(value)),
                stage.when, stage.description, by_stage[name],
                actions=tuple(act.name for act in stage_actions(name, stage)),
                enabled=stage.enabled if "enabled" in stage.model_fields_set else None,
            )
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
        warnings=tuple(sorted(_concurrency_warnings(spec, where) + _unused_job_warnings(spec, where))),
        ignore_run_properties="default_run_properties" in spec.workflow.ignore_changes,
        event_external=bool(spec.start.event and spec.start.event.external),
        jobs=tuple(_definition(spec, key) for key in spec.jobs),
        job_role=spec.job_role,
    )
