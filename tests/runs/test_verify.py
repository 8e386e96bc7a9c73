"""The verification of a run against its spec, one rule at a time, on recorded runs changed in one place."""

from __future__ import annotations

import copy

from generator.adopt.read import Shape
from generator.runs.record import from_run
from generator.runs.target import bind, target
from generator.runs.verify import observe, verify
from generator.spec.load import load_plan
from recorded import load


def plan_of(spec):
    return load_plan(open(spec, encoding="utf-8").read(), spec)


def verdict_of(spec, run, env=None):
    plan = plan_of(spec)
    run_target = target(plan, next((e for e in plan.environments if e.name == env), None))
    record = from_run(Shape(run, "", "recording"))
    binding = bind(run_target, record)
    return verify(run_target, binding, record, observe(run_target, binding, record))


def node(run, name):
    return next(n for n in run["Graph"]["Nodes"] if n["Name"] == name)


def seed(name="seed-clean.json"):
    return copy.deepcopy(load(name)["runs"][0])


def test_the_clean_seed_run_passes():
    verdict = verdict_of("specs/metriccare.yaml", seed())
    assert (verdict.code, verdict.mismatches, verdict.notes) == (0, (), ())


def test_a_stage_that_ran_although_its_condition_did_not_hold():
    run = seed()
    node(run, "metriccare_silver_job")["JobDetails"]["JobRuns"][0]["JobRunState"] = "FAILED"
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == ("gold ran although its conditions did not hold: it waits for silver SUCCEEDED, "
                                  "and silver ended FAILED",)
    assert verdict.summary == "failed: Glue reports the run COMPLETED; silver FAILED; 1 difference(s) from the spec"


def test_a_stage_that_did_not_run_although_its_condition_held():
    run = seed()
    node(run, "metriccare_gold_job")["JobDetails"]["JobRuns"] = []
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == ("gold did not run although silver SUCCEEDED",)
    assert verdict.code == 1


def test_a_stopped_run_leaves_stages_unrun_without_a_mismatch():
    run = seed()
    run["Status"] = "STOPPED"
    node(run, "metriccare_gold_job")["JobDetails"]["JobRuns"] = []
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == () and verdict.summary == "failed: Glue reports the run STOPPED"


def test_a_job_run_that_names_no_trigger():
    run = seed()
    del node(run, "metriccare_silver_job")["JobDetails"]["JobRuns"][0]["TriggerName"]
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == ("job 'metriccare_silver_job' (silver) was started outside the workflow: its run "
                                  "jr_metriccare_silver_job_0 names no trigger",)


def test_a_job_started_by_another_stage_trigger():
    run = seed()
    node(run, "metriccare_gold_job")["JobDetails"]["JobRuns"][0]["TriggerName"] = "metriccare_etl_workflow-silver"
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == ("job 'metriccare_gold_job' (gold) was started by trigger 'metriccare_etl_workflow-silver', "
                                  "not by its own trigger 'metriccare_etl_workflow-gold'",)


def test_a_node_outside_the_spec_and_a_missing_trigger():
    run = seed()
    extra = copy.deepcopy(node(run, "metriccare_gold_job"))
    extra.update(Name="hotfix_job", UniqueId="wnode_extra")
    run["Graph"]["Nodes"].append(extra)
    run["Graph"]["Nodes"] = [n for n in run["Graph"]["Nodes"] if n["Name"] != "metriccare_etl_workflow-gold"]
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == (
        "stage gold's trigger 'metriccare_etl_workflow-gold' is not in the run's graph: the workflow in AWS is not the "
        "spec's (gluegen drift shows how)",
        "job 'metriccare_gold_job' ran in this workflow run, but no stage of the spec runs it",
        "job 'hotfix_job' ran in this workflow run, but no stage of the spec runs it",
    )


def test_an_environment_name_that_aws_contradicts():
    run = copy.deepcopy(load("cleanup-deactivated.json")["runs"][0])
    trigger = node(run, "claims_prod-silver")["TriggerDetails"]["Trigger"]
    trigger["Actions"] = [{"JobName": "prod-silver-v2"}]
    verdict = verdict_of("tests/fixtures/runs/cleanup.yaml", run, env="prod")
    assert verdict.mismatches[0] == ("silver: stage silver's trigger 'claims_prod-silver' starts job 'prod-silver-v2' in "
                                     "AWS, where the environment names 'prod-silver' (gluegen drift shows how)")


def test_an_any_join_that_started_before_any_condition_held():
    run = copy.deepcopy(load("medallion-any-join.json")["runs"][0])
    node(run, "mc_early_report")["JobDetails"]["JobRuns"][0]["StartedOn"] = \
        node(run, "mc_silver_claims")["JobDetails"]["JobRuns"][0]["StartedOn"]
    verdict = verdict_of("specs/medallion_crawlers.yaml", run)
    assert verdict.mismatches == (
        "early_report started before any of its conditions held (early_report started before silver_claims ended "
        "(early_report started 02:05:10, silver_claims ended 02:08:00); early_report started before silver_members "
        "ended (early_report started 02:05:10, silver_members ended 02:12:00))",)


def test_a_failed_crawler_fails_the_run_and_is_counted():
    run = copy.deepcopy(load("medallion-any-join.json")["runs"][0])
    crawl = node(run, "mc_crawl_gold")["CrawlerDetails"]["Crawls"][0]
    crawl.update(State="FAILED", ErrorMessage="Insufficient Lake Formation permission(s) on gold_db")
    verdict = verdict_of("specs/medallion_crawlers.yaml", run)
    assert verdict.summary == "failed: Glue reports the run COMPLETED; crawl_gold FAILED"


def test_statistics_alone_fail_the_verdict():
    run = seed()
    run["Statistics"]["ErroredActions"] = 1
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.summary == "failed: Glue reports the run COMPLETED; Glue counts 1 action(s) that did not succeed"


def test_only_the_first_departure_is_reported():
    """bronze FAILED, yet silver and gold ran: silver is the departure; gold followed silver as the spec says."""
    run = seed()
    node(run, "metriccare_bronze_job")["JobDetails"]["JobRuns"][0]["JobRunState"] = "FAILED"
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == ("silver ran although its conditions did not hold: it waits for bronze SUCCEEDED, "
                                  "and bronze ended FAILED",)


def test_a_stage_missing_is_reported_once_not_again_downstream():
    run = seed()
    node(run, "metriccare_silver_job")["JobDetails"]["JobRuns"] = []
    node(run, "metriccare_gold_job")["JobDetails"]["JobRuns"] = []
    verdict = verdict_of("specs/metriccare.yaml", run)
    assert verdict.mismatches == ("silver did not run although bronze SUCCEEDED",)


def resumed_verdict(resumed, earlier):
    plan = plan_of("specs/metriccare.yaml")
    run_target = target(plan, None)
    record = from_run(Shape(resumed, "", "recording"))
    binding = bind(run_target, record)
    earlier = tuple(from_run(Shape(run, "", "recording")) for run in earlier)
    observed = observe(run_target, binding, record, earlier)
    return observed, verify(run_target, binding, record, observed)


def test_a_resumed_run_keeps_the_outcomes_upstream_of_what_it_ran_again():
    failed, resumed = (copy.deepcopy(run) for run in load("seed-resumed.json")["runs"])
    observed, verdict = resumed_verdict(resumed, [failed])
    assert observed["bronze"].earlier == "wr_5eedfa11ed" and observed["silver"].earlier is None
    assert (verdict.code, verdict.mismatches) == (0, ())


def test_a_resumed_run_does_not_borrow_what_it_ran_again_downstream():
    """Earlier: gold FAILED. Resumed from silver, which fails again: gold does not run, and its old failure is not this run's."""
    failed, resumed = (copy.deepcopy(run) for run in load("seed-resumed.json")["runs"])
    earlier_gold = copy.deepcopy(node(resumed, "metriccare_gold_job")["JobDetails"]["JobRuns"])
    earlier_gold[0].update(JobRunState="FAILED", ErrorMessage="old failure")
    node(failed, "metriccare_gold_job")["JobDetails"]["JobRuns"] = earlier_gold
    node(failed, "metriccare_silver_job")["JobDetails"]["JobRuns"][-1]["JobRunState"] = "SUCCEEDED"
    node(resumed, "metriccare_silver_job")["JobDetails"]["JobRuns"][0]["JobRunState"] = "FAILED"
    node(resumed, "metriccare_gold_job")["JobDetails"]["JobRuns"] = []
    observed, verdict = resumed_verdict(resumed, [failed])
    assert observed["gold"].ran is False and observed["gold"].earlier is None
    assert verdict.mismatches == ()
    assert verdict.summary == "failed: Glue reports the run COMPLETED; silver FAILED"


def test_a_resume_of_a_resume_reaches_back_through_the_lineage():
    failed, resumed = (copy.deepcopy(run) for run in load("seed-resumed.json")["runs"])
    again = copy.deepcopy(resumed)
    again.update(WorkflowRunId="wr_again", PreviousRunId="wr_5eedre5umed")
    node(again, "metriccare_silver_job")["JobDetails"]["JobRuns"] = []  # resumed from gold only
    resumed_gold = node(resumed, "metriccare_gold_job")["JobDetails"]["JobRuns"]
    node(again, "metriccare_gold_job")["JobDetails"]["JobRuns"] = copy.deepcopy(resumed_gold)
    observed, verdict = resumed_verdict(again, [resumed, failed])
    assert [observed[label].earlier for label in ("bronze", "silver", "gold")] == ["wr_5eedfa11ed", "wr_5eedre5umed", None]
    assert (verdict.code, verdict.mismatches) == (0, ())
