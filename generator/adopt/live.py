"""A Glue workflow as AWS holds it: the values `import` writes a spec from and `drift` compares.

Plain frozen data, in a canonical form (maps as sorted tuples, triggers sorted by name), so two
reads of one workflow are equal whether they came from the API, from a recorded
`aws glue get-workflow --include-graph` document, or from what a spec's module creates.
"""

from __future__ import annotations

from dataclasses import dataclass

Pairs = tuple[tuple[str, str], ...]  # a map of strings, sorted by key

# Trigger states in which the trigger fires (conditional, scheduled) or has been started.
ACTIVE_STATES = ("ACTIVATED", "ACTIVATING")
# States a trigger passes through; a read in one of them shows no settled workflow.
TRANSITIONAL_STATES = ("CREATING", "ACTIVATING", "DEACTIVATING", "DELETING", "UPDATING")
# Every TriggerState of Glue's API, in its service model's order.
TRIGGER_STATES = ("CREATING", "CREATED", "ACTIVATING", "ACTIVATED", "DEACTIVATING", "DEACTIVATED", "DELETING", "UPDATING")
START_TYPES = ("ON_DEMAND", "SCHEDULED", "EVENT")
GLUE_BATCH_WINDOW = 900  # seconds: Glue's default when EventBatchingCondition has no BatchWindow


@dataclass(frozen=True, order=True)
class LiveCondition:
    """One predicate condition: job (or crawler) `name` ended in `state`."""

    kind: str  # "job" or "crawler"
    name: str
    state: str


@dataclass(frozen=True)
class LiveAction:
    """One job or crawler a trigger starts, with its run options."""

    kind: str  # "job" or "crawler"
    name: str
    arguments: Pairs = ()
    timeout: int | None = None
    notify_delay_after: int | None = None
    security_configuration: str | None = None


@dataclass(frozen=True)
class LiveTrigger:
    name: str
    type: str  # ON_DEMAND, SCHEDULED, EVENT, CONDITIONAL
    state: str
    description: str | None = None
    schedule: str | None = None
    logical: str | None = None  # AND or ANY; None when there is no predicate
    conditions: tuple[LiveCondition, ...] = ()  # sorted
    actions: tuple[LiveAction, ...] = ()  # in the trigger's order
    batch_size: int | None = None  # EVENT only
    batch_window: int | None = None
    tags: Pairs | None = None  # None: not known (a get-workflow document carries no tags)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_start(self) -> bool:
        return self.type in START_TYPES


@dataclass(frozen=True)
class LiveJob:
    """One Glue job (a `Job` of BatchGetJobs), with what a spec can say and what it cannot."""

    name: str
    role: str
    command: str  # glueetl, pythonshell, gluestreaming, glueray, ...
    script_location: str
    python_version: str | None = None
    runtime: str | None = None  # a Ray job's runtime
    glue_version: str | None = None
    worker_type: str | None = None
    number_of_workers: int | None = None
    max_capacity: float | None = None  # Glue fills it in from the workers for Spark jobs
    default_arguments: Pairs = ()
    non_overridable_arguments: Pairs = ()
    connections: tuple[str, ...] = ()  # in the job's order
    max_retries: int | None = None
    timeout: int | None = None
    max_concurrent_runs: int | None = None
    execution_class: str | None = None
    job_run_queuing_enabled: bool | None = None
    security_configuration: str | None = None
    notify_delay_after: int | None = None
    description: str | None = None
    maintenance_window: str | None = None
    source_control: str | None = None  # "<provider> <repository>" when SourceControlDetails is set
    visual: bool = False  # CodeGenConfigurationNodes: a Glue Studio visual job
    profile_name: str | None = None
    tags: Pairs | None = None  # None: not known


@dataclass(frozen=True)
class LiveWorkflow:
    name: str
    description: str | None = None
    default_run_properties: Pairs = ()
    max_concurrent_runs: int | None = None
    tags: Pairs | None = None  # None: not known
    triggers: tuple[LiveTrigger, ...] = ()  # sorted by name
    blueprint: str | None = None  # "<blueprint> (run <id>)" when a blueprint run created it
    jobs: tuple[LiveJob, ...] | None = None  # sorted by name; None: not read (import without --with-jobs)
    jobs_not_found: tuple[str, ...] = ()  # sorted: jobs its triggers name that BatchGetJobs did not find

    def trigger(self, name: str) -> LiveTrigger | None:
        return next((trigger for trigger in self.triggers if trigger.name == name), None)

    def job_names(self) -> tuple[str, ...]:
        """Every job a trigger of the workflow starts or waits on, sorted."""
        return tuple(sorted({item.name for trigger in self.triggers for item in (*trigger.actions, *trigger.conditions)
                             if item.kind == "job"}))


def pairs(mapping: dict[str, str] | None) -> Pairs:
    return tuple(sorted((mapping or {}).items()))
