"""`gluegen import` and `gluegen drift` through the CLI: what they write and print, exit codes,
and every error path (exit 2, one clear line, nothing written)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, read_tree, run_cli
from emulator import emulator
from live_shapes import (
    FANOUT, JOB_ROLE, LAYERED, SCHEDULED, SEED_JOBS, SHAPES, create, create_jobs,
    moto_shapes,  # noqa: F401 (a fixture)
)

FIXTURES = ROOT / "tests" / "fixtures" / "adopt"


def fails_cleanly(result, tmp_path: Path, before: dict, message: str) -> None:
    assert result.code == 2, result
    assert result.err == message + "\n"
    assert result.out == ""
    assert read_tree(tmp_path) == before


@pytest.mark.parametrize("args, message", [
    (["--from-json", str(FIXTURES / "bad-syntax.json"), "--region", "eu-west-1"],
     f"{FIXTURES / 'bad-syntax.json'}:1:48: not valid JSON: Expecting value"),
    (["--from-json", str(FIXTURES / "bad-no-graph.json"), "--region", "eu-west-1"],
     f"{FIXTURES / 'bad-no-graph.json'}: Workflow.Graph: missing; record the workflow with `aws glue get-workflow "
     "--name NAME --include-graph`, which returns its triggers"),
    (["--from-json", str(FIXTURES / "scheduled.get-workflow.json")],
     "--from-json: the document does not say its region; pass --region (or set AWS_REGION)"),
    (["--from-json", "missing.json", "--region", "eu-west-1"], "missing.json: no such file"),
    (["--from-json", str(FIXTURES / "layered.get-workflow.json"), "--region", "eu-west-1"],
     f"{FIXTURES / 'layered.get-workflow.json'} holds workflow 'dev-metriccare', not 'nightly'"),
    (["--module", "Bad-Name", "--from-json", str(FIXTURES / "scheduled.get-workflow.json"), "--region", "eu-west-1"],
     "--module: 'Bad-Name' is not a valid name: use 1-63 lowercase letters, digits and underscores, starting with a letter"),
])
def test_import_errors_from_documents(args, message, tmp_path, aws_env):
    before = read_tree(tmp_path)
    fails_cleanly(run_cli("import", "nightly", *args, cwd=tmp_path), tmp_path, before, message)


def test_with_jobs_writes_the_reviewed_spec_which_gluegen_accepts(tmp_path, aws_env):
    """The seed's deployment: the spec of tests/fixtures/adopt/layered-jobs.yaml (validated by import
    before it is written, and again here)."""
    with emulator() as aws:
        glue = aws.client("glue")
        create(glue, LAYERED)
        create_jobs(glue)
        result = run_cli("import", "dev-metriccare", "--with-jobs", "--region", "us-east-1", "--endpoint-url",
                         aws.endpoint, cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    text = (tmp_path / "specs" / "dev_metriccare.yaml").read_text(encoding="utf-8")
    assert text == (FIXTURES / "layered-jobs.yaml").read_text(encoding="utf-8").replace("eu-west-1", "us-east-1")
    assert result.out == ("wrote specs/dev_metriccare.yaml; next: gluegen generate specs/dev_metriccare.yaml, then "
                          "terraform init and terraform plan in out/envs/live (imports only)\n")
    assert run_cli("validate", cwd=tmp_path).code == 0


def test_with_jobs_refuses_a_recorded_document_which_holds_no_jobs(tmp_path, aws_env):
    result = run_cli("import", "nightly", "--with-jobs", "--from-json", str(FIXTURES / "scheduled.get-workflow.json"),
                     "--region", "eu-west-1", cwd=tmp_path)
    fails_cleanly(result, tmp_path, {}, (
        "--with-jobs reads the jobs from AWS (glue:BatchGetJobs), and a get-workflow document holds none: drop "
        "--from-json to read them, or --with-jobs to import the workflow alone"))


def test_with_jobs_refuses_jobs_with_several_roles_naming_them(tmp_path, aws_env):
    other = "arn:aws:iam::123456789012:role/gold-writer"
    with emulator() as aws:
        glue = aws.client("glue")
        create(glue, LAYERED)
        create_jobs(glue, tuple({**job, "Role": other} if job["Name"].startswith("dev-gold") else job for job in SEED_JOBS))
        result = run_cli("import", "dev-metriccare", "--with-jobs", "--region", "us-east-1", "--endpoint-url",
                         aws.endpoint, cwd=tmp_path)
    fails_cleanly(result, tmp_path, {}, (
        "gluegen: workflow 'dev-metriccare' cannot be adopted as it is; nothing was written:\n"
        f"  workflow 'dev-metriccare': its jobs use 2 roles ({other}, {JOB_ROLE}); the module gives one role, "
        "job_role_arn, to every job it defines"))


def test_import_refuses_a_blueprint_workflow_with_the_reason(tmp_path, aws_env):
    result = run_cli("import", "nightly", "--from-json", str(FIXTURES / "bad-blueprint.json"), "--region", "eu-west-1",
                     cwd=tmp_path)
    fails_cleanly(result, tmp_path, {}, (
        "gluegen: workflow 'nightly' cannot be adopted as it is; nothing was written:\n"
        "  workflow 'nightly': was created by the Glue blueprint crawl-and-load (run br_0123456789abcdef); the "
        "blueprint run owns it and recreates it when run again, so Terraform cannot own it too"))


def test_import_of_a_workflow_that_does_not_exist(moto_shapes, tmp_path, aws_env):
    result = run_cli("import", "nope", "--region", "us-east-1", "--endpoint-url", moto_shapes.endpoint, cwd=tmp_path)
    fails_cleanly(result, tmp_path, {}, "no Glue workflow named 'nope' in us-east-1")


def test_import_without_credentials(tmp_path, aws_env):
    aws_env.delenv("AWS_ACCESS_KEY_ID")
    aws_env.delenv("AWS_SECRET_ACCESS_KEY")
    result = run_cli("import", "nightly", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", cwd=tmp_path)
    fails_cleanly(result, tmp_path, {}, "no AWS credentials found: set AWS_PROFILE or pass --profile, or set "
                                        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")


def test_import_without_a_region(tmp_path, aws_env):
    result = run_cli("import", "nightly", cwd=tmp_path)
    fails_cleanly(result, tmp_path, {}, "no AWS region: pass --region or set AWS_REGION")


def test_without_boto3_import_and_drift_say_how_to_install_it(tmp_path):
    """The `aws` extra is optional: run the CLI in a Python where boto3 cannot be imported."""
    code = ("import sys; sys.modules['boto3'] = None; from generator.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["import", "nightly", "--region", "eu-west-1"], ["drift", str(ROOT / "specs" / "claims_daily.yaml"), "--env", "dev"]):
        result = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == "boto3 is not installed: install gluegen with its AWS extra, pip install 'gluegen[aws]'\n"
    assert read_tree(tmp_path) == {}


def test_import_never_overwrites_a_spec_without_force(tmp_path, aws_env):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "nightly.yaml").write_text("mine\n")
    before = read_tree(tmp_path)
    result = run_cli("import", "nightly", "--from-json", str(FIXTURES / "scheduled.get-workflow.json"),
                     "--region", "eu-west-1", cwd=tmp_path)
    fails_cleanly(result, tmp_path, before, "specs/nightly.yaml already exists; pass --force to replace it")


# ---- the commands end to end on moto; these need the part-1 spec shapes (adopt, trigger names,
# ---- actions, enabled, event external) to validate the spec import writes.


def test_import_writes_the_reviewed_spec_and_notes(moto_shapes, tmp_path, aws_env):
    result = run_cli("import", "claims-fan", "--region", "us-east-1", "--endpoint-url", moto_shapes.endpoint,
                     cwd=tmp_path)
    assert result.code == 0, result.err
    text = (tmp_path / "specs" / "claims_fan.yaml").read_text(encoding="utf-8")
    assert text == (FIXTURES / "fanout.yaml").read_text(encoding="utf-8").replace("eu-west-1", "us-east-1")
    assert result.out.endswith("wrote specs/claims_fan.yaml; next: gluegen generate specs/claims_fan.yaml, then "
                               "terraform init and terraform plan in out/envs/live (imports only)\n")
    again = run_cli("import", "claims-fan", "--region", "us-east-1", "--endpoint-url", moto_shapes.endpoint,
                    "--force", "--env", "prod", cwd=tmp_path)
    assert again.code == 0, again.err
    assert "  prod:\n" in (tmp_path / "specs" / "claims_fan.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_from_json_and_live_import_write_the_same_spec_but_for_tags(shape, moto_shapes, tmp_path, aws_env):
    name = shape.workflow["Name"]
    live = run_cli("import", name, "--region", "us-east-1", "--endpoint-url", moto_shapes.endpoint,
                   "--specs-dir", "live", cwd=tmp_path)
    recorded = run_cli("import", name, "--region", "us-east-1", "--from-json", str(FIXTURES / f"{shape.name}.get-workflow.json"),
                       "--specs-dir", "recorded", cwd=tmp_path)
    assert (live.code, recorded.code) == (0, 0), live.err + recorded.err
    (live_spec,) = (tmp_path / "live").iterdir()
    (recorded_spec,) = (tmp_path / "recorded").iterdir()

    def body(path: Path) -> list[str]:  # without the header (it names the source) and the tags input
        lines = path.read_text(encoding="utf-8").splitlines()[3:]
        cut = next((i for i, line in enumerate(lines) if line == "      tags:"), len(lines))
        rest = [line for line in lines[cut + 1:] if not line.startswith("        ")]
        return lines[:cut] + rest

    assert body(live_spec) == body(recorded_spec)


def test_drift_in_sync_then_each_change_named(tmp_path, aws_env):
    """The spec import wrote, against the workflow it read: in sync; then delete a trigger, add one,
    change tags and a schedule with boto3, and drift names each (exit 1)."""
    with emulator() as aws:
        glue = aws.client("glue")
        create(glue, SCHEDULED)
        assert run_cli("import", "nightly", "--region", "us-east-1", "--endpoint-url", aws.endpoint, cwd=tmp_path).code == 0
        sync = run_cli("drift", "--region", "us-east-1", "--endpoint-url", aws.endpoint, cwd=tmp_path)
        assert (sync.code, sync.out) == (0, "specs/nightly.yaml (live, workflow nightly in us-east-1): in sync\n"), sync.err
        glue.delete_trigger(Name="nightly-load")
        glue.create_trigger(Name="nightly-extra", WorkflowName="nightly", Type="CONDITIONAL", StartOnCreation=True,
                            Predicate={"Logical": "AND", "Conditions": [
                                {"LogicalOperator": "EQUALS", "JobName": "extract", "State": "TIMEOUT"}]},
                            Actions=[{"JobName": "page"}])
        arn = "arn:aws:glue:us-east-1:123456789012:workflow/nightly"
        glue.tag_resource(ResourceArn=arn, TagsToAdd={"owner": "ops"})
        drifted = run_cli("drift", "--region", "us-east-1", "--endpoint-url", aws.endpoint, cwd=tmp_path)
    assert drifted.code == 1, drifted.err
    assert drifted.out == (
        "specs/nightly.yaml (live, workflow nightly in us-east-1): 3 difference(s)\n"
        "  workflow 'nightly': tags differ: 'owner' only in AWS ('ops')\n"
        "  stage 'load' is missing in AWS: no trigger 'nightly-load' in the workflow\n"
        "  trigger 'nightly-extra' (CONDITIONAL, starts job 'page') is in the workflow but not in the spec: the module "
        "does not manage it\n"
    )


def test_drift_reports_a_missing_workflow_as_drift(tmp_path, aws_env):
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(ROOT / "specs" / "claims_daily.yaml", specs)
    with emulator() as aws:
        result = run_cli("drift", "--env", "dev", "--region", "us-east-1", "--endpoint-url", aws.endpoint, cwd=tmp_path)
    assert result.code == 1, result.err
    assert result.out == ("specs/claims_daily.yaml (dev, workflow claims_daily_dev in us-east-1): 1 difference(s)\n"
                          "  workflow 'claims_daily_dev' does not exist in AWS\n")


@pytest.mark.parametrize("args, message", [
    (["specs/claims_daily.yaml"], "specs/claims_daily.yaml declares environments dev, prod: name one with --env"),
    (["specs/claims_daily.yaml", "--env", "qa"], "specs/claims_daily.yaml declares no environment 'qa' (it has dev, prod)"),
    (["specs/metriccare.yaml"], "specs/metriccare.yaml declares no environment: drift compares an environment's workflow "
                                "(its names, jobs and tags) with AWS"),
    (["--env", "qa"], "no spec declares environment 'qa'"),
])
def test_drift_usage_errors(args, message, tmp_path, aws_env):
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    result = run_cli("drift", *args, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", message + "\n")


def test_drift_of_a_module_environment_created_by_hand_is_in_sync(tmp_path, aws_env):
    """claims_daily's dev environment built with boto3 as its module builds it: drift 0; a changed
    argument and a deactivated trigger: drift 1."""
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(ROOT / "specs" / "claims_daily.yaml", specs)
    tags = {"Project": "claims", "Environment": "dev"}

    def cond(job: str) -> dict:
        return {"Logical": "AND", "Conditions": [{"LogicalOperator": "EQUALS", "JobName": job, "State": "SUCCEEDED"}]}

    with emulator() as aws:
        glue = aws.client("glue")
        glue.create_workflow(Name="claims_daily_dev", Description="Daily claims load, Bronze → Silver → Gold.", Tags=tags)
        glue.create_trigger(Name="claims_daily_dev-start", WorkflowName="claims_daily_dev", Type="SCHEDULED",
                            Schedule="cron(0 2 * * ? *)", Actions=[{"JobName": "dev-claims-bronze"}], Tags=tags)
        glue.create_trigger(Name="claims_daily_dev-silver", WorkflowName="claims_daily_dev", Type="CONDITIONAL",
                            StartOnCreation=True, Predicate=cond("dev-claims-bronze"),
                            Actions=[{"JobName": "dev-claims-silver"}], Tags=tags)
        glue.create_trigger(Name="claims_daily_dev-gold", WorkflowName="claims_daily_dev", Type="CONDITIONAL",
                            StartOnCreation=True, Predicate=cond("dev-claims-silver"),
                            Actions=[{"JobName": "dev-claims-gold"}], Tags=tags)
        args = ("drift", "--env", "dev", "--region", "us-east-1", "--endpoint-url", aws.endpoint)
        sync = run_cli(*args, cwd=tmp_path)
        assert (sync.code, sync.out) == (0, "specs/claims_daily.yaml (dev, workflow claims_daily_dev in us-east-1): in sync\n"), sync.out
        glue.stop_trigger(Name="claims_daily_dev-gold")
        glue.start_trigger(Name="claims_daily_dev-start")
        drifted = run_cli(*args, cwd=tmp_path)
    assert drifted.code == 1
    assert drifted.out.splitlines()[1:] == [
        "  stage 'gold': trigger 'claims_daily_dev-gold' is deactivated in AWS (DEACTIVATED); the spec has it active",
        "  the start trigger: trigger 'claims_daily_dev-start' is activated in AWS; the spec has it deactivated",
    ]
