"""The analysed workflow: everything the templates lay out, already decided.

`generator.analyse` builds a `Plan` from a valid `Spec`; templates read it and make
no decisions of their own beyond laying values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TriggerType = Literal["ON_DEMAND", "SCHEDULED", "CONDITIONAL"]


@dataclass(frozen=True)
class Condition:
    """One predicate condition: the upstream stage's job ended in `state`."""

    stage: str
    job_key: str
    state: str = "SUCCEEDED"


@dataclass(frozen=True)
class Action:
    """One job a trigger starts, with that stage's per-run settings."""

    stage: str
    job_key: str
    arguments: tuple[tuple[str, str], ...] = ()
    timeout: int | None = None
    notify_delay_after: int | None = None
    security_configuration: str | None = None


@dataclass(frozen=True)
class Trigger:
    """One `aws_glue_trigger`: the start trigger or one stage's conditional trigger."""

    address: str  # resource name: "start" or the stage name
    file: str  # the .tf file holding it
    name_suffix: str  # trigger name is "${var.workflow_name}-<suffix>"
    type: TriggerType
    enabled: bool  # pitfalls 1 and 2: false for ON_DEMAND, true otherwise
    actions: tuple[Action, ...]
    conditions: tuple[Condition, ...] = ()
    schedule: str | None = None
    description: str | None = None

    @property
    def logical(self) -> str | None:
        """`AND` where a predicate has several conditions; unset for one."""
        return "AND" if len(self.conditions) > 1 else None


@dataclass(frozen=True)
class StageInfo:
    """A stage as the module README documents it."""

    name: str
    job_key: str
    after: tuple[str, ...]
    description: str | None
    trigger: str  # address of the trigger that starts it


@dataclass(frozen=True)
class Plan:
    source: str  # the spec's path as shown in headers
    module: str
    workflow_name: str
    description: str | None
    max_concurrent_runs: int | None
    default_run_properties: tuple[tuple[str, str], ...]
    tags: tuple[tuple[str, str], ...]
    stages: tuple[StageInfo, ...]
    triggers: tuple[Trigger, ...]  # start trigger first, then stage order
    job_keys: tuple[str, ...]  # sorted, unique: the keys var.jobs must hold
    max_workflow_name_length: int  # so "<name>-<longest suffix>" fits Glue's 255

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(trigger.file for trigger in self.triggers))
