"""Values the feature templates lay out: the EVENT start's EventBridge wiring, the
run role, failure alerts and the dashboard. Each is off unless the spec asks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.render import hcl, inputs
from generator.render.jobs import job_role_view, jobs_view
from generator.spec import names
from generator.spec.plan import Plan
from generator.render.views import MAPS, reference, tags_expression

# What the run role is for: a Lambda function that starts this workflow, watches and manages
# its runs, and writes its own logs. Every action below supports resource-level permissions
# (Service Authorization Reference, AWS Glue); glue:GetCrawlerMetrics does not, and the role
# does not need it (GetCrawler reports a crawler's state and last crawl), so it is not granted.
WORKFLOW_ACTIONS = (
    "glue:GetWorkflow", "glue:GetWorkflowRun", "glue:GetWorkflowRunProperties", "glue:GetWorkflowRuns",
    "glue:PutWorkflowRunProperties", "glue:ResumeWorkflowRun", "glue:StartWorkflowRun", "glue:StopWorkflowRun",
)
JOB_ACTIONS = ("glue:BatchStopJobRun", "glue:GetJob", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun")
CRAWLER_ACTIONS = ("glue:GetCrawler", "glue:StartCrawler", "glue:StopCrawler")
LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
ACCOUNT = "data.aws_caller_identity.current.account_id"


def _arn_prefix(service: str) -> str:
    """`arn:<partition>:<service>:<region>:<account>` as the inside of an HCL template."""
    return f"arn:${{data.aws_partition.current.partition}}:{service}:${{data.aws_region.current.id}}:${{{ACCOUNT}}}"


def _statement(sid: str, actions: tuple[str, ...], resources: str) -> str:
    return hcl.attributes([("sid", hcl.string(sid)), ("actions", hcl.value(list(actions), 4)), ("resources", resources)], 4)


def _source_account() -> str:
    """The confused-deputy guard every service trust carries: only calls made for this account."""
    return hcl.attributes([("test", '"StringEquals"'), ("variable", '"aws:SourceAccount"'), ("values", f"[{ACCOUNT}]")], 6)


def event_view(plan: Plan) -> dict[str, Any]:
    if plan.event_external:  # the rule lives elsewhere: only the policy its target's role needs
        return {"external": True}
    assert plan.event is not None
    if plan.event.s3_bucket is not None:  # the spec's bucket and prefix are the variables' defaults
        pattern = hcl.value({**plan.event.pattern, "detail": hcl.Expr(inputs.s3_detail())}, 2)
    else:
        pattern = "var.event_pattern"
    rule = [
        ("name", names.START_RULE.expression),
        ("description", '"Starts Glue workflow ${var.workflow_name}."'),
        ("event_pattern", f"jsonencode({pattern})"),
        ("state", f'{inputs.PAUSED} ? "DISABLED" : "ENABLED"'),
        ("tags", tags_expression(plan)),
    ]
    source_arn = hcl.attributes(
        [("test", '"ArnEquals"'), ("variable", '"aws:SourceArn"'), ("values", "[aws_cloudwatch_event_rule.start.arn]")], 6
    )
    return {
        "external": False,
        "rule": hcl.attributes(rule, 2),
        "role_name": names.START_ROLE.expression,
        "s3_bucket": plan.event.s3_bucket,
        "tags": tags_expression(plan),
        "trust_conditions": [_source_account(), source_arn],
    }


def _arns(kind: str, keys: tuple[str, ...]) -> str:
    return f'[for key in {hcl.string_list(keys)} : "${{local.glue_arn}}:{kind}/${{var.{MAPS[kind]}[key]}}"]'


def _job_arns(plan: Plan) -> str:
    """The stages' jobs: the ARNs of those the module creates, built ones for those in var.jobs."""
    defined = [hcl.Expr(f"aws_glue_job.{key}.arn") for key in plan.job_keys if key in plan.defined_job_keys]
    if not defined:
        return _arns("job", plan.job_keys)
    created = hcl.value(defined, 4)
    return f"concat({_arns('job', plan.required_job_keys)}, {created})" if plan.required_job_keys else created


def iam_view(plan: Plan) -> dict[str, Any]:
    statements = [_statement("Workflow", WORKFLOW_ACTIONS, "[aws_glue_workflow.this.arn]")]
    if plan.job_keys:
        statements.append(_statement("Jobs", JOB_ACTIONS, _job_arns(plan)))
    if plan.crawler_keys:
        statements.append(_statement("Crawlers", CRAWLER_ACTIONS, _arns("crawler", plan.crawler_keys)))
    log_groups = '"' + _arn_prefix("logs") + ':log-group:/aws/lambda/${var.workflow_name}*"'
    statements.append(_statement("LambdaLogs", LOG_ACTIONS, f"[{log_groups}]"))
    return {
        "statements": statements,
        "glue_arn": '"' + _arn_prefix("glue") + '"',
        "role_name": names.RUN_ROLE.expression,
        "tags": tags_expression(plan),
        "trust_conditions": [_source_account()],
        "description": hcl.string(
            "Lets a Lambda function start this Glue workflow, manage its runs and write its logs."
        ),
    }


def _alert_rule(plan: Plan, address: str, name: names.ResourceName, what: str, states: tuple[str, ...],
                pattern: dict) -> dict[str, str]:
    attributes = [
        ("name", name.expression),
        ("description", f'"{what} of Glue workflow ${{var.workflow_name}} ending {", ".join(states)}."'),
        ("event_pattern", f"jsonencode({hcl.value(pattern, 2)})"),
        ("tags", tags_expression(plan)),
    ]
    return {"address": address, "attributes": hcl.attributes(attributes, 2)}


def alerts_view(plan: Plan) -> dict[str, Any]:
    """One rule per kind of stage the alerts can watch, scoped to this account, region and module."""
    assert plan.alert_states is not None
    scope = {"account": [hcl.Expr(ACCOUNT)], "region": [hcl.Expr("data.aws_region.current.id")]}
    rules = []
    if plan.job_keys:
        detail = {"jobName": [reference(plan, "job", key) for key in plan.job_keys], "state": list(plan.alert_states)}
        pattern = {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"], **scope, "detail": detail}
        rules.append(_alert_rule(plan, "alerts", names.ALERTS_RULE, "Job runs", plan.alert_states, pattern))
    if plan.alert_crawler_states:
        detail = {"crawlerName": [reference(plan, "crawler", key) for key in plan.crawler_keys],
                  "state": list(plan.alert_crawler_states)}
        pattern = {"source": ["aws.glue"], "detail-type": ["Glue Crawler State Change"], **scope, "detail": detail}
        rules.append(_alert_rule(plan, "crawler_alerts", names.CRAWLER_ALERTS_RULE, "Crawler runs",
                                 plan.alert_crawler_states, pattern))
    source_arns = hcl.value([hcl.Expr(f"aws_cloudwatch_event_rule.{rule['address']}.arn") for rule in rules], 6)
    return {
        "rules": rules,
        "topic_name": names.ALERTS_TOPIC.expression,
        "tags": tags_expression(plan),
        "policy_conditions": [
            _source_account(),
            hcl.attributes([("test", '"ArnEquals"'), ("variable", '"aws:SourceArn"'), ("values", source_arns)], 6),
        ],
    }


def dashboard_view(plan: Plan) -> dict[str, Any]:
    widgets = []
    for row, key in enumerate(plan.job_keys):
        job = reference(plan, "job", key)
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
    return {"name": names.DASHBOARD.expression, "body": hcl.value({"widgets": widgets}, 2)}


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
    ("jobs.tf", "jobs", lambda plan: bool(plan.jobs), jobs_view),
    ("job_role.tf", "job_role", lambda plan: plan.job_role, job_role_view),
    ("event_start.tf", "event", lambda plan: plan.event is not None or plan.event_external, event_view),
    ("iam_role.tf", "iam", lambda plan: plan.iam_role, iam_view),
    ("alerts.tf", "alerts", lambda plan: plan.alert_states is not None, alerts_view),
    ("dashboard.tf", "dashboard", lambda plan: plan.dashboard, dashboard_view),
)
