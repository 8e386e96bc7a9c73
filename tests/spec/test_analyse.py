"""Whole-spec rules that need no corpus file: limits computed from what is generated."""

from __future__ import annotations

import pytest

from generator.errors import SpecError
from generator.spec import names
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


# Issue 10: layers, conditions on actions, trigger names, activation.

LAYERS = """\
  bronze:
    actions: {orders: {timeout: 5}, users: {job: users_job}, raw: {crawler: true, timeout: 30}}
  silver: {after: [bronze], trigger_name: dev-silver-trigger}
  cleanup: {after: {bronze.orders: [FAILED, TIMEOUT], silver: FAILED}, when: any, enabled: false, trigger_suffix: "x-${y}"}
  report: {after: {silver: FAILED}, when: any}
"""


def test_a_layer_is_one_trigger_with_an_action_per_entry_and_after_it_means_every_action():
    plan = load_plan(spec("w", LAYERS), "m.yaml")
    start, silver, cleanup, report = plan.triggers
    assert [(a.stage, a.name, a.kind, a.key, a.timeout) for a in start.actions] == [
        ("bronze", "orders", "job", "orders", 5), ("bronze", "users", "job", "users_job", None),
        ("bronze", "raw", "crawler", "raw", 30)]
    assert start.file == "bronze_stage_trigger.tf"
    assert [(c.stage, c.action, c.kind, c.key, c.state) for c in silver.conditions] == [
        ("bronze", "orders", "job", "orders", "SUCCEEDED"), ("bronze", "users", "job", "users_job", "SUCCEEDED"),
        ("bronze", "raw", "crawler", "raw", "SUCCEEDED")]
    assert silver.logical == "AND" and silver.file == "silver_job_trigger.tf"
    assert [(c.label, c.state) for c in cleanup.conditions] == [
        ("bronze.orders", "FAILED"), ("bronze.orders", "TIMEOUT"), ("silver", "FAILED")]
    # `when: any` with one condition is logical ANY, as AWS stores it.
    assert (report.logical, len(report.conditions)) == ("ANY", 1)
    assert plan.stages[0].actions == ("orders", "users", "raw") and plan.stages[0].kind == "layer"
    assert plan.crawler_keys == ("raw",) and plan.job_keys == ("cleanup", "orders", "report", "silver", "users_job")


def test_trigger_names_and_activation():
    plan = load_plan(spec("w", LAYERS), "m.yaml")
    start, silver, cleanup, report = plan.triggers
    assert [t.name_for("dev-w") for t in plan.triggers] == [
        "dev-w-start", "dev-silver-trigger", "dev-w-x-${y}", "dev-w-report"]
    assert (silver.exact_name, cleanup.exact_name, cleanup.name_suffix) == ("dev-silver-trigger", None, "x-${y}")
    assert (cleanup.enabled, cleanup.enabled_input, report.enabled, report.enabled_input) == (False, True, True, False)
    assert plan.enabled_stages == ("cleanup",)
    # The longest suffix in use bounds the workflow name: "-x-${y}" is 7 bytes, "-report" 7 too, "-start" 6.
    assert plan.max_workflow_name_length == 255 - 7


def test_a_spec_whose_triggers_all_have_exact_names_leaves_the_workflow_name_glues_limit():
    text = "start: {trigger_name: go}\nstages:\n  a: {}\n  b: {after: [a], trigger_name: then}\n"
    plan = load_plan(f"version: 1\nmodule: m\nworkflow:\n  name: w\n{text}", "m.yaml")
    assert plan.max_workflow_name_length == 255
    assert [t.name_for("anything") for t in plan.triggers] == ["go", "then"]


def test_a_job_started_by_several_triggers_is_allowed():
    # A clean-up after any failure: one job, one trigger per failure.
    stages = ("  a: {}\n  b: {after: [a]}\n  clean_a: {after: {a: FAILED}, job: clean}\n"
              "  clean_b: {after: {b: FAILED}, job: clean}\n")
    plan = load_plan(spec("w", stages), "m.yaml")
    assert [a.key for t in plan.triggers for a in t.actions].count("clean") == 2


# Issue 11: job definitions.

JOBS = """\
job_defaults:
  glue_version: "5.0"
  worker_type: G.1X
  number_of_workers: 2
  default_arguments: {"--TempDir": "s3://bucket/temp/", "--layer": none}
  tags: {team: data}
jobs:
  silver:
    script_location: s3://bucket/silver.py
    default_arguments: {"--layer": silver}
    connections: [vpc]
    name_suffix: silver-job
  bronze: {script_location: s3://bucket/bronze.py, name: legacy-bronze, tags: {team: bronze, layer: b}}
"""


def jobs_spec(name: str, stages: str, jobs: str = JOBS, extra: str = "") -> str:
    return spec(name, stages).replace("stages:\n", f"{extra}{jobs}stages:\n")


def test_plan_jobs_are_the_merged_definitions_in_the_spec_order():
    plan = load_plan(jobs_spec("w", "  bronze: {}\n  silver: {after: [bronze]}\n", extra="job_role: true\n"), "m.yaml")
    silver, bronze = plan.jobs
    assert (silver.key, silver.command, silver.script_location, silver.glue_version) == (
        "silver", "glueetl", "s3://bucket/silver.py", "5.0")
    assert (silver.worker_type, silver.number_of_workers, silver.connections) == ("G.1X", 2, ("vpc",))
    assert silver.default_arguments == (("--TempDir", "s3://bucket/temp/"), ("--layer", "silver"))
    assert (silver.name, silver.name_suffix, silver.suffix, silver.tags) == (None, "silver-job", "silver-job", (("team", "data"),))
    assert (bronze.name, bronze.suffix, bronze.tags) == ("legacy-bronze", "bronze", (("layer", "b"), ("team", "bronze")))
    assert bronze.default_arguments == (("--TempDir", "s3://bucket/temp/"), ("--layer", "none"))
    assert plan.job_role and plan.defined_job_keys == {"bronze", "silver"} and plan.required_job_keys == ()
    assert plan.job("bronze") is bronze and plan.job("gold") is None
    assert plan.warnings == ()


def test_the_dashboard_gives_defined_jobs_enable_metrics_unless_they_set_it():
    jobs = JOBS.replace('"--layer": none}', '"--layer": none, "--enable-metrics": "true"}', 1)
    plan = load_plan(jobs_spec("w", "  bronze: {}\n  silver: {after: [bronze]}\n", extra="dashboard: true\n"), "m.yaml")
    assert dict(plan.job("bronze").default_arguments)["--enable-metrics"] == ""
    plan = load_plan(jobs_spec("w", "  bronze: {}\n  silver: {after: [bronze]}\n", jobs, "dashboard: true\n"), "m.yaml")
    assert dict(plan.job("bronze").default_arguments)["--enable-metrics"] == "true"
    plan = load_plan(jobs_spec("w", "  bronze: {}\n  silver: {after: [bronze]}\n"), "m.yaml")
    assert "--enable-metrics" not in dict(plan.job("bronze").default_arguments)


def test_stage_jobs_not_defined_are_what_var_jobs_must_hold_and_a_crawler_key_is_not_a_job():
    stages = "  bronze: {}\n  silver: {crawler: true, after: [bronze]}\n  gold: {after: [silver]}\n"
    plan = load_plan(jobs_spec("w", stages), "m.yaml")
    assert plan.job_keys == ("bronze", "gold") and plan.required_job_keys == ("gold",)
    assert plan.crawler_keys == ("silver",)
    # jobs.silver is defined, and the stage silver runs the crawler silver: the job is unused.
    assert [str(w) for w in plan.warnings] == [
        "m.yaml:12:3: jobs.silver: warning: job 'silver' is defined but no stage runs it: the module creates it "
        "and no trigger starts it (run it from a stage or action, or remove it)"]


def test_job_name_suffixes_and_the_job_role_bound_the_workflow_name():
    stages = "  bronze: {}\n  silver: {after: [bronze]}\n"
    long_suffix = JOBS.replace("name_suffix: silver-job", "name_suffix: " + "s" * 100)
    plan = load_plan(jobs_spec("w", stages, long_suffix), "m.yaml")
    assert plan.max_workflow_name_length == 255 - 1 - 100
    assert plan.name_limit_reason == f'the job name "<workflow_name>-{"s" * 100}" must fit Glue\'s limit of 255 bytes'
    # An exact `name` does not count: then "<workflow_name>-silver" (the trigger) is the longest.
    plan = load_plan(jobs_spec("w", stages, long_suffix.replace("name_suffix: " + "s" * 100, "name: exact")), "m.yaml")
    assert plan.max_workflow_name_length == 255 - 1 - len("silver")
    plan = load_plan(jobs_spec("w", stages, extra="job_role: true\n"), "m.yaml")
    assert plan.max_workflow_name_length == 64 - len("-job")
    assert names.JOB_ROLE in plan.resource_names


def test_a_defined_job_two_stages_may_run_at_once_needs_enough_concurrent_runs():
    jobs = "job_defaults: {glue_version: \"5.0\"}\njobs:\n  a: {script_location: s3://bucket/a.py}\n" \
           "  load: {script_location: s3://bucket/l.py%s}\n"
    stages = "  a: {}\n  x: {after: [a], job: load}\n  y: {after: [a], job: load}\n  z: {after: {a: FAILED}, job: load}\n"
    with pytest.raises(SpecError) as refused:
        load_plan(jobs_spec("w", stages, jobs % ""), "m.yaml")
    (problem,) = refused.value.diagnostics
    assert problem.path == "jobs.load" and "stages 'x' and 'y' run job 'load'" in problem.message
    assert "may run 2 times at once, and max_concurrent_runs allows 1" in problem.message
    # Enough runs (z is a failure branch, exclusive with x and y), or queuing: no error and no warning.
    for fix in (", max_concurrent_runs: 2", ", job_run_queuing_enabled: true"):
        assert load_plan(jobs_spec("w", stages, jobs % fix), "m.yaml").warnings == ()
    # The same stages with an undefined job keep the warning.
    undefined = load_plan(spec("w", stages), "m.yaml")
    assert [w.path for w in undefined.warnings] == ["stages.y.job"]


def test_a_python_shell_job_keeps_its_capacity_as_a_float_and_no_workers():
    jobs = 'jobs:\n  c: {script_location: s3://bucket/c.py, command: pythonshell, glue_version: "3.0", max_capacity: 1}\n'
    (job,) = load_plan(jobs_spec("w", "  c: {}\n", jobs), "m.yaml").jobs
    assert (job.command, job.max_capacity, job.worker_type, job.number_of_workers) == ("pythonshell", 1.0, None, None)
    assert isinstance(job.max_capacity, float)
