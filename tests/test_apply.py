"""Every generated module on a real AWS API: terraform init / apply / plan / destroy
against a local moto server, with the result read back through boto3.

Each case runs once, with its own moto server (so each starts from empty state), two at a time
(conftest.Cases: two threads, or pytest-xdist's two processes, each running the cases whose tests
it was given); the tests below assert on what each case observed.
"""

from __future__ import annotations

import json
import re
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, SPECS, Cases, Terraform, case_params, reads_case
from e2e_root import module_call, write_root
from emulator import REGION, emulator
from generator.adopt import read
from generator.adopt.drift import compare
from generator.adopt.expected import expected
from generator.adopt.to_spec import to_spec
from generator.render.module import render
from generator.spec.load import load_plan
from generator.spec.model import Spec
from generator.spec.plan import EnvironmentPlan
from hclparse import parse_module
from shapes import Act, actions, as_written, conditions, crawler_keys, dependent, job_keys, merged_job, roots, trigger_name

pytestmark = pytest.mark.terraform

ROOT_TAGS = {"Environment": "e2e", "Project": "MetricCare"}


def load_spec(path: Path) -> Spec:
    return Spec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def live_job_names(spec: Spec, workflow_name: str) -> dict[str, str]:
    """Every job key's name in AWS: the created job's (issue 11) for a defined key, the root's e2e job's else."""
    names = {key: f"e2e-{key}" for key in job_keys(spec)}
    for key, job in spec.jobs.items():
        names[key] = job.name if job.name is not None else f"{workflow_name}-{job.name_suffix or key}"
    return names


def external_job_keys(spec: Spec) -> list[str]:
    """The jobs the root creates and passes in var.jobs: those the spec does not define."""
    return [key for key in job_keys(spec) if key not in spec.jobs]


def _jobs(glue, spec: Spec, names: dict[str, str], account: str) -> dict[str, Any]:
    """Each defined job as GetJob and GetTags report it."""
    found = {}
    for key in spec.jobs:
        job = glue.get_job(JobName=names[key])["Job"]
        found[key] = {"job": job, "tags": glue.get_tags(ResourceArn=f"arn:aws:glue:{REGION}:{account}:job/{names[key]}")["Tags"]}
    return found


def _features(aws, spec: Spec, outputs: dict) -> dict[str, Any]:
    """Read back the EventBridge rules and targets, roles, topic policy and dashboard the spec asks for."""
    events, iam, sns, cloudwatch = aws.client("events"), aws.client("iam"), aws.client("sns"), aws.client("cloudwatch")
    prefix = spec.workflow.name
    found: dict[str, Any] = {
        "rules": {r["Name"]: r for r in events.list_rules()["Rules"]},
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"]),
    }
    for rule in found["rules"]:
        found.setdefault("targets", {})[rule] = events.list_targets_by_rule(Rule=rule)["Targets"]
    for role, policy in ((f"{prefix}-start", "notify-workflow"), (f"{prefix}-run", "run-workflow"), (f"{prefix}-job", "job-s3")):
        if role in found["roles"]:
            found.setdefault("role_trust", {})[role] = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
            found.setdefault("role_policy", {})[role] = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
    if f"{prefix}-job" in found["roles"]:
        found["job_role_policies"] = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=f"{prefix}-job")["AttachedPolicies"]]
    if spec.alerts:
        arn = outputs["glue_workflow_alert_topic_arn"]
        found["topic_policy"] = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    if spec.dashboard:
        body = cloudwatch.get_dashboard(DashboardName=outputs["glue_workflow_dashboard_name"])["DashboardBody"]
        found["dashboard"] = json.loads(body)
    return found


@dataclass
class Observed:
    """What one case saw, step by step; `failure` holds the first step that broke."""

    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds
    data: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None

    def get(self, key: str) -> Any:
        if key not in self.data:
            pytest.fail(f"not observed: {key}; the case stopped at: {self.failure}")
        return self.data[key]


def _timed(observed: Observed, step: str, action):
    started = time.monotonic()
    result = action()
    observed.steps[step] = round(time.monotonic() - started, 2)
    return result


def _triggers_of(glue, workflow: str) -> list[dict]:
    found, token = [], None
    while True:
        page = glue.get_triggers(**({"NextToken": token} if token else {}))
        found += [t for t in page["Triggers"] if t.get("WorkflowName") == workflow]
        token = page.get("NextToken")
        if not token:
            return sorted(found, key=lambda t: t["Name"])


def _workflow_exists(glue, name: str) -> bool:
    try:
        glue.get_workflow(Name=name)
        return True
    except glue.exceptions.EntityNotFoundException:
        return False


def _adoption(path: Path, aws, account: str, name: str, description: str | None, spec: Spec) -> dict[str, Any]:
    """Issue 10 on the applied example: what `drift` finds (nothing: adopt/expected.py models what the
    module creates) and the workflow that the spec `import` writes from it creates."""
    # Every job by its live name: a created job's too (var.jobs may rename a defined job), so the import
    # of the applied workflow, which reads no job definitions, names the same jobs in its `jobs` input.
    inputs: dict[str, Any] = {"workflow_name": name, "jobs": live_job_names(spec, name), "tags": ROOT_TAGS}
    if crawler_keys(spec):
        inputs["crawlers"] = {key: f"e2e-{key}" for key in crawler_keys(spec)}
    if description is not None:
        inputs["description"] = description
    original = load_plan(path.read_text(encoding="utf-8"), path.name)
    want = expected(original, EnvironmentPlan("e2e", REGION, (1, 1), tuple(inputs.items())))
    live = read.from_api(read.Connection(aws.client("glue"), account, REGION, "aws", aws.endpoint), name)
    imported = to_spec(live, region=REGION, origin=f"the applied {path.name}")
    assert imported.text is not None, imported.findings
    again = load_plan(imported.text, f"imported-{path.name}")
    return {"drift": compare(want, live), "original": want.workflow,
            "imported": expected(again, again.environments[0]).workflow}


def spec_lifecycle(path: Path, terraform: Terraform, work: Path) -> Observed:
    """Steps 1-5 of the issue for one spec; every observation is kept for the tests."""
    observed = Observed()
    spec = load_spec(path)
    name = spec.workflow.name
    description = None if spec.workflow.description else "MetricCare ETL workflow chaining Bronze → Silver → Gold jobs"
    try:
        with emulator() as aws:
            outputs = tuple(parse_module(ROOT / "out" / spec.module).outputs)
            role = {"job_role_arn": "aws_iam_role.glue.arn"} if spec.jobs and not spec.job_role else None
            call = module_call("glue_workflow", name, description, external_job_keys(spec), ROOT_TAGS, crawler_keys(spec),
                               outputs, inputs=role)
            root = write_root(work, ROOT / "out" / spec.module, aws.endpoint, external_job_keys(spec), [call],
                              crawler_keys(spec))
            _timed(observed, "init", lambda: terraform.run("init", "-input=false", "-no-color", cwd=root))
            # no separate `validate`: apply validates, and tests/test_terraform.py validates every module
            _timed(observed, "apply", lambda: terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root))
            outputs = json.loads(terraform.run("output", "-json", cwd=root).stdout)
            observed.data["outputs"] = {key: value["value"] for key, value in outputs.items()}
            glue, sts = aws.client("glue"), aws.client("sts")
            observed.data["account"] = sts.get_caller_identity()["Account"]
            observed.data["workflow"] = glue.get_workflow(Name=name)["Workflow"]
            arn = observed.data["outputs"]["glue_workflow_workflow_arn"]
            observed.data["workflow_tags"] = glue.get_tags(ResourceArn=arn)["Tags"]
            triggers = _triggers_of(glue, name)
            observed.data["triggers"] = triggers
            observed.data["trigger_tags"] = {
                trigger_arn: glue.get_tags(ResourceArn=trigger_arn)["Tags"]
                for trigger_arn in observed.data["outputs"]["glue_workflow_trigger_arns"]
            }
            observed.data["jobs"] = live_job_names(spec, name)
            observed.data["defined_jobs"] = _jobs(glue, spec, observed.data["jobs"], observed.data["account"])
            observed.data["crawlers"] = {key: f"e2e-{key}" for key in crawler_keys(spec)}
            observed.data["features"] = _features(aws, spec, observed.data["outputs"])
            observed.data["adoption"] = _adoption(path, aws, observed.data["account"], name, description, spec)
            observed.data["runs_after_apply"] = glue.get_workflow_runs(Name=name)["Runs"]
            observed.data["run_id"] = glue.start_workflow_run(Name=name)["RunId"]
            observed.data["runs_after_start"] = [r["WorkflowRunId"] for r in glue.get_workflow_runs(Name=name)["Runs"]]
            plan = _timed(observed, "plan", lambda: terraform.run(
                "plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False))
            observed.data["plan"] = (plan.returncode, plan.stdout + plan.stderr)
            # Pitfall 15: an imported start trigger reads `enabled` back as false (EVENT and
            # ON_DEMAND alike); the configuration must agree, or apply would call StartTrigger.
            start = "module.glue_workflow.aws_glue_trigger.start"
            terraform.run("state", "rm", "-no-color", start, cwd=root)
            _timed(observed, "import", lambda: terraform.run(
                "import", "-input=false", "-no-color", start, trigger_name(spec, None, name), cwd=root))
            plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
            observed.data["plan_after_import"] = (plan.returncode, plan.stdout + plan.stderr)
            _timed(observed, "destroy", lambda: terraform.destroy(root))
            observed.data["exists_after_destroy"] = _workflow_exists(glue, name)
            observed.data["triggers_after_destroy"] = [t["Name"] for t in _triggers_of(glue, name)]
            observed.data["jobs_after_destroy"] = [job["Name"] for job in glue.get_jobs()["Jobs"]]
    except Exception:  # the tests report it against the step that needed the data
        observed.failure = traceback.format_exc(limit=3)
    return observed


def missing_job_case(terraform: Terraform, work: Path) -> Observed:
    observed = Observed()
    spec = load_spec(ROOT / "specs" / "metriccare.yaml")
    keys = [key for key in job_keys(spec) if key != "gold"]
    try:
        with emulator() as aws:
            root = write_root(work, ROOT / "out" / spec.module, aws.endpoint, keys,
                              [module_call("glue_workflow", "missing_gold", None, keys, ROOT_TAGS)])
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            plan = terraform.run("plan", "-input=false", "-no-color", cwd=root, check=False)
            observed.data["plan"] = (plan.returncode, plan.stdout + plan.stderr)
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


def two_instances_case(terraform: Terraform, work: Path) -> Observed:
    observed = Observed()
    spec = load_spec(ROOT / "specs" / "metriccare.yaml")
    keys = job_keys(spec)
    try:
        with emulator() as aws:
            calls = [module_call(label, f"{label}_workflow", None, keys, ROOT_TAGS) for label in ("first", "second")]
            root = write_root(work, ROOT / "out" / spec.module, aws.endpoint, keys, calls)
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
            glue = aws.client("glue")
            observed.data["triggers"] = {
                label: [t["Name"] for t in _triggers_of(glue, f"{label}_workflow")] for label in ("first", "second")
            }
            plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
            observed.data["plan"] = plan.returncode
            terraform.destroy(root)
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


EXTERNAL_TOPIC = """\
resource "aws_sns_topic" "external" {
  name = "e2e-external-alerts"
}
"""


def external_topic_case(terraform: Terraform, work: Path) -> Observed:
    """Item 20 / pitfall 18: a topic created in the same apply, its ARN passed to the module."""
    observed = Observed()
    spec = load_spec(ROOT / "specs" / "s3_event_alerts.yaml")
    keys = job_keys(spec)
    try:
        with emulator() as aws:
            call = module_call("glue_workflow", spec.workflow.name, None, keys, ROOT_TAGS,
                               outputs=("alert_topic_arn", "alert_rule_arn"))
            call = call.replace("  tags = {", "  create_alert_topic = false\n  alert_topic_arn    = aws_sns_topic.external.arn\n\n  tags = {", 1)
            root = write_root(work, ROOT / "out" / spec.module, aws.endpoint, keys, [call])
            (root / "external.tf").write_text(EXTERNAL_TOPIC, encoding="utf-8")
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            # One plan from empty state, applied as it is: the topic's ARN is unknown in it (so a count
            # hinging on it would fail here with "Invalid count argument"), and it still decides every count.
            terraform.run("plan", "-input=false", "-no-color", "-out=first.plan", cwd=root)
            first = json.loads(terraform.run("show", "-json", "first.plan", cwd=root).stdout)
            changes = {change["address"]: change["change"] for change in first["resource_changes"]}
            observed.data["first_plan"] = {
                "addresses": sorted(changes),
                "unknown_target_arn": changes["module.glue_workflow.aws_cloudwatch_event_target.alerts"]
                ["after_unknown"].get("arn"),
            }
            terraform.run("apply", "-input=false", "-no-color", "first.plan", cwd=root)
            outputs = json.loads(terraform.run("output", "-json", cwd=root).stdout)
            observed.data["outputs"] = {key: value["value"] for key, value in outputs.items()}
            events, sns = aws.client("events"), aws.client("sns")
            rule = f"{spec.workflow.name}-alerts"
            observed.data["targets"] = [t["Arn"] for t in events.list_targets_by_rule(Rule=rule)["Targets"]]
            observed.data["topics"] = sorted(t["TopicArn"] for t in sns.list_topics()["Topics"])
            plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
            observed.data["plan"] = (plan.returncode, plan.stdout + plan.stderr)
            terraform.destroy(root)
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


def bad_name_case(terraform: Terraform, work: Path) -> Observed:
    """Items 24-25: var.workflow_name is checked at plan time like workflow.name in the spec."""
    observed = Observed()
    try:
        with emulator() as aws:
            for label, spec_file, name in (("chars", "s3_event_alerts.yaml", "claims.landing"),
                                           ("bytes", "metriccare.yaml", "é" * 125)):
                spec = load_spec(ROOT / "specs" / spec_file)
                keys = job_keys(spec)
                root = write_root(work / label, ROOT / "out" / spec.module, aws.endpoint, keys,
                                  [module_call("glue_workflow", name, None, keys, ROOT_TAGS)])
                terraform.run("init", "-input=false", "-no-color", cwd=root)
                plan = terraform.run("plan", "-input=false", "-no-color", cwd=root, check=False)
                observed.data[label] = (plan.returncode, " ".join((plan.stdout + plan.stderr).split()))
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


def write_module(folder: Path, text: str, source: str) -> Path:
    """The module gluegen generates from the spec `text`, written into `folder`."""
    folder.mkdir(parents=True)
    for file, content in render(load_plan(text, source)).items():
        (folder / file).write_text(content, encoding="utf-8")
    return folder


def _plan(terraform: Terraform, root: Path, *options: str) -> tuple[int, str]:
    plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", *options, cwd=root, check=False)
    return plan.returncode, plan.stdout + plan.stderr


SCHEDULE_INPUTS = {
    "paused": "true",
    "schedule": '"cron(30 4 ? * MON-FRI *)"',
    "max_concurrent_runs": "3",
    "run_properties": '{ run_mode = "delta", extra = "1" }',
    "stage_arguments": '{ refine = { "--layer" = "silver_v2", "--new" = "x" }, publish = {} }',
}


def schedule_inputs_case(terraform: Terraform, work: Path) -> Observed:
    """Issue 9: a root passing its own schedule, paused, concurrency, run properties and stage
    arguments; then `paused` flipped back, which must change only the trigger, in place."""
    observed = Observed()
    spec = load_spec(ROOT / "specs" / "nightly_full.yaml")
    keys, name = job_keys(spec), "inputs_nightly"
    try:
        with emulator() as aws:
            call = module_call("glue_workflow", name, None, keys, ROOT_TAGS, inputs=SCHEDULE_INPUTS)
            root = write_root(work, ROOT / "out" / spec.module, aws.endpoint, keys, [call])
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
            glue = aws.client("glue")
            observed.data["workflow"] = glue.get_workflow(Name=name)["Workflow"]
            observed.data["triggers"] = {t["Name"]: t for t in _triggers_of(glue, name)}
            observed.data["plan"] = _plan(terraform, root)
            main = root / "main.tf"
            main.write_text(main.read_text(encoding="utf-8").replace("paused              = true", "paused              = false"),
                            encoding="utf-8")
            # The plan asserted on is saved and applied as it is: no second plan to reach the same change.
            observed.data["unpause_plan"] = _plan(terraform, root, "-out=unpause.tfplan")
            terraform.run("apply", "-input=false", "-no-color", "unpause.tfplan", cwd=root)
            observed.data["start_after_unpause"] = glue.get_trigger(Name=f"{name}-start")["Trigger"]
            observed.data["plan_after_unpause"] = _plan(terraform, root)
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


PATTERN_SPEC = """\
version: 1
module: pattern_start
workflow: {name: pattern_start}
start:
  event:
    pattern: {source: [my.app], detail-type: [Batch Ready]}
    batch_size: 5
stages:
  load: {}
"""


def event_inputs_case(terraform: Terraform, work: Path) -> Observed:
    """Issue 9: an S3 start with another bucket, no prefix, no batch window and paused; and a
    pattern start given another pattern. Both apply, read back as given, and plan nothing more."""
    observed = Observed()
    spec = load_spec(ROOT / "specs" / "s3_event_alerts.yaml")
    keys = job_keys(spec)
    try:
        pattern_module = write_module(work / "pattern_module", PATTERN_SPEC, "pattern.yaml")
        with emulator() as aws:
            s3 = module_call("s3", "inputs_s3", None, keys, ROOT_TAGS, outputs=("trigger_names",), inputs={
                "paused": "true", "event_bucket": '"other-bucket"', "event_prefix": "null",
                "event_batch_window": "null", "event_batch_size": "10",
            })
            pattern = module_call("pattern", "inputs_pattern", None, ["load"], ROOT_TAGS, outputs=("trigger_names",), inputs={
                "event_pattern": '{ source = ["other.app"], detail = { size = [{ numeric = [">", 10] }] } }',
            }).replace('source = "./module"', 'source = "./pattern_module"')
            root = write_root(work, ROOT / "out" / spec.module, aws.endpoint, [*keys, "load"], [s3, pattern])
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
            glue, events = aws.client("glue"), aws.client("events")
            for label in ("s3", "pattern"):
                workflow = f"inputs_{label}"
                observed.data[f"{label}_rule"] = events.describe_rule(Name=f"{workflow}-start")
                observed.data[f"{label}_start"] = glue.get_trigger(Name=f"{workflow}-start")["Trigger"]
            observed.data["plan"] = _plan(terraform, root)
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


EXTERNAL_SPEC = """\
version: 1
module: external_start
workflow:
  name: outside_wf
  default_run_properties: {mode: full}
  ignore_changes: [default_run_properties]
start:
  event: {external: true, batch_size: 5, batch_window: 300}
stages:
  load: {}
  refine: {after: [load]}
"""

CONTROL_SPEC = """\
version: 1
module: control
workflow:
  name: control_wf
  default_run_properties: {mode: full}
stages:
  load: {}
"""

OUTSIDE_RULE = """\
# What a root elsewhere does for an external EVENT start: its own rule, target and role.
resource "aws_cloudwatch_event_rule" "outside" {
  name          = "e2e-outside-start"
  event_pattern = jsonencode({ source = ["my.app"] })
}

resource "aws_iam_role" "outside" {
  name = "e2e-outside-start"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "events.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "outside" {
  name   = "notify"
  role   = aws_iam_role.outside.id
  policy = module.external.event_policy_json
}

resource "aws_cloudwatch_event_target" "outside" {
  rule     = aws_cloudwatch_event_rule.outside.name
  arn      = module.external.workflow_arn
  role_arn = aws_iam_role.outside.arn
}
"""


def outside_changes_case(terraform: Terraform, work: Path) -> Observed:
    """Issue 10: an EVENT start whose rule lives elsewhere (here: beside the module, as another
    root would hold it, wired only through the module's outputs), and run properties something
    else rewrites: after UpdateWorkflow changes them in AWS, the plan shows no change for the
    module with workflow.ignore_changes, and the update for the control module without it."""
    observed = Observed()
    try:
        for label, text in (("external", EXTERNAL_SPEC), ("control", CONTROL_SPEC)):
            write_module(work / f"{label}_module", text, f"{label}.yaml")
        with emulator() as aws:
            calls = [
                module_call(label, f"{label}_wf" if label == "control" else "outside_wf", None, keys, ROOT_TAGS,
                            outputs=("workflow_arn",)).replace('source = "./module"', f'source = "./{label}_module"')
                for label, keys in (("external", ["load", "refine"]), ("control", ["load"]))
            ]
            root = write_root(work, work / "control_module", aws.endpoint, ["load", "refine"], calls)
            (root / "outside.tf").write_text(OUTSIDE_RULE, encoding="utf-8")
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
            outputs = json.loads(terraform.run("output", "-json", cwd=root).stdout)
            observed.data["outputs"] = {key: value["value"] for key, value in outputs.items()}
            glue, events, iam = aws.client("glue"), aws.client("events"), aws.client("iam")
            observed.data["start"] = glue.get_trigger(Name="outside_wf-start")["Trigger"]
            observed.data["rules"] = sorted(rule["Name"] for rule in events.list_rules()["Rules"])
            observed.data["roles"] = sorted(role["RoleName"] for role in iam.list_roles()["Roles"])
            observed.data["targets"] = events.list_targets_by_rule(Rule="e2e-outside-start")["Targets"]
            observed.data["policy"] = iam.get_role_policy(RoleName="e2e-outside-start", PolicyName="notify")["PolicyDocument"]
            for name in ("outside_wf", "control_wf"):  # what a Lambda function does before each run
                glue.update_workflow(Name=name, DefaultRunProperties={"mode": "rewritten"})
            observed.data["properties"] = {
                name: glue.get_workflow(Name=name)["Workflow"]["DefaultRunProperties"] for name in ("outside_wf", "control_wf")}
            terraform.run("plan", "-input=false", "-no-color", "-out=after.plan", cwd=root)
            observed.data["plan"] = json.loads(terraform.run("show", "-json", "after.plan", cwd=root).stdout)
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


# Issue 18: jobs that set nothing optional (no command, workers, retries, timeout or class): gluegen
# writes the defaults it relies on, so the plan after apply is empty (it showed execution_class
# "STANDARD" -> null on every job).
BARE_JOBS_SPEC = """\
version: 1
module: bare_jobs
workflow:
  name: bare_wf
job_defaults: {glue_version: "5.0"}
jobs:
  extract: {script_location: s3://gluegen-e2e/extract.py}
  load: {script_location: s3://gluegen-e2e/load.py, glue_version: "4.0"}
  notify: {command: pythonshell, script_location: s3://gluegen-e2e/notify.py, glue_version: "3.0"}
  stream: {command: gluestreaming, script_location: s3://gluegen-e2e/stream.py}
stages:
  extract: {}
  load: {after: [extract]}
  notify: {after: [load]}
  stream: {after: [notify]}
"""


def bare_jobs_case(terraform: Terraform, work: Path) -> Observed:
    observed = Observed()
    try:
        folder = write_module(work / "bare_module", BARE_JOBS_SPEC, "bare_jobs.yaml")
        with emulator() as aws:
            call = module_call("glue_workflow", "bare_wf", None, [], ROOT_TAGS, outputs=("job_names",),
                               inputs={"job_role_arn": "aws_iam_role.glue.arn"})
            root = write_root(work, folder, aws.endpoint, [], [call])
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
            glue = aws.client("glue")
            observed.data["jobs"] = {key: glue.get_job(JobName=f"bare_wf-{key}")["Job"]
                                     for key in ("extract", "load", "notify", "stream")}
            observed.data["plan"] = _plan(terraform, root)
            terraform.destroy(root)
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


def bad_inputs_case(terraform: Terraform, work: Path) -> Observed:
    """Issue 9: the module refuses at plan an invalid cron, an unknown stage in stage_arguments
    and `paused = true` on an on-demand start, each with its message."""
    observed = Observed()
    cases = {
        "cron": ("nightly_full.yaml", {"schedule": '"cron(0 2 * * * *)"'}),
        "cron_field": ("nightly_full.yaml", {"schedule": '"cron(61 2 * * ? *)"'}),
        "stage": ("nightly_full.yaml", {"stage_arguments": '{ refine = {}, nope = {}, ingest = {} }'}),
        "paused": ("metriccare.yaml", {"paused": "true"}),
    }
    try:
        with emulator() as aws:
            for label, (spec_file, inputs) in cases.items():
                spec = load_spec(ROOT / "specs" / spec_file)
                keys = job_keys(spec)
                root = write_root(work / label, ROOT / "out" / spec.module, aws.endpoint, keys,
                                  [module_call("glue_workflow", f"bad_{label}", None, keys, ROOT_TAGS, inputs=inputs)])
                terraform.run("init", "-input=false", "-no-color", cwd=root)
                plan = terraform.run("plan", "-input=false", "-no-color", cwd=root, check=False)
                observed.data[label] = (plan.returncode, " ".join((plan.stdout + plan.stderr).split()))
    except Exception:
        observed.failure = traceback.format_exc(limit=3)
    return observed


CASES = {
    **{path.stem: partial(spec_lifecycle, path) for path in SPECS},
    "missing_job": missing_job_case,
    "two_instances": two_instances_case,
    "external_topic": external_topic_case,
    "bad_name": bad_name_case,
    "schedule_inputs": schedule_inputs_case,
    "event_inputs": event_inputs_case,
    "bad_inputs": bad_inputs_case,
    "outside_changes": outside_changes_case,
    "bare_jobs": bare_jobs_case,
}


@pytest.fixture(scope="session")
def observed(terraform, tmp_path_factory, request) -> Iterator[Cases]:
    """Every case the selected tests read, each run once (see conftest.Cases: at once in two threads,
    or one at a time in each of pytest-xdist's two processes); each with its own moto server."""
    work = tmp_path_factory.mktemp("apply")
    cases = Cases("apply", {name: (lambda run=run, name=name: run(terraform, work / name)) for name, run in CASES.items()},
                  request.session)
    started = time.monotonic()
    try:
        yield cases
    finally:
        cases.close()
        ran = cases.ran()
        print(f"\napply tests: {len(ran)} cases in {time.monotonic() - started:.1f} s; steps: "
              + "; ".join(f"{name} {result.steps}" for name, result in ran.items()))


@pytest.fixture(params=case_params("apply", SPECS))
def case(request, observed):
    return load_spec(request.param), observed[request.param.stem]


def expected_action(act: Act, jobs: dict[str, str], crawlers: dict[str, str]) -> dict:
    stage = act.options
    if act.kind == "crawler":  # a crawler action carries a timeout at most
        return {"CrawlerName": crawlers[act.key], **({"Timeout": stage.timeout} if stage.timeout is not None else {})}
    action: dict[str, Any] = {"JobName": jobs[act.key]}
    if stage.arguments:
        action["Arguments"] = stage.arguments
    if stage.timeout is not None:
        action["Timeout"] = stage.timeout
    if stage.security_configuration is not None:
        action["SecurityConfiguration"] = stage.security_configuration
    if stage.notify_delay_after is not None:
        action["NotificationProperty"] = {"NotifyDelayAfter": stage.notify_delay_after}
    return action


def test_step1_init_and_apply_succeed(case):
    spec, seen = case
    assert {"init", "apply"} <= set(seen.steps), seen.failure


def test_step2_workflow_name_description_and_tags(case):
    spec, seen = case
    workflow = seen.get("workflow")
    assert workflow["Name"] == spec.workflow.name
    expected_description = spec.workflow.description or "MetricCare ETL workflow chaining Bronze → Silver → Gold jobs"
    assert workflow["Description"] == expected_description
    assert workflow.get("MaxConcurrentRuns") == spec.workflow.max_concurrent_runs
    assert workflow.get("DefaultRunProperties", {}) == spec.workflow.default_run_properties
    assert seen.get("workflow_tags") == {**spec.tags, **ROOT_TAGS}


def test_step2_triggers_equal_the_stages_plus_the_start_trigger(case):
    spec, seen = case
    jobs, crawlers = seen.get("jobs"), seen.get("crawlers")
    name = spec.workflow.name
    by_name = {t["Name"]: t for t in seen.get("triggers")}
    assert set(by_name) == {trigger_name(spec, None, name), *(trigger_name(spec, stage, name) for stage in dependent(spec))}
    start = by_name[trigger_name(spec, None, name)]
    assert start.get("Description") == spec.start.description
    if spec.start.schedule:
        assert (start["Type"], start["Schedule"], start["State"]) == ("SCHEDULED", spec.start.schedule, "ACTIVATED")
    elif spec.start.event:
        assert start["Type"] == "EVENT"
        batching = {"BatchSize": spec.start.event.batch_size}
        if spec.start.event.batch_window is not None:
            batching["BatchWindow"] = spec.start.event.batch_window
        assert start["EventBatchingCondition"] == batching
    else:
        # CREATED, not ACTIVATED: the provider never called StartTrigger (pitfall 1). moto starts
        # no run for a started trigger, so this state is the proof, not the empty run list.
        assert (start["Type"], start["State"]) == ("ON_DEMAND", "CREATED")
    assert "Predicate" not in start or not start["Predicate"].get("Conditions")
    assert start["Actions"] == [expected_action(act, jobs, crawlers) for root in roots(spec) for act in actions(spec, root)]
    for stage in dependent(spec):
        trigger = by_name[trigger_name(spec, stage, name)]
        # A stage with `enabled: false` is created and never activated: CREATED (moto has no DEACTIVATED
        # for a trigger that was never started; AWS shows CREATED too).
        state = "ACTIVATED" if spec.stages[stage].enabled else "CREATED"
        assert (trigger["Type"], trigger["State"]) == ("CONDITIONAL", state)
        assert trigger.get("Description") == spec.stages[stage].description
        assert trigger["Actions"] == [expected_action(act, jobs, crawlers) for act in actions(spec, stage)]
        predicate = trigger["Predicate"]
        # The provider sends Logical = AND (its default) even for one condition; AWS stores it.
        assert predicate["Logical"] == ("ANY" if spec.stages[stage].when == "any" else "AND")
        expected = []
        for act, state in conditions(spec, stage):
            if act.kind == "crawler":
                expected.append({"LogicalOperator": "EQUALS", "CrawlerName": crawlers[act.key], "CrawlState": state})
            else:
                expected.append({"LogicalOperator": "EQUALS", "JobName": jobs[act.key], "State": state})
        assert predicate["Conditions"] == expected


def test_step2_outputs_equal_what_the_api_reports(case):
    spec, seen = case
    outputs, account = seen.get("outputs"), seen.get("account")
    prefix = f"arn:aws:glue:{REGION}:{account}"
    name = spec.workflow.name
    assert outputs["glue_workflow_workflow_name"] == seen.get("workflow")["Name"]
    assert outputs["glue_workflow_workflow_arn"] == f"{prefix}:workflow/{name}"
    order = [trigger_name(spec, None, name), *(trigger_name(spec, stage, name) for stage in dependent(spec))]
    assert outputs["glue_workflow_trigger_arns"] == [f"{prefix}:trigger/{trigger}" for trigger in order]
    assert {t["Name"] for t in seen.get("triggers")} == set(order)
    # Glue returns no ARN for triggers: the API resolving each output ARN to the module's tags proves it.
    for arn, tags in seen.get("trigger_tags").items():
        assert tags == {**spec.tags, **ROOT_TAGS}, arn


def test_step3_apply_started_no_run_and_a_run_starts_on_demand(case):
    spec, seen = case
    assert seen.get("runs_after_apply") == []
    run_id = seen.get("run_id")
    assert run_id and seen.get("runs_after_start") == [run_id]


def test_step4_second_plan_is_empty(case):
    spec, seen = case
    code, output = seen.get("plan")
    assert code == 0, f"perpetual diff:\n{output}"


def test_step5_destroy_leaves_no_workflow_and_no_trigger(case):
    spec, seen = case
    assert seen.get("exists_after_destroy") is False
    assert seen.get("triggers_after_destroy") == []


def test_step5_destroy_leaves_no_job(case):
    """The module's jobs (issue 11) and the root's alike."""
    spec, seen = case
    assert seen.get("jobs_after_destroy") == []


def test_pitfall_15_plan_after_importing_the_start_trigger_is_empty(case):
    spec, seen = case
    code, output = seen.get("plan_after_import")
    assert code == 0, f"the imported start trigger would change:\n{output}"


@reads_case("apply", "missing_job")
def test_plan_fails_early_naming_a_stage_missing_from_jobs(observed):
    seen = observed["missing_job"]
    code, output = seen.get("plan")
    assert code == 1
    assert "jobs has no Glue job name for: gold." in output
    assert 'var.jobs' in output or "Invalid value for variable" in output


@reads_case("apply", "two_instances")
def test_two_instances_apply_side_by_side(observed):
    seen = observed["two_instances"]
    triggers = seen.get("triggers")
    for label in ("first", "second"):
        assert triggers[label] == sorted(f"{label}_workflow-{s}" for s in ("start", "silver", "gold"))
    assert seen.get("plan") == 0


@reads_case("apply", "external_topic")
def test_alerts_go_to_a_topic_created_in_the_same_apply(observed):
    """Pitfall 18: the topic's ARN is unknown at plan time; create_alert_topic decides the count."""
    seen = observed["external_topic"]
    first = seen.get("first_plan")
    assert first["unknown_target_arn"] is True, "the ARN must be unknown at plan time, or this proves nothing"
    assert "aws_sns_topic.external" in first["addresses"]
    assert not [address for address in first["addresses"] if address.startswith((
        "module.glue_workflow.aws_sns_topic.", "module.glue_workflow.aws_sns_topic_policy."))], first["addresses"]
    outputs = seen.get("outputs")
    external = outputs["glue_workflow_alert_topic_arn"]
    assert external.endswith(":e2e-external-alerts")
    assert seen.get("topics") == [external], "the module created no topic of its own"
    assert seen.get("targets") == [external]
    code, output = seen.get("plan")
    assert code == 0, f"perpetual diff:\n{output}"


@reads_case("apply", "bare_jobs")
def test_jobs_that_set_nothing_optional_converge_on_the_defaults_gluegen_writes(observed):
    """Issue 18: Glue's defaults written out (class STANDARD, 0 retries, the timeout of the job's Glue
    version); the second plan is empty."""
    seen = observed["bare_jobs"]
    jobs = seen.get("jobs")
    for key, version, timeout in (("extract", "5.0", 480), ("load", "4.0", 2880), ("notify", "3.0", 2880),
                                  ("stream", "5.0", None)):
        job = jobs[key]
        assert (job["GlueVersion"], job.get("Timeout") if timeout else None, job["ExecutionClass"]) == (
            version, timeout, "STANDARD")
        assert job.get("MaxRetries", 0) == 0, "0 is never sent (the provider's GetOk skips a zero): Glue's default"
    assert jobs["notify"]["MaxCapacity"] == 0.0625 and jobs["notify"]["Command"]["Name"] == "pythonshell"
    assert jobs["stream"]["Command"]["Name"] == "gluestreaming"
    code, output = seen.get("plan")
    assert code == 0, f"perpetual diff:\n{output}"


@reads_case("apply", "bad_name")
def test_plan_refuses_a_workflow_name_the_resources_cannot_take(observed):
    seen = observed["bad_name"]
    code, output = seen.get("chars")
    assert code == 1
    assert ("workflow_name may hold only letters, digits, '-' and '_': the module names its EventBridge rule, "
            "IAM role and SNS topic after it.") in output
    code, output = seen.get("bytes")
    assert code == 1, "125 characters, but 250 bytes: trigger names would pass Glue's 255"
    assert "workflow_name must be 1 to 248 bytes long in UTF-8" in output


def _case_fixture(name, wanted):
    """A fixture over the specs that ask for a feature: (spec, what its case observed)."""

    @pytest.fixture(name=name, params=case_params("apply", [p for p in SPECS if wanted(load_spec(p))]))
    def case_of(request, observed):
        return load_spec(request.param), observed[request.param.stem]

    return case_of


def _statements(document) -> list[dict]:
    document = json.loads(document) if isinstance(document, str) else document
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


event_case = _case_fixture("event_case", lambda spec: spec.start.event)


def test_event_start_rule_target_and_role(event_case):
    spec, seen = event_case
    features, outputs, account = seen.get("features"), seen.get("outputs"), seen.get("account")
    rule = features["rules"][f"{spec.workflow.name}-start"]
    pattern = json.loads(rule["EventPattern"])
    event = spec.start.event
    if event.s3:
        assert pattern["source"] == ["aws.s3"] and pattern["detail-type"] == ["Object Created"]
        assert pattern["detail"]["bucket"]["name"] == [event.s3.bucket]
        assert pattern["detail"]["object"]["key"] == [{"prefix": event.s3.prefix}]
    else:
        assert pattern == event.pattern
    (target,) = features["targets"][rule["Name"]]
    workflow_arn = outputs["glue_workflow_workflow_arn"]
    assert target["Arn"] == workflow_arn
    assert target["RoleArn"] == outputs["glue_workflow_event_role_arn"]
    role = f"{spec.workflow.name}-start"
    (trust,) = _statements(features["role_trust"][role])
    assert trust["Principal"] == {"Service": "events.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    # The confused-deputy guard: this account, and this rule only.
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": account}, "ArnEquals": {"aws:SourceArn": rule["Arn"]}}
    (allow,) = _statements(features["role_policy"][role])
    assert (allow["Effect"], _listed(allow["Action"]), _listed(allow["Resource"])) == ("Allow", ["glue:notifyEvent"], [workflow_arn])


iam_case = _case_fixture("iam_case", lambda spec: spec.iam_role)


def test_iam_role_trust_and_policy_name_only_this_module(iam_case):
    spec, seen = iam_case
    features, outputs, account = seen.get("features"), seen.get("outputs"), seen.get("account")
    role = f"{spec.workflow.name}-run"
    (trust,) = _statements(features["role_trust"][role])
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}, "a Lambda function's role; EventBridge has its own"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
    assert outputs["glue_workflow_iam_role_arn"] == f"arn:aws:iam::{account}:role/{role}"
    statements = {s["Sid"]: s for s in _statements(features["role_policy"][role])}
    assert statements == {s["Sid"]: s for s in _statements(outputs["glue_workflow_iam_policy_json"])}
    assert _listed(statements["Workflow"]["Resource"]) == [outputs["glue_workflow_workflow_arn"]]
    assert "glue:StartWorkflowRun" in statements["Workflow"]["Action"]
    jobs = sorted(seen.get("jobs").values())
    assert sorted(_listed(statements["Jobs"]["Resource"])) == [f"arn:aws:glue:{REGION}:{account}:job/{j}" for j in jobs]
    assert _listed(statements["LambdaLogs"]["Resource"]) == [
        f"arn:aws:logs:{REGION}:{account}:log-group:/aws/lambda/{spec.workflow.name}*"]
    for statement in statements.values():
        # Pitfall 19: no resource-less action (glue:GetCrawlerMetrics) scoped to ARNs, and no "*" resource.
        assert "glue:GetCrawlerMetrics" not in _listed(statement["Action"])
        assert all(resource.startswith("arn:aws:") and f":{account}:" in resource for resource in _listed(statement["Resource"]))


alerts_case = _case_fixture("alerts_case", lambda spec: spec.alerts)


def test_alert_rules_target_and_topic_policy(alerts_case):
    spec, seen = alerts_case
    features, outputs, account = seen.get("features"), seen.get("outputs"), seen.get("account")
    scope = {"account": [account], "region": [REGION]}
    rules = []
    if seen.get("jobs"):
        rule = features["rules"][f"{spec.workflow.name}-alerts"]
        pattern = json.loads(rule["EventPattern"])
        assert pattern == {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"], **scope, "detail": {
            "jobName": sorted(seen.get("jobs").values()), "state": list(spec.alerts.states)}}
        assert outputs["glue_workflow_alert_rule_arn"] == rule["Arn"]
        rules.append(rule)
    if seen.get("crawlers"):
        rule = features["rules"][f"{spec.workflow.name}-crawler-alerts"]
        pattern = json.loads(rule["EventPattern"])
        states = [{"FAILED": "Failed", "SUCCEEDED": "Succeeded"}[s] for s in spec.alerts.states if s in ("FAILED", "SUCCEEDED")]
        assert pattern == {"source": ["aws.glue"], "detail-type": ["Glue Crawler State Change"], **scope, "detail": {
            "crawlerName": sorted(seen.get("crawlers").values()), "state": states}}
        rules.append(rule)
    assert rules
    for rule in rules:
        (target,) = features["targets"][rule["Name"]]
        assert target["Arn"] == outputs["glue_workflow_alert_topic_arn"]
    (statement,) = _statements(features["topic_policy"])
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert _listed(statement["Action"]) == ["sns:Publish"]
    assert _listed(statement["Resource"]) == [outputs["glue_workflow_alert_topic_arn"]]
    source_arns = [rule["Arn"] for rule in rules]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnEquals": {"aws:SourceArn": source_arns[0] if len(source_arns) == 1 else source_arns},
    }


dashboard_case = _case_fixture("dashboard_case", lambda spec: spec.dashboard)


def test_dashboard_has_outcome_and_duration_widgets_per_job(dashboard_case):
    spec, seen = dashboard_case
    widgets = seen.get("features")["dashboard"]["widgets"]
    jobs = seen.get("jobs")
    assert len(widgets) == 2 * len(jobs)
    for job in jobs.values():
        metrics = [m for w in widgets for m in w["properties"]["metrics"] if job in m]
        names = sorted(m[1] for m in metrics)
        assert names == sorted([
            "glue.driver.aggregate.elapsedTime",
            "glue.driver.aggregate.numCompletedTasks",
            "glue.driver.aggregate.numFailedTasks",
        ])
    assert all(w["properties"]["region"] == REGION for w in widgets)


@reads_case("apply", "schedule_inputs")
def test_a_root_sets_schedule_paused_concurrency_run_properties_and_stage_arguments(observed):
    seen = observed["schedule_inputs"]
    spec = load_spec(ROOT / "specs" / "nightly_full.yaml")
    workflow = seen.get("workflow")
    assert workflow["MaxConcurrentRuns"] == 3
    assert workflow["DefaultRunProperties"] == {**spec.workflow.default_run_properties, "run_mode": "delta", "extra": "1"}
    triggers = seen.get("triggers")
    start = triggers["inputs_nightly-start"]
    # Paused: created, never activated; the schedule is the root's.
    assert (start["Type"], start["Schedule"], start["State"]) == ("SCHEDULED", "cron(30 4 ? * MON-FRI *)", "CREATED")
    assert start["Actions"][0]["Arguments"] == spec.stages["ingest"].arguments
    (refine,) = triggers["inputs_nightly-refine"]["Actions"]
    assert refine["Arguments"] == {"--layer": "silver_v2", "--new": "x"}
    (publish,) = triggers["inputs_nightly-publish"]["Actions"]
    assert publish["Arguments"] == spec.stages["publish"].arguments
    # Conditional triggers stay active while paused, so a run in progress finishes.
    assert {triggers[f"inputs_nightly-{stage}"]["State"] for stage in ("refine", "publish")} == {"ACTIVATED"}
    code, output = seen.get("plan")
    assert code == 0, f"perpetual diff:\n{output}"


@reads_case("apply", "schedule_inputs")
def test_unpausing_changes_only_the_start_trigger_in_place(observed):
    seen = observed["schedule_inputs"]
    code, output = seen.get("unpause_plan")
    assert code == 2 and "Plan: 0 to add, 1 to change, 0 to destroy." in output, output
    assert "module.glue_workflow.aws_glue_trigger.start will be updated in-place" in output
    assert re.search(r"~ enabled\s+= false -> true", output), output
    assert seen.get("start_after_unpause")["State"] == "ACTIVATED"
    code, output = seen.get("plan_after_unpause")
    assert code == 0, output


@reads_case("apply", "event_inputs")
def test_a_root_sets_the_event_source_batching_and_paused(observed):
    seen = observed["event_inputs"]
    rule = seen.get("s3_rule")
    assert rule["State"] == "DISABLED"
    # No prefix: the pattern has no object key part at all, as an s3 start without prefix.
    assert json.loads(rule["EventPattern"]) == {
        "source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": ["other-bucket"]}}}
    start = seen.get("s3_start")
    assert start["Type"] == "EVENT" and start["EventBatchingCondition"]["BatchSize"] == 10
    assert start["EventBatchingCondition"].get("BatchWindow") in (None, 900), "null: Glue's default"
    rule = seen.get("pattern_rule")
    assert rule["State"] == "ENABLED"
    assert json.loads(rule["EventPattern"]) == {"source": ["other.app"], "detail": {"size": [{"numeric": [">", 10]}]}}
    assert seen.get("pattern_start")["EventBatchingCondition"]["BatchSize"] == 5
    code, output = seen.get("plan")
    assert code == 0, f"perpetual diff:\n{output}"


@reads_case("apply", "bad_inputs")
def test_plan_refuses_inputs_the_spec_would_refuse(observed):
    seen = observed["bad_inputs"]
    for label, message in {
        "cron": "schedule: exactly one of day-of-month and day-of-week must be '?'.",
        "cron_field": "schedule: the minutes field may hold *, 0-59,",
        "stage": "stage_arguments names stages that run no job: nope (job stages: ingest, refine, publish).",
        "paused": "paused: an on-demand start never starts by itself; nothing to pause.",
    }.items():
        code, output = seen.get(label)
        assert code == 1 and message in output, (label, output)


@reads_case("apply", "layered_medallion")
def test_the_layered_deployment_reads_back_with_its_names_layers_and_deactivated_clean_up(observed):
    """Issue 10: the seed's real shape, as boto3 sees it after apply (asserted literally, not derived)."""
    seen = observed["layered_medallion"]
    by_name = {t["Name"]: t for t in seen.get("triggers")}
    assert sorted(by_name) == ["dev-bronze_layer-trigger", "dev-gold_layer-trigger", "dev-silver_layer-trigger",
                               "layered_medallion-on-silver-failure"]
    start = by_name["dev-bronze_layer-trigger"]
    assert (start["Type"], start["State"]) == ("ON_DEMAND", "CREATED")
    assert [a["JobName"] for a in start["Actions"]] == ["e2e-bronze_claims", "e2e-bronze_members", "e2e-bronze_providers"]
    silver = by_name["dev-silver_layer-trigger"]
    assert [(c["JobName"], c["State"]) for c in silver["Predicate"]["Conditions"]] == [
        ("e2e-bronze_claims", "SUCCEEDED"), ("e2e-bronze_members", "SUCCEEDED"), ("e2e-bronze_providers", "SUCCEEDED")]
    assert silver["Predicate"]["Logical"] == "AND"
    assert [a["JobName"] for a in silver["Actions"]] == ["e2e-silver_claims", "e2e-silver_members", "e2e-silver_providers"]
    assert silver["Actions"][0]["NotificationProperty"] == {"NotifyDelayAfter": 15}
    gold = by_name["dev-gold_layer-trigger"]
    assert gold["Actions"][-1] == {"CrawlerName": "e2e-gold_crawler", "Timeout": 30}
    cleanup = by_name["layered_medallion-on-silver-failure"]
    assert (cleanup["State"], cleanup["Predicate"]["Logical"]) == ("CREATED", "ANY")
    assert len(cleanup["Predicate"]["Conditions"]) == 6
    assert cleanup["Actions"] == [{"JobName": "e2e-silver_cleanup", "Arguments": {"--layer": "silver"}}]


@reads_case("apply", "outside_changes")
def test_an_external_event_start_has_its_trigger_and_batching_and_no_rule_of_its_own(observed):
    seen = observed["outside_changes"]
    start = seen.get("start")
    assert (start["Type"], start["State"]) == ("EVENT", "CREATED")
    assert start["EventBatchingCondition"] == {"BatchSize": 5, "BatchWindow": 300}
    # Only the outside rule and role exist: the module created no rule, target or role.
    assert seen.get("rules") == ["e2e-outside-start"]
    assert seen.get("roles") == ["e2e-outside-start", "gluegen-e2e-glue"]
    # The module's outputs are all the outside rule needs: the target and its role's policy.
    arn = seen.get("outputs")["external_workflow_arn"]
    assert arn.endswith(":workflow/outside_wf")
    (target,) = seen.get("targets")
    assert target["Arn"] == arn and target["RoleArn"].endswith(":role/e2e-outside-start")
    (statement,) = _statements(seen.get("policy"))
    assert (statement["Effect"], _listed(statement["Action"]), _listed(statement["Resource"])) == (
        "Allow", ["glue:notifyEvent"], [arn])


@reads_case("apply", "outside_changes")
def test_run_properties_rewritten_in_aws_leave_the_plan_empty_with_ignore_changes(observed):
    seen = observed["outside_changes"]
    assert seen.get("properties") == {"outside_wf": {"mode": "rewritten"}, "control_wf": {"mode": "rewritten"}}
    changes = {c["address"]: c["change"] for c in seen.get("plan")["resource_changes"] if c["change"]["actions"] != ["no-op"]}
    # The control module (no ignore_changes) would put its run properties back: the provider sees
    # the rewrite, so the module with ignore_changes showing nothing is the lifecycle rule at work.
    assert list(changes) == ["module.control.aws_glue_workflow.this"]
    change = changes["module.control.aws_glue_workflow.this"]
    assert change["actions"] == ["update"]
    assert (change["before"]["default_run_properties"], change["after"]["default_run_properties"]) == (
        {"mode": "rewritten"}, {"mode": "full"})


@pytest.mark.parametrize("path", case_params("apply", SPECS))
def test_drift_right_after_apply_is_empty(path, observed):
    """What adopt/expected.py says a module creates is what terraform applied: `drift` finds nothing."""
    assert observed[path.stem].get("adoption")["drift"] == []


@pytest.mark.parametrize("path", case_params("apply", SPECS))
def test_importing_the_applied_workflow_gives_a_spec_that_creates_the_same_workflow(path, observed):
    """Round trip: generate, apply, `import` the applied workflow; the imported spec's module creates
    the same workflow (names, stages' triggers, conditions, actions, start, activation, tags)."""
    adoption = observed[path.stem].get("adoption")
    assert adoption["imported"] == adoption["original"]


jobs_case = _case_fixture("jobs_case", lambda spec: spec.jobs)


def test_defined_jobs_read_back_as_their_merged_settings_and_the_triggers_start_them(jobs_case):
    """Issue 11: each job the spec defines, as GetJob reports it after apply: job_defaults merged
    under the job exactly (the dashboard's --enable-metrics included), its role and tags."""
    spec, seen = jobs_case
    names, account, created = seen.get("jobs"), seen.get("account"), seen.get("defined_jobs")
    assert list(created) == list(spec.jobs)
    role = f"{spec.workflow.name}-job" if spec.job_role else "gluegen-e2e-glue"
    for key, found in created.items():
        want, job = as_written(merged_job(spec, key)), found["job"]
        assert job["Name"] == names[key] == seen.get("outputs")["glue_workflow_job_names"][key]
        assert seen.get("outputs")["glue_workflow_job_arns"][key] == f"arn:aws:glue:{REGION}:{account}:job/{names[key]}"
        command = {"Name": want.get("command", "glueetl"), "ScriptLocation": want["script_location"]}
        if "python_version" in want:
            command["PythonVersion"] = want["python_version"]
        assert job["Command"] == command
        arguments = dict(want.get("default_arguments", {}))
        if spec.dashboard:
            arguments.setdefault("--enable-metrics", "")
        assert job["DefaultArguments"] == arguments
        assert (job.get("NonOverridableArguments") or {}) == want.get("non_overridable_arguments", {})
        assert (job["GlueVersion"], job.get("WorkerType"), job.get("NumberOfWorkers"), job.get("MaxCapacity")) == (
            want["glue_version"], want.get("worker_type"), want.get("number_of_workers"), want.get("max_capacity"))
        # max_retries 0 is never sent (the provider skips a zero), and moto then returns none: Glue's 0.
        assert (job.get("MaxRetries", 0), job.get("Timeout")) == (want["max_retries"], want.get("timeout"))
        assert job.get("SecurityConfiguration") == want.get("security_configuration")
        assert (job.get("ExecutionProperty") or {}).get("MaxConcurrentRuns") == want.get("max_concurrent_runs")
        # moto reads every job back STANDARD, set or not (README's moto table); gluegen writes it for glueetl.
        assert job["ExecutionClass"] == want.get("execution_class", "STANDARD")
        assert job["Role"] == f"arn:aws:iam::{account}:role/{role}"
        assert found["tags"] == {**spec.tags, **ROOT_TAGS, **want.get("tags", {})}
    started = {action.get("JobName") for trigger in seen.get("triggers") for action in trigger["Actions"]}
    assert {names[key] for key in job_keys(spec) if key in spec.jobs} <= started


job_role_case = _case_fixture("job_role_case", lambda spec: spec.job_role)


def test_job_role_trusts_glue_for_this_account_and_grants_the_scripts_and_work_paths(job_role_case):
    spec, seen = job_role_case
    features, account = seen.get("features"), seen.get("account")
    role = f"{spec.workflow.name}-job"
    (trust,) = _statements(features["role_trust"][role])
    assert trust["Principal"] == {"Service": "glue.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}  # pitfall 19
    assert features["job_role_policies"] == ["arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"]
    statements = {s["Sid"]: s for s in _statements(features["role_policy"][role])}
    scripts = sorted({merged_job(spec, key)["script_location"].removeprefix("s3://") for key in spec.jobs})
    read = sorted(resource.removeprefix("arn:aws:s3:::") for resource in _listed(statements["ReadScripts"]["Resource"]))
    assert set(scripts) <= set(read)
    paths = sorted({merged_job(spec, key)["default_arguments"][argument].removeprefix("s3://").rstrip("/") + "/*"
                    for key in spec.jobs for argument in ("--TempDir", "--spark-event-logs-path")
                    if argument in merged_job(spec, key).get("default_arguments", {})})
    assert sorted(r.removeprefix("arn:aws:s3:::") for r in _listed(statements["WorkPaths"]["Resource"])) == paths
    assert sorted(_listed(statements["WorkPaths"]["Action"])) == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert "StringLike" in statements["ListWorkPaths"]["Condition"]
    for statement in statements.values():
        assert all(resource.startswith("arn:aws:s3:::") and "*" != resource for resource in _listed(statement["Resource"]))
