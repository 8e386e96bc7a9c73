"""`environments:` of a spec: each environment's region and the inputs it gives the module.

An input is named as the module's variable it sets. `INPUTS` maps every variable name a
module can have to the type the spec itself gives that value (the pydantic types of
`generator.spec.model`) and to the whole-spec rules it obeys (`generator.spec.analyse`),
so a value is refused here with the message the spec would get. Which variables a given
module has is not decided here: the caller passes the names of its variables
(`generator.render.interface.variables`), and an input the module lacks is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, StrictBool, StrictStr, TypeAdapter, ValidationError

from generator.errors import Diagnostic
from generator.spec.analyse import workflow_name_problems
from generator.spec.loader import Locations, Path
from generator.spec.messages import diagnostics, suggest
from generator.spec.model import (
    Cron, Description, EventStart, GlueName, IamRoleArn, PropertyKey, S3Bucket, S3Source, Spec, Tags, Workflow,
)
from generator.spec.plan import EnvironmentPlan, Plan

Problem = tuple[Path, str]  # (path inside the input's value, message)


def _field(model: type[BaseModel], name: str, *, nullable: bool = False) -> Any:
    """The type of a spec field, with its constraints, as the spec validates it."""
    info = model.model_fields[name]
    found = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return found | None if nullable else found


def _names(kind: str, keys: Callable[[Plan], Collection[str]],
           needed: Callable[[Plan], Collection[str]] | None = None) -> Callable[[Any, Plan], list[Problem]]:
    """`jobs` / `crawlers`: only the module's keys, and every key the module needs a name for (`needed`,
    default all; the module's own validation names missing ones)."""
    variable = f"{kind}s"

    def check(value: dict[str, str], plan: Plan) -> list[Problem]:
        wanted = keys(plan)
        problems: list[Problem] = [
            ((name,), f"'{name}' is not a {kind} key of this module{suggest(name, wanted)}: it has {', '.join(wanted)}")
            for name in value if name not in wanted
        ]
        missing = [name for name in (wanted if needed is None else needed(plan)) if name not in value]
        if missing:
            problems.append(((), f"{variable} has no Glue {kind} name for: {', '.join(missing)}"))
        return problems

    return check


def _workflow_name(value: str, plan: Plan) -> list[Problem]:
    found = workflow_name_problems(value, plan.max_workflow_name_length, plan.name_limit_reason, plan.resource_names)
    taken: dict[str, str] = {}
    for trigger in plan.triggers:  # an exact trigger name may meet "<this name>-<suffix>" of another
        name = trigger.name_for(value)
        other = taken.setdefault(name, trigger.address)
        if other != trigger.address:
            found.append(f"with this workflow name the triggers '{other}' and '{trigger.address}' would both be "
                         f"named '{name}'")
    return [((), message) for message in found]


EXTERNAL_PAUSE = "the EVENT start's EventBridge rule is managed elsewhere: disable that rule to pause"


def _paused(value: bool, plan: Plan) -> list[Problem]:
    if value and plan.start.type == "ON_DEMAND":
        return [((), "an on-demand start never starts by itself; nothing to pause")]
    if value and plan.event_external:
        return [((), EXTERNAL_PAUSE)]
    return []


def _job_stages(plan: Plan) -> list[str]:
    """The keys of stage_arguments: each job stage, `<stage>.<action>` for a layer's job actions."""
    return [action.label for stage in plan.stages for action in plan.actions_of(stage.name) if action.kind == "job"]


def _stage_arguments(value: dict[str, Any], plan: Plan) -> list[Problem]:
    stages = _job_stages(plan)
    return [
        ((name,), f"'{name}' is not a job stage of this module{suggest(name, stages)}: its job stages are {', '.join(stages)}")
        for name in value if name not in stages
    ]


def _trigger_enabled(value: dict[str, bool], plan: Plan) -> list[Problem]:
    stages = plan.enabled_stages
    return [
        ((name,), f"'{name}' is not a stage that sets 'enabled' in the spec{suggest(name, stages)}: "
                  f"trigger_enabled may name {', '.join(stages)}")
        for name in value if name not in stages
    ]


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _emails(value: list[str], plan: Plan) -> list[Problem]:
    return [((index,), f"'{item}' is not an email address") for index, item in enumerate(value) if not _EMAIL.fullmatch(item)]


def _kms_key(value: str | None, plan: Plan) -> list[Problem]:
    if value == "alias/aws/sns":
        return [((), "EventBridge cannot publish to a topic under alias/aws/sns; use a customer managed key")]
    return []


@dataclass(frozen=True)
class Input:
    """A variable a module may have, as an environment's input."""

    type: Any  # the value's pydantic type
    has: str  # when a module has this variable, for the message about an input it lacks
    check: Callable[[Any, Plan], list[Problem]] | None = None  # rules beyond the type
    required: Callable[[Plan], bool] = field(default=lambda plan: False)  # the variable's default fails its validation
    missing: str = ""  # what the input gives, for the message when a required one is missing


_ALWAYS = "every module"

INPUTS: dict[str, Input] = {
    "workflow_name": Input(_field(Workflow, "name"), _ALWAYS, _workflow_name),
    "description": Input(_field(Workflow, "description", nullable=True), _ALWAYS),
    # A job the spec defines may be named here too (its name in this environment, for adoption).
    "jobs": Input(dict[StrictStr, GlueName], "a module with a job stage",
                  _names("job", lambda p: sorted({*p.job_keys, *p.defined_job_keys}), lambda p: p.required_job_keys),
                  required=lambda plan: bool(plan.required_job_keys),
                  missing="it names this module's Glue jobs in this environment"),
    "job_role_arn": Input(IamRoleArn, "a module that defines jobs without job_role",
                          required=lambda plan: bool(plan.jobs) and not plan.job_role,
                          missing="the ARN of the IAM role this module's jobs run with"),
    "crawlers": Input(dict[StrictStr, GlueName], "a module with a crawler stage",
                      _names("crawler", lambda p: p.crawler_keys), required=lambda plan: bool(plan.crawler_keys),
                      missing="it names this module's Glue crawlers in this environment"),
    "tags": Input(Tags, _ALWAYS),
    "schedule": Input(Cron, "a module with a schedule start"),
    "paused": Input(StrictBool, _ALWAYS, _paused),
    "event_bucket": Input(S3Bucket, "a module whose event start has 's3'"),
    "event_prefix": Input(_field(S3Source, "prefix", nullable=True), "a module whose event start has 's3'"),
    "event_pattern": Input(_field(EventStart, "pattern"), "a module whose event start has 'pattern'"),
    "event_batch_size": Input(_field(EventStart, "batch_size"), "a module with an event start"),
    "event_batch_window": Input(_field(EventStart, "batch_window", nullable=True), "a module with an event start"),
    "max_concurrent_runs": Input(_field(Workflow, "max_concurrent_runs", nullable=True), _ALWAYS),
    "run_properties": Input(dict[PropertyKey, StrictStr], _ALWAYS),
    "stage_arguments": Input(dict[StrictStr, dict[PropertyKey, StrictStr]], "a module with a job stage", _stage_arguments),
    "trigger_enabled": Input(dict[StrictStr, StrictBool], "a module with a stage that sets 'enabled'", _trigger_enabled),
    "create_alert_topic": Input(StrictBool, "a module with alerts"),
    "alert_topic_arn": Input(StrictStr | None, "a module with alerts"),
    "alert_emails": Input(list[StrictStr], "a module with alerts", _emails),
    "alert_kms_key_id": Input(StrictStr | None, "a module with alerts", _kms_key),
}


def inputs_schema() -> dict[str, Any]:
    """The JSON Schema of `inputs`: every input a module can have, with the type the spec gives it
    (which of them a given module has, and the rules between values, need `gluegen validate`)."""
    properties = {}
    for name, known in INPUTS.items():
        schema = _adapter(name).json_schema()
        schema["description"] = f"var.{name} of the module ({known.has} has it)."
        properties[name] = schema
    return {"type": "object", "properties": properties, "additionalProperties": False}


@lru_cache(maxsize=None)
def _adapter(name: str) -> TypeAdapter:
    return TypeAdapter(INPUTS[name].type)


def _unknown(name: str, variables: Collection[str]) -> str:
    known = INPUTS.get(name)
    if known is not None:
        reason = f": only {known.has} has it" if known.has != _ALWAYS else ""
        return f"'{name}' is not an input of this module{reason}"
    hint = suggest(name, variables)
    return f"unknown input '{name}'{hint}" + ("" if hint else f": the module's inputs are {', '.join(variables)}")


def _input_problems(name: str, value: Any, plan: Plan, where: Locations, at: Path) -> tuple[Any, list[Diagnostic]]:
    try:
        checked = _adapter(name).validate_python(value)
    except ValidationError as error:
        return None, [problem for problem, _ in diagnostics(error, Spec, where, at)]
    rule = INPUTS[name].check
    found = rule(checked, plan) if rule is not None and checked is not None else []
    return checked, [where.diagnostic(at + path, message, key=bool(path) and isinstance(path[-1], str))
                     for path, message in found]


def environments(spec: Spec, plan: Plan, where: Locations, variables: Collection[str]) -> tuple[
    tuple[EnvironmentPlan, ...], list[Diagnostic]
]:
    """Each environment with its inputs checked against the module's `variables`, and every problem found."""
    found, problems = [], []
    for env, declared in spec.environments.items():
        base: Path = ("environments", env, "inputs")
        inputs = []
        for name, value in declared.inputs.items():
            if name not in variables:
                problems.append(where.diagnostic(base + (name,), _unknown(name, variables), key=True))
                continue
            checked, trouble = _input_problems(name, value, plan, where, base + (name,))
            problems += trouble
            inputs.append((name, checked))
        for name in variables:
            if name in INPUTS and INPUTS[name].required(plan) and name not in declared.inputs:
                problems.append(where.diagnostic(
                    base if base in where.values else base[:-1],
                    f"missing input '{name}': the module has no default for it ({INPUTS[name].missing})",
                ))
        given = dict(declared.inputs)
        if given.get("create_alert_topic") is False and given.get("alert_topic_arn") is None and "create_alert_topic" in variables:
            problems.append(where.diagnostic(
                base + ("create_alert_topic",), "create_alert_topic is false, so alert_topic_arn must name the topic"))
        order = {name: index for index, name in enumerate(variables)}
        found.append(EnvironmentPlan(
            name=env,
            region=declared.region,
            region_at=where.find(("environments", env, "region")),
            inputs=tuple(sorted(inputs, key=lambda item: order[item[0]])),
            adopt=declared.adopt,
        ))
    return tuple(found), problems
