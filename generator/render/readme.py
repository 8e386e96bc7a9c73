"""The values the generated module README lays out: tables, file tree, example."""

from __future__ import annotations

import json
import shlex
from typing import Any

from generator.render import features, hcl
from generator.spec import names
from generator.render.diagram import mermaid
from generator.render.interface import Output, Variable
from generator.render.markdown import cell, code
from generator.spec.environments import EXTERNAL_PAUSE
from generator.spec.plan import JobDefinition, Kind, Plan, Trigger
from generator.render.views import MAPS

_TRIGGER_PURPOSE = {
    "ON_DEMAND": "Starts {stages} when a workflow run is started (never on apply).",
    "SCHEDULED": "Starts {stages} on the schedule `schedule` (default `{schedule}`), unless `paused`.",
    "EVENT": "Starts {stages} when a batch of EventBridge events arrives.",
    "CONDITIONAL": "Starts {stages} after {conditions}.",
}


def _conditions(trigger: Trigger) -> str:
    joiner = " or " if trigger.logical == "ANY" else " and "
    return joiner.join(f"{c.label} {c.state}" for c in trigger.conditions)


def _example_names(plan: Plan, kind: Kind) -> str:
    """The example's `jobs = {...}` (or `crawlers`) argument, in stage order."""
    keys = [key for key in plan.keys_in_stage_order(kind) if kind != "job" or key not in plan.defined_job_keys]
    width = max(len(key) for key in keys)
    lines = "\n".join(f"    {key.ljust(width)} = {json.dumps(f'{key}-{kind}')}" for key in keys)
    return f"  {MAPS[kind]} = {{\n{lines}\n  }}\n\n"


def _example(plan: Plan) -> str:
    pairs = [("source", hcl.string(f"./{plan.module}")), ("workflow_name", hcl.string(plan.workflow_name))]
    if plan.description is not None:
        pairs.append(("description", hcl.string(plan.description)))
    if plan.jobs and not plan.job_role:
        pairs.append(("job_role_arn", '"arn:aws:iam::123456789012:role/glue-jobs"'))
    head = hcl.attributes(pairs[:1], 2) + "\n\n" + hcl.attributes(pairs[1:], 2)
    maps = "".join(_example_names(plan, kind) for kind, keys in
                   (("job", plan.required_job_keys), ("crawler", plan.crawler_keys)) if keys)
    return f'module "{plan.module}" {{\n{head}\n\n{maps}  tags = {{\n    Environment = terraform.workspace\n  }}\n}}'


def _summary(plan: Plan) -> str:
    """What the triggers do, in words that hold for this workflow."""
    states = {state for stage in plan.stages for _, state in stage.after}
    any_ = any(stage.when == "any" for stage in plan.stages)
    if states <= {"SUCCEEDED"} and not any_ and not plan.crawler_keys:
        return "Glue jobs in dependency order: a downstream job starts only once its upstream jobs succeeded."
    kinds = "Glue jobs and crawlers" if plan.crawler_keys else "Glue jobs"
    ending = "" if states <= {"SUCCEEDED"} else " (`SUCCEEDED` where none is named)"
    which = "all of them or, where the table says *or*, any one" if any_ else "all of them"
    return (f"{kinds} in dependency order: a downstream stage starts once its upstream stages have ended in the "
            f"states the [Stages](#stages) table lists{ending}, {which}.")


def _names(names_: tuple[names.ResourceName, ...]) -> str:
    return " and ".join(code(f"<workflow_name>{name.suffix}") for name in names_)


def _features(plan: Plan) -> list[dict[str, str]]:
    """What each optional file creates and allows, exactly."""
    found = _job_features(plan)
    if plan.event:
        found.append({"file": "event_start.tf", "text": (
            f"the EventBridge rule {_names((names.START_RULE,))} on the event pattern, whose target is the workflow, "
            f"and the role {_names((names.START_ROLE,))} the target uses: only `events.amazonaws.com` may assume it, "
            "only for this account (`aws:SourceAccount`) and this rule (`aws:SourceArn`), and it may only "
            "`glue:notifyEvent` this workflow."
        )})
    if plan.event_external:
        found.append({"file": "event_start.tf", "text": (
            "no EventBridge rule: the rule that notifies the workflow is managed elsewhere. Give it a target whose "
            "`arn` is the output `workflow_arn` and whose `role_arn` is a role only `events.amazonaws.com` may "
            "assume (with `aws:SourceAccount` and `aws:SourceArn` = that rule), allowed `glue:notifyEvent` on this "
            "workflow: attach the output `event_policy_json` to it. Without such a rule no run ever starts."
        )})
    if plan.iam_role:
        watched = "jobs and crawlers" if plan.crawler_keys else "jobs"
        found.append({"file": "iam_role.tf", "text": (
            f"the run role {_names((names.RUN_ROLE,))}, for a Lambda function that starts this workflow: only "
            "`lambda.amazonaws.com` may assume it, for functions of this account (`aws:SourceAccount`). It may start, "
            f"read, resume and stop runs of this workflow, start, read and stop runs of this module's {watched}, and "
            "write logs to the log groups `/aws/lambda/<workflow_name>*` (name the function so it starts with the "
            "workflow name, or attach `iam_policy_json` to your function's own role). Every resource is an ARN; none "
            "is `*`. EventBridge does not use this role: it starts a workflow only through an EVENT start."
        )})
    if plan.alert_states is not None:
        covered = []
        if plan.job_keys:
            covered.append(f"job runs of this module's jobs ending {', '.join(plan.alert_states)} "
                           f"(rule {_names((names.ALERTS_RULE,))}, \"Glue Job State Change\" events)")
        if plan.alert_crawler_states:
            covered.append(f"crawls of this module's crawlers ending {', '.join(plan.alert_crawler_states)} "
                           f"(rule {_names((names.CRAWLER_ALERTS_RULE,))}, \"Glue Crawler State Change\" events)")
        uncovered = ["workflow runs as such (Glue sends no workflow event)", "stages that never run"]
        if plan.crawler_keys:
            uncovered.insert(0, "cancelled crawls (Glue sends Started, Succeeded and Failed crawler events only)")
        found.append({"file": "alerts.tf", "text": (
            "alerts on " + "; and on ".join(covered) + ", in this account and region only, published to the SNS topic "
            f"{_names((names.ALERTS_TOPIC,))} (or, with `create_alert_topic = false`, to `alert_topic_arn`). "
            "Not covered: " + ", ".join(uncovered) + "."
        )})
    if plan.dashboard:
        found.append({"file": "dashboard.tf", "text": (
            f"the CloudWatch dashboard {_names((names.DASHBOARD,))}: per job, tasks completed and failed, and run "
            "duration (jobs publish these metrics when they run with `--enable-metrics`)." + _metrics_note(plan)
        )})
    return found


def _metrics_note(plan: Plan) -> str:
    if not plan.jobs:
        return ""
    note = " The jobs this module creates run with `--enable-metrics`."
    elsewhere = ", ".join(code(key) for key in plan.keys_in_stage_order("job") if key in plan.required_job_keys)
    if elsewhere:
        note += (f" **The jobs named through `jobs` ({elsewhere}) must publish their metrics themselves:** run "
                 "them with `--enable-metrics`, or their widgets stay empty.")
    return note


def _job_features(plan: Plan) -> list[dict[str, str]]:
    found = []
    if plan.jobs:
        role = "the module's role (`job_role.tf`)" if plan.job_role else "the role `job_role_arn`"
        found.append({"file": "jobs.tf", "text": (
            f"the Glue jobs the spec defines (the [Jobs](#jobs) table), run as {role}. Each is named "
            "`jobs[\"<key>\"]` when the root gives one (an environment's own name, or the name it has in AWS), "
            "else as the table says; triggers, alerts, the dashboard and the run role name the created jobs."
        )})
    if plan.job_role:
        found.append({"file": "job_role.tf", "text": (
            f"the jobs' role {_names((names.JOB_ROLE,))}: only `glue.amazonaws.com` may assume it, for this account "
            "(`aws:SourceAccount`). It has the AWS managed policy `service-role/AWSGlueServiceRole`, may read the "
            "jobs' script objects (and the `--extra-py-files`, `--extra-jars` and `--extra-files` objects), and may "
            "read, write, delete and list under the S3 paths their `--TempDir` and `--spark-event-logs-path` arguments "
            "name; nothing else in S3. Paths a run's arguments give instead need a policy of your own on "
            "`<workflow_name>-job`."
        )})
    return found


def _command(job: JobDefinition) -> str:
    return code(job.command) + (f" (Python {job.python_version})" if job.python_version is not None else "")


def _workers(job: JobDefinition) -> str:
    if job.max_capacity is not None:
        return f"{job.max_capacity:g} DPU"
    if job.worker_type is not None:
        return f"{job.number_of_workers} × {code(job.worker_type)}"
    return ""


def _jobs(plan: Plan) -> list[dict[str, str]]:
    rows = []
    for job in plan.jobs:
        name = job.name if job.name is not None else f"<workflow_name>-{job.suffix}"
        rows.append({
            "key": job.key,
            "name": code(name),
            "command": _command(job),
            "glue_version": code(job.glue_version),
            "workers": _workers(job),
            "script": code(job.script_location),
        })
    return rows


_PAUSED = {
    "ON_DEMAND": "`paused` must stay `false`: an on-demand start never starts by itself, so there is nothing "
                 "to pause (a plan with `paused = true` fails with that message). Stop starting runs instead.",
    "SCHEDULED": "`paused = true` deactivates the scheduled start trigger (`enabled = false`): no new run "
                 "starts, nothing is deleted, and `paused = false` activates it again (an in-place update).",
    "EVENT": "`paused = true` sets the EventBridge rule `<workflow_name>-start` to `DISABLED`: events no "
             "longer reach the workflow, so no new run starts, and nothing is deleted; `paused = false` "
             "enables it again. (The EVENT trigger itself stays as it is: it cannot be started or stopped.)",
}
_RUNNING = (" Conditional triggers stay enabled either way, so a run in progress finishes.")


def _paused(plan: Plan) -> str:
    if plan.event_external:
        return (f"`paused` must stay `false`: {EXTERNAL_PAUSE} (a plan with `paused = true` fails with that "
                "message). The EVENT trigger itself cannot be started or stopped.")
    return _PAUSED[plan.start.type] + ("" if plan.start.type == "ON_DEMAND" else _RUNNING)


def _after(stage) -> str:
    if not stage.after:
        return "start"
    parts = [code(up) if state == "SUCCEEDED" else f"{code(up)} {state}" for up, state in stage.after]
    return (" or " if stage.when == "any" else ", ").join(parts)


def _jobs_note(plan: Plan) -> str | None:
    """What `jobs` must hold, when the module creates jobs (None: the usual sentence)."""
    if not plan.jobs:
        return None
    required = [key for key in plan.keys_in_stage_order("job") if key in plan.required_job_keys]
    created = ", ".join(code(job.key) for job in plan.jobs)
    if required:
        text = (f"`jobs` must name a Glue job for {', '.join(code(key) for key in required)} (the jobs defined "
                "elsewhere); a plan fails early, naming the missing keys, when one is absent. ")
    else:
        text = "`jobs` may stay empty: this module creates every job its stages run. "
    text += (f"It may also give {created} another name (an environment's own, or the name a job has in AWS when "
             "it is adopted); any other key fails the plan.")
    if plan.crawler_keys:
        text += " `crawlers` must name a Glue crawler for every crawler key above."
    return text


def _run_commands(spec: str) -> list[tuple[str, str]]:
    """The gluegen commands that start, watch, verify and resume a run, their comments aligned."""
    commands = [
        (f"gluegen run {spec} --wait", "start a run, follow it, verify it against the spec"),
        (f"gluegen status {spec} --verify", "the latest run: stages, times, errors, verdict"),
        (f"gluegen resume {spec} RUN_ID --wait", "rerun a run's failed stages and what follows them"),
    ]
    width = max(len(command) for command, _ in commands)
    return [(command, f"{' ' * (width - len(command))}  # {comment}") for command, comment in commands]


def readme_view(plan: Plan, variables: list[Variable], outputs: list[Output], spec: str) -> dict[str, Any]:
    triggers = []
    for trigger in plan.triggers:
        stages = ", ".join(code(action.label) for action in trigger.actions)
        purpose = _TRIGGER_PURPOSE[trigger.type].format(
            stages=stages, schedule=trigger.schedule or "", conditions=_conditions(trigger)
        )
        if trigger.exact_name is not None:
            purpose += f" Named {code(trigger.exact_name)} in every environment."
        elif trigger.name_suffix != trigger.address:
            purpose += f" Named {code(f'<workflow_name>-{trigger.name_suffix}')}."
        if trigger.enabled_input:
            purpose += (f" {'Active' if trigger.enabled else 'Created deactivated'} unless "
                        f"`trigger_enabled[\"{trigger.address}\"]` says otherwise.")
        triggers.append({"address": f"aws_glue_trigger.{trigger.address}", "file": trigger.file,
                         "type": trigger.type, "purpose": purpose})
    extra_files = [name for name, _, wanted, _ in features.FILES if wanted(plan)]
    return {
        "title": cell(plan.workflow_name),
        "summary": _summary(plan),
        "features": _features(plan),
        "description": cell(plan.description),
        "files": ["main.tf", *plan.files, *extra_files, "variables.tf", "outputs.tf"],
        "example": _example(plan),
        "has_crawlers": bool(plan.crawler_keys),
        "jobs": _jobs(plan),
        "jobs_note": _jobs_note(plan),
        "variables": [
            {"name": v.name, "description": cell(v.description), "type": f"`{v.type}`", "default": v.readme_default}
            for v in variables
        ],
        "outputs": [
            {"name": o.name, "description": o.readme_description or cell(o.description)} for o in outputs
        ],
        "stages": [
            {
                "name": action.label,
                "kind": action.kind,
                "job": action.key,
                "after": _after(stage),
                "trigger": f"aws_glue_trigger.{stage.trigger}",
                "description": cell(stage.description),
            }
            for stage in plan.stages
            for action in plan.actions_of(stage.name)
        ],
        "triggers": triggers,
        "diagram": mermaid(plan),
        "start": plan.start.type,
        "paused": _paused(plan),
        "schedule_note": plan.start.type == "SCHEDULED",
        "s3_bucket": plan.event.s3_bucket if plan.event else None,
        "start_command": f"aws glue start-workflow-run --name {shlex.quote(plan.workflow_name)}",
        "run_commands": _run_commands(spec),
    }
