"""The module's inputs for what differs between environments (schedule, event source and
batching, concurrency, run properties, stage arguments, `paused`), each defaulting to the
spec's value, with plan-time validations built from the spec's own rules; and the HCL
expressions through which the module's resources use them."""

from __future__ import annotations

import json

from annotated_types import Ge, Le

from generator.render import hcl
from generator.render.blocks import Validation, Variable
from generator.render.markdown import code
from generator.spec import cron
from generator.spec.environments import EXTERNAL_PAUSE
from generator.spec.model import (
    BUCKET_CHARS,
    BUCKET_IP_ADDRESS,
    BUCKET_LENGTH,
    BUCKET_RESERVED_PREFIXES,
    BUCKET_RESERVED_SUFFIXES,
    PROPERTY_KEY_MAX,
    S3_PREFIX_MAX,
    SINGLE_LINE,
    EventStart,
    S3Source,
    Start,
    Workflow,
)
from generator.spec.plan import Action, Plan, Trigger

PAUSED = "var.paused"


def _bounds(model: type, field: str) -> tuple[int, int]:
    """The ge/le limits the spec's model puts on an integer field."""
    metadata = model.model_fields[field].metadata
    low = next(item.ge for item in metadata if isinstance(item, Ge))
    high = next(item.le for item in metadata if isinstance(item, Le))
    return low, high


def _literal(value: object) -> str:
    return hcl.value(value, 2)


def _readme(value: object) -> str:
    return code(json.dumps(value, ensure_ascii=False))


def _code_points(expression: str) -> str:
    """The length of a string in code points, as Python's len() and the spec count it (length() counts graphemes)."""
    return f'length(regexall("(?s).", {expression}))'


def _whole_number(variable: str, low: int, high: int, unset: str | None) -> Validation:
    """`low`..`high`, whole; with `unset`, null is allowed too and means that."""
    ref = f"var.{variable}"
    check = f"{ref} >= {low} && {ref} <= {high} && floor({ref}) == {ref}"
    if unset is None:
        return Validation(check, hcl.string(f"{variable} must be a whole number from {low} to {high}."))
    return Validation(
        f"{ref} == null ? true : ({check})",
        hcl.string(f"{variable} must be null ({unset}) or a whole number from {low} to {high}."),
    )


def _property_keys(what: str, keys: str, variable: str) -> Validation:
    """Keys of run properties or job arguments: 1-255 characters on one line, as in the spec."""
    line = hcl.string(f"^{SINGLE_LINE.pattern}$")
    return Validation(
        f"alltrue([for key in {keys} : {_code_points('key')} >= 1 && {_code_points('key')} <= {PROPERTY_KEY_MAX} "
        f"&& can(regex({line}, key))])",
        hcl.string(f"{variable}: every {what} key must be 1 to {PROPERTY_KEY_MAX} characters on a single line "
                   "without control characters."),
    )


def _paused(plan: Plan) -> Variable:
    kind = plan.start.type
    if plan.event_external:
        return Variable(
            "paused",
            f"Must stay false: {EXTERNAL_PAUSE}.",
            "bool", "false", "`false`", nullable=False,
            validations=(Validation(f"!{PAUSED}", hcl.string(f"paused: {EXTERNAL_PAUSE}.")),),
        )
    if kind == "ON_DEMAND":
        return Variable(
            "paused",
            "Must stay false: an on-demand start never starts by itself, so there is nothing to pause.",
            "bool", "false", "`false`", nullable=False,
            validations=(Validation(
                f"!{PAUSED}",
                hcl.string("paused: an on-demand start never starts by itself; nothing to pause."),
            ),),
        )
    what = ("the scheduled start trigger is deactivated" if kind == "SCHEDULED"
            else "the EventBridge start rule is DISABLED")
    return Variable(
        "paused",
        f"True: no new runs start ({what}); runs in progress finish, and nothing is deleted.",
        "bool", "false", "`false`", nullable=False,
    )


def _schedule(plan: Plan) -> Variable:
    shape = hcl.string(cron.SHAPE)
    matched = f"regex({shape}, var.schedule)"
    validations = [Validation(
        f"can({matched})",
        hcl.string("schedule must be an AWS cron expression: cron(Minutes Hours Day-of-month Month Day-of-week Year)."),
    )]
    for index, (name, pattern) in enumerate(cron.item_patterns()):
        validations.append(Validation(
            f'try(alltrue([for item in split(",", {matched}[{index}]) : can(regex({hcl.string(pattern)}, item))]), true)',
            hcl.string(f"schedule: the {name} field may hold {cron.field_summary(name)}."),
        ))
    days = hcl.value(list(cron.QUESTION_FIELDS), 2)
    validations.append(Validation(
        f'try(length([for index in {days} : index if {matched}[index] == "?"]) == 1, true)',
        hcl.string("schedule: exactly one of day-of-month and day-of-week must be '?'."),
    ))
    assert plan.start.schedule is not None
    return Variable(
        "schedule", Start.model_fields["schedule"].description, "string", hcl.string(plan.start.schedule),
        _readme(plan.start.schedule), tuple(validations), nullable=False,
    )


def _bucket(plan: Plan) -> list[Variable]:
    assert plan.event is not None and plan.event.s3_bucket is not None
    ref = "var.event_bucket"
    low, high = BUCKET_LENGTH
    dots = [item.replace(".", "\\.") for item in BUCKET_RESERVED_PREFIXES + BUCKET_RESERVED_SUFFIXES]
    prefixes, suffixes = dots[:len(BUCKET_RESERVED_PREFIXES)], dots[len(BUCKET_RESERVED_PREFIXES):]
    invalid = "event_bucket is not a valid S3 bucket name: "
    checks = [
        (f"length({ref}) >= {low} && length({ref}) <= {high}", f"it must be {low} to {high} characters long."),
        (f"can(regex({hcl.string(f'^{BUCKET_CHARS.pattern}$')}, {ref}))",
         "use lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit."),
        (f'!can(regex("\\\\.\\\\.", {ref}))', "it must not hold two adjacent dots."),
        (f"!can(regex({hcl.string(f'^{BUCKET_IP_ADDRESS.pattern}$')}, {ref}))", "it must not be formatted as an IP address."),
        (f"!can(regex({hcl.string('^(?:' + '|'.join(prefixes) + ')')}, {ref}))",
         "the prefixes " + ", ".join(f"'{p}'" for p in BUCKET_RESERVED_PREFIXES) + " are reserved."),
        (f"!can(regex({hcl.string('(?:' + '|'.join(suffixes) + ')$')}, {ref}))",
         "the suffixes " + ", ".join(f"'{s}'" for s in BUCKET_RESERVED_SUFFIXES) + " are reserved."),
    ]
    prefix = plan.event.s3_prefix
    return [
        Variable(
            "event_bucket", "S3 bucket whose created objects start a run (its EventBridge notifications must be on).",
            "string", hcl.string(plan.event.s3_bucket), _readme(plan.event.s3_bucket),
            tuple(Validation(condition, hcl.string(invalid + message)) for condition, message in checks), nullable=False,
        ),
        Variable(
            "event_prefix", S3Source.model_fields["prefix"].description + " Null: any key.",
            "string", hcl.string(prefix) if prefix is not None else "null", _readme(prefix),
            (Validation(
                f"var.event_prefix == null ? true : ({_code_points('var.event_prefix')} >= 1 && "
                f"{_code_points('var.event_prefix')} <= {S3_PREFIX_MAX})",
                hcl.string(f"event_prefix must be null or 1 to {S3_PREFIX_MAX} characters long."),
            ),),
        ),
    ]


def _pattern(plan: Plan) -> Variable:
    assert plan.event is not None
    return Variable(
        "event_pattern",
        "The EventBridge event pattern that starts a run, as an object (jsonencode'd into the rule). "
        "EventBridge checks its fields when the rule is created.",
        "any", _literal(plan.event.pattern), "the spec's pattern",
        (Validation(
            "try(length(keys(var.event_pattern)) > 0, false)",
            hcl.string("event_pattern must be an object with at least one field (an EventBridge event pattern)."),
        ),),
        nullable=False,
    )


def _batching(plan: Plan) -> list[Variable]:
    start = plan.start
    assert start.batch_size is not None
    size, window = _bounds(EventStart, "batch_size"), _bounds(EventStart, "batch_window")
    return [
        Variable("event_batch_size", EventStart.model_fields["batch_size"].description, "number",
                 str(start.batch_size), _readme(start.batch_size),
                 (_whole_number("event_batch_size", *size, None),), nullable=False),
        Variable("event_batch_window", EventStart.model_fields["batch_window"].description, "number",
                 str(start.batch_window) if start.batch_window is not None else "null", _readme(start.batch_window),
                 (_whole_number("event_batch_window", *window, "Glue's 900"),)),
    ]


def _job_stages(plan: Plan) -> tuple[str, ...]:
    """What var.stage_arguments is keyed by: each job stage, or `<stage>.<action>` for a layer's job actions."""
    return tuple(action.label for stage in plan.stages for action in plan.actions_of(stage.name) if action.kind == "job")


def _stage_arguments(plan: Plan) -> Variable:
    stages = _job_stages(plan)
    unknown = f"sort(setsubtract(keys(var.stage_arguments), {hcl.string_list(stages)}))"
    return Variable(
        "stage_arguments",
        f"Job arguments per job stage ({', '.join(stages)}), merged over the stage's arguments in the spec "
        "(these win on a shared key).",
        "map(map(string))", "{}", "`{}`",
        (
            Validation(
                f"length({unknown}) == 0",
                f'"stage_arguments names stages that run no job: ${{join(", ", {unknown})}} '
                f'(job stages: {", ".join(stages)})."',
            ),
            _property_keys("argument", "flatten([for arguments in values(var.stage_arguments) : keys(arguments)])",
                           "stage_arguments"),
        ),
        nullable=False,
    )


def variables(plan: Plan) -> list[Variable]:
    """The inputs, in the order variables.tf and the README list them."""
    found = [_paused(plan)]
    if plan.start.type == "SCHEDULED":
        found.append(_schedule(plan))
    if plan.start.type == "EVENT":
        if plan.event is not None:  # none when the rule is managed elsewhere
            found += _bucket(plan) if plan.event.s3_bucket is not None else [_pattern(plan)]
        found += _batching(plan)
    concurrency = _bounds(Workflow, "max_concurrent_runs")
    found += [
        Variable(
            "max_concurrent_runs", Workflow.model_fields["max_concurrent_runs"].description, "number",
            str(plan.max_concurrent_runs) if plan.max_concurrent_runs is not None else "null",
            _readme(plan.max_concurrent_runs), (_whole_number("max_concurrent_runs", *concurrency, "no limit"),),
        ),
        Variable(
            "run_properties",
            "Run properties merged over the spec's default run properties (these win on a shared key)."
            + (" Set when the workflow is created only: later changes, here or in AWS, are ignored (the spec's "
               "workflow.ignore_changes)." if plan.ignore_run_properties else ""),
            "map(string)", "{}", "`{}`", (_property_keys("run property", "keys(var.run_properties)", "run_properties"),),
            nullable=False,
        ),
    ]
    if _job_stages(plan):
        found.append(_stage_arguments(plan))
    if plan.enabled_stages:
        found.append(_trigger_enabled(plan))
    return found


TRIGGER_ENABLED = "var.trigger_enabled"


def _trigger_enabled(plan: Plan) -> Variable:
    stages = plan.enabled_stages
    unknown = f"sort(setsubtract(keys({TRIGGER_ENABLED}), {hcl.string_list(stages)}))"
    return Variable(
        "trigger_enabled",
        f"Whether the trigger of each of these stages is active ({', '.join(stages)}): true activates it, false "
        "deactivates it (it stays, and fires again once activated). Unset: the stage's `enabled` in the spec.",
        "map(bool)", "{}", "`{}`",
        (Validation(
            f"length({unknown}) == 0",
            f'"trigger_enabled names stages that do not set enabled in the spec: ${{join(", ", {unknown})}} '
            f'(stages that do: {", ".join(stages)})."',
        ),),
        nullable=False,
    )


def trigger_enabled(trigger: Trigger) -> str:
    """A conditional trigger's `enabled` when its stage sets `enabled`: the input, else the spec's value."""
    return f"lookup({TRIGGER_ENABLED}, {hcl.string(trigger.address)}, {'true' if trigger.enabled else 'false'})"


def merged(spec: tuple[tuple[str, str], ...], variable: str, indent: int) -> str:
    """`merge(<the spec's map>, <variable>)`, or the variable alone when the spec's map is empty."""
    return f"merge({hcl.mapping(spec, indent)}, {variable})" if spec else variable


def arguments(action: Action, indent: int) -> str:
    """A job action's arguments: the stage's from the spec, under var.stage_arguments["<stage>"]."""
    return merged(action.arguments, f"lookup(var.stage_arguments, {hcl.string(action.label)}, {{}})", indent)


def s3_detail() -> str:
    """The `detail` of an S3 start's pattern: the bucket, and the key prefix unless it is null."""
    return (
        "merge(\n"
        '      { "bucket" = { "name" = [var.event_bucket] } },\n'
        '      var.event_prefix == null ? {} : { "object" = { "key" = [{ "prefix" = var.event_prefix }] } },\n'
        "    )"
    )
