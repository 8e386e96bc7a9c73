"""Graph questions about the stages: cycles, order, and which stages can ever run.

Pure, iterative functions (specs may hold thousands of stages) over
`{stage: {upstream: state}}` and `{stage: "all" | "any"}`.
"""

from __future__ import annotations

from collections.abc import Mapping

Edges = Mapping[str, Mapping[str, str]]  # stage -> {upstream: state it must end in}


def find_cycle(edges: Edges) -> list[str] | None:
    """The first cycle in stage order, in run order (`[a, b, a]`: b runs after a, a after b), or None."""
    state: dict[str, str] = {}
    for root in edges:
        if root in state:
            continue
        trail: list[str] = [root]
        pending = [iter(edges[root])]
        state[root] = "open"
        while pending:
            upstream = next(pending[-1], None)
            if upstream is None:
                state[trail.pop()] = "done"
                pending.pop()
                continue
            if upstream not in edges or upstream == trail[-1]:
                continue
            if state.get(upstream) == "open":
                return list(reversed(trail[trail.index(upstream) :] + [upstream]))
            if upstream not in state:
                state[upstream] = "open"
                trail.append(upstream)
                pending.append(iter(edges[upstream]))
    return None


def topological(edges: Edges) -> list[str]:
    """Stages with every upstream before them; otherwise in spec order. Assumes no cycle."""
    placed: dict[str, None] = {}
    for root in edges:
        stack = [(root, iter(edges[root]))]
        while stack:
            name, upstreams = stack[-1]
            if name in placed:
                stack.pop()
                continue
            upstream = next(upstreams, None)
            if upstream is None:
                placed[name] = None
                stack.pop()
            elif upstream in edges and upstream not in placed:
                stack.append((upstream, iter(edges[upstream])))
    return list(placed)


def never_run(edges: Edges, when: Mapping[str, str]) -> dict[str, str]:
    """Stages that no outcome of a run can start, each with the reason.

    A stage's requirements are the end states its start implies for earlier stages.
    `all` joins merge their upstreams' requirements; `any` joins keep what every
    viable alternative shares. A stage needing one stage to end in two states (a
    failure branch joined with the success path, say) can never run. Only stages
    some condition expects to end other than SUCCEEDED can be contradicted, so only
    those are tracked: linear in the stages for specs without failure branches.
    """
    branching = {up for conditions in edges.values() for up, state in conditions.items() if state != "SUCCEEDED"}
    needs: dict[str, dict[str, str]] = {}
    dead: dict[str, str] = {}
    for name in topological(edges):
        conditions = edges[name]
        if not conditions:
            needs[name] = {}
            continue
        alternatives, reasons = [], []
        for upstream, state in conditions.items():
            if upstream in dead:
                reasons.append(f"its upstream '{upstream}' can never run")
                continue
            alternative = needs[upstream]
            if upstream in branching:
                alternative = {**alternative, upstream: state}
            alternatives.append(alternative)
        if when.get(name, "all") == "any":
            if not alternatives:
                dead[name] = "none of its upstream conditions can hold"
                continue
            shared = alternatives[0]
            for alternative in alternatives[1:]:
                shared = {stage: state for stage, state in shared.items() if alternative.get(stage) == state}
            needs[name] = shared
            continue
        if reasons:
            dead[name] = reasons[0]
            continue
        merged: dict[str, str] = {}
        for alternative in alternatives:
            for stage, state in alternative.items():
                if merged.setdefault(stage, state) != state:
                    dead[name] = f"it needs '{stage}' to end both {merged[stage]} and {state}"
                    break
            if name in dead:
                break
        else:
            needs[name] = merged
    return dead
