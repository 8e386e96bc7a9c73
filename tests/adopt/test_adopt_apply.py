"""Adoption end to end, on a moto server with real terraform.

Shapes (tests/adopt/live_shapes.py), each a workflow created with boto3, never by gluegen:
`gluegen import`, `gluegen generate`, then in the environment's root `terraform init`, a plan in
which every resource change is an import and nothing else (from `terraform show -json`),
`apply`, a second plan that is empty, and `gluegen drift` exiting 0; then the live workflow
is changed with boto3 (a trigger deleted, one added, the workflow's tags changed) and `drift`
exits 1 naming each change.

The seed-style deployment with its nine jobs (`live_shapes.SEED_JOBS`, sharing one block of fifteen
arguments) goes through `gluegen import --with-jobs` the same way: an import-only plan for the
workflow, its triggers and its jobs, then apply and an empty second plan.

The example specs' round trip (apply, `drift` empty, import of the applied workflow) rides on
tests/test_apply.py's lifecycle of each spec, which applies them already.

Each case runs once, two at a time (conftest.Cases: two threads, or pytest-xdist's two processes),
each with its own moto server; gluegen runs as a subprocess (the CLI changes no process state then).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Cases, Terraform, case_params, reads_case
from e2e_root import point_at
from emulator import emulator
from live_shapes import LAYERED, SEED_JOBS, SHAPES, Shape, create, create_jobs

pytestmark = pytest.mark.terraform


REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}


@dataclass
class Observed:
    data: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None

    def get(self, key: str) -> Any:
        if key not in self.data:
            pytest.fail(f"not observed: {key}; the case stopped at:\n{self.failure}")
        return self.data[key]


def gluegen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_ENV, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def planned_changes(terraform: Terraform, root: Path) -> tuple[list[dict], str]:
    """The plan's resource changes (from `terraform show -json`) and its summary line."""
    plan = terraform.run("plan", "-input=false", "-no-color", "-out=tfplan", cwd=root)
    summary = next((line for line in plan.stdout.splitlines() if line.startswith(("Plan:", "No changes."))), "")
    shown = json.loads(terraform.run("show", "-json", "tfplan", cwd=root).stdout)
    return shown.get("resource_changes", []), summary


def check(result: subprocess.CompletedProcess, step: str) -> subprocess.CompletedProcess:
    if result.returncode != 0:
        raise AssertionError(f"{step} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def shape_case(shape: Shape, terraform: Terraform, work: Path) -> Observed:
    observed = Observed()
    name = shape.workflow["Name"]
    try:
        with emulator() as aws:
            glue = aws.client("glue")
            create(glue, shape)
            observed.data["import"] = check(gluegen("import", name, "--region", REGION, "--endpoint-url", aws.endpoint,
                                                    cwd=work), "gluegen import")
            check(gluegen("generate", cwd=work), "gluegen generate")
            root = work / "out" / "envs" / "live"
            observed.data["imports_tf"] = (root / "imports.tf").read_text(encoding="utf-8")
            point_at(root, aws.endpoint)
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            observed.data["changes"], observed.data["summary"] = planned_changes(terraform, root)
            terraform.run("apply", "-input=false", "-no-color", "tfplan", cwd=root)
            plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
            observed.data["second_plan"] = (plan.returncode, plan.stdout + plan.stderr)
            drift = gluegen("drift", "--endpoint-url", aws.endpoint, cwd=work)
            observed.data["drift"] = (drift.returncode, drift.stdout + drift.stderr)
            conditional = sorted(t["Name"] for t in shape.triggers if t["Type"] == "CONDITIONAL")
            glue.delete_trigger(Name=conditional[-1])
            glue.create_trigger(Name=f"{name}-added", WorkflowName=name, Type="CONDITIONAL", StartOnCreation=True,
                                Predicate={"Logical": "AND", "Conditions": [
                                    {"LogicalOperator": "EQUALS", "JobName": "added-upstream", "State": "SUCCEEDED"}]},
                                Actions=[{"JobName": "added-job"}])
            glue.tag_resource(ResourceArn=f"arn:aws:glue:{REGION}:{ACCOUNT}:workflow/{name}", TagsToAdd={"drift": "yes"})
            changed = gluegen("drift", "--endpoint-url", aws.endpoint, cwd=work)
            observed.data["deleted"] = conditional[-1]
            observed.data["drift_after_changes"] = (changed.returncode, changed.stdout + changed.stderr)
    except Exception:
        observed.failure = traceback.format_exc(limit=4)
    return observed


def jobs_case(shape: Shape, terraform: Terraform, work: Path) -> Observed:
    """The layered shape with the seed's nine jobs: import --with-jobs, generate, plan, apply, plan."""
    observed = Observed()
    name = shape.workflow["Name"]
    try:
        with emulator() as aws:
            glue = aws.client("glue")
            create(glue, shape)
            create_jobs(glue, SEED_JOBS)
            observed.data["import"] = check(gluegen("import", name, "--with-jobs", "--region", REGION, "--endpoint-url",
                                                    aws.endpoint, cwd=work), "gluegen import --with-jobs")
            observed.data["spec"] = next((work / "specs").glob("*.yaml")).read_text(encoding="utf-8")
            check(gluegen("generate", cwd=work), "gluegen generate")
            root = work / "out" / "envs" / "live"
            point_at(root, aws.endpoint)
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            observed.data["changes"], observed.data["summary"] = planned_changes(terraform, root)
            terraform.run("apply", "-input=false", "-no-color", "tfplan", cwd=root)
            plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
            observed.data["second_plan"] = (plan.returncode, plan.stdout + plan.stderr)
            observed.data["jobs_after"] = {job["Name"]: job for job in glue.batch_get_jobs(
                JobNames=[job["Name"] for job in SEED_JOBS])["Jobs"]}
    except Exception:
        observed.failure = traceback.format_exc(limit=4)
    return observed


@pytest.fixture(scope="session")
def observed(terraform: Terraform, tmp_path_factory, request) -> Iterator[Cases]:
    """Each case the selected tests read, run once (conftest.Cases), each with its own moto server."""
    cases = {f"shape:{shape.name}": partial(shape_case, shape) for shape in SHAPES}
    cases["jobs:layered"] = partial(jobs_case, LAYERED)
    cases = Cases("adopt", {key: (lambda run=run, key=key: run(terraform, tmp_path_factory.mktemp(key.replace(":", "-"))))
                            for key, run in cases.items()}, request.session)
    try:
        yield cases
    finally:
        cases.close()


SHAPE_CASES = case_params("adopt", SHAPES, lambda shape: f"shape:{shape.name}")


@pytest.mark.parametrize("shape", SHAPE_CASES)
def test_import_plans_only_imports(shape, observed):
    case = observed[f"shape:{shape.name}"]
    changes = case.get("changes")
    addresses = sorted(change["address"] for change in changes)
    module = case.get("import").stdout  # the notes and the written spec
    assert len(changes) == 1 + len(shape.triggers), (addresses, module)
    for change in changes:
        assert change["change"]["actions"] == ["no-op"], change
        assert "importing" in change["change"], change
    assert case.get("summary") == f"Plan: {len(changes)} to import, 0 to add, 0 to change, 0 to destroy."
    ids = {change["change"]["importing"]["id"] for change in changes}
    assert ids == {shape.workflow["Name"], *(t["Name"] for t in shape.triggers)}


@pytest.mark.parametrize("shape", SHAPE_CASES)
def test_after_apply_nothing_to_change_and_no_drift(shape, observed):
    case = observed[f"shape:{shape.name}"]
    code, output = case.get("second_plan")
    assert code == 0, output
    code, output = case.get("drift")
    assert code == 0, output
    assert output.endswith(": in sync\n")


@pytest.mark.parametrize("shape", SHAPE_CASES)
def test_drift_names_each_change_made_with_boto3(shape, observed):
    case = observed[f"shape:{shape.name}"]
    code, output = case.get("drift_after_changes")
    name = shape.workflow["Name"]
    assert code == 1, output
    assert f"no trigger '{case.get('deleted')}' in the workflow" in output
    assert (f"trigger '{name}-added' (CONDITIONAL, starts job 'added-job') is in the workflow but not in the spec: "
            "the module does not manage it") in output
    assert f"workflow '{name}': tags differ: 'drift' only in AWS ('yes')" in output


@reads_case("adopt", "jobs:layered")
def test_import_with_jobs_plans_only_imports_of_the_workflow_triggers_and_jobs(observed):
    case = observed["jobs:layered"]
    changes = case.get("changes")
    spec = case.get("spec")
    assert len(changes) == 1 + len(LAYERED.triggers) + len(SEED_JOBS), (sorted(c["address"] for c in changes), spec)
    for change in changes:
        assert change["change"]["actions"] == ["no-op"], change
        assert "importing" in change["change"], change
    assert case.get("summary") == f"Plan: {len(changes)} to import, 0 to add, 0 to change, 0 to destroy."
    jobs = {change["change"]["importing"]["id"] for change in changes if change["type"] == "aws_glue_job"}
    assert jobs == {job["Name"] for job in SEED_JOBS}
    assert "job_defaults:" in spec and spec.count("--enable-continuous-cloudwatch-log") == 1


@reads_case("adopt", "jobs:layered")
def test_import_with_jobs_then_apply_changes_nothing(observed):
    case = observed["jobs:layered"]
    code, output = case.get("second_plan")
    assert code == 0, output
    after = case.get("jobs_after")
    for job in SEED_JOBS:  # the apply imported them as they were: every argument, script and size kept
        live = after[job["Name"]]
        assert live["DefaultArguments"] == job["DefaultArguments"]
        assert live["Command"]["ScriptLocation"] == job["Command"]["ScriptLocation"]
        assert (live["GlueVersion"], live["WorkerType"], live["NumberOfWorkers"], live["MaxRetries"], live["Timeout"],
                live["Role"]) == (job["GlueVersion"], job["WorkerType"], job["NumberOfWorkers"], job["MaxRetries"],
                                  job["Timeout"], job["Role"])

