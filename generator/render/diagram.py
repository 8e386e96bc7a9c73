"""The workflow as a picture: Mermaid (GitHub renders it in the module README) or DOT.

Nodes: the start trigger, then each stage (jobs as boxes, crawlers as cylinders).
Edges run upstream -> stage; an edge into a stage with several upstreams says
whether the stage needs all of them or any one, and an edge names its state when
it is not SUCCEEDED (a failure branch).
"""

from __future__ import annotations

import json

from generator.spec.plan import Plan, StageInfo


def _start_label(plan: Plan) -> str:
    start = plan.start
    if start.type == "SCHEDULED":
        return f"start: {start.schedule}"
    if start.type == "EVENT":
        return "start: S3 " + plan.event.s3_bucket if plan.event and plan.event.s3_bucket else "start: EventBridge event"
    return "start: on demand"


def _edges(plan: Plan) -> list[tuple[str, str, str]]:
    """(from, to, label) with `start` for the start trigger."""
    found = []
    for stage in plan.stages:
        if not stage.after:
            found.append(("start", stage.name, ""))
        for upstream, state in stage.after:
            parts = [stage.when] if len(stage.after) > 1 else []
            if state != "SUCCEEDED":
                parts.append(state)
            found.append((upstream, stage.name, " ".join(parts)))
    return found


def _mermaid_label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def _mermaid_node(stage: StageInfo) -> str:
    label = _mermaid_label(stage.name if stage.kind == "job" else f"{stage.name} (crawler)")
    return f"  s_{stage.name}[({label})]" if stage.kind == "crawler" else f"  s_{stage.name}[{label}]"


def mermaid(plan: Plan) -> str:
    lines = ["flowchart TD", f"  start(({_mermaid_label(_start_label(plan))}))"]
    lines += [_mermaid_node(stage) for stage in plan.stages]
    for source, target, label in _edges(plan):
        source_id = "start" if source == "start" else f"s_{source}"
        arrow = f" -->|{_mermaid_label(label)}| " if label else " --> "
        lines.append(f"  {source_id}{arrow}s_{target}")
    return "\n".join(lines) + "\n"


def dot(plan: Plan) -> str:
    lines = [f"digraph {json.dumps(plan.module)} {{", "  rankdir=TB;", f"  start [shape=circle, label={json.dumps(_start_label(plan))}];"]
    for stage in plan.stages:
        shape = "cylinder" if stage.kind == "crawler" else "box"
        lines.append(f"  {json.dumps(stage.name)} [shape={shape}];")
    for source, target, label in _edges(plan):
        attributes = f" [label={json.dumps(label)}]" if label else ""
        lines.append(f"  {json.dumps(source)} -> {json.dumps(target)}{attributes};")
    return "\n".join(lines) + "\n}\n"
