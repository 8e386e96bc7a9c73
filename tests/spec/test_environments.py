"""`environments:`: each environment's inputs checked against the module's variables, with the
spec's own rules. The module's variables come from `interface.variables`; the rules of the
variables another change adds (schedule, paused, stage_arguments, ...) are tested here with
an explicit list of variable names, so they hold whether or not the module has them yet."""

from __future__ import annotations

import pytest

from conftest import SPECS
from generator.errors import SpecError
from generator.render.interface import variables
from generator.render.module import render
from generator.spec.analyse import analyse
from generator.spec.environments import INPUTS, environments
from generator.spec.load import load_plan
from generator.spec.loader import load_yaml
from generator.spec.model import Spec

SPEC = """\
version: 1
module: etl
workflow:
  name: etl
start: {start}
stages:
  bronze: {{}}
  silver: {{after: [bronze]}}
"""
ON_DEMAND, SCHEDULE = "on_demand", '{schedule: "cron(0 2 * * ? *)"}'
# What a module of SPEC has once the variables of issue 9's module inputs exist.
ALL = ["workflow_name", "description", "jobs", "tags", "paused", "max_concurrent_runs", "run_properties",
       "stage_arguments"]


def check(inputs: str, start: str = SCHEDULE, names: list[str] | None = None) -> list[str]:
    """The messages `environments` gives one environment `dev` with these inputs (YAML flow mapping)."""
    text = SPEC.format(start=start) + f"environments:\n  dev:\n    region: eu-west-1\n    inputs: {inputs}\n"
    document = load_yaml(text, "s.yaml")
    spec = Spec.model_validate(document.data)
    plan = analyse(spec, document.locations)
    wanted = (ALL + ["schedule"] if start == SCHEDULE else ALL) if names is None else names
    _, problems = environments(spec, plan, document.locations, wanted)
    return [str(problem) for problem in problems]


JOBS = "jobs: {bronze: b, silver: s}"


def test_valid_inputs_come_back_in_the_module_variable_order():
    text = SPEC.format(start=SCHEDULE) + (
        "environments:\n  prod:\n    region: us-gov-west-1\n"
        "    inputs: {tags: {env: prod}, jobs: {silver: s, bronze: b}, workflow_name: etl_prod}\n"
    )
    plan = load_plan(text, "s.yaml")
    (env,) = plan.environments
    assert (env.name, env.region, env.region_at) == ("prod", "us-gov-west-1", (11, 13))
    assert [name for name, _ in env.inputs] == ["workflow_name", "jobs", "tags"]


def test_a_module_without_environments_has_the_same_bytes_as_with_them():
    text = SPEC.format(start=SCHEDULE)
    with_envs = text + f"environments:\n  dev: {{region: eu-west-1, inputs: {{{JOBS}, workflow_name: etl_dev}}}}\n"
    assert render(load_plan(with_envs, "s.yaml")) == render(load_plan(text, "s.yaml"))


def test_a_bad_cron_is_refused_with_the_specs_own_message():
    assert check(f'{{{JOBS}, schedule: "cron(0 2 * * *)"}}') == [
        "s.yaml:12:54: environments.dev.inputs.schedule: cron expression has 5 fields, needs 6: "
        "Minutes Hours Day-of-month Month Day-of-week Year"
    ]


def test_paused_is_refused_for_an_on_demand_start_and_allowed_for_a_schedule():
    assert check(f"{{{JOBS}, paused: true}}", start=ON_DEMAND) == [
        "s.yaml:12:52: environments.dev.inputs.paused: an on-demand start never starts by itself; nothing to pause"
    ]
    assert check(f"{{{JOBS}, paused: false}}", start=ON_DEMAND) == []
    assert check(f"{{{JOBS}, paused: true}}") == []


def test_stage_arguments_name_job_stages_only():
    assert check(f'{{{JOBS}, stage_arguments: {{silvr: {{"--x": y}}}}}}') == [
        "s.yaml:12:62: environments.dev.inputs.stage_arguments.silvr: 'silvr' is not a job stage of this module "
        "(did you mean 'silver'?): its job stages are bronze, silver"
    ]


def test_out_of_range_and_wrong_types_read_as_in_the_spec():
    assert check(f'{{{JOBS}, max_concurrent_runs: 0, paused: "yes", run_properties: {{a: 1}}}}') == [
        "s.yaml:12:65: environments.dev.inputs.max_concurrent_runs: must be at least 1",
        "s.yaml:12:76: environments.dev.inputs.paused: must be true or false, not 'yes' (write true)",
        "s.yaml:12:103: environments.dev.inputs.run_properties.a: must be a string, not the number 1 (quote it: \"1\")",
    ]


def test_an_input_the_module_lacks_is_unknown_with_a_did_you_mean_over_its_variables():
    assert check(f"{{{JOBS}, schedule: x}}", start=ON_DEMAND) == [
        "s.yaml:12:44: environments.dev.inputs.schedule: 'schedule' is not an input of this module: "
        "only a module with a schedule start has it"
    ]
    assert check(f"{{{JOBS}, pause: true}}") == [
        "s.yaml:12:44: environments.dev.inputs.pause: unknown input 'pause' (did you mean 'paused'?)"
    ]
    # Before the module has `paused`, the same input is not one of its inputs.
    assert check(f"{{{JOBS}, paused: true}}", names=["workflow_name", "jobs"]) == [
        "s.yaml:12:44: environments.dev.inputs.paused: 'paused' is not an input of this module"
    ]


def test_null_is_an_input_where_the_variable_is_nullable_and_refused_elsewhere():
    assert check(f"{{{JOBS}, max_concurrent_runs: null, description: null}}") == []
    assert check(f"{{{JOBS}, workflow_name: null}}") == [
        "s.yaml:12:59: environments.dev.inputs.workflow_name: must be a string, not null"
    ]


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.stem)
def test_every_variable_of_every_example_module_has_its_rules(spec):
    plan = load_plan(spec.read_text(encoding="utf-8"), spec.name)
    assert {variable.name for variable in variables(plan)} <= set(INPUTS)


def test_environment_problems_come_with_the_other_problems_of_the_spec():
    text = SPEC.format(start=ON_DEMAND).replace("  silver: {after: [bronze]}\n", "  silver: {after: [gold]}\n")
    with pytest.raises(SpecError) as caught:
        load_plan(text + "environments:\n  dev: {region: eu-west-1, inputs: {jobs: {}}}\n", "s.yaml")
    assert caught.value.lines() == ["s.yaml:8:20: stages.silver.after[0]: unknown stage 'gold'"]


# Issue 11: jobs the spec defines.

DEFINED = """\
job_defaults: {glue_version: "5.0"}
jobs:
  bronze: {script_location: s3://bucket/bronze.py}
"""


def check_defined(inputs: str, names: list[str], job_role: bool = False) -> list[str]:
    """`check` for SPEC with jobs.bronze defined (silver stays in var.jobs)."""
    text = SPEC.format(start=ON_DEMAND).replace("stages:\n", DEFINED + ("job_role: true\n" if job_role else "") + "stages:\n")
    text += f"environments:\n  dev:\n    region: eu-west-1\n    inputs: {inputs}\n"
    document = load_yaml(text, "s.yaml")
    spec = Spec.model_validate(document.data)
    _, problems = environments(spec, analyse(spec, document.locations), document.locations, names)
    return [str(problem) for problem in problems]


def test_the_jobs_input_must_name_the_undefined_keys_and_may_name_defined_ones():
    names = ["workflow_name", "jobs"]
    assert check_defined("{jobs: {silver: s}}", names, job_role=True) == []
    assert check_defined("{jobs: {silver: s, bronze: dev-bronze}}", names, job_role=True) == []
    assert check_defined("{jobs: {bronze: dev-bronze, gold: g}}", names, job_role=True) == [
        "s.yaml:16:41: environments.dev.inputs.jobs.gold: 'gold' is not a job key of this module: it has bronze, silver",
        "s.yaml:16:20: environments.dev.inputs.jobs: jobs has no Glue job name for: silver",
    ]
    assert check_defined("{workflow_name: w}", names, job_role=True) == [
        "s.yaml:16:13: environments.dev.inputs: missing input 'jobs': the module has no default for it (it names this "
        "module's Glue jobs in this environment)"]


def test_job_role_arn_is_required_without_job_role_and_checked_as_an_iam_role_arn():
    names = ["workflow_name", "jobs", "job_role_arn"]
    arn = "arn:aws:iam::123456789012:role/service-role/etl-jobs"
    assert check_defined(f"{{jobs: {{silver: s}}, job_role_arn: '{arn}'}}", names) == []
    assert check_defined("{jobs: {silver: s}}", names) == [
        "s.yaml:15:13: environments.dev.inputs: missing input 'job_role_arn': the module has no default for it "
        "(the ARN of the IAM role this module's jobs run with)"]
    assert check_defined("{jobs: {silver: s}, job_role_arn: etl-jobs}", names) == [
        "s.yaml:15:47: environments.dev.inputs.job_role_arn: 'etl-jobs' is not an IAM role ARN "
        "(arn:aws:iam::<account>:role/<name>)"]
    # A module without the variable (job_role: true, or no jobs) refuses the input.
    assert check_defined(f"{{jobs: {{silver: s}}, job_role_arn: '{arn}'}}", ["workflow_name", "jobs"], job_role=True) == [
        "s.yaml:16:33: environments.dev.inputs.job_role_arn: 'job_role_arn' is not an input of this module: only a "
        "module that defines jobs without job_role has it"]
