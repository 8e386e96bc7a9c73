"""`gluegen status` and `gluegen resume` against recorded runs (botocore's Stubber)."""

from __future__ import annotations

import json

import pytest

from recorded import clock, glue, load  # noqa: F401 (clock and glue are fixtures)

SEED = "specs/metriccare.yaml"
WF = "metriccare_etl_workflow"


def run_of(name: str, index: int = -1):
    return load(name)["runs"][index]


def listed(glue, runs):
    """GetWorkflowRuns without graphs (one page), then GetWorkflowRun with its graph for each run kept, newest first."""
    glue.answer("get_workflow_runs", {"Runs": [{k: v for k, v in run.items() if k != "Graph"} for run in runs]},
                {"Name": WF, "IncludeGraph": False, "MaxResults": 100})
    for run in sorted(runs, key=lambda run: run["StartedOn"], reverse=True):
        glue.final(run)


def test_status_of_a_run_shows_its_stages_and_verdict(glue, clock, cli):
    recording = load("seed-failed.json")
    glue.workflow(recording)
    glue.final(recording["runs"][0])
    result = cli("status", SEED, "--run-id", "wr_5eedfa11ed")
    assert result.code == 1
    assert result.out.splitlines()[0] == ("run wr_5eedfa11ed of specs/metriccare.yaml (workflow metriccare_etl_workflow): "
                                          "COMPLETED, started 2026-12-01T10:00:00+00:00, took 7m00s")
    assert "verification" not in result.out  # only with --verify
    assert result.out.splitlines()[-1] == "verdict: failed: Glue reports the run COMPLETED; silver FAILED"
    glue.done()


def test_status_verify_finds_what_the_outcome_alone_does_not(glue, clock, cli):
    recording = load("seed-early-gold.json")
    glue.workflow(recording)
    glue.final(recording["runs"][0])
    plain = cli("status", SEED, "--run-id", "wr_5eedea41y")
    assert plain.code == 0 and plain.out.splitlines()[-1] == (
        "verdict: succeeded: the run completed, every job and crawler that ran succeeded")
    glue.workflow(recording)
    glue.final(recording["runs"][0])
    verified = cli("status", SEED, "--run-id", "wr_5eedea41y", "--verify")
    assert verified.code == 1
    assert "  - gold started before silver ended (gold started 10:07:00, silver ended 10:09:00)" in verified.out
    glue.done()


def test_status_without_a_run_id_reads_the_latest(glue, clock, cli):
    recording = load("seed-clean.json")
    recording["workflow"]["Workflow"]["LastRun"] = recording["runs"][0]  # GetWorkflow names the latest run
    glue.workflow(recording)
    glue.final(recording["runs"][0])
    result = cli("status", SEED, "--verify")
    assert result.code == 0 and "verification: the run followed the spec" in result.out
    glue.done()


def test_status_last_lists_runs_with_their_verdicts(glue, clock, cli):
    runs = [run_of("seed-early-gold.json"), run_of("seed-failed.json"), run_of("seed-clean.json")]
    glue.workflow(load("seed-clean.json"))
    listed(glue, runs)
    result = cli("status", SEED, "--last", "3", "--verify")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "wr_5eedea41y  2026-12-01T10:00:00+00:00  COMPLETED  failed: Glue reports the run COMPLETED; 1 difference(s) from the spec",
        "wr_5eedfa11ed  2026-12-01T10:00:00+00:00  COMPLETED  failed: Glue reports the run COMPLETED; silver FAILED",
        "wr_5eed0c1ean  2026-12-01T10:00:00+00:00  COMPLETED  succeeded: the run completed, every job and crawler that "
        "ran succeeded, and it followed the spec",
    ]
    glue.done()


def test_status_history_summarises_each_stage(glue, clock, cli):
    runs = [run_of("seed-early-gold.json"), run_of("seed-failed.json"), run_of("seed-clean.json"),
            run_of("seed-outside.json")]
    glue.workflow(load("seed-clean.json"))
    listed(glue, runs)
    result = cli("status", SEED, "--history")
    assert result.code == 0
    assert [" ".join(line.split()) for line in result.out.splitlines()] == [
        "the last 4 run(s), per stage (durations nearest-rank):",
        "stage ran failed p50 p95",
        "bronze 4 0 (0%) 4m05s 4m05s",
        "silver 4 1 (25%) 4m40s 4m40s",
        "gold 3 0 (0%) 2m50s 5m00s",
    ]
    glue.done()


def test_status_history_reads_every_page(glue, clock, cli):
    glue.workflow(load("seed-clean.json"))
    clean, failed = run_of("seed-clean.json"), run_of("seed-failed.json")
    glue.answer("get_workflow_runs", {"Runs": [failed], "NextToken": "page2"},
                {"Name": WF, "IncludeGraph": False, "MaxResults": 100})
    glue.answer("get_workflow_runs", {"Runs": [clean]},
                {"Name": WF, "IncludeGraph": False, "MaxResults": 100, "NextToken": "page2"})
    glue.final(failed)  # both started at 10:00:00: the listing's order stands
    glue.final(clean)
    result = cli("status", SEED, "--history", "--json")
    document = json.loads(result.out)
    assert document["runs"] == 2
    assert document["stages"][1] == {"stage": "silver", "ran": 2, "failed": 1, "p50_seconds": 150.0, "p95_seconds": 280.0}
    glue.done()


def test_an_unknown_run_id_is_one_line(glue, clock, cli):
    glue.workflow(load("seed-clean.json"))
    glue.refuse("get_workflow_run", "EntityNotFoundException", "Workflow run not found")
    result = cli("status", SEED, "--run-id", "wr_nope")
    assert result.code == 2
    assert result.err == ("workflow 'metriccare_etl_workflow' has no run 'wr_nope' in eu-west-1 (Glue keeps run history "
                          "for 90 days; gluegen status specs/metriccare.yaml --last 5 lists the latest) "
                          "(EntityNotFoundException: Workflow run not found)\n")


def test_a_workflow_without_runs_says_how_to_start_one(glue, clock, cli):
    glue.workflow(load("seed-clean.json"))  # no LastRun
    result = cli("status", SEED)
    assert (result.code, result.err) == (2, "workflow metriccare_etl_workflow has no runs yet: start one with "
                                            "gluegen run specs/metriccare.yaml\n")


# ---- resume ---------------------------------------------------------------------------------


def silver_node(recording):
    return next(node["UniqueId"] for node in recording["runs"][0]["Graph"]["Nodes"]
                if node["Name"] == "metriccare_silver_job")


def test_resume_restarts_the_failed_stage_and_follows_the_new_run(glue, clock, cli):
    recording = load("seed-resumed.json")
    failed, resumed = recording["runs"]
    glue.final(failed)
    glue.answer("resume_workflow_run", {"RunId": "wr_5eedre5umed", "NodeIds": [silver_node(recording)]},
                {"Name": WF, "RunId": "wr_5eedfa11ed", "NodeIds": [silver_node(recording)]})
    glue.follows(resumed)
    result = cli("resume", SEED, "wr_5eedfa11ed", "--wait")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0] == ("resumed run wr_5eedfa11ed as wr_5eedre5umed from silver (job 'metriccare_silver_job'); "
                        "Glue restarted 1 node(s)")
    assert " ".join("  bronze  metriccare_bronze_job  succeeded (in wr_5eedfa11ed)  10:00:05  4m05s".split()) in {
        " ".join(line.split()) for line in lines}
    assert "verification: the run followed the spec" in lines
    glue.done()


def test_resume_named_stage_must_have_run(glue, clock, cli):
    recording = load("seed-failed.json")
    glue.final(recording["runs"][0])
    result = cli("resume", SEED, "wr_5eedfa11ed", "--stage", "gold")
    assert result.code == 2
    assert result.err == ("--stage gold: it did not run in wr_5eedfa11ed, and Glue resumes only nodes that have a run "
                          "attempt in the original run; resume from the stage before it\n")
    glue.done()


def test_resume_unknown_stage_suggests(glue, clock, cli):
    glue.final(load("seed-failed.json")["runs"][0])
    result = cli("resume", SEED, "wr_5eedfa11ed", "--stage", "silvr")
    assert (result.code, result.err) == (2, "--stage silvr: no stage or action 'silvr' in specs/metriccare.yaml "
                                            "(did you mean 'silver'?)\n")


def test_resume_refuses_a_run_that_has_not_ended(glue, clock, cli):
    glue.final(load("seed-running.json")["runs"][0])
    result = cli("resume", SEED, "wr_5eed510w")
    assert result.code == 2
    assert result.err == ("run wr_5eed510w is RUNNING: Glue resumes only a run that has ended (follow it with "
                          "gluegen status specs/metriccare.yaml --run-id wr_5eed510w --wait)\n")


def test_resume_with_nothing_failed_asks_for_a_stage(glue, clock, cli):
    glue.final(load("seed-clean.json")["runs"][0])
    result = cli("resume", SEED, "wr_5eed0c1ean")
    assert (result.code, result.err) == (2, "run wr_5eed0c1ean has no failed job or crawler to resume from; name one with --stage\n")


@pytest.mark.parametrize("code, message", [
    ("IllegalWorkflowStateException", "Glue refuses to resume run 'wr_5eedfa11ed': it is not in a state that can be resumed"),
    ("InvalidInputException", "Glue refuses to resume run 'wr_5eedfa11ed' from those nodes"),
])
def test_resume_refused_by_glue_is_one_line(code, message, glue, clock, cli):
    glue.final(load("seed-failed.json")["runs"][0])
    glue.refuse("resume_workflow_run", code, "refused")
    result = cli("resume", SEED, "wr_5eedfa11ed")
    assert (result.code, result.err) == (2, f"{message} ({code}: refused)\n")
    glue.done()


def test_status_of_a_resumed_run_reads_the_run_it_resumed(glue, clock, cli):
    failed, resumed = load("seed-resumed.json")["runs"]
    glue.workflow(load("seed-resumed.json"))
    glue.final(resumed)
    glue.final(failed)  # its PreviousRunId
    result = cli("status", SEED, "--run-id", "wr_5eedre5umed", "--verify")
    assert result.code == 0, result.out
    assert ", resumes wr_5eedfa11ed" in result.out.splitlines()[0]
    assert "verification: the run followed the spec" in result.out
    glue.done()


def test_resume_wait_shows_earlier_outcomes_once_and_in_order(glue, clock, cli):
    recording = load("seed-resumed.json")
    failed, resumed = recording["runs"]
    glue.final(failed)
    glue.answer("resume_workflow_run", {"RunId": "wr_5eedre5umed", "NodeIds": [silver_node(recording)]}, None)
    glue.follows(resumed)
    result = cli("resume", SEED, "wr_5eedfa11ed", "--wait")
    assert result.out.splitlines()[1:5] == [
        "11:00:00 run wr_5eedre5umed of metriccare_etl_workflow: RUNNING",
        "bronze (job 'metriccare_bronze_job'): succeeded in run wr_5eedfa11ed, not run again",
        "11:00:10 silver (job 'metriccare_silver_job'): running",
        "11:04:00 silver (job 'metriccare_silver_job'): succeeded after 3m50s",
    ]
    glue.done()


def test_resume_names_each_stage_once(glue, clock, cli):
    recording = load("seed-failed.json")
    glue.final(recording["runs"][0])
    glue.answer("resume_workflow_run", {"RunId": "wr_new", "NodeIds": [silver_node(recording)]},
                {"Name": WF, "RunId": "wr_5eedfa11ed", "NodeIds": [silver_node(recording)]})
    result = cli("resume", SEED, "wr_5eedfa11ed", "--stage", "silver", "--stage", "silver")
    assert result.out == "resumed run wr_5eedfa11ed as wr_new from silver (job 'metriccare_silver_job'); Glue restarted 1 node(s)\n"
    glue.done()


@pytest.mark.parametrize("arguments, message", [
    (["status", SEED, "--run-id", ""], "argument --run-id: a run id is 1-255 characters on one line"),
    (["resume", SEED, "wr\nx"], "argument RUN_ID: a run id is 1-255 characters on one line"),
    (["status", SEED, "--last", "٣"], "argument --last: '٣' is not a whole number from 1 to 1000"),
    (["run", SEED, "--wait", "--timeout", "0.5"], "argument --timeout: give 1 second to 7 days (604800)"),
])
def test_bad_arguments_are_usage_errors(arguments, message, cli, capsys):
    result = cli(*arguments)
    assert result.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("arguments, message", [
    (["run", SEED, "--timeout", "60"], "--timeout limits --wait: pass --wait too"),
    (["status", SEED, "--last", "3", "--wait"], "--wait follows one run: drop --last or --history, or name the run with --run-id"),
    (["status", SEED, "--history", "--verify"], "--history summarises durations and failures; --verify checks one run (or --last N)"),
])
def test_options_that_would_be_ignored_are_refused(arguments, message, glue, clock, cli):
    if "--history" in arguments:
        glue.workflow(load("seed-clean.json"))
    result = cli(*arguments)
    assert (result.code, result.err) == (2, message + "\n")


def test_an_endpoint_that_is_not_a_url_is_one_line(cli, aws_env):
    result = cli("status", SEED, "--region", "eu-west-1", "--endpoint-url", "not a url")
    assert (result.code, result.err) == (2, "--endpoint-url not a url: Invalid endpoint: not a url\n")
