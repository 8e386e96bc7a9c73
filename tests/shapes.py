"""The spec's shapes as the tests expect them, read from the validated spec itself (not from
the generator's plan): each stage's actions, the conditions `after` gives its trigger, and
each trigger's name and file. Kept apart from generator.spec.analyse on purpose, so a wrong
decision there shows up as a difference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.spec.model import Spec


@dataclass(frozen=True)
class Act:
    stage: str
    name: str
    kind: str  # job | crawler
    key: str
    options: Any  # the Stage (old form) or StageAction

    @property
    def label(self) -> str:
        return self.stage if self.name == self.stage else f"{self.stage}.{self.name}"


def actions(spec: Spec, stage: str) -> list[Act]:
    body = spec.stages[stage]
    if body.actions is None:
        kind = "crawler" if body.crawler else "job"
        return [Act(stage, stage, kind, stage if body.crawler else (body.job or stage), body)]
    return [Act(stage, name, "crawler" if a.crawler else "job", name if a.crawler else (a.job or name), a)
            for name, a in body.actions.items()]


def roots(spec: Spec) -> list[str]:
    return [name for name, stage in spec.stages.items() if not stage.after]


def dependent(spec: Spec) -> list[str]:
    return [name for name, stage in spec.stages.items() if stage.after]


def all_actions(spec: Spec) -> list[Act]:
    return [act for name in spec.stages for act in actions(spec, name)]


def conditions(spec: Spec, stage: str) -> list[tuple[Act, str]]:
    """(upstream action, state) per condition, in the order written: per `after` entry, each
    action of it, each of its states."""
    found = []
    for written, states in spec.stages[stage].after.items():
        upstream, _, action = written.partition(".")
        acts = [a for a in actions(spec, upstream) if not action or a.name == action]
        for act in acts:
            for state in [states] if isinstance(states, str) else states:
                found.append((act, state))
    return found


def trigger_name(spec: Spec, stage: str | None, workflow: str) -> str:
    """The AWS name of the start trigger (stage None) or of a stage's trigger."""
    owner, default = (spec.start, "start") if stage is None else (spec.stages[stage], stage)
    if owner.trigger_name is not None:
        return owner.trigger_name
    return f"{workflow}-{owner.trigger_suffix or default}"


def trigger_file(spec: Spec, stage: str) -> str:
    body = spec.stages[stage]
    kind = "stage" if body.actions is not None else ("crawler" if body.crawler else "job")
    return f"{stage}_{kind}_trigger.tf"


def job_keys(spec: Spec) -> list[str]:
    return list(dict.fromkeys(a.key for a in all_actions(spec) if a.kind == "job"))


def crawler_keys(spec: Spec) -> list[str]:
    return list(dict.fromkeys(a.key for a in all_actions(spec) if a.kind == "crawler"))


# How the README says job_defaults merge under a job: maps key by key (the job winning), the rest replaced.
JOB_MAPS = ("default_arguments", "non_overridable_arguments", "tags")


def as_written(job: dict) -> dict:
    """A merged job as jobs.tf writes it: with the Glue defaults gluegen writes for what it leaves out
    (README, "gluegen writes every default it relies on"): 0 retries; for batch jobs the timeout of
    their Glue version (2,880 minutes up to 4.0, 480 from 5.0); STANDARD for a glueetl job; 0.0625
    DPU for a Python shell job."""
    command = job.get("command", "glueetl")
    major = job["glue_version"].split(".")[0]
    defaults: dict[str, Any] = {"max_retries": 0}
    if command != "gluestreaming":
        defaults["timeout"] = 2880 if major.isdigit() and int(major) < 5 else 480
    if command == "glueetl":
        defaults["execution_class"] = "STANDARD"
    if command == "pythonshell":
        defaults["max_capacity"] = 0.0625
    return {**defaults, **job}


def merged_job(spec: Spec, key: str) -> dict:
    """The job's settings with job_defaults under them, from the spec's model (not the generator's merge)."""
    found = {}
    for settings in (spec.job_defaults, spec.jobs[key]):
        if settings is None:
            continue
        for field in settings.model_fields_set:
            value = getattr(settings, field)
            found[field] = {**found.get(field, {}), **value} if field in JOB_MAPS else value
    return found
