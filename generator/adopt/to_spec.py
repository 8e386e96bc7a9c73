"""A live workflow as a gluegen spec: the spec that reproduces it exactly, under an environment
whose inputs hold the live names, and what cannot be adopted exactly.

Stages follow Glue's model back: the start trigger's actions are the root stages (one per job
or crawler, named after it); a conditional trigger with one action is a stage named after that
job or crawler, one with several is a stage with `actions:` named after the trigger. Conditions
name jobs and crawlers, so each is written as the stage (or `stage.action`) that runs it; a
condition on every action of a stage in the same states is written as the stage. Names are
identifiers derived from the AWS names, made unique in a fixed order, so one workflow always
gives one spec.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from generator.adopt.live import TRANSITIONAL_STATES, LiveAction, LiveJob, LiveTrigger, LiveWorkflow
from generator.spec.analyse import ROOT_FILES
from generator.spec.model import CRAWLER_STATES, ENVS_FOLDER, JOB_STATES

START = "start"  # the start trigger's default name suffix, and a reserved stage name
DEFAULT_ENV = "live"
_NAME_MAX = 63


@dataclass(frozen=True)
class Finding:
    """Something about the live workflow the spec cannot reproduce exactly, and what happens to it.

    `fatal`: the spec cannot say it at all; import writes nothing. Otherwise the spec is written,
    and `outcome` says what the plan will do (an in-place change, a resource left outside)."""

    subject: str  # "trigger 'x'", "workflow 'w'"
    message: str
    outcome: str = ""
    fatal: bool = False

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}" + (f"; {self.outcome}" if self.outcome else "")


@dataclass(frozen=True)
class Imported:
    text: str | None  # the spec, None when a fatal finding stops it
    findings: tuple[Finding, ...]
    module: str


def identifier(text: str, fallback: str = "stage") -> str:
    """A spec name from an AWS name: lowercase, runs of other characters as one underscore,
    starting with a letter, at most 63 characters."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not name:
        name = fallback
    elif not name[0].isalpha():
        name = f"{fallback}_{name}"
    return name[:_NAME_MAX].rstrip("_")


class _Names:
    """Hands out unique identifiers: the first asker keeps the plain name, later ones get `_2`, `_3`."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.taken = set(reserved)

    def take(self, wanted: str) -> str:
        name, number = wanted, 1
        while name in self.taken:
            number += 1
            suffix = f"_{number}"
            name = wanted[: _NAME_MAX - len(suffix)] + suffix
        self.taken.add(name)
        return name


@dataclass
class _Stage:
    name: str
    trigger: LiveTrigger | None  # None: a root stage (its action is on the start trigger)
    actions: list[tuple[str, LiveAction]]  # (action name = job or crawler key, action)
    form: str  # "single" (the old form) or "actions"


def _stage_name(trigger_name: str) -> str:
    """A stage name from a trigger name, without the word "trigger" (`dev-silver_layer-trigger` -> `dev_silver_layer`)."""
    name = identifier(trigger_name)
    words = [word for word in name.split("_") if word != "trigger"]
    return identifier("_".join(words)) if words else name


def _suffix(trigger_name: str, workflow: str) -> str | None:
    prefix = f"{workflow}-"
    rest = trigger_name[len(prefix):] if trigger_name.startswith(prefix) else ""
    return rest or None


def _name_fields(trigger_name: str, workflow: str, default: str) -> dict[str, str]:
    """`trigger_suffix` for "<workflow>-<suffix>" (nothing for the default suffix), else `trigger_name`."""
    suffix = _suffix(trigger_name, workflow)
    if suffix == default:
        return {}
    return {"trigger_suffix": suffix} if suffix is not None else {"trigger_name": trigger_name}


def _options(action: LiveAction) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if action.kind == "crawler":
        found["crawler"] = True
    if action.arguments:
        found["arguments"] = dict(action.arguments)
    for key in ("timeout", "notify_delay_after", "security_configuration"):
        value = getattr(action, key)
        if value is not None:
            found[key] = value
    return found


def _shape_findings(live: LiveWorkflow) -> list[Finding]:
    """What the spec cannot say at all, each with the exact reason."""
    found = []
    if live.blueprint:
        found.append(Finding(
            f"workflow '{live.name}'", f"was created by the Glue blueprint {live.blueprint}; the blueprint run owns it "
            "and recreates it when run again, so Terraform cannot own it too", fatal=True))
    starts = [trigger for trigger in live.triggers if trigger.is_start]
    if not starts:
        found.append(Finding(f"workflow '{live.name}'", "has no start trigger (ON_DEMAND, SCHEDULED or EVENT), "
                             "so nothing can start it; a spec needs at least one root stage", fatal=True))
    elif len(starts) > 1:
        found.append(Finding(f"workflow '{live.name}'", f"has {len(starts)} start triggers "
                             f"({', '.join(t.name for t in starts)}); Glue runs a workflow from one", fatal=True))
    for trigger in live.triggers:
        subject = f"trigger '{trigger.name}'"
        if trigger.state in TRANSITIONAL_STATES:
            found.append(Finding(subject, f"is {trigger.state}; import again once it has settled", fatal=True))
        if not trigger.actions:
            found.append(Finding(subject, "starts nothing; a stage runs at least one job or crawler", fatal=True))
        if trigger.is_start and trigger.conditions:
            found.append(Finding(subject, f"is a {trigger.type} trigger with a predicate; only CONDITIONAL triggers "
                                 "have conditions", fatal=True))
        if trigger.type == "CONDITIONAL" and not trigger.conditions:
            found.append(Finding(subject, "is CONDITIONAL without conditions, so it never fires", fatal=True))
        if trigger.type == "SCHEDULED" and not trigger.schedule:
            found.append(Finding(subject, "is SCHEDULED without a schedule", fatal=True))
        seen: set[tuple[str, str]] = set()
        for action in trigger.actions:
            if (action.kind, action.name) in seen:
                found.append(Finding(subject, f"starts {action.kind} '{action.name}' twice", fatal=True))
            seen.add((action.kind, action.name))
            if action.kind == "crawler":
                extra = [k for k in ("arguments", "notify_delay_after", "security_configuration") if getattr(action, k)]
                if extra:
                    found.append(Finding(subject, f"starts crawler '{action.name}' with {', '.join(extra)}, which only "
                                         "job actions take", fatal=True))
        for condition in trigger.conditions:
            states = JOB_STATES if condition.kind == "job" else CRAWLER_STATES
            if condition.state not in states:
                found.append(Finding(subject, f"waits for {condition.kind} '{condition.name}' to be {condition.state}, "
                                     f"which a spec cannot say: a {condition.kind} condition is one of {', '.join(states)}",
                                     fatal=True))
            if (condition.kind, condition.name) in seen:
                found.append(Finding(subject, f"{condition.kind} '{condition.name}' is both its condition and its action",
                                     fatal=True))
    return found


def _keys(live: LiveWorkflow, start: LiveTrigger, conditional: list[LiveTrigger]) -> dict[tuple[str, str], str]:
    """One spec key per job and crawler, in the order they are first started."""
    names = _Names({START})
    keys: dict[tuple[str, str], str] = {}
    for trigger in (start, *conditional):
        for action in trigger.actions:
            if (action.kind, action.name) not in keys:
                keys[(action.kind, action.name)] = names.take(identifier(action.name, action.kind))
    return keys


def _order(start: LiveTrigger, others: list[LiveTrigger]) -> tuple[list[LiveTrigger], list[Finding]]:
    """Conditional triggers in dependency order (a trigger after every trigger that starts what it
    waits for), ties by name; a cycle is refused."""
    starts_of: dict[tuple[str, str], list[str]] = {}
    for trigger in (start, *others):
        for action in trigger.actions:
            starts_of.setdefault((action.kind, action.name), []).append(trigger.name)
    waits = {t.name: {s for c in t.conditions for s in starts_of.get((c.kind, c.name), [])} - {t.name} for t in others}
    done, ordered = {start.name}, []
    pending = sorted(others, key=lambda t: t.name)
    while pending:
        ready = [t for t in pending if waits[t.name] <= done]
        if not ready:
            names = ", ".join(f"'{t.name}'" for t in pending)
            return ordered, [Finding(f"triggers {names}", "wait for each other in a cycle, so none can fire", fatal=True)]
        first = ready[0]
        ordered.append(first)
        done.add(first.name)
        pending.remove(first)
    return ordered, []


def _stages(live: LiveWorkflow, start: LiveTrigger, ordered: list[LiveTrigger],
            keys: dict[tuple[str, str], str]) -> list[_Stage]:
    names = _Names({START})
    stages: list[_Stage] = []
    crawler_stage: set[str] = set()  # crawler keys used as a single-form stage name
    for action in start.actions:
        key = keys[(action.kind, action.name)]
        stages.append(_Stage(names.take(key), None, [(key, action)], "single"))
        if action.kind == "crawler":
            crawler_stage.add(key)
    for trigger in ordered:
        actions = [(keys[(a.kind, a.name)], a) for a in trigger.actions]
        suffix = _suffix(trigger.name, live.name) or trigger.name
        if len(actions) == 1:
            key, action = actions[0]
            if action.kind == "job":
                wanted = key if key not in names.taken else _stage_name(suffix)
                stages.append(_Stage(names.take(wanted), trigger, actions, "single"))
                continue
            if key not in names.taken:  # a crawler stage's crawler key is its name
                stages.append(_Stage(names.take(key), trigger, actions, "single"))
                continue
        stages.append(_Stage(names.take(_stage_name(suffix)), trigger, actions, "actions"))
    return stages


def _entries(trigger: LiveTrigger, order: list[tuple[_Stage, str, str]], findings: list[Finding]) -> dict[str, Any]:
    """`after` entries whose conditions, laid out as the module does (per entry, per action, per
    state), come in AWS's order: the provider's `predicate.conditions` is a list, so another order
    is an in-place change. Runs of one action's states make one entry; runs covering every action of
    a layer in its order with the same states make the layer's entry. An order no spec can give (one
    action's states apart) keeps each action's first place, and is noted."""
    runs: list[tuple[_Stage, str, list[str]]] = []
    for upstream, action, state in order:
        if runs and runs[-1][0] is upstream and runs[-1][1] == action:
            runs[-1][2].append(state)
        else:
            runs.append((upstream, action, [state]))
    keys = [(upstream.name, action) for upstream, action, _ in runs]
    if len(set(keys)) != len(keys):
        findings.append(Finding(
            f"trigger '{trigger.name}'", "lists the states of one job or crawler apart from each other in its "
            "conditions, an order a spec cannot give", "the plan reorders its conditions in place"))
        merged: dict[tuple[str, str], tuple[_Stage, str, list[str]]] = {}
        for upstream, action, states in runs:
            merged.setdefault((upstream.name, action), (upstream, action, []))[2].extend(states)
        runs = list(merged.values())
    after: dict[str, Any] = {}
    index = 0
    while index < len(runs):
        upstream, action, states = runs[index]
        names = [name for name, _ in upstream.actions]
        span = runs[index:index + len(names)]
        if upstream.form == "single":
            after[upstream.name], index = states, index + 1
        elif [a for _, a, _ in span] == names and all(s is upstream and st == states for s, _, st in span):
            after[upstream.name], index = states, index + len(names)
        else:
            after[f"{upstream.name}.{action}"], index = states, index + 1
    return {key: states[0] if len(states) == 1 else states for key, states in after.items()}


def _after(stage: _Stage, by_runner: dict[tuple[str, str], list[tuple[_Stage, str]]],
           findings: list[Finding]) -> dict[str, Any]:
    """The stage's `after`: each condition as the stage (or `stage.action`) that runs its job or crawler."""
    assert stage.trigger is not None
    order: list[tuple[_Stage, str, str]] = []  # (upstream stage, action, state), in AWS's order
    for condition in stage.trigger.conditions:
        runners = by_runner.get((condition.kind, condition.name), [])
        subject = f"trigger '{stage.trigger.name}'"
        if not runners:
            findings.append(Finding(subject, f"waits for {condition.kind} '{condition.name}', which no trigger of this "
                                    "workflow starts; a spec's conditions name its own stages", fatal=True))
            continue
        if len(runners) > 1:
            findings.append(Finding(subject, f"waits for {condition.kind} '{condition.name}', which triggers "
                                    f"{', '.join(repr(s.trigger.name if s.trigger else 'start') for s, _ in runners)} all "
                                    "start: Glue's condition holds for any of their runs, which a spec cannot say "
                                    "(its conditions name one stage's run)", fatal=True))
            continue
        upstream, action = runners[0]
        order.append((upstream, action, condition.state))
    after = _entries(stage.trigger, order, findings)
    if all(value == "SUCCEEDED" for value in after.values()):
        return list(after)  # type: ignore[return-value]
    return after


def _start(start: LiveTrigger, workflow: str) -> Any:
    names = _name_fields(start.name, workflow, START)
    description = {"description": start.description} if start.description else {}
    if start.type == "SCHEDULED":
        return {"schedule": start.schedule, **names, **description}
    if start.type == "EVENT":
        event: dict[str, Any] = {"external": True}
        if start.batch_size not in (None, 1):
            event["batch_size"] = start.batch_size
        if start.batch_window not in (None, 900):
            event["batch_window"] = start.batch_window
        return {"event": event, **names, **description}
    return {**names, **description} or "on_demand"


def _activation(live: LiveWorkflow, start: LiveTrigger, stages: list[_Stage]) -> tuple[dict[str, Any], list[Finding]]:
    inputs: dict[str, Any] = {}
    found = []
    if start.type == "SCHEDULED" and not start.active:
        inputs["paused"] = True
    if start.type in ("ON_DEMAND", "EVENT") and start.active:
        found.append(Finding(
            f"trigger '{start.name}'", f"is an {start.type} start in state {start.state}",
            "the module keeps it enabled = false (an enabled one would start a run on every apply, or fail for "
            "EVENT), so the plan changes enabled to false in place; no run is started"))
    disabled = {s.name: False for s in stages if s.trigger is not None and not s.trigger.active}
    if disabled:
        inputs["trigger_enabled"] = disabled
    return inputs, found


def _tag_findings(live: LiveWorkflow) -> list[Finding]:
    if live.tags is None:
        return [Finding(
            f"workflow '{live.name}'", "a get-workflow document carries no tags, so the spec gives none",
            "if the workflow or its triggers have tags, the plan removes them: add them to the environment's "
            "inputs.tags (aws glue get-tags --resource-arn <workflow ARN>) before planning")]
    found = []
    for trigger in live.triggers:
        if trigger.tags is not None and trigger.tags != live.tags:
            found.append(Finding(
                f"trigger '{trigger.name}'", f"has tags {dict(trigger.tags)}, the workflow {dict(live.tags)}",
                "the module tags every trigger as its workflow, so the plan updates this trigger's tags in place"))
    return found


# ---- jobs (--with-jobs) -------------------------------------------------------------------

SPEC_COMMANDS = ("glueetl", "pythonshell", "gluestreaming")
# A job field's place in the spec: the order a job (and job_defaults) is written in.
JOB_FIELDS = ("script_location", "command", "python_version", "glue_version", "worker_type", "number_of_workers",
              "max_capacity", "max_retries", "timeout", "max_concurrent_runs", "execution_class",
              "job_run_queuing_enabled", "security_configuration", "notify_delay_after", "connections", "description",
              "default_arguments", "non_overridable_arguments", "tags")
JOB_MAPS = ("default_arguments", "non_overridable_arguments", "tags")  # merged key by key over job_defaults
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/.+")
# Glue's UpdateJob replaces the whole job definition (its JobUpdate: "previously set properties that
# are not specified are set to their default values"), so what neither a spec nor the provider holds
# survives the import but not the first change Terraform makes.
_REPLACED = "Glue's UpdateJob replaces the whole job, so the first change Terraform makes to it drops"


def factor_jobs(jobs: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """`job_defaults` and each job's own fields: with two jobs or more, the defaults hold every scalar
    (and list) all jobs give equally, and every map entry (key and value) all jobs' maps hold; each job
    keeps the rest. Merging the defaults back (maps key by key, the rest replaced) gives each job again."""
    if len(jobs) < 2:
        return {}, {key: dict(body) for key, body in jobs.items()}
    bodies = list(jobs.values())
    shared: dict[str, Any] = {}
    for field in JOB_FIELDS:
        if not all(field in body for body in bodies):
            continue
        if field in JOB_MAPS:
            common = {k: v for k, v in bodies[0][field].items() if all(body[field].get(k, None) == v for body in bodies)}
            if common:
                shared[field] = common
        elif all(body[field] == bodies[0][field] for body in bodies):
            shared[field] = bodies[0][field]
    own: dict[str, dict[str, Any]] = {}
    for key, body in jobs.items():
        rest: dict[str, Any] = {}
        for field, value in body.items():
            if field in JOB_MAPS and field in shared:
                left = {k: v for k, v in value.items() if k not in shared[field]}
                if left:
                    rest[field] = left
            elif field not in shared:
                rest[field] = value
        own[key] = rest
    return shared, own


def _job_findings(job: LiveJob) -> list[Finding]:
    """What a spec's job cannot say, each with the exact reason."""
    subject, found = f"job '{job.name}'", []
    if job.command not in SPEC_COMMANDS or job.runtime:
        runtime = f" (runtime {job.runtime})" if job.runtime else ""
        found.append(Finding(subject, f"is a {job.command} job{runtime}; a spec's jobs are {', '.join(SPEC_COMMANDS)}",
                             fatal=True))
        return found
    if not _ROLE_ARN.fullmatch(job.role):
        found.append(Finding(subject, f"names its role '{job.role}', not an IAM role ARN; the module's job_role_arn is an "
                             "ARN: give the job its role's ARN first (aws glue update-job)", fatal=True))
    if job.glue_version is None:
        found.append(Finding(subject, "has no Glue version; a spec's job needs one (glue_version): set it on the job "
                             "first (aws glue update-job)", fatal=True))
    if job.command != "pythonshell" and (job.worker_type is None or job.number_of_workers is None):
        capacity = f" (MaxCapacity {job.max_capacity:g})" if job.max_capacity is not None else ""
        found.append(Finding(subject, f"is sized in DPUs{capacity} rather than workers; a spec sizes a Spark job with "
                             "worker_type and number_of_workers", fatal=True))
    if job.maintenance_window:
        found.append(Finding(subject, f"has the maintenance window {job.maintenance_window}, which a spec cannot say; "
                             "the provider manages it (maintenance_window), so the plan would remove it", fatal=True))
    if job.source_control:
        found.append(Finding(subject, f"is synchronised with source control ({job.source_control}), which a spec cannot "
                             "say; the provider manages it (source_control_details), so the plan would remove it",
                             fatal=True))
    if job.visual:
        found.append(Finding(subject, "is a Glue Studio visual job: its script is generated from a visual graph "
                             f"(CodeGenConfigurationNodes) that neither a spec nor the provider holds, and {_REPLACED} "
                             "the graph", fatal=True))
    if job.profile_name:
        found.append(Finding(subject, f"uses the Glue usage profile '{job.profile_name}', which a spec cannot say",
                             f"the import keeps it, but {_REPLACED} it"))
    return found


def _job_body(job: LiveJob, workflow_tags: dict[str, str]) -> tuple[dict[str, Any], list[Finding]]:
    """The spec's fields for `job`: what the provider reads back and a spec can say, leaving out what
    Glue fills in and the provider computes (MaxCapacity of a Spark job, from its workers; an unset
    ExecutionProperty or NotificationProperty) and what reads back as the provider's zero value
    (MaxRetries 0, no queuing)."""
    body: dict[str, Any] = {"script_location": job.script_location}
    if job.command != "glueetl":
        body["command"] = job.command
    optional: dict[str, Any] = {
        "python_version": job.python_version,
        "glue_version": job.glue_version,
        "worker_type": job.worker_type if job.command != "pythonshell" else None,
        "number_of_workers": job.number_of_workers if job.command != "pythonshell" else None,
        "max_capacity": job.max_capacity if job.command == "pythonshell" else None,
        "max_retries": job.max_retries or None,
        "timeout": job.timeout,  # kept even when Glue's default: the default depends on the Glue version
        "max_concurrent_runs": job.max_concurrent_runs if job.max_concurrent_runs not in (None, 1) else None,
        # the provider's execution_class is not computed: a STANDARD read back needs STANDARD in the spec
        "execution_class": job.execution_class,
        "job_run_queuing_enabled": True if job.job_run_queuing_enabled else None,
        "security_configuration": job.security_configuration,
        "notify_delay_after": job.notify_delay_after,
        "connections": list(job.connections) or None,
        "description": job.description,
        "default_arguments": dict(job.default_arguments) or None,
        "non_overridable_arguments": dict(job.non_overridable_arguments) or None,
    }
    body.update({field: value for field, value in optional.items() if value is not None})
    findings: list[Finding] = []
    tags = dict(job.tags or ())
    own = {key: value for key, value in tags.items() if workflow_tags.get(key) != value}
    if own:
        body["tags"] = own
    lacking = sorted(set(workflow_tags) - set(tags))
    if job.tags is not None and lacking:
        findings.append(Finding(
            f"job '{job.name}'", f"lacks the workflow's tag{'s' if len(lacking) > 1 else ''} {', '.join(lacking)}",
            "the module tags every job with the workflow's tags too, so the plan adds them to this job in place"))
    return body, findings


def _jobs_section(live: LiveWorkflow, keys: dict[tuple[str, str], str]) -> tuple[dict[str, Any], list[Finding]]:
    """`job_defaults`, `jobs` and the `job_role_arn` input, as spec entries, and what is refused or noted."""
    assert live.jobs is not None
    by_name = {job.name: job for job in live.jobs}
    wanted = [(key, name) for (kind, name), key in keys.items() if kind == "job"]  # in the order first started
    findings: list[Finding] = []
    bodies: dict[str, dict[str, Any]] = {}
    for key, name in wanted:
        job = by_name.get(name)
        if job is None:
            if name in live.jobs_not_found:
                findings.append(Finding(
                    f"job '{name}'", "is started by the workflow's triggers but does not exist (BatchGetJobs: JobsNotFound)",
                    "it is not defined in jobs: and stays in the environment's jobs input, for a job defined elsewhere"))
            continue
        problems = _job_findings(job)
        findings += problems
        if any(f.fatal for f in problems):
            continue
        bodies[key], notes = _job_body(job, dict(live.tags or ()))
        findings += notes
    roles = sorted({by_name[name].role for key, name in wanted if key in bodies})
    if len(roles) > 1:
        findings.append(Finding(f"workflow '{live.name}'", f"its jobs use {len(roles)} roles ({', '.join(roles)}); the "
                                "module gives one role, job_role_arn, to every job it defines", fatal=True))
    if not bodies or any(f.fatal for f in findings):
        return {}, findings
    defaults, own = factor_jobs(bodies)
    section: dict[str, Any] = {"job_defaults": defaults} if defaults else {}
    section["jobs"] = own
    section["job_role_arn"] = roles[0]
    return section, findings


# Plain scalars YAML 1.2's core schema reads as null, a boolean or a number (gluegen reads YAML 1.2;
# PyYAML's dumper quotes by YAML 1.1's rules, which miss `0o17`, say).
_CORE_NOT_STRING = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given, strings quoted wherever YAML 1.1 or 1.2 could read them otherwise."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if _CORE_NOT_STRING.fullmatch(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _string)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def to_spec(live: LiveWorkflow, *, module: str | None = None, env: str = DEFAULT_ENV, region: str,
            origin: str) -> Imported:
    """The spec reproducing `live`, under environment `env` in `region`; `origin` says where it was read."""
    if module is None:  # the workflow's name, unless an environment's root needs that file name
        module = identifier(live.name, "workflow")
        module = f"{module}_workflow" if module in (ENVS_FOLDER, *ROOT_FILES) else module
    findings = _shape_findings(live)
    if any(f.fatal for f in findings):
        return Imported(None, tuple(findings), module)
    start = next(t for t in live.triggers if t.is_start)
    ordered, cycle = _order(start, [t for t in live.triggers if not t.is_start])
    if cycle:
        return Imported(None, tuple(cycle), module)
    keys = _keys(live, start, ordered)
    stages = _stages(live, start, ordered, keys)
    by_runner: dict[tuple[str, str], list[tuple[_Stage, str]]] = {}
    for stage in stages:
        for key, action in stage.actions:
            by_runner.setdefault((action.kind, action.name), []).append((stage, key))
    spec_stages: dict[str, Any] = {}
    for stage in stages:
        body: dict[str, Any] = {}
        if stage.trigger is not None:
            body["after"] = _after(stage, by_runner, findings)
            if stage.trigger.logical == "ANY":
                body["when"] = "any"
            if not stage.trigger.active:
                body["enabled"] = True  # the spec's value; the environment's trigger_enabled says false
            body.update(_name_fields(stage.trigger.name, live.name, stage.name))
            if stage.trigger.description:
                body["description"] = stage.trigger.description
        if stage.form == "single":
            key, action = stage.actions[0]
            if action.kind == "job" and key != stage.name:
                body["job"] = key
            body.update(_options(action))
        else:
            body["actions"] = {key: _options(action) for key, action in stage.actions}
        spec_stages[stage.name] = body
    jobs: dict[str, Any] = {}
    if live.jobs is not None:
        jobs, more = _jobs_section(live, keys)
        findings += more
    if any(f.fatal for f in findings):
        return Imported(None, tuple(findings), module)
    workflow: dict[str, Any] = {"name": live.name}
    if live.description:
        workflow["description"] = live.description
    if live.max_concurrent_runs is not None:
        workflow["max_concurrent_runs"] = live.max_concurrent_runs
    if live.default_run_properties:
        workflow["default_run_properties"] = dict(live.default_run_properties)
    activation, more = _activation(live, start, stages)
    findings += more + _tag_findings(live)
    if start.type == "EVENT":
        findings.append(Finding(
            f"trigger '{start.name}'", "is an EVENT start; whatever notifies it (an EventBridge rule and its role) "
            "is not read", "the spec says start.event.external, so the plan neither imports nor creates a rule"))
    inputs: dict[str, Any] = {"workflow_name": live.name}
    for kind, variable in (("job", "jobs"), ("crawler", "crawlers")):
        found = {key: name for (k, name), key in sorted(keys.items(), key=lambda item: item[1]) if k == kind}
        if found:
            inputs[variable] = found
    if "job_role_arn" in jobs:
        inputs["job_role_arn"] = jobs.pop("job_role_arn")
    if live.tags:
        inputs["tags"] = dict(live.tags)
    inputs.update(activation)
    spec = {
        "version": 1,
        "module": module,
        "workflow": workflow,
        "start": _start(start, live.name),
        "stages": spec_stages,
        **jobs,
        "tags": {},
        "environments": {env: {"region": region, "adopt": True, "inputs": inputs}},
    }
    adopted = "the workflow, its triggers and its jobs" if "jobs" in jobs else "the workflow and its triggers"
    header = (
        f"# Imported by `gluegen import` from {origin}.\n"
        f"# The environment '{env}' holds the live names; `gluegen generate` writes its root with an imports.tf\n"
        f"# that adopts {adopted} (terraform plan: imports only).\n"
    )
    return Imported(header + _dump(spec), tuple(findings), module)
