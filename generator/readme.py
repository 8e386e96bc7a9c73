"""The values the generated module README lays out: tables, file tree, example."""

from __future__ import annotations

import json
import shlex
from typing import Any

from generator import hcl
from generator.plan import Plan

_TRIGGER_PURPOSE = {
    "ON_DEMAND": "Starts {stages} when a workflow run is started (never on apply).",
    "SCHEDULED": "Starts {stages} on the schedule `{schedule}`.",
    "CONDITIONAL": "Starts {stages} after {conditions}.",
}


def cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell."""
    if text is None or text == "":
        return "n/a"
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return "<br>".join(escaped.splitlines()) or "n/a"


def code(text: str) -> str:
    """An inline code span that holds `text` whatever backticks it contains."""
    fence = "`"
    while fence in text:
        fence += "`"
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _conditions(trigger) -> str:
    parts = [f"{c.stage} {c.state}" for c in trigger.conditions]
    return " and ".join(parts)


def _example(plan: Plan) -> str:
    jobs = [(key, f"{key}-job") for key in dict.fromkeys(stage.job_key for stage in plan.stages)]
    width = max(len(key) for key, _ in jobs)
    job_lines = "\n".join(f"    {key.ljust(width)} = {json.dumps(name)}" for key, name in jobs)
    pairs = [("source", hcl.string(f"./{plan.module}")), ("workflow_name", hcl.string(plan.workflow_name))]
    if plan.description is not None:
        pairs.append(("description", hcl.string(plan.description)))
    head = hcl.attributes(pairs[:1], 2) + "\n\n" + hcl.attributes(pairs[1:], 2)
    return (
        f'module "{plan.module}" {{\n{head}\n\n  jobs = {{\n{job_lines}\n  }}\n\n'
        '  tags = {\n    Environment = terraform.workspace\n  }\n}'
    )


def readme_view(plan: Plan) -> dict[str, Any]:
    triggers = []
    for trigger in plan.triggers:
        stages = ", ".join(code(action.stage) for action in trigger.actions)
        purpose = _TRIGGER_PURPOSE[trigger.type].format(
            stages=stages, schedule=trigger.schedule or "", conditions=_conditions(trigger)
        )
        triggers.append({"address": f"aws_glue_trigger.{trigger.address}", "file": trigger.file,
                         "type": trigger.type, "purpose": purpose})
    return {
        "title": cell(plan.workflow_name),
        "description": cell(plan.description),
        "files": ["main.tf", *plan.files, "variables.tf", "outputs.tf"],
        "example": _example(plan),
        "workflow_default": code(json.dumps(plan.workflow_name, ensure_ascii=False)),
        "description_default": code(json.dumps(plan.description, ensure_ascii=False)) if plan.description else "`null`",
        "jobs": ", ".join(dict.fromkeys(stage.job_key for stage in plan.stages)),
        "stages": [
            {
                "name": stage.name,
                "job": stage.job_key,
                "after": ", ".join(code(up) for up in stage.after) or "start",
                "trigger": f"aws_glue_trigger.{stage.trigger}",
                "description": cell(stage.description),
            }
            for stage in plan.stages
        ],
        "triggers": triggers,
        "on_demand": plan.triggers[0].type == "ON_DEMAND",
        "start_command": f"aws glue start-workflow-run --name {shlex.quote(plan.workflow_name)}",
    }
