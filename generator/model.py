"""The spec, as pydantic models: shapes, types and per-field limits.

Cross-field rules (references between stages, cycles, name lengths) live in
`generator.analyse`, which sees the whole spec at once. Every field's description
feeds the generated module's variable descriptions, its README and the JSON Schema.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from generator.cron import check_cron

IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Glue's "single-line string" pattern: no control characters other than tab.
_SINGLE_LINE = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f]*")
_MULTI_LINE = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*")


def _identifier(value: str) -> str:
    if not IDENTIFIER.fullmatch(value):
        raise PydanticCustomError(
            "identifier",
            "'{value}' is not a valid name: use 1-63 lowercase letters, digits and underscores, starting with a letter",
            {"value": value},
        )
    return value


def _bounded(kind: str, low: int, high: int, pattern: re.Pattern[str], what: str):
    def check(value: str) -> str:
        if not low <= len(value) <= high:
            raise PydanticCustomError(kind, f"must be {low} to {high} characters long, is {{n}}", {"n": len(value)})
        if not pattern.fullmatch(value):
            raise PydanticCustomError(kind, f"must be {what}")
        return value

    return AfterValidator(check)


def _cron(value: str) -> str:
    try:
        check_cron(value)
    except ValueError as error:
        raise PydanticCustomError("cron", str(error)) from None
    return value


def _tag_key(value: str) -> str:
    if value.lower().startswith("aws:"):
        raise PydanticCustomError("tag_key", "tag key '{key}' uses the prefix 'aws:', which AWS reserves", {"key": value})
    return value


Identifier = Annotated[StrictStr, AfterValidator(_identifier)]
GlueName = Annotated[StrictStr, _bounded("glue_name", 1, 255, _SINGLE_LINE, "a single line without control characters")]
Description = Annotated[StrictStr, _bounded("description", 0, 2048, _MULTI_LINE, "free of control characters other than tab and newline")]
Cron = Annotated[StrictStr, AfterValidator(_cron)]
TagKey = Annotated[
    StrictStr, _bounded("tag_key", 1, 128, _SINGLE_LINE, "a single line without control characters"), AfterValidator(_tag_key)
]
TagValue = Annotated[StrictStr, _bounded("tag_value", 0, 256, _SINGLE_LINE, "a single line without control characters")]
PropertyKey = Annotated[StrictStr, _bounded("property_key", 1, 255, _SINGLE_LINE, "a single line without control characters")]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Workflow(_Frozen):
    """The Glue workflow itself."""

    name: GlueName = Field(description="Name of the Glue Workflow.")
    description: Description | None = Field(default=None, description="Description for the workflow.")
    max_concurrent_runs: Annotated[StrictInt, Field(ge=1, le=1000)] | None = Field(
        default=None, description="How many runs of the workflow may be in progress at once (unset: no limit)."
    )
    default_run_properties: dict[PropertyKey, StrictStr] = Field(
        default_factory=dict, description="Run properties every run of the workflow starts with."
    )


def _start(value: Any) -> Any:
    if value == "on_demand":
        return {}
    if isinstance(value, str):
        raise PydanticCustomError(
            "start", "'{value}' is not a start: use 'on_demand' or a mapping such as schedule: \"cron(0 2 * * ? *)\"", {"value": value}
        )
    return value


class Start(_Frozen):
    """How a run of the workflow starts: `on_demand` (the default) or `{schedule: "cron(...)"}`."""

    schedule: Cron | None = Field(
        default=None, description="AWS cron expression of a SCHEDULED start trigger, e.g. cron(0 2 * * ? *)."
    )

    @property
    def kind(self) -> Literal["on_demand", "schedule"]:
        return "schedule" if self.schedule is not None else "on_demand"


class Stage(_Frozen):
    """One stage of the workflow: a Glue job, started when every upstream stage succeeded."""

    after: list[Identifier] = Field(
        default_factory=list,
        description="Stages that must all end in SUCCEEDED before this one starts; none: started by the start trigger.",
    )
    job: Identifier | None = Field(
        default=None, description="Key of var.jobs that names this stage's Glue job (default: the stage name)."
    )
    description: Description | None = Field(default=None, description="Description of the trigger that starts this stage.")
    arguments: dict[PropertyKey, StrictStr] = Field(
        default_factory=dict, description='Job arguments for this stage\'s run, e.g. {"--layer": "silver"}.'
    )
    timeout: Annotated[StrictInt, Field(ge=1, le=10080)] | None = Field(
        default=None, description="Job run timeout in minutes (unset: the job's own timeout, 2,880 minutes unless set)."
    )
    notify_delay_after: Annotated[StrictInt, Field(ge=1, le=10080)] | None = Field(
        default=None, description="Minutes after a run starts before a delay notification is sent."
    )
    security_configuration: GlueName | None = Field(
        default=None, description="Name of the Glue security configuration this stage's job runs with."
    )


def _tags(value: Any) -> Any:
    if isinstance(value, dict) and len(value) > 50:
        raise PydanticCustomError("tags", "at most 50 tags are allowed, found {n}", {"n": len(value)})
    return value



class Spec(_Frozen):
    """A gluegen spec: one Glue workflow and the Terraform module generated for it."""

    version: Literal[1] = Field(description="Spec format version; this gluegen reads version 1.")
    module: Identifier = Field(description="Name of the generated module: its folder is <out-dir>/<module>/.")
    workflow: Workflow = Field(description="The Glue workflow.")
    start: Annotated[Start, BeforeValidator(_start)] = Field(
        default_factory=Start, description="How a run starts: 'on_demand' (default) or {schedule: 'cron(...)'}."
    )
    stages: Annotated[dict[Identifier, Stage], Field(min_length=1)] = Field(
        description="The stages, in order; each is one Glue job and one trigger file."
    )
    tags: Annotated[dict[TagKey, TagValue], BeforeValidator(_tags)] = Field(
        default_factory=dict, description="Tags on every resource of the module, merged under var.tags."
    )
