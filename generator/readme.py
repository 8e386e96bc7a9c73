"""The values the generated module README lays out: tables, file tree, example."""

from __future__ import annotations

import json
import shlex
from typing import Any

from generator import features, hcl, interface
from generator.diagram import mermaid
from generator.markdown import cell, code
from generator.plan import Plan, Trigger

_TRIGGER_PURPOSE = {
    "ON_DEMAND": "Starts {stages} when a workflow run is started (never on apply).",
    "SCHEDULED": "Starts {stages} on the schedule `{schedule}`.",
    "EVENT": "Starts {stages} when a batch of EventBridge events arrives.",
    "CONDITIONAL": "Starts {stages} after {conditions}.",
}


def _conditions(trigger: Trigger) -> str:
    joiner = " or " if trigger.logical == "ANY" else " and "
    return joiner.join(f"{c.stage} {c.state}" for c in trigger.conditions)


def _name_map(plan: Plan, kind: str) -> str:
    keys = list(dict.fromkeys(stage.key for stage in plan.stages if stage.kind == kind))
    width = max(len(key) for key in keys)
    lines = "\n".join(f"    {key.ljust(width)} = {json.dumps(f'{key}-{kind}')}" for key in keys)
    return f"  {kind}s = {{\n{lines}\n  }}\n\n"


def _example(plan: Plan) -> str:
    pairs = [("source", hcl.string(f"./{plan.module}")), ("workflow_name", hcl.string(plan.workflow_name))]
    if plan.description is not None:
        pairs.append(("description", hcl.string(plan.description)))
    head = hcl.attributes(pairs[:1], 2) + "\n\n" + hcl.attributes(pairs[1:], 2)
    maps = "".join(_name_map(plan, kind) for kind, keys in (("job", plan.job_keys), ("crawler", plan.crawler_keys)) if keys)
    return f'module "{plan.module}" {{\n{head}\n\n{maps}  tags = {{\n    Environment = terraform.workspace\n  }}\n}}'


def _after(stage) -> str:
    if not stage.after:
        return "start"
    parts = [code(up) if state == "SUCCEEDED" else f"{code(up)} {state}" for up, state in stage.after]
    return (" or " if stage.when == "any" else ", ").join(parts)


def readme_view(plan: Plan) -> dict[str, Any]:
    triggers = []
    for trigger in plan.triggers:
        stages = ", ".join(code(action.stage) for action in trigger.actions)
        purpose = _TRIGGER_PURPOSE[trigger.type].format(
            stages=stages, schedule=trigger.schedule or "", conditions=_conditions(trigger)
        )
        triggers.append({"address": f"aws_glue_trigger.{trigger.address}", "file": trigger.file,
                         "type": trigger.type, "purpose": purpose})
    extra_files = [name for name, _, wanted, _ in features.FILES if wanted(plan)]
    return {
        "title": cell(plan.workflow_name),
        "description": cell(plan.description),
        "files": ["main.tf", *plan.files, *extra_files, "variables.tf", "outputs.tf"],
        "example": _example(plan),
        "has_crawlers": bool(plan.crawler_keys),
        "variables": [
            {"name": v.name, "description": cell(v.description), "type": f"`{v.type}`", "default": v.readme_default}
            for v in interface.variables(plan)
        ],
        "outputs": [
            {"name": o.name, "description": o.readme_description or cell(o.description)} for o in interface.outputs(plan)
        ],
        "stages": [
            {
                "name": stage.name,
                "kind": stage.kind,
                "job": stage.key,
                "after": _after(stage),
                "trigger": f"aws_glue_trigger.{stage.trigger}",
                "description": cell(stage.description),
            }
            for stage in plan.stages
        ],
        "triggers": triggers,
        "diagram": mermaid(plan),
        "start": plan.start.type,
        "s3_bucket": plan.event.s3_bucket if plan.event else None,
        "start_command": f"aws glue start-workflow-run --name {shlex.quote(plan.workflow_name)}",
    }
