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
