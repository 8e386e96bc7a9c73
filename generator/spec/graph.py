"""Graph questions about the stages: cycles, order, and which stages can ever run.

Pure, iterative functions (specs may hold thousands of stages) over
`{stage: {upstream: state}}` and `{stage: "all" | "any"}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


Conditions = Mapping[str, Sequence[tuple[str, str, str]]]  # stage -> (upstream stage, upstream action, state)


def never_run(conditions: Conditions, when: Mapping[str, str]) -> dict[str, str]:
    """Stages that no outcome of a run can start, each with the reason.

    Each condition names an upstream stage, the action of it whose end it tests (its
    label: the stage alone in the old form, `<stage>.<action>` in a layer) and the state.
    A stage's requirements are the end states its start implies for earlier actions.
    `all` joins merge their upstreams' requirements; `any` joins keep what every
    viable alternative shares. A stage needing one action to end in two states (a
    failure branch joined with the success path, say) can never run. Only actions
    some condition expects to end other than SUCCEEDED can be contradicted, so only
    those are tracked: linear in the stages for specs without failure branches.
    """
    branching = {action for found in conditions.values() for _, action, state in found if state != "SUCCEEDED"}
    edges = {name: dict.fromkeys(upstream for upstream, _, _ in found) for name, found in conditions.items()}
    needs: dict[str, dict[str, str]] = {}
    dead: dict[str, str] = {}
    for name in topological(edges):
        found = conditions[name]
        if not found:
            needs[name] = {}
            continue
        alternatives, reasons = [], []
        for upstream, action, state in found:
            if upstream in dead:
                reasons.append(f"its upstream '{upstream}' can never run")
                continue
            alternative = needs[upstream]
            if action in branching:
                alternative = {**alternative, action: state}
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
            for action, state in alternative.items():
                if merged.setdefault(action, state) != state:
                    dead[name] = f"it needs '{action}' to end both {merged[action]} and {state}"
                    break
            if name in dead:
                break
        else:
            needs[name] = merged
    return dead
