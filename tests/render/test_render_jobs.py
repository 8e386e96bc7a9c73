"""The jobs the spec defines, as the module lays them out: `jobs.tf`, the job role, every reference
to a created job, `var.jobs` / `job_role_arn`, the outputs, the README and the roots' imports.

The plans are built from a spec without jobs plus `JobDefinition`s, so what is tested here is the
rendering alone (the spec side is tested in tests/spec/)."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import build_file_tree
from generator.render import interface
from generator.render.module import Origin, render
from generator.render.roots import Member, imports_view
from generator.spec.load import load_plan
from generator.spec.model import IAM_ROLE_ARN
from generator.spec.plan import EnvironmentPlan, JobDefinition, Plan
from hclparse import blocks, parse_module
from render.test_inputs import evaluate

SPEC = """\
version: 1
module: m
workflow: {name: w}
stages:
  a: {}
  b: {after: [a]}
  c: {after: {b: FAILED}, job: shared}
iam_role: true
alerts: {}
dashboard: true
tags: {Team: data}
"""

FULL = JobDefinition(
    key="a", command="glueetl", script_location="s3://scripts/a.py", glue_version="5.0",
    name_suffix="x-${y}", worker_type="G.1X", number_of_workers=2,
    default_arguments=(("--TempDir", "s3://tmp/temp/"), ("--enable-metrics", ""), ("--z", "1")),
    non_overridable_arguments=(("--b", "2"), ("--a", "1")),
    connections=("net",), max_retries=1, timeout=60, max_concurrent_runs=3, execution_class="STANDARD",
    job_run_queuing_enabled=True, security_configuration="sec", notify_delay_after=5, description="Job a.",
    tags=(("layer", "bronze"),),
)
BARE = JobDefinition(key="b", command="pythonshell", script_location="s3://scripts/b.py", glue_version="3.0",
                     name="exact-b", python_version="3.9", max_capacity=0.0625)


def plan_with(jobs: tuple[JobDefinition, ...], job_role: bool = False, text: str = SPEC) -> Plan:
    return dataclasses.replace(load_plan(text, "m.yaml"), jobs=jobs, job_role=job_role)


def parsed(tmp_path, plan: Plan):
    return parse_module(build_file_tree(tmp_path / "module", render(plan)))


def test_one_glue_job_per_defined_job_in_spec_order_with_only_the_fields_it_sets(tmp_path):
    module = parsed(tmp_path, plan_with((FULL, BARE)))
    assert list(module.resources["aws_glue_job"]) == ["a", "b"]
    a, b = module.resources["aws_glue_job"]["a"], module.resources["aws_glue_job"]["b"]
    # The name: an environment's jobs entry, else the suffix after the workflow name (as data), or the exact name.
    assert a["name"] == '${lookup(var.jobs, "a", "${var.workflow_name}-x-$${y}")}'
    assert b["name"] == '${lookup(var.jobs, "b", "exact-b")}'
    assert a["role_arn"] == b["role_arn"] == "${var.job_role_arn}"
    assert blocks(a["command"]) == [{"name": "glueetl", "script_location": "s3://scripts/a.py"}]
    assert blocks(b["command"]) == [{"name": "pythonshell", "script_location": "s3://scripts/b.py", "python_version": "3.9"}]
    assert (a["glue_version"], a["worker_type"], a["number_of_workers"]) == ("5.0", "G.1X", 2)
    assert (a["max_retries"], a["timeout"], a["execution_class"], a["job_run_queuing_enabled"]) == (1, 60, "STANDARD", True)
    assert (a["security_configuration"], a["connections"], a["description"]) == ("sec", ["net"], "Job a.")
    assert blocks(a["execution_property"]) == [{"max_concurrent_runs": 3}]
    assert blocks(a["notification_property"]) == [{"notify_delay_after": 5}]
    assert list(a["default_arguments"]) == ["--TempDir", "--enable-metrics", "--z"]
    assert a["non_overridable_arguments"] == {"--a": "1", "--b": "2"}
    assert list(a["non_overridable_arguments"]) == ["--a", "--b"], "sorted"
    assert a["tags"] == '${merge(local.tags, {"layer" = "bronze"})}'
    # Pitfall 7: nothing the job does not set, no empty block.
    assert set(b) == {"name", "role_arn", "glue_version", "max_capacity", "tags", "command"}
    assert (b["max_capacity"], b["tags"]) == (0.0625, "${local.tags}")


def test_every_reference_to_a_defined_job_names_the_created_job(tmp_path):
    module = parsed(tmp_path, plan_with((FULL,)))
    triggers = module.resources["aws_glue_trigger"]
    assert [a["job_name"] for a in blocks(triggers["start"]["actions"])] == ["${aws_glue_job.a.name}"]
    (b_condition,) = blocks(blocks(triggers["b"]["predicate"])[0]["conditions"])
    assert b_condition["job_name"] == "${aws_glue_job.a.name}"
    assert [a["job_name"] for a in blocks(triggers["b"]["actions"])] == ['${var.jobs["b"]}']
    alerts = module.resources["aws_cloudwatch_event_rule"]["alerts"]["event_pattern"]
    assert "aws_glue_job.a.name" in alerts and 'var.jobs["b"]' in alerts and 'var.jobs["a"]' not in alerts
    dashboard = module.resources["aws_cloudwatch_dashboard"]["this"]["dashboard_body"]
    assert "aws_glue_job.a.name" in dashboard and 'var.jobs["a"]' not in dashboard
    (run,) = [s for s in blocks(module.data["aws_iam_policy_document"]["run"]["statement"]) if s["sid"] == "Jobs"]
    assert run["resources"] == (
        '${concat([for key in ["b", "shared"] : "${local.glue_arn}:job/${var.jobs[key]}"], [aws_glue_job.a.arn])}')
    every = parsed(tmp_path / "every", plan_with((FULL, dataclasses.replace(BARE, key="b"),
                                                  dataclasses.replace(BARE, key="shared", name="s"))))
    (run,) = [s for s in blocks(every.data["aws_iam_policy_document"]["run"]["statement"]) if s["sid"] == "Jobs"]
    assert run["resources"] == ["${aws_glue_job.a.arn}", "${aws_glue_job.b.arn}", "${aws_glue_job.shared.arn}"]


def test_jobs_is_required_for_undefined_keys_only_and_refuses_unknown_ones(tmp_path):
    module = parsed(tmp_path, plan_with((FULL,)))
    checks = [v["condition"] for v in module.variables["jobs"]["validation"]]
    assert checks[0] == '${length(sort(setsubtract(["b", "shared"], keys(var.jobs)))) == 0}'
    assert checks[1] == '${length(sort(setsubtract(keys(var.jobs), ["a", "b", "shared"]))) == 0}'
    assert module.variables["jobs"]["default"] == {}
    role = module.variables["job_role_arn"]
    assert "default" not in role and role["nullable"] is False
    every = parsed(tmp_path / "every", plan_with((FULL, dataclasses.replace(BARE, key="b"),
                                                  dataclasses.replace(BARE, key="shared", name="s"))))
    checks = [v["condition"] for v in every.variables["jobs"]["validation"]]
    assert checks[0] == '${length(sort(setsubtract(keys(var.jobs), ["a", "b", "shared"]))) == 0}'
    assert len(checks) == 2, "nothing is missing when every job is defined"


def test_job_role_arn_only_without_the_modules_role_and_outputs_only_with_jobs(tmp_path):
    without = parsed(tmp_path / "none", plan_with(()))
    assert "job_role_arn" not in without.variables and "job_names" not in without.outputs
    own = parsed(tmp_path / "own", plan_with((FULL, BARE), job_role=True))
    assert "job_role_arn" not in own.variables
    assert {job["role_arn"] for job in own.resources["aws_glue_job"].values()} == {"${aws_iam_role.job.arn}"}
    assert own.outputs["job_names"]["value"] == {"a": "${aws_glue_job.a.name}", "b": "${aws_glue_job.b.name}"}
    assert own.outputs["job_arns"]["value"] == {"a": "${aws_glue_job.a.arn}", "b": "${aws_glue_job.b.arn}"}


ROLE_ARNS = {
    "arn:aws:iam::123456789012:role/glue": True,
    "arn:aws-us-gov:iam::123456789012:role/service-role/glue+jobs=1,2.@-x": True,
    "arn:aws-cn:iam::123456789012:role/a/b/c": True,
    "arn:aws:iam::123456789012:user/glue": False,
    "arn:aws:iam::12345678901:role/glue": False,
    "arn:aws:iam:eu-west-1:123456789012:role/glue": False,
    "arn:aws:iam::123456789012:role/": False,
    "arn:aws:iam::123456789012:role/" + "r" * 65: False,
    "glue": False,
}


@pytest.mark.terraform
def test_job_role_arn_is_checked_at_plan_as_the_spec_checks_it(terraform, tmp_path):
    (variable,) = [v for v in interface.variables(plan_with((FULL,))) if v.name == "job_role_arn"]
    seen = evaluate(terraform, tmp_path, "job_role_arn", [v.condition for v in variable.validations], list(ROLE_ARNS))
    assert seen == ROLE_ARNS
    assert {arn: IAM_ROLE_ARN.fullmatch(arn) is not None for arn in ROLE_ARNS} == ROLE_ARNS


def test_the_job_role_trusts_glue_for_this_account_and_reads_scripts_and_writes_work_paths_only(tmp_path):
    extra = dataclasses.replace(BARE, default_arguments=(
        ("--extra-py-files", "s3://libs/a.zip,s3://libs/b.whl"), ("--spark-event-logs-path", "s3://logs/"),
        ("--TempDir", "s3://tmp/temp/")))
    module = parsed(tmp_path, plan_with((FULL, extra), job_role=True))
    (trust,) = blocks(module.data["aws_iam_policy_document"]["job_trust"]["statement"])
    assert blocks(trust["principals"]) == [{"type": "Service", "identifiers": ["glue.amazonaws.com"]}]
    assert blocks(trust["condition"]) == [{"test": "StringEquals", "variable": "aws:SourceAccount",
                                           "values": ["${data.aws_caller_identity.current.account_id}"]}]
    role = module.resources["aws_iam_role"]["job"]
    assert role["name"] == "${var.workflow_name}-job"
    attachment = module.resources["aws_iam_role_policy_attachment"]["job_service"]
    assert attachment["policy_arn"] == "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSGlueServiceRole"
    s3 = "arn:${data.aws_partition.current.partition}:s3:::"
    statements = {s["sid"]: s for s in blocks(module.data["aws_iam_policy_document"]["job"]["statement"])}
    assert statements["ReadScripts"]["actions"] == ["s3:GetObject"]
    assert statements["ReadScripts"]["resources"] == [
        f"{s3}libs/a.zip", f"{s3}libs/b.whl", f"{s3}scripts/a.py", f"{s3}scripts/b.py"]
    assert statements["WorkPaths"]["resources"] == [f"{s3}logs/*", f"{s3}tmp/temp/*"]
    assert statements["ListWorkPaths"]["resources"] == [f"{s3}tmp"]
    assert blocks(statements["ListWorkPaths"]["condition"]) == [
        {"test": "StringLike", "variable": "s3:prefix", "values": ["temp", "temp/*"]}]
    assert statements["ListWorkBuckets"]["resources"] == [f"{s3}logs"], "a whole bucket: listed without a condition"
    assert "condition" not in statements["ListWorkBuckets"]
    assert set(module.data) >= {"aws_caller_identity", "aws_partition"}


def test_strings_of_a_job_are_data():
    weird = dataclasses.replace(BARE, name='dev "${b}"', script_location="s3://s/${x}.py",
                                default_arguments=(("--k", "%{v}"),))
    text = render(plan_with((weird,)))["jobs.tf"]
    assert 'lookup(var.jobs, "b", "dev \\"$${b}\\"")' in text
    assert 'script_location = "s3://s/$${x}.py"' in text
    assert '"--k" = "%%{v}"' in text


def test_the_readme_has_a_jobs_table_and_asks_jobs_named_elsewhere_to_publish_metrics():
    readme = render(plan_with((FULL, BARE)))["README.md"]
    assert "| `a` | `<workflow_name>-x-${y}` | `glueetl` | `5.0` | 2 × `G.1X` | `s3://scripts/a.py` |" in readme
    assert "| `b` | `exact-b` | `pythonshell` (Python 3.9) | `3.0` | 0.0625 DPU | `s3://scripts/b.py` |" in readme
    assert "The jobs named through `jobs` (`shared`) must publish their metrics themselves" in readme
    assert "├── jobs.tf\n" in readme and "job_role_arn" in readme
    assert "  jobs = {\n    shared = \"shared-job\"\n  }" in readme, "the example names only the jobs defined elsewhere"


def test_an_adopting_environment_imports_each_defined_job_by_its_name_there():
    plan = plan_with((FULL, BARE, dataclasses.replace(BARE, key="c", name=None)))
    env = EnvironmentPlan("dev", "eu-west-1", (1, 1), (("workflow_name", "dev_w"), ("jobs", {"b": "live-b", "shared": "s"})),
                          adopt=True)
    (found,) = imports_view([Member(plan, env, Origin("specs/m.yaml"))])
    assert found["what"] == "its workflow, triggers and jobs"
    jobs = [block for block in found["blocks"] if "aws_glue_job" in block]
    assert jobs == [
        '  to = module.m.aws_glue_job.a\n  id = "dev_w-x-${y}"'.replace("${", "$${"),
        '  to = module.m.aws_glue_job.b\n  id = "live-b"',
        '  to = module.m.aws_glue_job.c\n  id = "dev_w-c"',
    ]


def test_the_job_role_names_s3_keys_literally_to_iam(tmp_path):
    """`*`, `?` and `$` are valid in S3 keys but wildcards and policy variables to IAM (also in a
    StringLike condition): the role names them as IAM's literal `${*}`, `${?}`, `${$}`, so a key
    holding them grants that object or prefix only; and `?` is part of the key, not a URL query."""
    odd = dataclasses.replace(BARE, script_location="s3://scripts/*.py", default_arguments=(
        ("--extra-files", "s3://libs/a?.txt"), ("--TempDir", "s3://tmp/t${aws:username}/")))
    module = parsed(tmp_path, plan_with((odd,), job_role=True))  # python-hcl2 keeps HCL's "$${" escape as written
    s3 = "arn:${data.aws_partition.current.partition}:s3:::"
    statements = {s["sid"]: s for s in blocks(module.data["aws_iam_policy_document"]["job"]["statement"])}
    assert statements["ReadScripts"]["resources"] == [f"{s3}libs/a$${{?}}.txt", f"{s3}scripts/$${{*}}.py"]
    assert statements["WorkPaths"]["resources"] == [f"{s3}tmp/t$${{$}}{{aws:username}}/*"]
    assert blocks(statements["ListWorkPaths"]["condition"])[0]["values"] == [
        "t$${$}{aws:username}", "t$${$}{aws:username}/*"]
