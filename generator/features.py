"""Values the feature templates lay out: the EVENT start's EventBridge wiring, the
run role, failure alerts and the dashboard. Each is off unless the spec asks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator import hcl
from generator.plan import Plan
from generator.views import reference, tags_expression

# Actions on this workflow's runs, and on this module's jobs and crawlers, that the run role allows.
WORKFLOW_ACTIONS = (
    "glue:GetWorkflow", "glue:GetWorkflowRun", "glue:GetWorkflowRunProperties", "glue:GetWorkflowRuns",
    "glue:PutWorkflowRunProperties", "glue:ResumeWorkflowRun", "glue:StartWorkflowRun", "glue:StopWorkflowRun",
)
JOB_ACTIONS = ("glue:BatchStopJobRun", "glue:GetJob", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun")
CRAWLER_ACTIONS = ("glue:GetCrawler", "glue:GetCrawlerMetrics", "glue:StartCrawler", "glue:StopCrawler")
GLUE_ARN = '"arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}"'


def _jobs(plan: Plan) -> list[hcl.Expr]:
    return [reference("job", key) for key in plan.job_keys]


def event_view(plan: Plan) -> dict[str, Any]:
    assert plan.event is not None
    rule = [
        ("name", '"${local.resource_name}-start"'),
        ("description", '"Starts Glue workflow ${var.workflow_name}."'),
        ("event_pattern", f"jsonencode({hcl.value(plan.event.pattern, 2)})"),
        ("tags", tags_expression(plan)),
    ]
    return {"rule": hcl.attributes(rule, 2), "s3_bucket": plan.event.s3_bucket, "tags": tags_expression(plan)}


def _arns(kind: str, keys: tuple[str, ...]) -> str:
    plural = {"job": "jobs", "crawler": "crawlers"}[kind]
    return f'[for key in {hcl.string_list(keys)} : "${{local.glue_arn}}:{kind}/${{var.{plural}[key]}}"]'


def iam_view(plan: Plan) -> dict[str, Any]:
    statements = [("Workflow", WORKFLOW_ACTIONS, "[aws_glue_workflow.this.arn]")]
    if plan.job_keys:
        statements.append(("Jobs", JOB_ACTIONS, _arns("job", plan.job_keys)))
    if plan.crawler_keys:
        statements.append(("Crawlers", CRAWLER_ACTIONS, _arns("crawler", plan.crawler_keys)))
    return {
        "statements": [
            hcl.attributes([("sid", hcl.string(sid)), ("actions", hcl.value(list(actions), 4)), ("resources", resources)], 4)
            for sid, actions, resources in statements
        ],
        "glue_arn": GLUE_ARN,
        "tags": tags_expression(plan),
        "description": hcl.string("Starts this Glue workflow and manages its runs (assumed by EventBridge and Lambda)."),
    }


def alerts_view(plan: Plan) -> dict[str, Any]:
    assert plan.alert_states is not None
    pattern = {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"jobName": _jobs(plan), "state": list(plan.alert_states)},
    }
    return {
        "pattern": hcl.value(pattern, 2),
        "states": ", ".join(plan.alert_states),
        "tags": tags_expression(plan),
    }


def dashboard_view(plan: Plan) -> dict[str, Any]:
    widgets = []
    for row, key in enumerate(plan.job_keys):
        job = reference("job", key)
        dimensions = ["JobName", job, "JobRunId", "ALL", "Type", "count"]
        widgets += [
            _widget(0, row, f"{key}: tasks completed and failed", "Sum", [
                ["Glue", "glue.driver.aggregate.numCompletedTasks", *dimensions],
                ["Glue", "glue.driver.aggregate.numFailedTasks", *dimensions],
            ]),
            _widget(12, row, f"{key}: run duration (ms)", "Maximum", [
                ["Glue", "glue.driver.aggregate.elapsedTime", *dimensions],
            ]),
        ]
    return {"body": hcl.value({"widgets": widgets}, 2)}


def _widget(x: int, row: int, title: str, stat: str, metrics: list) -> dict:
    return {
        "type": "metric",
        "x": x,
        "y": row * 6,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": hcl.Expr("data.aws_region.current.id"),
            "view": "timeSeries",
            "stat": stat,
            "period": 300,
            "metrics": metrics,
        },
    }


# The optional files: (file name, view key in its template, whether the plan asks for it, view).
FILES: tuple[tuple[str, str, Callable[[Plan], bool], Callable[[Plan], dict[str, Any]]], ...] = (
    ("event_start.tf", "event", lambda plan: plan.event is not None, event_view),
    ("iam_role.tf", "iam", lambda plan: plan.iam_role, iam_view),
    ("alerts.tf", "alerts", lambda plan: plan.alert_states is not None, alerts_view),
    ("dashboard.tf", "dashboard", lambda plan: plan.dashboard, dashboard_view),
)
