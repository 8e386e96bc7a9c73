"""Whole-spec rules that need no corpus file: limits computed from what is generated."""

from __future__ import annotations

from generator.spec.load import load_plan


def spec(name: str, stages: str) -> str:
    return f"version: 1\nmodule: m\nworkflow:\n  name: {name}\nstages:\n{stages}"


def test_root_stage_names_do_not_count_against_the_trigger_name_limit():
    # Only "<name>-start" and "<name>-<dependent stage>" become trigger names.
    plan = load_plan(spec("w" * 249, "  root_stage_long_name: {}\n  next: {after: [root_stage_long_name]}\n"), "m.yaml")
    assert plan.max_workflow_name_length == 249


def test_two_crawlers_may_start_the_workflow():
    plan = load_plan(spec("w", "  c1: {crawler: true}\n  c2: {crawler: true}\n"), "m.yaml")
    assert [action.kind for action in plan.start.actions] == ["crawler", "crawler"]


def test_a_shared_job_that_nothing_waits_for_is_allowed_with_a_warning_when_both_start_at_once():
    plan = load_plan(spec("w", "  a: {}\n  b: {after: [a], job: shared}\n  c: {after: [a], job: shared}\n"), "m.yaml")
    assert plan.job_keys == ("a", "shared")
    assert [str(w) for w in plan.warnings] == [
        "m.yaml:8:24: stages.c.job: warning: stages 'b' and 'c' both run job 'shared' and both start when "
        "a SUCCEEDED: Glue starts the job twice at once, and the second run fails unless the job allows that many "
        "concurrent runs (max_concurrent_runs in its execution_property; 1 by default)"
    ]


def test_stages_sharing_a_job_on_unordered_paths_may_overlap():
    text = spec("w", "  a: {}\n  x: {}\n  b: {after: [a], job: shared}\n  c: {after: [x], job: shared}\n")
    (warning,) = load_plan(text, "m.yaml").warnings
    assert warning.severity == "warning" and warning.path == "stages.c.job"
    assert "stages 'b' and 'c' both run job 'shared' and nothing orders them: when their runs overlap" in warning.message


def test_a_failure_branch_sharing_the_success_branch_job_never_overlaps_it():
    text = spec("w", "  a: {}\n  b: {after: [a], job: shared}\n  c: {after: {a: FAILED}, job: shared}\n")
    assert load_plan(text, "m.yaml").warnings == ()


def test_quotas_can_be_left_out_for_generator_benchmarks():
    chain = "  s0: {}\n" + "".join(f"  s{i}: {{after: [s{i - 1}]}}\n" for i in range(1, 60))
    plan = load_plan(spec("w", chain), "m.yaml", quotas=False)
    assert len(plan.triggers) == 60
