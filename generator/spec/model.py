"""The spec, as pydantic models: shapes, types and per-field limits.

Cross-field rules (references between stages, states against the upstream's kind,
cycles, reachability, name lengths) live in `generator.spec.analyse`, which sees the
whole spec at once. Every field's description
feeds the generated module's variable descriptions, its README and the JSON Schema.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
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

from generator.spec import event_pattern
from generator.spec.cron import check_cron
from generator.spec.loader import describe

IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Glue's "single-line string" pattern: no control characters other than tab.
SINGLE_LINE = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f]*")
_MULTI_LINE = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*")


def _identifier(value: str) -> str:
    if not IDENTIFIER.fullmatch(value):
        raise PydanticCustomError(
            "identifier",
            "'{value}' is not a valid name: use 1-63 lowercase letters, digits and underscores, starting with a letter",
            {"value": value},
        )
    return value


def _text(kind: str, low: int, high: int, chars: re.Pattern[str] | None, what: str = "", *,
          then: Callable[[str], str] | None = None, reserved_prefix: str = "", utf8: bool = False) -> Any:
    """A string type: gluegen's length and character checks (then `then`), and a JSON Schema
    stating the same limits, built from the same numbers and pattern so the two cannot drift.

    `utf8`: the limit counts UTF-8 bytes, as Glue's developer guide states for names and
    descriptions ("not more than 255 bytes long") where the API reference says "length";
    gluegen enforces the stricter reading. (JSON Schema can only count characters.)"""
    unit = "bytes long in UTF-8" if utf8 else "characters long"

    def check(value: str) -> str:
        size = len(value.encode("utf-8")) if utf8 else len(value)
        if not low <= size <= high:
            if low == 1 and not value:
                raise PydanticCustomError(kind, "must not be empty")
            raise PydanticCustomError(kind, f"must be {low} to {high} {unit}, is {{n}}", {"n": size})
        if chars is not None and not chars.fullmatch(value):
            raise PydanticCustomError(kind, f"must be {what}")
        return value

    schema: dict[str, Any] = {"type": "string", "minLength": low, "maxLength": high}
    if chars is not None or reserved_prefix:
        schema["pattern"] = f"^{_not_starting(reserved_prefix)}{chars.pattern if chars else ''}" + ("$" if chars else "")
    checks = [AfterValidator(check)] + ([AfterValidator(then)] if then else [])
    return Annotated[(StrictStr, *checks, WithJsonSchema(schema))]


def _not_starting(prefix: str) -> str:
    """A lookahead refusing `prefix` in any letter case (`aws:` -> `(?![aA][wW][sS]:)`)."""
    if not prefix:
        return ""
    return "(?!" + "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in prefix) + ")"


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


RESERVED_TAG_PREFIX = "aws:"
MAX_TAGS = 50


def _tag_key(value: str) -> str:
    if value.lower().startswith(RESERVED_TAG_PREFIX):
        raise PydanticCustomError(
            "tag_key", "tag key '{key}' uses the prefix '{prefix}', which AWS reserves",
            {"key": value, "prefix": RESERVED_TAG_PREFIX},
        )
    return _tag_characters(value)


def _after(value: Any) -> Any:
    """`after: [a, b]` means every listed stage SUCCEEDED: the map `{a: SUCCEEDED, b: SUCCEEDED}`."""
    if isinstance(value, list):
        as_map: dict[Any, str] = {}
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise PydanticCustomError(
                    "after", "must be a stage name, not {item}", {"index": index, "item": describe(item)}
                )
            if item in as_map:
                what = "action" if "." in item else "stage"
                raise PydanticCustomError("after", "{what} '{item}' is listed twice",
                                          {"index": index, "item": item, "what": what})
            as_map[item] = "SUCCEEDED"
        return as_map
    if not isinstance(value, dict):
        hint = f" (write [{value}])" if isinstance(value, str) else ""
        raise PydanticCustomError(
            "after",
            "must be a list of stage names or a mapping of stage name to state, not {value}{hint}",
            {"value": describe(value), "hint": hint},
        )
    return value


def _after_key(value: str) -> str:
    """`<stage>` (every action of that stage) or `<stage>.<action>` (one action)."""
    stage, dot, action = value.partition(".")
    _identifier(stage)
    if dot:
        _identifier(action)
    return value


def _states(value: Any) -> Any:
    """One state, or a list of distinct states (one condition each)."""
    if isinstance(value, list):
        if not value:
            raise PydanticCustomError("states", "must name at least one state")
        for index, item in enumerate(value):
            if item in value[:index]:
                raise PydanticCustomError("states", "state {item} is listed twice", {"index": index, "item": describe(item)})
    return value


def _event_pattern(value: Any) -> Any:
    """A pattern EventBridge accepts (see `generator.spec.event_pattern`), located to the offending value."""
    try:
        event_pattern.check(value)
    except event_pattern.PatternError as error:
        raise PydanticCustomError("event_pattern", error.message, {"at": error.at}) from None
    return value


def _whole_number(value: Any) -> Any:
    """`version: true` and `version: 1.0` are not version 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError(
            "version", "must be the number 1 (this gluegen reads version 1), not {value}", {"value": describe(value)}
        )
    return value


# S3's naming rules for general purpose buckets (AmazonS3/latest/userguide/bucketnamingrules.html).
BUCKET_LENGTH = (3, 63)
BUCKET_CHARS = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
BUCKET_IP_ADDRESS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_problem(name: str) -> str | None:
    """Why `name` is no valid S3 bucket name, or None."""
    low, high = BUCKET_LENGTH
    if not low <= len(name) <= high:
        return f"it must be {low} to {high} characters long, is {len(name)}"
    if not BUCKET_CHARS.fullmatch(name):
        return "use lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit"
    if ".." in name:
        return "it must not hold two adjacent dots"
    if BUCKET_IP_ADDRESS.fullmatch(name):
        return "it must not be formatted as an IP address"
    for prefix in BUCKET_RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"the prefix '{prefix}' is reserved"
    for suffix in BUCKET_RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"the suffix '{suffix}' is reserved"
    return None


def _s3_bucket(value: str) -> str:
    problem = bucket_problem(value)
    if problem is not None:
        raise PydanticCustomError(
            "s3_bucket", "'{value}' is not a valid S3 bucket name: {problem}", {"value": value, "problem": problem}
        )
    return value


def _dots(text: str) -> str:
    return text.replace(".", "\\.")  # bucket affixes hold only [a-z0-9.-]; "\\-" is invalid in a Unicode JS regex


BUCKET_SCHEMA = {
    "type": "string",
    "minLength": BUCKET_LENGTH[0],
    "maxLength": BUCKET_LENGTH[1],
    "pattern": "^"
    + f"(?!{'|'.join(map(_dots, BUCKET_RESERVED_PREFIXES))})"
    + f"(?!.*(?:{'|'.join(map(_dots, BUCKET_RESERVED_SUFFIXES))})$)"
    + "(?!.*\\.\\.)"
    + f"(?!{BUCKET_IP_ADDRESS.pattern}$)"
    + f"{BUCKET_CHARS.pattern}$",
}
S3Bucket = Annotated[StrictStr, AfterValidator(_s3_bucket), WithJsonSchema(BUCKET_SCHEMA)]


IDENTIFIER_SCHEMA = {"pattern": f"^{IDENTIFIER.pattern}$"}
Identifier = Annotated[StrictStr, AfterValidator(_identifier), WithJsonSchema({"type": "string", **IDENTIFIER_SCHEMA})]
AFTER_KEY_SCHEMA = {"type": "string", "pattern": f"^{IDENTIFIER.pattern}(\\.{IDENTIFIER.pattern})?$"}
AfterKey = Annotated[StrictStr, AfterValidator(_after_key), WithJsonSchema(AFTER_KEY_SCHEMA)]
_ONE_LINE = "a single line without control characters"
GlueName = _text("glue_name", 1, 255, SINGLE_LINE, _ONE_LINE, utf8=True)
Description = _text("description", 0, 2048, _MULTI_LINE, "free of control characters other than tab and newline", utf8=True)
Cron = Annotated[StrictStr, AfterValidator(_cron), WithJsonSchema({"type": "string", "pattern": r"^cron\(\S+( +\S+){5}\)$"})]
TagKey = _text("tag_key", 1, 128, SINGLE_LINE, _ONE_LINE, then=_tag_key, reserved_prefix=RESERVED_TAG_PREFIX)
TagValue = _text("tag_value", 0, 256, SINGLE_LINE, _ONE_LINE, then=_tag_characters)
PROPERTY_KEY_MAX = 255
S3_PREFIX_MAX = 1024
PropertyKey = _text("property_key", 1, PROPERTY_KEY_MAX, SINGLE_LINE, _ONE_LINE)
S3Prefix = _text("s3_prefix", 1, S3_PREFIX_MAX, None)
# What follows "<workflow_name>-" in a trigger's name: the whole name must fit Glue's 255 bytes,
# which bounds the workflow name (generator.spec.analyse.name_limit).
TriggerSuffix = _text("trigger_suffix", 1, 254, SINGLE_LINE, _ONE_LINE, utf8=True)


class _Frozen(BaseModel):
    """Base of the spec's models.

    An optional field defaults to None (unset), but its annotation names only what a spec
    may write: an explicit null is refused, with the fix (`generator.spec.messages`), because
    `alerts:` with no value reads as "alerts with their defaults" to some and "no alerts"
    to others.
    """

    # defer_build: only Spec's validator is built (on first use); the nested models
    # are built into it instead of each building its own at import (about 20 ms less startup).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Workflow(_Frozen):
    """The Glue workflow itself."""

    name: GlueName = Field(description="Name of the Glue Workflow.")
    description: Description = Field(default=None, description="Description for the workflow.")
    max_concurrent_runs: Annotated[StrictInt, Field(ge=1, le=1000)] = Field(
        default=None, description="How many runs of the workflow may be in progress at once (unset: no limit)."
    )
    default_run_properties: dict[PropertyKey, StrictStr] = Field(
        default_factory=dict, description="Run properties every run of the workflow starts with."
    )
    ignore_changes: Annotated[
        list[Literal["default_run_properties"]], BeforeValidator(lambda value: _unique(value))  # defined below
    ] = Field(
        default_factory=list,
        description=(
            "Workflow attributes something else rewrites (a Lambda function before each run, say): once the workflow "
            "exists, Terraform leaves them as they are (lifecycle ignore_changes). Only default_run_properties."
        ),
        json_schema_extra={"uniqueItems": True},
    )


class S3Source(_Frozen):
    """Objects created in an S3 bucket (EventBridge notifications must be on for the bucket)."""

    bucket: S3Bucket = Field(description="Name of the S3 bucket.")
    prefix: S3Prefix = Field(
        default=None, description="Only objects whose key starts with this prefix."
    )


class EventStart(_Frozen):
    """An EVENT start: an EventBridge rule notifies the workflow, which starts after a batch of events."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["s3"], "not": {"properties": {"external": {"const": True}}, "required": ["external"]}},
        {"required": ["pattern"], "not": {"properties": {"external": {"const": True}}, "required": ["external"]}},
        {"required": ["external"], "properties": {"external": {"const": True}, "s3": False, "pattern": False}},
    ]})

    s3: S3Source = Field(default=None, description="Start on objects created in an S3 bucket.")
    pattern: Annotated[
        dict[StrictStr, Any], AfterValidator(_event_pattern), WithJsonSchema(event_pattern.SCHEMA_PLACEHOLDER)
    ] = Field(
        default=None, description="A raw EventBridge event pattern, instead of `s3`."
    )
    external: StrictBool = Field(
        default=False,
        description=(
            "True: the EventBridge rule that notifies the workflow is managed elsewhere; the module creates the "
            "EVENT trigger with its batching and no rule, target or role (instead of `s3` or `pattern`)."
        ),
    )
    batch_size: Annotated[StrictInt, Field(ge=1, le=100)] = Field(
        default=1, description="Events to collect before a run starts (1-100)."
    )
    batch_window: Annotated[StrictInt, Field(ge=1, le=900)] = Field(
        default=None, description="Seconds after the first event after which a run starts anyway (1-900; Glue's default 900)."
    )

    @model_validator(mode="after")
    def _one_source(self) -> "EventStart":
        if [self.s3 is not None, self.pattern is not None, self.external].count(True) != 1:
            raise PydanticCustomError("event_source", "give exactly one of 's3', 'pattern' and 'external: true'")
        return self


def _start(value: Any) -> Any:
    if value == "on_demand":
        return {}
    if value is None:
        raise PydanticCustomError("start", "must be 'on_demand' or a mapping with 'schedule' or 'event', not null")
    if isinstance(value, str):
        raise PydanticCustomError(
            "start",
            "'{value}' is not a start: use 'on_demand', or a mapping with 'schedule' (\"cron(0 2 * * ? *)\") or 'event'",
            {"value": value},
        )
    return value


class Start(_Frozen):
    """How a run starts: `on_demand` (the default), `{schedule: "cron(...)"}` or `{event: {...}}`; a mapping
    without either is an on-demand start (with its trigger's name or description, say)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"not": {"required": ["schedule", "event"]}}, {"not": {"required": ["trigger_name", "trigger_suffix"]}},
    ]})

    schedule: Cron = Field(
        default=None, description="AWS cron expression of a SCHEDULED start trigger, e.g. cron(0 2 * * ? *)."
    )
    event: EventStart = Field(default=None, description="An EVENT start trigger with its EventBridge rule.")
    trigger_name: GlueName = Field(
        default=None, description="Exact name of the start trigger in AWS (instead of <workflow_name>-start)."
    )
    trigger_suffix: TriggerSuffix = Field(
        default=None, description="The start trigger is named <workflow_name>-<trigger_suffix> (default: start)."
    )
    description: Description = Field(default=None, description="Description of the start trigger.")

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
# Options of a job's run that a crawler action cannot carry (a crawler action may carry a timeout).
JOB_ONLY_FIELDS = ("job", "arguments", "notify_delay_after", "security_configuration")
# What one action of a trigger runs and with which options: a stage's own fields in the old form,
# each action's under `actions`.
ACTION_FIELDS = ("crawler", *JOB_ONLY_FIELDS[:2], "timeout", *JOB_ONLY_FIELDS[2:])

_StateList = Annotated[list[State], Field(min_length=1, json_schema_extra={"uniqueItems": True})]

_CRAWLER_TAKES_NO_JOB_OPTIONS = {
    "if": {"required": ["crawler"], "properties": {"crawler": {"const": True}}},
    "then": {"properties": {field: False for field in JOB_ONLY_FIELDS}},
}


def _timeout() -> Any:
    return Field(
        default=None,
        description="Run timeout in minutes (unset: the job's own timeout, 2,880 minutes unless set; for a crawler, none).",
    )


class StageAction(_Frozen):
    """One job or crawler a multi-action stage's trigger starts, with its own run options."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_CRAWLER_TAKES_NO_JOB_OPTIONS]})

    crawler: StrictBool = Field(
        default=False, description="The action runs the Glue crawler named by var.crawlers[<action>] instead of a job."
    )
    job: Identifier = Field(
        default=None, description="Key of var.jobs that names this action's Glue job (default: the action name)."
    )
    arguments: dict[PropertyKey, StrictStr] = Field(
        default_factory=dict, description='Job arguments for this action\'s run, e.g. {"--layer": "silver"}.'
    )
    timeout: Annotated[StrictInt, Field(ge=1, le=10080)] = _timeout()
    notify_delay_after: Annotated[StrictInt, Field(ge=1, le=10080)] = Field(
        default=None, description="Minutes after a run starts before a delay notification is sent."
    )
    security_configuration: GlueName = Field(
        default=None, description="Name of the Glue security configuration this action's job runs with."
    )


class Stage(_Frozen):
    """One stage of the workflow: the trigger that starts it and the Glue job or crawler it runs (or, with
    `actions`, the several jobs and crawlers it starts at once)."""

    # The single-stage rules of `generator.spec.analyse` that JSON Schema can state: a crawler takes
    # no job options; a stage with `actions` sets no action fields itself; one name field.
    model_config = ConfigDict(json_schema_extra={"allOf": [
        _CRAWLER_TAKES_NO_JOB_OPTIONS,
        {
            "if": {"required": ["actions"]},
            "then": {"properties": {field: False for field in ACTION_FIELDS}},
        },
        {"not": {"required": ["trigger_name", "trigger_suffix"]}},
    ]})

    after: Annotated[
        dict[AfterKey, Annotated[StrictStr | list[StrictStr], AfterValidator(_states)]],
        BeforeValidator(_after, json_schema_input_type=list[AfterKey] | dict[AfterKey, State | _StateList]),
    ] = Field(
        default_factory=dict,
        description=(
            "Upstream conditions: a list of stages (every action of each must end SUCCEEDED) or a mapping of "
            "<stage> or <stage>.<action> to the state, or list of states, it must end in (jobs: SUCCEEDED, "
            "FAILED, TIMEOUT, STOPPED; crawlers: SUCCEEDED, FAILED, CANCELLED). Unset or empty: started by "
            "the start trigger."
        ),
    )
    when: Literal["all", "any"] = Field(
        default="all",
        description="all: start once every upstream condition holds; any: start once one holds (at most once per run).",
    )
    actions: Annotated[dict[Identifier, StageAction], Field(min_length=1)] = Field(
        default=None,
        description=(
            "The jobs and crawlers this stage's trigger starts at once (a layer): action name -> options. "
            "Unset: the stage runs one job (or crawler) named after it."
        ),
    )
    crawler: StrictBool = Field(
        default=False, description="The stage runs a Glue crawler named by var.crawlers[<stage>] instead of a job."
    )
    job: Identifier = Field(
        default=None, description="Key of var.jobs that names this stage's Glue job (default: the stage name)."
    )
    description: Description = Field(default=None, description="Description of the trigger that starts this stage.")
    trigger_name: GlueName = Field(
        default=None, description="Exact name of this stage's trigger in AWS (instead of <workflow_name>-<stage>)."
    )
    trigger_suffix: TriggerSuffix = Field(
        default=None, description="This stage's trigger is named <workflow_name>-<trigger_suffix> (default: the stage name)."
    )
    enabled: StrictBool = Field(
        default=True,
        description=(
            "false: the trigger is created deactivated and never fires until activated. Setting it adds the "
            "module input trigger_enabled, which overrides it per stage."
        ),
    )
    arguments: dict[PropertyKey, StrictStr] = Field(
        default_factory=dict, description='Job arguments for this stage\'s run, e.g. {"--layer": "silver"}.'
    )
    timeout: Annotated[StrictInt, Field(ge=1, le=10080)] = _timeout()
    notify_delay_after: Annotated[StrictInt, Field(ge=1, le=10080)] = Field(
        default=None, description="Minutes after a run starts before a delay notification is sent."
    )
    security_configuration: GlueName = Field(
        default=None, description="Name of the Glue security configuration this stage's job runs with."
    )


def _tags(value: Any) -> Any:
    if isinstance(value, dict) and len(value) > MAX_TAGS:
        raise PydanticCustomError("tags", "at most {max} tags are allowed, found {n}", {"max": MAX_TAGS, "n": len(value)})
    return value


def _unique(value: Any) -> Any:
    if isinstance(value, list):
        seen: set[str] = set()
        for index, item in enumerate(value):
            if repr(item) in seen:
                raise PydanticCustomError("unique", "{item} is listed twice", {"index": index, "item": describe(item)})
            seen.add(repr(item))
    return value


Tags = Annotated[dict[TagKey, TagValue], BeforeValidator(_tags)]


class Alerts(_Frozen):
    """Alerts on this module's job runs: an EventBridge rule publishing to SNS."""

    states: Annotated[
        list[Literal["FAILED", "TIMEOUT", "STOPPED", "SUCCEEDED"]], Field(min_length=1), BeforeValidator(_unique)
    ] = Field(
        default_factory=lambda: ["FAILED", "TIMEOUT", "STOPPED"],
        description="Job run states that raise an alert (Glue Job State Change events: SUCCEEDED, FAILED, TIMEOUT, STOPPED).",
        json_schema_extra={"uniqueItems": True},
    )


AWS_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]")


def _region(value: str) -> str:
    if not AWS_REGION.fullmatch(value):
        raise PydanticCustomError(
            "region", "'{value}' is not an AWS region name (such as eu-west-1 or us-gov-west-1)", {"value": value}
        )
    return value


Region = Annotated[StrictStr, AfterValidator(_region), WithJsonSchema({"type": "string", "pattern": f"^{AWS_REGION.pattern}$"})]

# The folder of the environments' root configurations, `<out-dir>/envs/`: no module may take it.
ENVS_FOLDER = "envs"


def _module_name(value: str) -> str:
    if value == ENVS_FOLDER:
        raise PydanticCustomError(
            "module", "'{value}' is reserved: gluegen writes the environments' root configurations to <out-dir>/{value}/",
            {"value": value},
        )
    return value


ModuleName = Annotated[
    StrictStr, AfterValidator(_identifier), AfterValidator(_module_name),
    WithJsonSchema({"type": "string", "pattern": f"^(?!{ENVS_FOLDER}$){IDENTIFIER.pattern}$"}),
]


# Glue jobs (`jobs:` and `job_defaults:`). Limits from Glue's API model (botocore
# botocore/data/glue/2017-03-31/service-2.json, CreateJob: JobCommand, WorkerType, ExecutionClass,
# Timeout, GlueVersionString, PythonVersionString, ConnectionsList, TagsMap) and the provider's
# aws_glue_job schema (hashicorp/terraform-provider-aws internal/service/glue/job.go:
# max_retries 0-10, number_of_workers >= 1 since PR #36458, python_version 2, 3 or 3.9).
# The rules between fields of a merged job live in `generator.spec.jobs`.
JOB_COMMANDS = ("glueetl", "pythonshell", "gluestreaming")  # glueray (Ray jobs) is not supported
# WorkerType: "Accepts a value of G.025X, G.1X, G.2X, G.4X, G.8X, G.12X, G.16X, R.1X, R.2X, R.4X, or R.8X
# for Spark jobs. Accepts the value Z.2X for Ray jobs." The larger G and the R types are newer than the
# provider's `hashicorp/aws >= 5.27` (its worker_type is checked against the SDK's enum), so not offered.
WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X", "G.025X")
# Worker types Glue's enum still holds that a gluegen job cannot use, and why.
REFUSED_WORKER_TYPES = {
    # "Standard – When you choose this type, you also provide a value for Maximum capacity" (WorkerType,
    # before Glue 2.0), and "For Glue version 2.0+ jobs, you cannot specify a Maximum capacity" (MaxCapacity).
    "Standard": "worker type Standard is sized by max_capacity, which Glue 2.0 and later refuse for Spark jobs, "
                "and Glue no longer lists it for Spark jobs: use G.1X (1 DPU a worker) or larger",
    "Z.2X": "worker type Z.2X is for Ray jobs (command glueray), which gluegen does not create: use G.1X or larger",
}
# NumberOfWorkers counts the driver: a Spark run has a driver and at least one executor, so Glue
# requires at least 2 workers of every Spark worker type (AWS Glue console, "Requested number of workers").
MIN_WORKERS = 2
# Glue refuses more: "To use Worker Type G.025X, maximum allowed value of Number of Workers is 299"
# (Glue's InvalidInputException, quoted in aws-samples/cql-replicator issue 98). Glue documents no
# per-job maximum for the other types (their workers count against the account's DPU quota).
MAX_WORKERS = {"G.025X": 299}
EXECUTION_CLASSES = ("STANDARD", "FLEX")
PYTHON_VERSIONS = ("2", "3", "3.9")  # PythonVersionString: ^([2-3]|3[.]9)$
# MaxCapacity: "When you specify a Python shell job ... you can allocate either 0.0625 or 1 DPU";
# Spark jobs of Glue 2.0 and later "cannot specify a Maximum capacity".
PYTHON_SHELL_CAPACITIES = (0.0625, 1)
MAX_JOB_TIMEOUT = 10080  # Timeout: "Jobs must have timeout values less than 7 days or 10080 minutes"
MAX_JOB_RETRIES = 10  # the provider's max_retries: validation.IntBetween(0, 10)
# NumberOfWorkers, MaxConcurrentRuns (ExecutionProperty) and NotifyDelayAfter are 32-bit integers
# in Glue's API model (botocore: NullableInteger, MaxConcurrentRuns, NotifyDelayAfter); larger values
# would only fail at apply.
GLUE_INT_MAX = 2**31 - 1
MAX_CONNECTIONS = 1000  # ConnectionStringList: max 1000
SCRIPT_LOCATION_MAX = 400000  # ScriptLocationString: max 400000
GLUE_VERSION = re.compile(r"(\w+\.)+\w+")  # GlueVersionString: ^(\w+\.)+\w+$, 1-255
_S3_URI = re.compile(r"s3://(?P<bucket>[^/]*)/(?P<key>.+)", re.DOTALL)


def _script_location(value: str) -> str:
    match = _S3_URI.fullmatch(value)
    if match is None:
        raise PydanticCustomError(
            "script_location", "'{value}' is not an S3 object URI: write s3://<bucket>/<key of the script>", {"value": value}
        )
    problem = bucket_problem(match["bucket"])
    if problem is not None:
        raise PydanticCustomError(
            "script_location", "'{bucket}' is not a valid S3 bucket name: {problem}",
            {"bucket": match["bucket"], "problem": problem},
        )
    return value


def _version_string(what: str) -> Callable[[Any], Any]:
    """`glue_version: 5.0` is the number 5.0 to YAML: say to quote it (a version is text to Glue)."""

    def check(value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = f"{value}.0" if isinstance(value, int) and what == "glue_version" else str(value)
            raise PydanticCustomError(
                "version_number", "must be a string, not the number {value}: quote it ({what}: \"{shown}\")",
                {"value": value, "what": what, "shown": shown},
            )
        return value

    return check


def _worker_type(value: Any) -> Any:
    if isinstance(value, str) and value in REFUSED_WORKER_TYPES:
        raise PydanticCustomError("worker_type", REFUSED_WORKER_TYPES[value], {})
    return value


def _workers(value: int) -> int:
    if value < MIN_WORKERS:
        raise PydanticCustomError(
            "number_of_workers",
            "must be at least {minimum}, not {value}: a run's workers are its driver and at least one executor, "
            "and Glue refuses fewer than {minimum} for every Spark worker type",
            {"minimum": MIN_WORKERS, "value": value},
        )
    return value


WorkerType = Annotated[Literal[WORKER_TYPES], BeforeValidator(_worker_type)]
NumberOfWorkers = Annotated[
    StrictInt, Field(le=GLUE_INT_MAX), AfterValidator(_workers),
    WithJsonSchema({"type": "integer", "minimum": MIN_WORKERS, "maximum": GLUE_INT_MAX}),
]


def _capacity(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value not in PYTHON_SHELL_CAPACITIES:
        raise PydanticCustomError(
            "max_capacity",
            "must be 0.0625 or 1 (DPUs of a Python shell job), not {value}; Spark jobs take worker_type and "
            "number_of_workers instead",
            {"value": describe(value)},
        )
    return value


ScriptLocation = Annotated[
    StrictStr, Field(max_length=SCRIPT_LOCATION_MAX), AfterValidator(_script_location),
    WithJsonSchema({"type": "string", "maxLength": SCRIPT_LOCATION_MAX, "pattern": "^s3://[a-z0-9][a-z0-9.-]*[a-z0-9]/."}),
]
GlueVersion = Annotated[
    StrictStr, BeforeValidator(_version_string("glue_version")), AfterValidator(lambda value: _glue_version(value)),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 255, "pattern": f"^{GLUE_VERSION.pattern}$"}),
]
PythonVersion = Annotated[Literal[PYTHON_VERSIONS], BeforeValidator(_version_string("python_version"))]
MaxCapacity = Annotated[
    Any, AfterValidator(_capacity), WithJsonSchema({"type": "number", "enum": list(PYTHON_SHELL_CAPACITIES)}),
]


def _glue_version(value: str) -> str:
    if len(value) > 255 or not GLUE_VERSION.fullmatch(value):
        raise PydanticCustomError("glue_version", "'{value}' is not a Glue version: write one such as \"5.0\"", {"value": value})
    return value


ConnectionName = GlueName


class JobSettings(_Frozen):
    """Settings of a Glue job (`aws_glue_job`, its `command` block flattened): a job's own, or `job_defaults`,
    which every job inherits (maps merge key by key, the job winning; other values are replaced)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        # What one mapping cannot hold, whatever it inherits or passes on (`generator.spec.jobs` has every rule).
        {"not": {"required": ["max_capacity", "worker_type"]}},
        {"not": {"required": ["max_capacity", "number_of_workers"]}},
        {"if": {"required": ["command"], "properties": {"command": {"const": "pythonshell"}}},
         "then": {"properties": {"worker_type": False, "number_of_workers": False}}},
        {"if": {"required": ["command"], "properties": {"command": {"enum": ["glueetl", "gluestreaming"]}}},
         "then": {"properties": {"max_capacity": False, "python_version": {"enum": ["2", "3"]}}}},
        {"if": {"required": ["command"], "properties": {"command": {"enum": ["pythonshell", "gluestreaming"]}}},
         "then": {"properties": {"execution_class": {"const": "STANDARD"}}}},
        {"if": {"required": ["command"], "properties": {"command": {"enum": ["glueetl", "pythonshell"]}}},
         "then": {"properties": {"worker_type": {"not": {"const": "G.025X"}}}}},
        *({"if": {"required": ["worker_type"], "properties": {"worker_type": {"const": worker}}},
           "then": {"properties": {"number_of_workers": {"maximum": most}}}} for worker, most in MAX_WORKERS.items()),
    ]})

    script_location: ScriptLocation = Field(
        default=None, description="S3 URI of the job's script, s3://<bucket>/<key> (required, here or in job_defaults)."
    )
    command: Literal[JOB_COMMANDS] = Field(
        default=None,
        description="glueetl (a Spark ETL job, the default), gluestreaming (Spark streaming) or pythonshell (Python shell).",
    )
    python_version: PythonVersion = Field(
        default=None, description='Python version of the command, a string: "3" (Spark: "2" or "3"; Python shell also "3.9").'
    )
    glue_version: GlueVersion = Field(
        default=None, description='Glue version, a string such as "5.0" (required, here or in job_defaults).'
    )
    worker_type: WorkerType = Field(
        default=None,
        description=(
            "Worker type of a Spark job, with number_of_workers: G.1X, G.2X, G.4X, G.8X (Glue 3.0 or later) or G.025X "
            "(gluestreaming, Glue 3.0 or later)."
        ),
    )
    number_of_workers: NumberOfWorkers = Field(
        default=None, description="Workers of worker_type a Spark job run gets, its driver included (at least 2; G.025X at most 299)."
    )
    max_capacity: MaxCapacity = Field(
        default=None, description="DPUs of a Python shell job: 0.0625 or 1 (unset: 0.0625, written; Spark jobs take worker_type instead)."
    )
    default_arguments: dict[PropertyKey, StrictStr] = Field(
        default_factory=dict,
        description='Default arguments of every run, e.g. {"--TempDir": "s3://bucket/temp/"} (merged key by key).',
    )
    non_overridable_arguments: dict[PropertyKey, StrictStr] = Field(
        default_factory=dict, description="Arguments a run cannot override (merged key by key)."
    )
    connections: Annotated[list[ConnectionName], Field(max_length=MAX_CONNECTIONS), BeforeValidator(lambda v: _unique(v))] = Field(
        default=None, description="Names of the Glue connections the job uses (replaced, not merged).",
        json_schema_extra={"uniqueItems": True},
    )
    max_retries: Annotated[StrictInt, Field(ge=0, le=MAX_JOB_RETRIES)] = Field(
        default=None, description="Times a failed run is retried (0-10; unset: 0, written into jobs.tf)."
    )
    timeout: Annotated[StrictInt, Field(ge=1, le=MAX_JOB_TIMEOUT)] = Field(
        default=None,
        description=(
            "Run timeout in minutes, 1-10,080 (unset: Glue's default for batch jobs, written into jobs.tf: 2,880 "
            "minutes up to Glue 4.0, 480 from 5.0; a streaming job gets none)."
        ),
    )
    max_concurrent_runs: Annotated[StrictInt, Field(ge=1, le=GLUE_INT_MAX)] = Field(
        default=None, description="Runs of the job that may be in progress at once (execution_property; unset: 1)."
    )
    execution_class: Literal[EXECUTION_CLASSES] = Field(
        default=None, description="STANDARD or FLEX (FLEX: glueetl jobs of Glue 3.0 or later only; unset: STANDARD, written)."
    )
    job_run_queuing_enabled: StrictBool = Field(
        default=None, description="Queue runs beyond the job's concurrency limit instead of failing them."
    )
    security_configuration: GlueName = Field(
        default=None, description="Name of the Glue security configuration the job runs with."
    )
    notify_delay_after: Annotated[StrictInt, Field(ge=1, le=GLUE_INT_MAX)] = Field(
        default=None, description="Minutes after a run starts before a delay notification is sent (notification_property)."
    )
    description: Description = Field(default=None, description="Description of the job.")
    tags: Tags = Field(
        default_factory=dict,
        description="The job's own tags, merged over the module's tags (and merged key by key with job_defaults').",
        json_schema_extra={"maxProperties": MAX_TAGS},
    )


class Job(JobSettings):
    """A Glue job the module creates: `job_defaults` merged with these settings."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        *JobSettings.model_config["json_schema_extra"]["allOf"],
        {"not": {"required": ["name", "name_suffix"]}},
    ]})

    name: GlueName = Field(
        default=None,
        description="Exact name of the job in AWS (for adoption), instead of <workflow_name>-<name_suffix>.",
    )
    name_suffix: TriggerSuffix = Field(
        default=None, description="The job is named <workflow_name>-<name_suffix> (default: its key)."
    )


# IAM role ARNs: arn:<partition>:iam::<account>:role/<path/><name>; a path segment holds printable ASCII
# but "/", a name [\w+=,.@-], at most 64 (IAM API reference, Role: Path, RoleName).
IAM_ROLE_ARN = re.compile(r"arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([!-.0-~]+/)*[A-Za-z0-9_+=,.@-]{1,64}")


def _iam_role_arn(value: str) -> str:
    if not IAM_ROLE_ARN.fullmatch(value):
        raise PydanticCustomError(
            "iam_role_arn", "'{value}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", {"value": value}
        )
    return value


IamRoleArn = Annotated[
    StrictStr, AfterValidator(_iam_role_arn), WithJsonSchema({"type": "string", "pattern": f"^{IAM_ROLE_ARN.pattern}$"})
]


class Environment(_Frozen):
    """One environment the module is deployed to: a root configuration in <out-dir>/envs/<name>/."""

    region: Region = Field(description="AWS region of the environment's provider, e.g. eu-west-1.")
    inputs: dict[StrictStr, Any] = Field(
        default_factory=dict,
        description=(
            "Values of the module's variables in this environment, named as the variables (workflow_name, jobs, "
            "crawlers, tags, description, schedule, paused, ...); each is checked as the spec's own value is."
        ),
    )
    adopt: StrictBool = Field(
        default=False,
        description=(
            "The workflow and its triggers already exist in this environment: the root gets an imports.tf with one "
            "import block per resource (Terraform >= 1.5), so the first plan adopts them instead of creating them."
        ),
    )


class Spec(_Frozen):
    """A gluegen spec: one Glue workflow and the Terraform module generated for it."""

    version: Annotated[Literal[1], BeforeValidator(_whole_number)] = Field(
        description="Spec format version; this gluegen reads version 1."
    )
    module: ModuleName = Field(
        description="Name of the generated module: its folder is <out-dir>/<module>/ ('envs' is reserved)."
    )
    workflow: Workflow = Field(description="The Glue workflow.")
    start: Annotated[Start, BeforeValidator(_start, json_schema_input_type=Literal["on_demand"] | Start)] = Field(
        default_factory=Start,
        description="How a run starts: 'on_demand' (default), {schedule: 'cron(...)'} or {event: {...}}.",
    )
    stages: Annotated[dict[Identifier, Stage], Field(min_length=1)] = Field(
        description="The stages, in order; each is one Glue job or crawler and one trigger file."
    )
    tags: Tags = Field(
        default_factory=dict,
        description="Tags on every resource of the module, merged under var.tags.",
        json_schema_extra={"maxProperties": MAX_TAGS},
    )
    iam_role: StrictBool = Field(
        default=False,
        description="Create a role that EventBridge and Lambda can assume to start this workflow and manage its runs.",
    )
    alerts: Alerts = Field(default=None, description="SNS alerts when this module's jobs end in chosen states.")
    dashboard: StrictBool = Field(default=False, description="A CloudWatch dashboard of this module's job runs.")
    job_role: StrictBool = Field(
        default=False,
        description=(
            "The module creates the IAM role its jobs run with (else the module input job_role_arn names one): Glue's "
            "service policy, read of the scripts, and write of the --TempDir and --spark-event-logs-path paths."
        ),
    )
    job_defaults: JobSettings = Field(
        default=None,
        description="Settings every job of `jobs` inherits: maps merge key by key (the job winning), other values are replaced.",
    )
    jobs: dict[Identifier, Job] = Field(
        default_factory=dict,
        description="Glue jobs the module creates, keyed as the stages name them (`job`, or the stage or action name).",
    )
    environments: dict[Identifier, Environment] = Field(
        default_factory=dict,
        description=(
            "Environments to deploy the module to: name -> region and inputs. Each gets a ready-to-apply root "
            "configuration in <out-dir>/envs/<name>/."
        ),
    )
