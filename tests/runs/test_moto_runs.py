"""What moto's Glue backend supports of workflow runs, through the real CLI against a moto server on 127.0.0.1.

moto 5.2 (moto/glue/models.py: start_workflow_run, get_workflow_run, get_workflow_runs,
stop_workflow_run) starts runs with their properties merged over the workflow's defaults, lists
them, and reads them back; its runs stay RUNNING forever with no graph, it does not enforce
MaxConcurrentRuns, StopWorkflowRun changes nothing and ResumeWorkflowRun is not implemented
(HTTP 500). README "What moto gets wrong" lists these gaps; the rest is tested on recorded runs.
"""

from __future__ import annotations

import json

import pytest

from emulator import REGION, emulator

SPEC = "tests/fixtures/runs/cleanup.yaml"  # environment dev: workflow claims_dev


@pytest.fixture(scope="module")
def moto():
    with emulator() as server:
        server.client("glue").create_workflow(Name="claims_dev", DefaultRunProperties={"run_date": "", "source": "s3"},
                                              MaxConcurrentRuns=1)
        yield server


def gluegen(cli, moto, *args):
    return cli(*args, "--env", "dev", "--region", REGION, "--endpoint-url", moto.endpoint)


def test_start_merges_properties_over_the_defaults_and_lists_newest_first(moto, cli, aws_env):
    first = gluegen(cli, moto, "run", SPEC, "--property", "run_date=2026-12-07", "--json")
    assert (first.code, first.err) == (0, "")
    started = json.loads(first.out)
    assert started["properties"] == {"run_date": "2026-12-07", "source": "s3"}
    run = moto.client("glue").get_workflow_run(Name="claims_dev", RunId=started["run_id"])["Run"]
    assert run["WorkflowRunProperties"] == {"run_date": "2026-12-07", "source": "s3"}  # as Glue merges them
    assert run["Status"] == "RUNNING"
    # moto does not enforce MaxConcurrentRuns (1): a second run starts (AWS would refuse it, tested on a recording)
    second = gluegen(cli, moto, "run", SPEC, "--json")
    assert second.code == 0
    listing = gluegen(cli, moto, "status", SPEC, "--last", "2", "--json")
    ids = [entry["run_id"] for entry in json.loads(listing.out)]
    assert ids == [json.loads(second.out)["run_id"], started["run_id"]]
    assert {entry["verdict"] for entry in json.loads(listing.out)} == {"running"}


def test_a_moto_run_never_ends_and_has_no_graph(moto, cli, aws_env):
    result = gluegen(cli, moto, "run", SPEC, "--wait", "--timeout", "1")
    assert result.code == 1
    lines = result.out.splitlines()
    assert "  note: Glue gave no graph for this run (GetWorkflowRun IncludeGraph), so its stages cannot be verified " \
           "against the spec" in lines
    assert "verdict: the run is RUNNING: no verdict yet" in lines
    assert "is still RUNNING after --timeout 1 s; it goes on" in result.err


def test_status_reads_the_latest_run_from_the_workflow(moto, cli, aws_env):
    started = json.loads(gluegen(cli, moto, "run", SPEC, "--json").out)["run_id"]
    result = gluegen(cli, moto, "status", SPEC)
    assert result.code == 1  # not (yet) a success
    assert result.out.startswith(f"run {started} of {SPEC} (dev, workflow claims_dev): RUNNING")


def test_resume_is_not_implemented_by_moto(moto, cli, aws_env):
    run_id = json.loads(gluegen(cli, moto, "run", SPEC, "--json").out)["run_id"]
    result = gluegen(cli, moto, "resume", SPEC, run_id)
    # moto's run is RUNNING (and has no graph): gluegen refuses before asking Glue
    assert (result.code, result.err) == (2, f"run {run_id} is RUNNING: Glue resumes only a run that has ended (follow "
                                            f"it with gluegen status {SPEC} --run-id {run_id} --wait --env dev "
                                            f"--region {REGION} --endpoint-url {moto.endpoint})\n")
    glue = moto.client("glue")
    with pytest.raises(glue.exceptions.ClientError, match="500"):
        glue.resume_workflow_run(Name="claims_dev", RunId=run_id, NodeIds=["n"])


def test_an_unknown_workflow_and_run(moto, cli, aws_env):
    result = cli("run", "specs/metriccare.yaml", "--region", REGION, "--endpoint-url", moto.endpoint)
    assert (result.code, result.err) == (2, f"no Glue workflow named 'metriccare_etl_workflow' in {REGION}\n")
    result = gluegen(cli, moto, "status", SPEC, "--run-id", "wr_nope")
    assert result.code == 2 and result.err.startswith("workflow 'claims_dev' has no run 'wr_nope' in us-east-1")


def test_an_unreachable_endpoint_is_one_line(cli, aws_env):
    aws_env.setenv("AWS_MAX_ATTEMPTS", "1")  # botocore's own setting: one try, not ten with backoff
    result = cli("status", SPEC, "--env", "dev", "--region", REGION, "--endpoint-url", "http://127.0.0.1:9")
    assert result.code == 2
    assert result.err == "cannot reach AWS at http://127.0.0.1:9/: sts:GetCallerIdentity failed\n"
