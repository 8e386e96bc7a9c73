"""Values the core templates lay out: the workflow, its triggers, the terraform block."""

from __future__ import annotations

from typing import Any

from generator.render import hcl, inputs
from generator.spec.plan import Action, Condition, Plan, Trigger

REQUIRED_VERSION = ">= 1.2.0"  # error_message expressions in validation blocks
AWS_PROVIDER_VERSION = ">= 5.27, < 7.0"  # pitfall 5: 5.27 retries concurrent trigger changes
TRIGGER_DELETE_TIMEOUT = "15m"  # pitfall 6: trigger deletion can take minutes
MAPS = {"job": "jobs", "crawler": "crawlers"}


def tags_expression(plan: Plan) -> str:
    return "local.tags" if plan.tags else "var.tags"


def reference(plan: Plan, kind: str, key: str) -> hcl.Expr:
    """`aws_glue_job.<key>.name` for a job the module defines (so what names it depends on it),
    else `var.jobs["key"]` or `var.crawlers["key"]`."""
    if kind == "job" and key in plan.defined_job_keys:
        return hcl.Expr(f"aws_glue_job.{key}.name")
    return hcl.Expr(f"var.{MAPS[kind]}[{hcl.string(key)}]")


def suffixed_name(suffix: str) -> str:
    """`"${var.workflow_name}-<suffix>"`, the suffix as data."""
    return '"${var.workflow_name}' + hcl.string(f"-{suffix}")[1:]


def main_view(plan: Plan) -> dict[str, Any]:
    locals_ = []
    if plan.tags:
        locals_ += [("spec_tags", hcl.mapping(plan.tags, 2)), ("tags", "merge(local.spec_tags, var.tags)")]
    pairs = [
        ("name", "var.workflow_name"),
        ("description", "var.description"),
        ("max_concurrent_runs", "var.max_concurrent_runs"),
        ("default_run_properties", inputs.merged(plan.default_run_properties, "var.run_properties", 2)),
        ("tags", tags_expression(plan)),
    ]
    return {
        "required_version": hcl.string(REQUIRED_VERSION),
        "aws_version": hcl.string(AWS_PROVIDER_VERSION),
        "locals": hcl.attributes(locals_, 2) if locals_ else None,
        "spec_tags": bool(plan.tags),
        "data_sources": _data_sources(plan),
        "workflow_attributes": hcl.attributes(pairs, 2),
        "ignore_changes": ["default_run_properties"] if plan.ignore_run_properties else [],
    }


def _data_sources(plan: Plan) -> list[str]:
    """Account, partition and region: for ARNs the module builds, and its trust and event guards."""
    found = set()
    if plan.iam_role:
        found |= {"aws_caller_identity", "aws_partition", "aws_region"}
    if plan.job_role:
        found |= {"aws_caller_identity", "aws_partition"}
    if plan.event:
        found.add("aws_caller_identity")
    if plan.alert_states is not None:
        found |= {"aws_caller_identity", "aws_region"}
    if plan.dashboard:
        found.add("aws_region")
    return sorted(found)


def _condition(condition: Condition, plan: Plan) -> str:
    name, state = ("crawler_name", "crawl_state") if condition.kind == "crawler" else ("job_name", "state")
    pairs = [
        (name, reference(plan, condition.kind, condition.key)),
        (state, hcl.string(condition.state)),
        ("logical_operator", '"EQUALS"'),
    ]
    return hcl.attributes(pairs, 6)


def _action(action: Action, plan: Plan) -> dict[str, Any]:
    pairs = [(f"{action.kind}_name", reference(plan, action.kind, action.key))]
    if action.kind == "job":
        pairs.append(("arguments", inputs.arguments(action, 4)))
    if action.timeout is not None:
        pairs.append(("timeout", str(action.timeout)))
    if action.security_configuration is not None:
        pairs.append(("security_configuration", hcl.string(action.security_configuration)))
    return {"attributes": hcl.attributes(pairs, 4), "notify_delay_after": action.notify_delay_after}


def trigger_name(trigger: Trigger) -> str:
    """The trigger's `name`: its exact name as a literal, or `"${var.workflow_name}-<suffix>"`
    with the suffix as data."""
    if trigger.exact_name is not None:
        return hcl.string(trigger.exact_name)
    return suffixed_name(trigger.name_suffix)


def trigger_view(trigger: Trigger, plan: Plan) -> dict[str, Any]:
    pairs = [
        ("name", trigger_name(trigger)),
        ("workflow_name", "aws_glue_workflow.this.name"),
        ("type", hcl.string(trigger.type)),
    ]
    if trigger.type == "SCHEDULED":  # pitfall 2: enabled explicitly, unless paused
        pairs.append(("enabled", f"!{inputs.PAUSED}"))
    elif trigger.enabled_input:  # the spec's `enabled`, overridden per environment
        pairs.append(("enabled", inputs.trigger_enabled(trigger)))
    else:  # pitfalls 1-3, 15: ON_DEMAND and EVENT starts false, conditional triggers true
        pairs.append(("enabled", "true" if trigger.enabled else "false"))
    if trigger.schedule is not None:
        pairs.append(("schedule", "var.schedule"))
    if trigger.description is not None:
        pairs.append(("description", hcl.string(trigger.description)))
    pairs.append(("tags", tags_expression(plan)))
    batching = None
    if trigger.type == "EVENT":
        # A null batch_window is the attribute left out: Glue's default, read back without a diff.
        batching = hcl.attributes([("batch_size", "var.event_batch_size"), ("batch_window", "var.event_batch_window")], 4)
    return {
        "address": trigger.address,
        "type": trigger.type,
        "attributes": hcl.attributes(pairs, 2),
        "batching": batching,
        "logical": trigger.logical,
        "conditions": [_condition(condition, plan) for condition in trigger.conditions],
        "actions": [_action(action, plan) for action in trigger.actions],
        "stages": [action.label for action in trigger.actions],
        "when": "any" if trigger.logical == "ANY" else "all",
        "delete_timeout": TRIGGER_DELETE_TIMEOUT,
    }
