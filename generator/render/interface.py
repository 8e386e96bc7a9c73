"""The module's interface: its variables and outputs, from which both the .tf files
and the README tables are laid out (one source, so they cannot disagree)."""

from __future__ import annotations

import json

from generator.render import hcl, inputs
from generator.render.blocks import Output, Validation, Variable
from generator.spec import names
from generator.render.markdown import code
from generator.spec.model import IAM_ROLE_ARN, Workflow
from generator.spec.plan import Kind, Plan
from generator.render.views import MAPS


def _code(value: object) -> str:
    return code(json.dumps(value, ensure_ascii=False))


def _names_variable(plan: Plan, kind: Kind) -> Variable:
    """`jobs` or `crawlers`: the Glue names of the module's keys, checked at plan time."""
    if kind == "job" and plan.jobs:
        return _jobs_variable(plan)
    variable, keys = MAPS[kind], plan.job_keys if kind == "job" else plan.crawler_keys
    listed = hcl.string_list(keys)
    missing = f"sort(setsubtract({listed}, keys(var.{variable})))"
    validations = (
        (
            Validation(f"length({missing}) == 0", f'"{variable} has no Glue {kind} name for: ${{join(", ", {missing})}}."'),
        )
        if keys
        else ()
    ) + (
        Validation(
            f"alltrue([for name in values(var.{variable}) : length(name) > 0])",
            hcl.string(f"{variable} holds an empty Glue {kind} name."),
        ),
    )
    return Variable(
        name=variable,
        description=f"Map of Glue {kind} names ({', '.join(plan.keys_in_stage_order(kind))}).",
        type="map(string)",
        default="{}",
        readme_default="`{}`",
        validations=validations,
    )


def _jobs_variable(plan: Plan) -> Variable:
    """`jobs` of a module that creates jobs: the names of the stages' jobs it does not create, which
    it must hold, and, optionally, other names for those it creates (an environment's own, or the
    names they have in AWS when adopted); no other key."""
    required, defined = plan.required_job_keys, [job.key for job in plan.jobs]
    allowed = sorted({*plan.job_keys, *defined})
    unknown = f"sort(setsubtract(keys(var.jobs), {hcl.string_list(allowed)}))"
    validations = []
    if required:
        missing = f"sort(setsubtract({hcl.string_list(required)}, keys(var.jobs)))"
        validations.append(Validation(f"length({missing}) == 0", f'"jobs has no Glue job name for: ${{join(", ", {missing})}}."'))
    validations += [
        Validation(
            f"length({unknown}) == 0",
            f'"jobs names keys that are no job of this module: ${{join(", ", {unknown})}} '
            f'(its jobs: {", ".join(allowed)})."',
        ),
        Validation(
            "alltrue([for name in values(var.jobs) : length(name) > 0])",
            hcl.string("jobs holds an empty Glue job name."),
        ),
    ]
    elsewhere = [key for key in plan.keys_in_stage_order("job") if key in required]
    description = f"Map of Glue job names: {', '.join(elsewhere)} (jobs defined elsewhere, required); " if elsewhere else (
        "Map of Glue job names: ")
    description += (f"optionally {', '.join(defined)} (the jobs this module creates), to give them another name than "
                    "the spec's: an environment's own, or the one they have in AWS.")
    return Variable(
        name="jobs",
        description=description,
        type="map(string)",
        default="{}",
        readme_default="`{}`",
        validations=tuple(validations),
    )


def _job_role_arn() -> Variable:
    return Variable(
        name="job_role_arn",
        description="ARN of the IAM role the jobs this module creates run as (Glue must be able to assume it).",
        type="string",
        default=None,
        readme_default="required",
        validations=(Validation(
            f"can(regex({hcl.string(f'^{IAM_ROLE_ARN.pattern}$')}, var.job_role_arn))",
            hcl.string("job_role_arn must be an IAM role ARN: arn:<partition>:iam::<account>:role/<name>."),
        ),),
        nullable=False,
    )


def _workflow_name(plan: Plan) -> Variable:
    limit, reason = plan.max_workflow_name_length, plan.name_limit_reason
    if plan.resource_names:  # ASCII only (below): characters are bytes
        allowed = names.allowed(plan.resource_names)
        validations = (
            Validation(
                f"length(var.workflow_name) >= 1 && length(var.workflow_name) <= {limit}",
                hcl.string(f"workflow_name must be 1 to {limit} characters: {reason}."),
            ),
            Validation(
                f"can(regex({hcl.string('^[' + names.character_class(allowed) + ']+$')}, var.workflow_name))",
                hcl.string(
                    f"workflow_name may hold only {names.describe(allowed)}: the module names its "
                    f"{names.services(plan.resource_names)} after it."
                ),
            ),
        )
    else:
        validations = (
            Validation(
                f"length(var.workflow_name) >= 1 && {hcl.utf8_length('var.workflow_name')} <= {limit}",
                hcl.string(f"workflow_name must be 1 to {limit} bytes long in UTF-8: {reason}."),
            ),
        )
    return Variable(
        name="workflow_name",
        description=Workflow.model_fields["name"].description,
        type="string",
        default=hcl.string(plan.workflow_name),
        readme_default=_code(plan.workflow_name),
        validations=validations,
    )


def variables(plan: Plan) -> list[Variable]:
    found = [
        _workflow_name(plan),
        Variable(
            name="description",
            description=Workflow.model_fields["description"].description,
            type="string",
            default=hcl.string(plan.description) if plan.description is not None else "null",
            readme_default=_code(plan.description) if plan.description is not None else "`null`",
        ),
        _names_variable(plan, "job"),
    ]
    if plan.jobs and not plan.job_role:
        found.append(_job_role_arn())
    if plan.crawler_keys:
        found.append(_names_variable(plan, "crawler"))
    found.append(Variable("tags", "Tags applied to all resources.", "map(string)", "{}", "`{}`"))
    found += inputs.variables(plan)
    if plan.alert_states is not None:
        found += _alert_variables()
    return found


def _alert_variables() -> list[Variable]:
    return [
        Variable(
            "create_alert_topic",
            "Create the SNS topic alerts go to. False: send them to alert_topic_arn instead.",
            "bool",
            "true",
            "`true`",
        ),
        Variable(
            "alert_topic_arn",
            "ARN of an existing SNS topic for alerts, when create_alert_topic is false (its policy must let "
            "events.amazonaws.com publish); null otherwise.",
            "string",
            "null",
            "`null`",
        ),
        Variable(
            "alert_emails",
            "Email addresses subscribed to the alerts topic (each must confirm its subscription).",
            "list(string)",
            "[]",
            "`[]`",
        ),
        Variable(
            "alert_kms_key_id",
            "KMS key (ID, ARN or alias) encrypting the created alerts topic; its key policy must allow "
            "events.amazonaws.com. The AWS-managed alias/aws/sns does not work with EventBridge.",
            "string",
            "null",
            "`null`",
            validations=(
                Validation(
                    'var.alert_kms_key_id == null ? true : var.alert_kms_key_id != "alias/aws/sns"',
                    hcl.string("alert_kms_key_id: EventBridge cannot publish to a topic under alias/aws/sns; use a customer managed key."),
                ),
            ),
        ),
    ]


def _by_job(plan: Plan, attribute: str) -> str:
    pairs = hcl.attributes([(hcl.key(job.key), f"aws_glue_job.{job.key}.{attribute}") for job in plan.jobs], 4)
    return "{\n" + pairs + "\n  }"


def outputs(plan: Plan) -> list[Output]:
    trigger_arns = "[\n" + "".join(f"    aws_glue_trigger.{t.address}.arn,\n" for t in plan.triggers) + "  ]"
    names = hcl.attributes([(hcl.key(t.address), f"aws_glue_trigger.{t.address}.name") for t in plan.triggers], 4)
    found = [
        Output("workflow_name", "Name of the created Glue Workflow.", "aws_glue_workflow.this.name"),
        Output("workflow_arn", "ARN of the Glue Workflow.", "aws_glue_workflow.this.arn"),
        Output("trigger_arns", "ARNs of every trigger: the start trigger first, then each dependent stage's in stage order.", trigger_arns),
        Output(
            "trigger_names",
            'Names of the triggers, keyed by trigger: "start", then each dependent stage.',
            "{\n" + names + "\n  }",
            "Names of the triggers, keyed by trigger: `start`, then each dependent stage.",
        ),
    ]
    if plan.jobs:
        found += [
            Output("job_names", "Names of the Glue jobs this module creates, keyed by job.", _by_job(plan, "name")),
            Output("job_arns", "ARNs of the Glue jobs this module creates, keyed by job.", _by_job(plan, "arn")),
        ]
    if plan.event:
        found += [
            Output("event_rule_arn", "ARN of the EventBridge rule that notifies the workflow.", "aws_cloudwatch_event_rule.start.arn"),
            Output("event_role_arn", "ARN of the role EventBridge assumes to notify the workflow.", "aws_iam_role.start_events.arn"),
        ]
    if plan.event_external:
        found.append(Output(
            "event_policy_json",
            "A policy allowing glue:notifyEvent on this workflow, for the role of the EventBridge rule managed "
            "elsewhere that notifies it (its target's arn is workflow_arn).",
            "data.aws_iam_policy_document.start_events.json",
        ))
    if plan.iam_role:
        found += [
            Output("iam_role_arn", "ARN of the run role, for a Lambda function that starts this workflow and manages its runs.", "aws_iam_role.run.arn"),
            Output(
                "iam_policy_json",
                "The run policy as JSON, to attach to an existing role (a Lambda's, say).",
                "data.aws_iam_policy_document.run.json",
            ),
        ]
    if plan.alert_states is not None:
        found.append(Output("alert_topic_arn", "ARN of the SNS topic alerts are published to.", "local.alert_topic_arn"))
        if plan.job_keys:
            found.append(Output(
                "alert_rule_arn", "ARN of the EventBridge rule matching this module's job state changes.",
                "aws_cloudwatch_event_rule.alerts.arn",
            ))
        if plan.alert_crawler_states:
            found.append(Output(
                "crawler_alert_rule_arn", "ARN of the EventBridge rule matching this module's crawler state changes.",
                "aws_cloudwatch_event_rule.crawler_alerts.arn",
            ))
    if plan.dashboard:
        found.append(Output("dashboard_name", "Name of the CloudWatch dashboard.", "aws_cloudwatch_dashboard.this.dashboard_name"))
    return found
