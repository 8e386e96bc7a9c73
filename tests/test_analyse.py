"""Whole-spec rules that need no corpus file: limits computed from what is generated."""

from __future__ import annotations

from generator.spec import load_plan


def spec(name: str, stages: str) -> str:
    return f"version: 1\nmodule: m\nworkflow:\n  name: {name}\nstages:\n{stages}"


def test_root_stage_names_do_not_count_against_the_trigger_name_limit():
    # Only "<name>-start" and "<name>-<dependent stage>" become trigger names.
    plan = load_plan(spec("w" * 249, "  root_stage_long_name: {}\n  next: {after: [root_stage_long_name]}\n"), "m.yaml")
    assert plan.max_workflow_name_length == 249


def test_two_crawlers_may_start_the_workflow():
    plan = load_plan(spec("w", "  c1: {crawler: true}\n  c2: {crawler: true}\n"), "m.yaml")
    assert [action.kind for action in plan.start.actions] == ["crawler", "crawler"]


def test_a_shared_job_that_nothing_waits_for_is_allowed():
    plan = load_plan(spec("w", "  a: {}\n  b: {after: [a], job: shared}\n  c: {after: [a], job: shared}\n"), "m.yaml")
    assert plan.job_keys == ("a", "shared")
