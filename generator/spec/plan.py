"""The analysed workflow: everything the templates lay out, already decided.

`generator.spec.analyse` builds a `Plan` from a valid `Spec`; templates read it and make
no decisions of their own beyond laying values out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from generator.errors import Diagnostic
from generator.spec.names import ResourceName

TriggerType = Literal["ON_DEMAND", "SCHEDULED", "EVENT", "CONDITIONAL"]
Kind = Literal["job", "crawler"]


def label(stage: str, action: str) -> str:
    """How messages, the README and the simulator name an action: the stage alone in the
    old form (its one action is named after it), else `<stage>.<action>`."""
    return stage if action == stage else f"{stage}.{action}"


@dataclass(frozen=True)
class Condition:
    """One predicate condition: one action's job (or crawler) of an upstream stage ended in `state`."""

    stage: str
    kind: Kind
    key: str  # key of var.jobs or var.crawlers
    state: str = "SUCCEEDED"
    action: str = ""  # the action's name within `stage` ("" for the stage name itself: the old form)

    def __post_init__(self) -> None:
        if not self.action:
            object.__setattr__(self, "action", self.stage)

    @property
    def label(self) -> str:
        return label(self.stage, self.action)


@dataclass(frozen=True)
class Action:
    """One job or crawler a trigger starts, with that stage's per-run settings."""

    stage: str
    kind: Kind
    key: str
    arguments: tuple[tuple[str, str], ...] = ()
    timeout: int | None = None
    notify_delay_after: int | None = None
    security_configuration: str | None = None
    name: str = ""  # the action's name within `stage` ("" for the stage name itself: the old form)

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.stage)

    @property
    def label(self) -> str:
        return label(self.stage, self.name)


@dataclass(frozen=True)
class Trigger:
    """One `aws_glue_trigger`: the start trigger or one stage's conditional trigger."""

    address: str  # resource name: "start" or the stage name
    file: str  # the .tf file holding it
    name_suffix: str  # trigger name is "${var.workflow_name}-<suffix>" (unless exact_name)
    type: TriggerType
    enabled: bool  # pitfalls 1-3, 15: false for ON_DEMAND and EVENT starts; the spec's `enabled` for the others
    actions: tuple[Action, ...]
    conditions: tuple[Condition, ...] = ()
    logical: str | None = None  # "ANY" for `when: any`, "AND" for several conditions, unset for one
    schedule: str | None = None
    description: str | None = None
    batch_size: int | None = None  # EVENT only
    batch_window: int | None = None
    exact_name: str | None = None  # the literal AWS name (`trigger_name`), else name_suffix applies
    enabled_input: bool = False  # `enabled = lookup(var.trigger_enabled, "<stage>", <enabled>)`

    def name_for(self, workflow_name: str) -> str:
        """The trigger's name in AWS when the module's var.workflow_name is `workflow_name`."""
        return self.exact_name if self.exact_name is not None else f"{workflow_name}-{self.name_suffix}"


@dataclass(frozen=True)
class JobDefinition:
    """One Glue job the module creates: the spec's `job_defaults` merged with `jobs.<key>`."""

    key: str
    command: str  # glueetl | pythonshell | gluestreaming
    script_location: str
    glue_version: str
    name: str | None = None  # the exact Glue name (`name`), else name_suffix applies
    name_suffix: str = ""  # the name is "${var.workflow_name}-<suffix>"; "" means the key
    python_version: str | None = None
    worker_type: str | None = None
    number_of_workers: int | None = None
    max_capacity: float | None = None
    default_arguments: tuple[tuple[str, str], ...] = ()  # sorted by key; --enable-metrics when the dashboard asks
    non_overridable_arguments: tuple[tuple[str, str], ...] = ()  # sorted by key
    connections: tuple[str, ...] = ()
    max_retries: int | None = None
    timeout: int | None = None
    max_concurrent_runs: int | None = None
    execution_class: str | None = None
    job_run_queuing_enabled: bool | None = None
    security_configuration: str | None = None
    notify_delay_after: int | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = ()  # the job's own tags (the module's tags merge under them)

    @property
    def suffix(self) -> str:
        return self.name_suffix or self.key

    def name_for(self, workflow_name: str, jobs: Mapping[str, str]) -> str:
        """The job's name in AWS when the module's var.workflow_name is `workflow_name` and var.jobs `jobs`."""
        if self.key in jobs:
            return jobs[self.key]
        return self.name if self.name is not None else f"{workflow_name}-{self.suffix}"


@dataclass(frozen=True)
class StageInfo:
    """A stage as the module README documents it."""

    name: str
    kind: Kind | Literal["layer"]  # "layer": a stage with `actions` (see `actions`)
    key: str  # its job's or crawler's key; "" for a layer
    after: tuple[tuple[str, str], ...]  # (upstream "<stage>" or "<stage>.<action>" as written, state)
    when: str
    description: str | None
    trigger: str  # address of the trigger that starts it
    actions: tuple[str, ...] = ()  # its action names (the stage name alone in the old form)
    enabled: bool | None = None  # the spec's `enabled`, when the stage sets it


@dataclass(frozen=True)
class EventSource:
    """The EventBridge rule of an EVENT start."""

    pattern: dict[str, Any]
    s3_bucket: str | None  # the bucket whose EventBridge notifications must be on
    s3_prefix: str | None = None  # the key prefix of an `s3` start


@dataclass(frozen=True)
class EnvironmentPlan:
    """One environment of the module: its region and the checked inputs its root passes."""

    name: str
    region: str
    region_at: tuple[int, int]  # line and column of `region`, for messages across specs
    inputs: tuple[tuple[str, Any], ...]  # (variable, value) in the module's variable order
    adopt: bool = False  # the root imports the workflow and triggers that exist already (imports.tf)

    def input(self, name: str, default: Any = None) -> Any:
        """The value this environment gives the module's variable `name`, else `default`."""
        return dict(self.inputs).get(name, default)


@dataclass(frozen=True)
class Plan:
    source: str  # the spec's path as messages show it (headers use render.Origin)
    module: str
    workflow_name: str
    description: str | None
    max_concurrent_runs: int | None
    default_run_properties: tuple[tuple[str, str], ...]
    tags: tuple[tuple[str, str], ...]
    stages: tuple[StageInfo, ...]
    triggers: tuple[Trigger, ...]  # start trigger first, then stage order
    job_keys: tuple[str, ...]  # sorted, unique: the keys the stages run (var.jobs holds required_job_keys)
    crawler_keys: tuple[str, ...]  # sorted, unique: the keys var.crawlers must hold
    max_workflow_name_length: int  # UTF-8 bytes, so every "<name>-<suffix>" fits its service's limit
    name_limit_reason: str
    resource_names: tuple[ResourceName, ...] = ()  # what the module names after the workflow, beside Glue
    event: EventSource | None = None
    iam_role: bool = False
    alert_states: tuple[str, ...] | None = None  # job states that raise an alert
    alert_crawler_states: tuple[str, ...] = ()  # the crawler events ("Failed", ...) that raise one
    dashboard: bool = False
    module_at: tuple[int, int] = (1, 1)  # line and column of the `module:` value, for messages about the module
    warnings: tuple[Diagnostic, ...] = ()  # located, non-fatal findings
    environments: tuple[EnvironmentPlan, ...] = ()  # the roots it gets; never part of the module's bytes
    ignore_run_properties: bool = False  # lifecycle ignore_changes = [default_run_properties] on the workflow
    event_external: bool = False  # an EVENT start whose EventBridge rule lives elsewhere (`event` is then None)
    jobs: tuple[JobDefinition, ...] = ()  # the Glue jobs the module creates (`jobs:`), in the spec's order
    job_role: bool = False  # the module creates the jobs' IAM role (else var.job_role_arn)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(trigger.file for trigger in self.triggers))

    @cached_property
    def _actions_by_stage(self) -> dict[str, tuple[Action, ...]]:
        found: dict[str, list[Action]] = {}
        for trigger in self.triggers:
            for action in trigger.actions:
                found.setdefault(action.stage, []).append(action)
        return {stage: tuple(actions) for stage, actions in found.items()}

    def actions_of(self, stage: str) -> tuple[Action, ...]:
        """The actions the stage's trigger starts for it, in the spec's order."""
        return self._actions_by_stage.get(stage, ())

    def keys_in_stage_order(self, kind: Kind) -> tuple[str, ...]:
        """The keys of var.jobs (or var.crawlers) in the order their stages (and actions) appear."""
        return tuple(dict.fromkeys(
            action.key for stage in self.stages for action in self.actions_of(stage.name) if action.kind == kind
        ))

    @property
    def enabled_stages(self) -> tuple[str, ...]:
        """Stages that set `enabled`: the keys var.trigger_enabled may hold (empty: no such input)."""
        return tuple(stage.name for stage in self.stages if stage.enabled is not None)

    @cached_property
    def defined_job_keys(self) -> frozenset[str]:
        """Keys of the jobs the module creates."""
        return frozenset(job.key for job in self.jobs)

    def job(self, key: str) -> JobDefinition | None:
        """The definition of job `key`, or None when var.jobs names a job defined elsewhere."""
        return next((job for job in self.jobs if job.key == key), None)

    def name_in_aws(self, kind: Kind, key: str, workflow_name: str, given: Mapping[str, str]) -> str | None:
        """The name of job (or crawler) `key` in AWS when var.workflow_name is `workflow_name` and
        var.jobs (or var.crawlers) `given`: a defined job's own name, else what `given` says (None: nothing)."""
        defined = self.job(key) if kind == "job" else None
        return defined.name_for(workflow_name, given) if defined is not None else given.get(key)

    @property
    def required_job_keys(self) -> tuple[str, ...]:
        """Sorted keys var.jobs must hold: the stages' jobs the spec does not define."""
        return tuple(key for key in self.job_keys if key not in self.defined_job_keys)

    @property
    def start(self) -> Trigger:
        return self.triggers[0]
