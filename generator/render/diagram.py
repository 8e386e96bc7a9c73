"""The workflow as a picture: Mermaid (GitHub renders it in the module README) or DOT.

Nodes: the start trigger, then each stage (jobs as boxes, crawlers as cylinders); a
stage with `actions` (a layer) is a box around its actions, one node each. Edges run
upstream -> stage: from a stage (or layer) when the condition names all of it, from one
action when it names that action. An edge into a stage with several conditions (or
`when: any`) says whether the stage needs all of them or any one, and an edge names
its state when it is not SUCCEEDED (a failure branch).
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
    """(from, to, label) with `start` for the start trigger; `from` is a stage or `<stage>.<action>`."""
    found = []
    for stage in plan.stages:
        if not stage.after:
            found.append(("start", stage.name, ""))
        for upstream, state in stage.after:
            parts = [stage.when] if len(stage.after) > 1 or stage.when == "any" else []
            if state != "SUCCEEDED":
                parts.append(state)
            found.append((upstream, stage.name, " ".join(parts)))
    return found


def _action_id(plan: Plan, stage: str, action: str) -> str:
    """A layer's action node: `a_<stage>_<position>` (the position has no underscore, so ids stay distinct)."""
    info = next(s for s in plan.stages if s.name == stage)
    return f"a_{stage}_{info.actions.index(action) + 1}"


def _mermaid_label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def _mermaid_nodes(plan: Plan, stage: StageInfo) -> list[str]:
    if stage.kind != "layer":
        label = _mermaid_label(stage.name if stage.kind == "job" else f"{stage.name} (crawler)")
        return [f"  s_{stage.name}[({label})]" if stage.kind == "crawler" else f"  s_{stage.name}[{label}]"]
    lines = [f"  subgraph s_{stage.name} [{_mermaid_label(stage.name)}]"]
    for action in plan.actions_of(stage.name):
        node = _action_id(plan, stage.name, action.name)
        if action.kind == "crawler":
            lines.append(f"    {node}[({_mermaid_label(f'{action.name} (crawler)')})]")
        else:
            lines.append(f"    {node}[{_mermaid_label(action.name)}]")
    return lines + ["  end"]


def _mermaid_id(plan: Plan, node: str) -> str:
    if node == "start":
        return "start"
    stage, dot, action = node.partition(".")
    return _action_id(plan, stage, action) if dot else f"s_{stage}"


def mermaid(plan: Plan) -> str:
    lines = ["flowchart TD", f"  start(({_mermaid_label(_start_label(plan))}))"]
    for stage in plan.stages:
        lines += _mermaid_nodes(plan, stage)
    for source, target, label in _edges(plan):
        arrow = f" -->|{_mermaid_label(label)}| " if label else " --> "
        lines.append(f"  {_mermaid_id(plan, source)}{arrow}s_{target}")
    return "\n".join(lines) + "\n"


def dot(plan: Plan) -> str:
    layers = {stage.name: stage for stage in plan.stages if stage.kind == "layer"}
    lines = [f"digraph {json.dumps(plan.module)} {{", "  rankdir=TB;"]
    if layers:
        lines.append("  compound=true;")  # edges to and from a layer's box
    lines.append(f"  start [shape=circle, label={json.dumps(_start_label(plan))}];")
    for stage in plan.stages:
        if stage.name not in layers:
            shape = "cylinder" if stage.kind == "crawler" else "box"
            lines.append(f"  {json.dumps(stage.name)} [shape={shape}];")
            continue
        lines.append(f"  subgraph {json.dumps(f'cluster_{stage.name}')} {{")
        lines.append(f"    label={json.dumps(stage.name)};")
        for action in plan.actions_of(stage.name):
            shape = "cylinder" if action.kind == "crawler" else "box"
            lines.append(f"    {json.dumps(action.label)} [shape={shape}, label={json.dumps(action.name)}];")
        lines.append("  }")

    def end(node: str, side: str) -> tuple[str, list[str]]:
        """The node an edge attaches to, and the attribute that clips it to a layer's box."""
        if node in layers:
            first = f"{node}.{layers[node].actions[0]}"
            return json.dumps(first), [f"{side}={json.dumps(f'cluster_{node}')}"]
        return json.dumps(node), []

    for source, target, label in _edges(plan):
        (tail, tail_attrs), (head, head_attrs) = end(source, "ltail"), end(target, "lhead")
        attributes = ([f"label={json.dumps(label)}"] if label else []) + tail_attrs + head_attrs
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {tail} -> {head}{suffix};")
    return "\n".join(lines) + "\n}\n"
