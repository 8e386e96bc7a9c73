"""`gluegen run` against recorded runs (botocore's Stubber): the verdict, the verification against
the spec, and the plain view, for every scenario of tests/fixtures/runs/."""

from __future__ import annotations

import json

import pytest

from recorded import clock, glue, load  # noqa: F401 (clock and glue are fixtures)

SEED = "specs/metriccare.yaml"

CLEAN_TRANSCRIPT = """\
started run wr_5eed0c1ean of workflow metriccare_etl_workflow in eu-west-1
10:00:00 run wr_5eed0c1ean of metriccare_etl_workflow: RUNNING
10:00:05 bronze (job 'metriccare_bronze_job'): running
10:04:10 bronze (job 'metriccare_bronze_job'): succeeded after 4m05s
10:04:20 silver (job 'metriccare_silver_job'): running
10:09:00 silver (job 'metriccare_silver_job'): succeeded after 4m40s
10:09:10 gold (job 'metriccare_gold_job'): running
10:12:00 gold (job 'metriccare_gold_job'): succeeded after 2m50s
10:12:05 run wr_5eed0c1ean: COMPLETED
run wr_5eed0c1ean of specs/metriccare.yaml (workflow metriccare_etl_workflow): COMPLETED, started 2026-12-01T10:00:00+00:00, took 12m05s
  stage   job or crawler         state      started   took   DPU-s  error
  bronze  metriccare_bronze_job  succeeded  10:00:05  4m05s
  silver  metriccare_silver_job  succeeded  10:04:20  4m40s
  gold    metriccare_gold_job    succeeded  10:09:10  2m50s
verification: the run followed the spec
verdict: succeeded: the run completed, every job and crawler that ran succeeded, and it followed the spec
"""

FAILED_TRANSCRIPT = """\
started run wr_5eedfa11ed of workflow metriccare_etl_workflow in eu-west-1
10:00:00 run wr_5eedfa11ed of metriccare_etl_workflow: RUNNING
10:00:05 bronze (job 'metriccare_bronze_job'): running
10:04:10 bronze (job 'metriccare_bronze_job'): succeeded after 4m05s
10:04:20 silver (job 'metriccare_silver_job'): running
10:05:30 silver (job 'metriccare_silver_job'): failed after 1m10s: AnalysisException: Path does not exist: s3://metriccare-bronze/claims/2026-12-01
10:05:40 silver (job 'metriccare_silver_job'): running (attempt 2)
10:06:50 silver (job 'metriccare_silver_job'): failed after 2m30s (attempt 2): AnalysisException: Path does not exist: s3://metriccare-bronze/claims/2026-12-01
gold: not run
10:07:00 run wr_5eedfa11ed: COMPLETED
run wr_5eedfa11ed of specs/metriccare.yaml (workflow metriccare_etl_workflow): COMPLETED, started 2026-12-01T10:00:00+00:00, took 7m00s
  stage   job or crawler         state                started   took   DPU-s  error
  bronze  metriccare_bronze_job  succeeded            10:00:05  4m05s
  silver  metriccare_silver_job  failed (2 attempts)  10:04:20  2m30s         AnalysisException: Path does not exist: s3://metriccare-bronze/claims/2026-12-01
  gold    metriccare_gold_job    not run
  logs: /aws-glue/jobs
verification: the run followed the spec
verdict: failed: Glue reports the run COMPLETED; silver FAILED
"""


def started(glue, recording):
    """Queue what `run` asks Glue first: the workflow, then the start of the recording's (last) run."""
    glue.workflow(recording)
    run = recording["runs"][-1]
    glue.answer("start_workflow_run", {"RunId": run["WorkflowRunId"]}, {"Name": run["Name"]})
    return run


def start(glue, recording):
    """... and each poll of `run --wait` until the run ends."""
    glue.follows(started(glue, recording))


def test_the_seed_clean_run_succeeds_and_follows_the_spec(glue, clock, cli):
    start(glue, load("seed-clean.json"))
    result = cli("run", SEED, "--wait")
    assert (result.code, result.out, result.err) == (0, CLEAN_TRANSCRIPT, "")
    glue.done()


def test_a_run_glue_calls_completed_with_a_failed_job_fails(glue, clock, cli):
    recording = load("seed-failed.json")
    assert recording["runs"][0]["Status"] == "COMPLETED"
    start(glue, recording)
    result = cli("run", SEED, "--wait")
    assert (result.code, result.out, result.err) == (1, FAILED_TRANSCRIPT, "")
    glue.done()


# (recording, spec, environment, exit code, lines the report must hold)
SCENARIOS = {
    "failure-branch": ("medallion-failure-branch.json", "specs/medallion_crawlers.yaml", None, 1, [
        "  quarantine      mc_quarantine      succeeded  02:06:10  50s",
        "  gold            mc_gold            not run",
        "  crawl_gold      mc_crawl_gold      not run",
        "verification: the run followed the spec",
        "verdict: failed: Glue reports the run COMPLETED; silver_claims FAILED",
    ]),
    "any-join": ("medallion-any-join.json", "specs/medallion_crawlers.yaml", None, 0, [
        "02:08:10 early_report (job 'mc_early_report'): running",
        "02:03:10 crawl_bronze (crawler 'mc_crawl_bronze'): running",
        "  quarantine      mc_quarantine      not run",
        "verification: the run followed the spec",
        "verdict: succeeded: the run completed, every job and crawler that ran succeeded, and it followed the spec",
    ]),
    "layer-one-action-fails": ("layered-one-action-fails.json", "specs/layered_medallion.yaml", "dev", 1, [
        "  silver_layer.silver_members     dev-silver-members    failed     03:06:10  1m50s         An error occurred "
        "while calling o112.save. Access Denied (Service: Amazon S3; Status Code: 403)",
        "  gold_layer.gold_crawler         dev-gold-crawler      not run",
        "  cleanup                         dev-silver-cleanup    succeeded  03:08:10  1m20s",
        "verification: the run followed the spec",
        "verdict: failed: Glue reports the run COMPLETED; silver_layer.silver_members FAILED",
    ]),
    "deactivated-cleanup": ("cleanup-deactivated.json", "tests/fixtures/runs/cleanup.yaml", "prod", 1, [
        "  cleanup  prod-cleanup  not run",
        "verification: the run followed the spec",
        "  note: cleanup did not run although silver FAILED: its trigger is deactivated in environment prod",
        "verdict: failed: Glue reports the run COMPLETED; silver FAILED",
    ]),
    "started-outside-the-workflow": ("seed-outside.json", SEED, None, 1, [
        "verification: 1 difference(s) from the spec",
        "  - job 'metriccare_gold_job' (gold) was started by trigger 'adhoc-gold-rerun', which is outside the "
        "workflow (its trigger is 'metriccare_etl_workflow-gold')",
        "verdict: failed: Glue reports the run COMPLETED; 1 difference(s) from the spec",
    ]),
    "started-before-upstream-ended": ("seed-early-gold.json", SEED, None, 1, [
        "verification: 1 difference(s) from the spec",
        "  - gold started before silver ended (gold started 10:07:00, silver ended 10:09:00)",
        "verdict: failed: Glue reports the run COMPLETED; 1 difference(s) from the spec",
    ]),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_recorded_scenario(name, glue, clock, cli):
    recording, spec, env, code, lines = SCENARIOS[name]
    start(glue, load(recording))
    result = cli("run", spec, "--wait", *(["--env", env] if env else []))
    assert result.code == code, result.out + result.err
    shown = {" ".join(line.split()) for line in result.out.splitlines()}  # column padding aside
    missing = [line for line in lines if " ".join(line.split()) not in shown]
    assert not missing, result.out
    glue.done()


def test_the_environment_gives_the_workflow_and_job_names_and_its_region(glue, clock, cli):
    start(glue, load("cleanup-deactivated.json"))
    result = cli("run", "tests/fixtures/runs/cleanup.yaml", "--wait", "--env", "prod")
    assert result.code == 1
    assert glue.regions == ["eu-west-1"]
    assert "run wr_c1eanup0ff of tests/fixtures/runs/cleanup.yaml (prod, workflow claims_prod)" in result.out


def test_throttling_mid_poll_backs_off_and_goes_on(glue, clock, cli):
    run = started(glue, load("seed-clean.json"))
    from recorded import polls
    answers = polls(run)
    params = {"Name": run["Name"], "RunId": run["WorkflowRunId"], "IncludeGraph": True}
    glue.answer("get_workflow_run", answers[0], params)
    glue.refuse("get_workflow_run", "ThrottlingException", "Rate exceeded", params)
    glue.refuse("get_workflow_run", "ThrottlingException", "Rate exceeded", params)
    for answer in answers[1:]:
        glue.answer("get_workflow_run", answer, params)
    result = cli("run", SEED, "--wait")
    assert (result.code, result.out, result.err) == (0, CLEAN_TRANSCRIPT, "")
    assert clock.sleeps[:3] == [2.0, 4.0, 8.0]  # each throttled poll doubles the interval
    assert clock.sleeps[3] == 2.0  # a change brings it back
    glue.done()


def test_throttling_that_does_not_end_is_one_line_and_exit_2(glue, clock, cli):
    started(glue, load("seed-clean.json"))
    for _ in range(6):
        glue.refuse("get_workflow_run", "ThrottlingException", "Rate exceeded")
    result = cli("run", SEED, "--wait")
    assert result.code == 2
    assert result.err == ("AWS throttled glue:GetWorkflowRun on 6 polls in a row, each after botocore's own retries "
                          "(AWS_MAX_ATTEMPTS raises their number); run wr_5eed0c1ean goes on. Watch it again: "
                          "gluegen status specs/metriccare.yaml --run-id wr_5eed0c1ean --wait\n")
    glue.done()


def test_credentials_that_expire_mid_watch_say_the_run_goes_on(glue, clock, cli):
    run = started(glue, load("seed-clean.json"))
    glue.final(dict(run, Status="RUNNING"))
    glue.refuse("get_workflow_run", "ExpiredTokenException", "The security token included in the request is expired")
    result = cli("run", SEED, "--wait")
    assert result.code == 2
    assert result.err == ("the AWS credentials have expired: glue:GetWorkflowRun: The security token included in the "
                          "request is expired; renew them (aws sso login, or new STS credentials) and try again; run "
                          "wr_5eed0c1ean goes on. Watch it again: gluegen status specs/metriccare.yaml --run-id "
                          "wr_5eed0c1ean --wait\n")
    glue.done()


def test_throttled_until_the_timeout_is_exit_2(glue, clock, cli):
    started(glue, load("seed-clean.json"))
    for _ in range(3):  # at 0, 4 and 5 s: each throttled poll doubles the interval, the last sleep is cut to the deadline
        glue.refuse("get_workflow_run", "ThrottlingException", "Rate exceeded")
    result = cli("run", SEED, "--wait", "--timeout", "5")
    assert result.code == 2
    assert result.err.startswith("AWS throttled every glue:GetWorkflowRun until --timeout 5 s; run wr_5eed0c1ean goes on.")
    glue.done()


def test_a_run_that_outlives_the_timeout_is_left_running(glue, clock, cli):
    run = started(glue, load("seed-running.json"))
    for _ in range(8):
        glue.final(run)
    result = cli("run", SEED, "--wait", "--timeout", "60")
    assert result.code == 1
    # 2 s, then half as long again each time nothing changed, the last sleep cut to the deadline
    assert clock.sleeps == [2.0, 3.0, 4.5, 6.75, 10.125, 15.1875, 18.4375]
    assert "  bronze  metriccare_bronze_job  running  10:00:05  1h59m" in result.out.splitlines()  # until the clock's now
    assert "  silver  metriccare_silver_job  waiting" in result.out.splitlines()
    assert "verification so far: the run followed the spec so far" in result.out
    assert "verdict: the run is RUNNING: no verdict yet" in result.out
    assert result.err == ("gluegen: run wr_5eed510w is still RUNNING after --timeout 60 s; it goes on (gluegen does "
                          "not stop it). Watch it again: gluegen status specs/metriccare.yaml --run-id wr_5eed510w --wait\n")
    glue.done()


def test_ctrl_c_stops_watching_not_the_run(glue, clock, cli):
    run = started(glue, load("seed-running.json"))
    glue.final(run)

    clock.interrupt = True  # Ctrl-C while the watcher sleeps
    result = cli("run", SEED, "--wait")
    assert result.code == 130
    assert result.err == ("gluegen: stopped watching; run wr_5eed510w goes on. Watch it again: "
                          "gluegen status specs/metriccare.yaml --run-id wr_5eed510w --wait\n")
    glue.done()  # no StopWorkflowRun was called: the stubber would have refused it


def test_without_wait_it_prints_the_run_id_and_returns(glue, clock, cli):
    recording = load("cleanup-deactivated.json")
    glue.workflow(recording)
    glue.answer("start_workflow_run", {"RunId": "wr_new"}, {"Name": "claims_prod", "RunProperties": {"run_date": "2026-12-07"}})
    result = cli("run", "tests/fixtures/runs/cleanup.yaml", "--env", "prod", "--property", "run_date=2026-12-07")
    assert (result.code, result.err) == (0, "")
    assert result.out == "started run wr_new of workflow claims_prod in eu-west-1 with properties run_date='2026-12-07'\n"
    glue.done()


def test_an_undeclared_property_is_allowed_but_warned_about(glue, clock, cli):
    recording = load("cleanup-deactivated.json")
    glue.workflow(recording)
    glue.answer("start_workflow_run", {"RunId": "wr_new"}, {"Name": "claims_prod", "RunProperties": {"run_dat": "x"}})
    result = cli("run", "tests/fixtures/runs/cleanup.yaml", "--env", "prod", "--property", "run_dat=x")
    assert result.code == 0
    assert result.err == ("gluegen: warning: run property 'run_dat' is not declared in the spec "
                          "(workflow.default_run_properties) (did you mean 'run_date'?); Glue passes it to the run as given\n")
    assert "with properties run_dat='x', run_date=''" in result.out  # merged over the workflow's defaults, as Glue does
    glue.done()


@pytest.mark.parametrize("option, message", [
    ("novalue", "--property novalue: write KEY=VALUE"),
    ("=x", "--property =x: write KEY=VALUE"),
    ("a\nb=1", "--property a\nb=1: a run property key is 1-255 characters on one line"),
])
def test_bad_properties_are_refused_before_any_call(option, message, glue, clock, cli):
    result = cli("run", SEED, "--property", option)
    assert (result.code, result.err) == (2, message + "\n")
    glue.done()


def test_too_many_concurrent_runs_names_max_concurrent_runs(glue, clock, cli):
    recording = load("seed-clean.json")
    recording["workflow"]["Workflow"]["MaxConcurrentRuns"] = 1
    glue.workflow(recording)
    glue.refuse("start_workflow_run", "ConcurrentRunsExceededException", "Concurrent runs exceeded for workflow")
    result = cli("run", SEED, "--wait")
    assert result.code == 2
    assert result.err == ("workflow 'metriccare_etl_workflow' already runs as many runs at once as its "
                          "max_concurrent_runs (1) allows: wait for one to end (gluegen status specs/metriccare.yaml --last 5 lists "
                          "them), "
                          "or raise max_concurrent_runs in the spec (ConcurrentRunsExceededException: Concurrent runs "
                          "exceeded for workflow)\n")
    glue.done()


def test_an_unknown_workflow_is_one_line(glue, clock, cli):
    glue.refuse("get_workflow", "EntityNotFoundException", "Workflow not found")
    result = cli("run", SEED)
    assert (result.code, result.err) == (2, "no Glue workflow named 'metriccare_etl_workflow' in eu-west-1\n")


def test_access_denied_is_one_line(glue, clock, cli):
    glue.refuse("get_workflow", "AccessDeniedException", "User is not authorized to perform glue:GetWorkflow", status=400)
    result = cli("run", SEED)
    assert (result.code, result.err) == (2, "access denied: glue:GetWorkflow: User is not authorized to perform glue:GetWorkflow\n")


def test_json_is_one_document_with_the_verdict(glue, clock, cli):
    start(glue, load("seed-failed.json"))
    result = cli("run", SEED, "--wait", "--json")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["verdict"] == "failed" and document["exit_code"] == 1 and document["status"] == "COMPLETED"
    assert [(s["action"], s["state"], s["attempts"]) for s in document["stages"]] == [
        ("bronze", "succeeded", 1), ("silver", "failed", 2), ("gold", "not run", 0)]
    assert document["statistics"]["FailedActions"] == 1
    glue.done()


def test_a_spec_with_environments_needs_env(glue, clock, cli):
    result = cli("run", "tests/fixtures/runs/cleanup.yaml")
    assert (result.code, result.err) == (2, "tests/fixtures/runs/cleanup.yaml declares environments dev, prod: name one with --env\n")
    result = cli("run", "tests/fixtures/runs/cleanup.yaml", "--env", "qa")
    assert (result.code, result.err) == (2, "tests/fixtures/runs/cleanup.yaml declares no environment 'qa' (it has dev, prod)\n")


def test_the_readme_shows_these_transcripts():
    """README "Run and verify" quotes the two transcripts above; they cannot drift apart."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    shown = [block.split("```", 1)[0] for block in readme.split("```\n$ gluegen run specs/metriccare.yaml --wait\n")[1:]]
    assert shown == [CLEAN_TRANSCRIPT, FAILED_TRANSCRIPT]
