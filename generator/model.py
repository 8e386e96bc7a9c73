"""The spec, as pydantic models: shapes, types and per-field limits.

Cross-field rules (references between stages, states against the upstream's kind,
cycles, reachability, name lengths) live in `generator.analyse`, which sees the
whole spec at once. Every field's description
feeds the generated module's variable descriptions, its README and the JSON Schema.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)
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


def _bounded(kind: str, low: int, high: int, pattern: re.Pattern[str], what: str, *, utf8: bool = False):
    """Length and character checks with gluegen's messages (the JSON Schema gets the lengths via `_text`).

    `utf8`: the limit counts UTF-8 bytes, as Glue's developer guide states for names and
    descriptions ("not more than 255 bytes long") where the API reference says "length";
    gluegen enforces the stricter reading. (JSON Schema can only count characters.)"""
    unit = "bytes long in UTF-8" if utf8 else "characters long"

    def check(value: str) -> str:
        size = len(value.encode("utf-8")) if utf8 else len(value)
        if not low <= size <= high:
            raise PydanticCustomError(kind, f"must be {low} to {high} {unit}, is {{n}}", {"n": size})
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


_TAG_PUNCTUATION = set("_.:/=+-@")


def _tag_characters(value: str) -> str:
    """AWS's common tag character set (IAM, EventBridge and SNS enforce it): letters,
    digits, spaces and _ . : / = + - @."""
    for char in value:
        if not (unicodedata.category(char)[0] in "LNZ" or char in _TAG_PUNCTUATION):
            raise PydanticCustomError(
                "tag_chars", "'{char}' is not allowed in AWS tags: use letters, digits, spaces and _ . : / = + - @",
                {"char": char},
            )
    return value


def _tag_key(value: str) -> str:
    if value.lower().startswith("aws:"):
        raise PydanticCustomError("tag_key", "tag key '{key}' uses the prefix 'aws:', which AWS reserves", {"key": value})
    return _tag_characters(value)


def _after(value: Any) -> Any:
    """`after: [a, b]` means every listed stage SUCCEEDED: the map `{a: SUCCEEDED, b: SUCCEEDED}`."""
    if isinstance(value, list):
        as_map: dict[Any, str] = {}
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise PydanticCustomError("after", "must be a stage name, not {item}", {"index": index, "item": repr(item)})
            if item in as_map:
                raise PydanticCustomError("after", "stage '{item}' is listed twice", {"index": index, "item": item})
            as_map[item] = "SUCCEEDED"
        return as_map
    if value is not None and not isinstance(value, dict):
        hint = f" (write [{value}])" if isinstance(value, str) else ""
        raise PydanticCustomError(
            "after",
            "must be a list of stage names or a mapping of stage name to state, not {value}{hint}",
            {"value": repr(value), "hint": hint},
        )
    return value


def _json_like(value: Any) -> Any:
    """An event pattern is JSON: strings, finite numbers, booleans, null, lists and string-keyed maps."""

    def walk(item: Any, where: str) -> None:
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise PydanticCustomError("json", "{where}: keys must be strings, not {key}", {"where": where, "key": repr(key)})
                walk(inner, f"{where}.{key}")
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                walk(inner, f"{where}[{index}]")
        elif isinstance(item, float) and not math.isfinite(item):
            raise PydanticCustomError("json", "{where}: {value} is not a JSON number", {"where": where, "value": repr(item)})
        elif item is not None and not isinstance(item, (str, int, float, bool)):
            raise PydanticCustomError(
                "json", "{where}: {kind} is not JSON (quote it)", {"where": where, "kind": type(item).__name__}
            )

    walk(value, "pattern")
    return value


def _whole_number(value: Any) -> Any:
    """`version: true` and `version: 1.0` are not version 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("version", "unsupported spec version {value}: this gluegen reads version 1", {"value": repr(value)})
    return value


def _s3_bucket(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", value) or ".." in value:
        raise PydanticCustomError("s3_bucket", "'{value}' is not a valid S3 bucket name", {"value": value})
    return value


IDENTIFIER_SCHEMA = {"pattern": f"^{IDENTIFIER.pattern}$"}
Identifier = Annotated[StrictStr, AfterValidator(_identifier), WithJsonSchema({"type": "string", **IDENTIFIER_SCHEMA})]
_SINGLE_LINE_SCHEMA = "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]*$"


def _text(low: int, high: int, **extra: object) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "minLength": low, "maxLength": high, **extra})


GlueName = Annotated[
    StrictStr,
    _bounded("glue_name", 1, 255, _SINGLE_LINE, "a single line without control characters", utf8=True),
    _text(1, 255, pattern=_SINGLE_LINE_SCHEMA),
]
Description = Annotated[
    StrictStr,
    _bounded("description", 0, 2048, _MULTI_LINE, "free of control characters other than tab and newline", utf8=True),
    _text(0, 2048),
]
Cron = Annotated[StrictStr, AfterValidator(_cron), WithJsonSchema({"type": "string", "pattern": r"^cron\(\S+( +\S+){5}\)$"})]
TagKey = Annotated[
    StrictStr,
    _bounded("tag_key", 1, 128, _SINGLE_LINE, "a single line without control characters"),
    AfterValidator(_tag_key),
    _text(1, 128, pattern="^(?![aA][wW][sS]:)"),
]
TagValue = Annotated[
    StrictStr,
    _bounded("tag_value", 0, 256, _SINGLE_LINE, "a single line without control characters"),
    AfterValidator(_tag_characters),
    _text(0, 256),
]
PropertyKey = Annotated[
    StrictStr, _bounded("property_key", 1, 255, _SINGLE_LINE, "a single line without control characters"), _text(1, 255)
]


class _Frozen(BaseModel):
    # defer_build: only Spec's validator is built (on first use); the nested models
    # are built into it instead of each building its own at import (about 20 ms less startup).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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


class S3Source(_Frozen):
    """Objects created in an S3 bucket (EventBridge notifications must be on for the bucket)."""

    bucket: Annotated[
        StrictStr,
        AfterValidator(_s3_bucket),
        WithJsonSchema({"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"}),
    ] = Field(description="Name of the S3 bucket.")
    prefix: Annotated[StrictStr, Field(min_length=1, max_length=1024)] | None = Field(
        default=None, description="Only objects whose key starts with this prefix."
    )


class EventStart(_Frozen):
    """An EVENT start: an EventBridge rule notifies the workflow, which starts after a batch of events."""

    s3: S3Source | None = Field(default=None, description="Start on objects created in an S3 bucket.")
    pattern: Annotated[dict[StrictStr, Any], Field(min_length=1), AfterValidator(_json_like)] | None = Field(
        default=None, description="A raw EventBridge event pattern, instead of `s3`."
    )
    batch_size: Annotated[StrictInt, Field(ge=1, le=100)] = Field(
        default=1, description="Events to collect before a run starts (1-100)."
    )
    batch_window: Annotated[StrictInt, Field(ge=1, le=900)] | None = Field(
        default=None, description="Seconds after the first event after which a run starts anyway (1-900; Glue's default 900)."
    )

    @model_validator(mode="after")
    def _one_source(self) -> "EventStart":
        if (self.s3 is None) == (self.pattern is None):
            raise PydanticCustomError("event_source", "give exactly one of 's3' and 'pattern'")
        return self


def _start(value: Any) -> Any:
    if value == "on_demand":
        return {}
    if isinstance(value, str):
        raise PydanticCustomError(
            "start",
            "'{value}' is not a start: use 'on_demand', or a mapping with 'schedule' (\"cron(0 2 * * ? *)\") or 'event'",
            {"value": value},
        )
    return value


class Start(_Frozen):
    """How a run starts: `on_demand` (the default), `{schedule: "cron(...)"}` or `{event: {...}}`."""

    schedule: Cron | None = Field(
        default=None, description="AWS cron expression of a SCHEDULED start trigger, e.g. cron(0 2 * * ? *)."
    )
    event: EventStart | None = Field(default=None, description="An EVENT start trigger with its EventBridge rule.")

    @model_validator(mode="after")
    def _one_kind(self) -> "Start":
        if self.schedule is not None and self.event is not None:
            raise PydanticCustomError("start", "give one of 'schedule' and 'event', not both")
        return self

    @property
    def kind(self) -> Literal["on_demand", "schedule", "event"]:
        if self.event is not None:
            return "event"
        return "schedule" if self.schedule is not None else "on_demand"


JOB_STATES = ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED")
CRAWLER_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")
State = Literal["SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "CANCELLED"]  # checked against the kind in analyse
# Options of a job's run that a crawler action cannot carry.
JOB_ONLY_FIELDS = ("job", "arguments", "timeout", "notify_delay_after", "security_configuration")


class Stage(_Frozen):
    """One stage of the workflow: a Glue job (or crawler) and the trigger that starts it."""

    after: Annotated[
        dict[Identifier, StrictStr],
        BeforeValidator(_after, json_schema_input_type=list[Identifier] | dict[Identifier, State]),
    ] = Field(
        default_factory=dict,
        description=(
            "Upstream stages: a list (each must end SUCCEEDED) or a mapping of stage to the state it must end in "
            "(jobs: SUCCEEDED, FAILED, TIMEOUT, STOPPED; crawlers: SUCCEEDED, FAILED, CANCELLED). "
            "None: started by the start trigger."
        ),
    )
    when: Literal["all", "any"] = Field(
        default="all",
        description="all: start once every upstream condition holds; any: start once one holds (at most once per run).",
    )
    crawler: StrictBool = Field(
        default=False, description="The stage runs a Glue crawler named by var.crawlers[<stage>] instead of a job."
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


def _unique(value: Any) -> Any:
    if isinstance(value, list) and len({repr(item) for item in value}) != len(value):
        raise PydanticCustomError("unique", "lists a state twice")
    return value


class Alerts(_Frozen):
    """Alerts on this module's job runs: an EventBridge rule publishing to SNS."""

    states: Annotated[
        list[Literal["FAILED", "TIMEOUT", "STOPPED", "SUCCEEDED"]], Field(min_length=1), BeforeValidator(_unique)
    ] = Field(
        default_factory=lambda: ["FAILED", "TIMEOUT", "STOPPED"],
        description="Job run states that raise an alert (Glue Job State Change events: SUCCEEDED, FAILED, TIMEOUT, STOPPED).",
    )


class Spec(_Frozen):
    """A gluegen spec: one Glue workflow and the Terraform module generated for it."""

    version: Annotated[Literal[1], BeforeValidator(_whole_number)] = Field(
        description="Spec format version; this gluegen reads version 1."
    )
    module: Identifier = Field(description="Name of the generated module: its folder is <out-dir>/<module>/.")
    workflow: Workflow = Field(description="The Glue workflow.")
    start: Annotated[Start, BeforeValidator(_start, json_schema_input_type=Literal["on_demand"] | Start)] = Field(
        default_factory=Start,
        description="How a run starts: 'on_demand' (default), {schedule: 'cron(...)'} or {event: {...}}.",
    )
    stages: Annotated[dict[Identifier, Stage], Field(min_length=1)] = Field(
        description="The stages, in order; each is one Glue job or crawler and one trigger file."
    )
    tags: Annotated[dict[TagKey, TagValue], BeforeValidator(_tags)] = Field(
        default_factory=dict, description="Tags on every resource of the module, merged under var.tags."
    )
    iam_role: StrictBool = Field(
        default=False,
        description="Create a role that EventBridge and Lambda can assume to start this workflow and manage its runs.",
    )
    alerts: Alerts | None = Field(default=None, description="SNS alerts when this module's jobs end in chosen states.")
    dashboard: StrictBool = Field(default=False, description="A CloudWatch dashboard of this module's job runs.")
