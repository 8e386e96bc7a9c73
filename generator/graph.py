"""Graph questions about the stages: cycles, and which stages can ever run.

Pure functions over `{stage: {upstream: state}}` and `{stage: "all" | "any"}`.
"""

from __future__ import annotations

from collections.abc import Mapping

Edges = Mapping[str, Mapping[str, str]]  # stage -> {upstream: state it must end in}


def find_cycle(edges: Edges) -> list[str] | None:
    """The first cycle in stage order, in run order (`[a, b, a]`: b runs after a, a after b), or None."""
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = "open"
        trail.append(name)
        for upstream in edges[name]:
            if upstream not in edges or upstream == name:
                continue
            if state.get(upstream) == "open":
                return list(reversed(trail[trail.index(upstream) :] + [upstream]))
            if upstream not in state:
                found = visit(upstream, trail)
                if found:
                    return found
        trail.pop()
        state[name] = "done"
        return None

    for name in edges:
        if name not in state:
            found = visit(name, [])
            if found:
                return found
    return None


def topological(edges: Edges) -> list[str]:
    """Stages with every upstream before them; ties kept in spec order. Assumes no cycle."""
    placed: dict[str, None] = {}

    def place(name: str) -> None:
        if name in placed:
            return
        for upstream in edges[name]:
            place(upstream)
        placed[name] = None

    for name in edges:
        place(name)
    return list(placed)


def never_run(edges: Edges, when: Mapping[str, str]) -> dict[str, str]:
    """Stages that no outcome of a run can start, each with the reason.

    A stage's requirements are the end states its start implies for earlier stages.
    `all` joins merge their upstreams' requirements; `any` joins keep what every
    viable alternative shares. A stage needing one stage to end in two states
    (a failure branch joined with the success path, say) can never run.
    """
    needs: dict[str, dict[str, str]] = {}
    dead: dict[str, str] = {}
    for name in topological(edges):
        alternatives = []
        reasons = []
        for upstream, state in edges[name].items():
            if upstream in dead:
                reasons.append(f"its upstream '{upstream}' can never run")
                continue
            alternatives.append({**needs[upstream], upstream: state})
        if when.get(name, "all") == "all" and edges[name]:
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
            if name not in dead:
                needs[name] = merged
        elif edges[name]:
            if not alternatives:
                dead[name] = "none of its upstream conditions can hold"
                continue
            shared = dict(alternatives[0])
            for alternative in alternatives[1:]:
                shared = {stage: state for stage, state in shared.items() if alternative.get(stage) == state}
            needs[name] = shared
        else:
            needs[name] = {}
    return dead
