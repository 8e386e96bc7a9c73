"""A live workflow as a spec: the spec of each hand-built shape, what is noted, and what is refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.adopt.live import LiveAction, LiveCondition, LiveJob, LiveTrigger, LiveWorkflow
from generator.adopt.expected import expected
from generator.adopt.to_spec import JOB_MAPS, factor_jobs, identifier, to_spec
from generator.spec.load import load_plan
from generator.spec.loader import load_yaml
from live_shapes import (
    EVENT, FANOUT, JOB_ROLE, LAYERED, SCHEDULED, SEED_JOBS, SHAPES, SHARED_ARGUMENTS, expected_job, expected_live,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adopt"
ORIGIN = "AWS Glue in eu-west-1"


def spec_of(live: LiveWorkflow, **options):
    return to_spec(live, region="eu-west-1", origin=ORIGIN, **options)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_spec_of_each_shape(shape):
    """The reviewed spec in tests/fixtures/adopt/<shape>.yaml, byte for byte."""
    imported = spec_of(expected_live(shape))
    assert imported.text == (FIXTURES / f"{shape.name}.yaml").read_text(encoding="utf-8")
    assert not any(finding.fatal for finding in imported.findings)


def test_the_same_workflow_gives_the_same_spec_whatever_the_trigger_order():
    live = expected_live(FANOUT)
    shuffled = replace(live, triggers=tuple(reversed(live.triggers)))
    assert spec_of(shuffled).text == spec_of(live).text


def test_event_start_is_noted_as_external():
    (finding,) = spec_of(expected_live(EVENT)).findings
    assert str(finding) == (
        "trigger 'landing-events-start': is an EVENT start; whatever notifies it (an EventBridge rule and its role) is "
        "not read; the spec says start.event.external, so the plan neither imports nor creates a rule")


def _workflow(*triggers: LiveTrigger, **fields) -> LiveWorkflow:
    return LiveWorkflow(name="wf", tags=(), triggers=tuple(sorted(triggers, key=lambda t: t.name)), **fields)


START = LiveTrigger("wf-start", "ON_DEMAND", "CREATED", actions=(LiveAction("job", "a"),), tags=())


def _after(name: str, *conditions: LiveCondition, action: str = "b", state: str = "ACTIVATED", **fields) -> LiveTrigger:
    return LiveTrigger(name, "CONDITIONAL", state, logical="AND", conditions=conditions,
                       actions=(LiveAction("job", action),), tags=(), **fields)


def test_tags_that_differ_and_an_active_on_demand_start_are_noted_with_what_the_plan_does():
    live = replace(_workflow(replace(START, state="ACTIVATED"),
                             replace(_after("wf-b", LiveCondition("job", "a", "SUCCEEDED")), tags=(("x", "1"),))),
                   tags=(("x", "2"),))
    findings = [str(f) for f in spec_of(live).findings]
    assert findings == [
        "trigger 'wf-start': is an ON_DEMAND start in state ACTIVATED; the module keeps it enabled = false (an enabled "
        "one would start a run on every apply, or fail for EVENT), so the plan changes enabled to false in place; no run "
        "is started",
        "trigger 'wf-b': has tags {'x': '1'}, the workflow {'x': '2'}; the module tags every trigger as its workflow, so "
        "the plan updates this trigger's tags in place",
        "trigger 'wf-start': has tags {}, the workflow {'x': '2'}; the module tags every trigger as its workflow, so the "
        "plan updates this trigger's tags in place",
    ]


def test_unknown_tags_of_a_recorded_document_are_noted():
    live = replace(_workflow(START), tags=None, triggers=(replace(START, tags=None),))
    (finding,) = spec_of(live).findings
    assert str(finding).startswith("workflow 'wf': a get-workflow document carries no tags, so the spec gives none; "
                                   "if the workflow or its triggers have tags, the plan removes them")


@pytest.mark.parametrize("live, message", [
    (_workflow(START, blueprint="etl-blueprint (run r-1)"),
     "workflow 'wf': was created by the Glue blueprint etl-blueprint (run r-1); the blueprint run owns it and recreates "
     "it when run again, so Terraform cannot own it too"),
    (_workflow(_after("wf-b", LiveCondition("job", "a", "SUCCEEDED"))),
     "workflow 'wf': has no start trigger (ON_DEMAND, SCHEDULED or EVENT), so nothing can start it; a spec needs at "
     "least one root stage"),
    (_workflow(START, replace(START, name="wf-other")),
     "workflow 'wf': has 2 start triggers (wf-other, wf-start); Glue runs a workflow from one"),
    (_workflow(START, _after("wf-b", LiveCondition("job", "a", "SUCCEEDED"), state="UPDATING")),
     "trigger 'wf-b': is UPDATING; import again once it has settled"),
    (_workflow(START, _after("wf-b", LiveCondition("job", "a", "RUNNING"))),
     "trigger 'wf-b': waits for job 'a' to be RUNNING, which a spec cannot say: a job condition is one of SUCCEEDED, "
     "FAILED, TIMEOUT, STOPPED"),
    (_workflow(START, _after("wf-b", LiveCondition("crawler", "c", "ERROR"))),
     "trigger 'wf-b': waits for crawler 'c' to be ERROR, which a spec cannot say: a crawler condition is one of "
     "SUCCEEDED, FAILED, CANCELLED"),
    (_workflow(START, _after("wf-b", LiveCondition("job", "elsewhere", "SUCCEEDED"))),
     "trigger 'wf-b': waits for job 'elsewhere', which no trigger of this workflow starts; a spec's conditions name "
     "its own stages"),
    (_workflow(START, _after("wf-b", LiveCondition("job", "a", "FAILED")),
               _after("wf-c", LiveCondition("job", "a", "TIMEOUT")),
               _after("wf-d", LiveCondition("job", "b", "SUCCEEDED"), action="d")),
     "trigger 'wf-d': waits for job 'b', which triggers 'wf-b', 'wf-c' all start: Glue's condition holds for any of "
     "their runs, which a spec cannot say (its conditions name one stage's run)"),
    (_workflow(START, _after("wf-b", LiveCondition("job", "c", "SUCCEEDED")),
               _after("wf-c", LiveCondition("job", "b", "SUCCEEDED"), action="c")),
     "triggers 'wf-b', 'wf-c': wait for each other in a cycle, so none can fire"),
    (_workflow(replace(START, actions=(LiveAction("crawler", "c", arguments=(("--x", "1"),)),))),
     "trigger 'wf-start': starts crawler 'c' with arguments, which only job actions take"),
    (_workflow(replace(START, actions=(LiveAction("job", "a"), LiveAction("job", "a")))),
     "trigger 'wf-start': starts job 'a' twice"),
    (_workflow(START, _after("wf-b", LiveCondition("job", "b", "FAILED"))),
     "trigger 'wf-b': job 'b' is both its condition and its action"),
], ids=["blueprint", "no-start", "two-starts", "transitional", "job-state", "crawl-state", "outside-job",
        "ambiguous-condition", "cycle", "crawler-arguments", "job-twice", "condition-and-action"])
def test_what_a_spec_cannot_say_is_refused_with_the_reason(live, message):
    imported = spec_of(live)
    assert imported.text is None
    assert message in [str(f) for f in imported.findings if f.fatal]


def test_names_are_identifiers_and_collisions_get_numbers():
    assert identifier("Dev-Bronze Orders (v2)") == "dev_bronze_orders_v2"
    assert identifier("2024-load", "job") == "job_2024_load"
    assert identifier("---") == "stage"
    assert len(identifier("x" * 300)) == 63
    live = _workflow(replace(START, actions=(LiveAction("job", "load-a"), LiveAction("job", "Load_A"),
                                             LiveAction("job", "start"))))
    stages = load_yaml(spec_of(live).text, "x.yaml").data["stages"]
    jobs = load_yaml(spec_of(live).text, "x.yaml").data["environments"]["live"]["inputs"]["jobs"]
    assert list(stages) == ["load_a", "load_a_2", "start_2"]
    assert jobs == {"load_a": "load-a", "load_a_2": "Load_A", "start_2": "start"}


def test_strings_that_yaml_reads_otherwise_are_quoted():
    """gluegen reads YAML 1.2: `0o17`, `true`, `1e3`, `~` and `010` must stay the strings they are."""
    values = ["0o17", "true", "1e3", "~", "010", "yes", "1:30", "-.5", ".inf", "plain"]
    live = replace(_workflow(START), default_run_properties=tuple((f"k{i}", v) for i, v in enumerate(values)))
    data = load_yaml(spec_of(live).text, "x.yaml").data
    assert list(data["workflow"]["default_run_properties"].values()) == values


def _reordered(live: LiveWorkflow, trigger: str, order: list[int]) -> LiveWorkflow:
    """`live` with one trigger's conditions listed in another order, as AWS may hold them."""
    triggers = tuple(replace(t, conditions=tuple(t.conditions[i] for i in order)) if t.name == trigger else t
                     for t in live.triggers)
    return replace(live, triggers=triggers)


@pytest.mark.parametrize("trigger, order", [
    ("dev-gold_layer-trigger", [2, 0, 1]),  # a layer's conditions out of its action order
    ("dev-silver_layer-trigger", [1, 2, 0]),
])
def test_conditions_keep_their_aws_order_so_the_plan_does_not_reorder_them(trigger, order):
    """The provider's predicate.conditions is a list: the module must lay them out in AWS's order,
    so the spec writes one entry per action in that order instead of the whole layer."""
    live = _reordered(expected_live(LAYERED), trigger, order)
    imported = spec_of(live)
    assert not imported.findings or all(not f.fatal for f in imported.findings)
    plan = load_plan(imported.text, "imported.yaml")
    made = {t.name: t for t in expected(plan, plan.environments[0]).workflow.triggers}
    assert made[trigger].conditions == {t.name: t for t in live.triggers}[trigger].conditions


def test_states_of_one_job_apart_are_noted_and_kept_together():
    live = expected_live(FANOUT)
    split = next(t for t in live.triggers if t.name == "claims-fan-join")
    conditions = (LiveCondition("job", "claims", "FAILED"), LiveCondition("job", "members", "FAILED"),
                  LiveCondition("job", "claims", "TIMEOUT"))
    live = replace(live, triggers=tuple(replace(t, conditions=conditions, logical="ANY") if t is split else t
                                        for t in live.triggers))
    notes = [str(f) for f in spec_of(live).findings]
    assert ("trigger 'claims-fan-join': lists the states of one job or crawler apart from each other in its "
            "conditions, an order a spec cannot give; the plan reorders its conditions in place") in notes


@pytest.mark.parametrize("workflow", ["imports", "providers", "versions", "envs"])
def test_a_workflow_named_like_a_root_file_gets_a_module_name_that_is_not(workflow):
    live = replace(expected_live(EVENT), name=workflow)
    imported = spec_of(live)
    assert imported.module == f"{workflow}_workflow"
    assert load_plan(imported.text, "imported.yaml").module == f"{workflow}_workflow"


# ---- --with-jobs: jobs:, job_defaults: and what a spec's job cannot say --------------------------

SEED = tuple(sorted((expected_job(job) for job in SEED_JOBS), key=lambda job: job.name))


def _with_jobs(live: LiveWorkflow, jobs: tuple[LiveJob, ...], missing: tuple[str, ...] = ()) -> LiveWorkflow:
    return replace(live, jobs=tuple(sorted(jobs, key=lambda job: job.name)), jobs_not_found=missing)


def _data(imported) -> dict:
    assert imported.text is not None, [str(f) for f in imported.findings]
    return load_yaml(imported.text, "x.yaml").data


def test_the_seeds_nine_jobs_share_their_fifteen_argument_block_in_job_defaults():
    """The reviewed spec in tests/fixtures/adopt/layered-jobs.yaml, byte for byte: job_defaults holds
    the fifteen shared arguments and every equal scalar, each job its script and its own arguments."""
    imported = spec_of(_with_jobs(expected_live(LAYERED), SEED))
    assert imported.findings == ()
    assert imported.text == (FIXTURES / "layered-jobs.yaml").read_text(encoding="utf-8")
    data = _data(imported)
    assert data["job_defaults"] == {
        "python_version": "3", "glue_version": "5.0", "worker_type": "G.1X", "number_of_workers": 2, "max_retries": 1,
        "timeout": 60, "execution_class": "STANDARD", "default_arguments": SHARED_ARGUMENTS}
    assert len(data["job_defaults"]["default_arguments"]) == 15
    assert list(data["jobs"]) == ["dev_bronze_claims", "dev_bronze_members", "dev_bronze_providers", "dev_silver_claims",
                                  "dev_silver_members", "dev_silver_providers", "dev_gold_claims", "dev_gold_members",
                                  "dev_gold_kpis"]
    assert data["jobs"]["dev_gold_kpis"] == {"script_location": "s3://metriccare-dev-glue/scripts/gold/kpis.py",
                                             "default_arguments": {"--layer": "gold", "--entity": "kpis"}}
    inputs = data["environments"]["live"]["inputs"]
    assert inputs["job_role_arn"] == JOB_ROLE
    assert inputs["jobs"]["dev_gold_kpis"] == "dev-gold-kpis"  # the live names stay in the environment's input


def _merged(defaults: dict, own: dict) -> dict:
    """job_defaults then the job, as the design merges them: maps key by key, the rest replaced."""
    merged = dict(defaults)
    for field, value in own.items():
        merged[field] = {**defaults.get(field, {}), **value} if field in JOB_MAPS else value
    return merged


def test_a_scalar_or_argument_all_jobs_but_one_share_stays_with_each_job():
    jobs = list(SEED)
    kpis = next(i for i, job in enumerate(jobs) if job.name == "dev-gold-kpis")
    arguments = tuple(pair for pair in jobs[kpis].default_arguments if pair[0] != "--TempDir")
    jobs[kpis] = replace(jobs[kpis], number_of_workers=4, default_arguments=arguments)
    data = _data(spec_of(_with_jobs(expected_live(LAYERED), tuple(jobs))))
    defaults = data["job_defaults"]
    assert "--TempDir" not in defaults["default_arguments"] and len(defaults["default_arguments"]) == 14
    assert "number_of_workers" not in defaults
    assert data["jobs"]["dev_gold_kpis"]["number_of_workers"] == 4
    assert "--TempDir" not in data["jobs"]["dev_gold_kpis"]["default_arguments"]
    for key, job in data["jobs"].items():
        if key != "dev_gold_kpis":
            assert job["number_of_workers"] == 2
            assert job["default_arguments"]["--TempDir"] == "s3://metriccare-dev-glue/temp/"


def test_one_job_has_no_job_defaults():
    only = replace(expected_live(SCHEDULED), triggers=tuple(t for t in expected_live(SCHEDULED).triggers
                                                               if t.name == "nightly-start"))
    job = replace(SEED[0], name="extract", tags=())
    data = _data(spec_of(_with_jobs(only, (job,))))
    assert "job_defaults" not in data
    assert data["jobs"] == {"extract": {
        "script_location": job.script_location, "python_version": "3", "glue_version": "5.0", "worker_type": "G.1X",
        "number_of_workers": 2, "max_retries": 1, "timeout": 60, "execution_class": "STANDARD",
        "default_arguments": dict(job.default_arguments)}}


_text = st.text(alphabet="abc-", min_size=1, max_size=3)
_job_body = st.fixed_dictionaries({}, optional={
    "script_location": st.sampled_from(["s3://b/a.py", "s3://b/b.py"]),
    "glue_version": st.sampled_from(["4.0", "5.0"]),
    "number_of_workers": st.integers(2, 3),
    "connections": st.lists(_text, max_size=2),
    "default_arguments": st.dictionaries(_text, _text, max_size=4),
    "tags": st.dictionaries(_text, _text, max_size=2),
})


@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), _job_body, min_size=1))
def test_factoring_then_merging_gives_every_job_back(jobs):
    defaults, own = factor_jobs(jobs)
    assert list(own) == list(jobs)
    assert all(_merged(defaults, own[key]) == body for key, body in jobs.items())
    if len(jobs) == 1:
        assert defaults == {}
    for field, value in defaults.items():  # only what every job holds
        for body in jobs.values():
            assert (value.items() <= body[field].items()) if field in JOB_MAPS else body[field] == value


def test_a_job_tagged_as_its_workflow_has_no_tags_and_one_with_more_keeps_its_own():
    jobs = (replace(SEED[0], tags=(*SEED[0].tags, ("owner", "data"))),
            replace(SEED[1], tags=(("Environment", "prod"), ("Project", "MetricCare"))),
            replace(SEED[2], tags=(("Project", "MetricCare"),)), *SEED[3:])
    imported = spec_of(_with_jobs(expected_live(LAYERED), jobs))
    data = _data(imported)
    assert "tags" not in data["job_defaults"]
    assert data["jobs"]["dev_bronze_claims"]["tags"] == {"owner": "data"}
    assert data["jobs"]["dev_bronze_members"]["tags"] == {"Environment": "prod"}
    assert "tags" not in data["jobs"]["dev_bronze_providers"] and "tags" not in data["jobs"]["dev_gold_kpis"]
    assert [str(f) for f in imported.findings] == [
        "job 'dev-bronze-providers': lacks the workflow's tag Environment; the module tags every job with the workflow's "
        "tags too, so the plan adds them to this job in place"]


def test_a_job_glue_does_not_find_stays_in_the_jobs_input_with_a_note():
    present = tuple(job for job in SEED if job.name != "dev-gold-kpis")
    imported = spec_of(_with_jobs(expected_live(LAYERED), present, ("dev-gold-kpis",)))
    data = _data(imported)
    assert "dev_gold_kpis" not in data["jobs"] and len(data["jobs"]) == 8
    assert data["environments"]["live"]["inputs"]["jobs"]["dev_gold_kpis"] == "dev-gold-kpis"
    assert [str(f) for f in imported.findings] == [
        "job 'dev-gold-kpis': is started by the workflow's triggers but does not exist (BatchGetJobs: JobsNotFound); "
        "it is not defined in jobs: and stays in the environment's jobs input, for a job defined elsewhere"]


def test_a_python_shell_job_keeps_its_capacity_and_a_spark_job_drops_the_one_glue_computes():
    spark = replace(SEED[0], max_capacity=2.0)  # Glue reads a G.1X job of 2 workers back with MaxCapacity 2
    shell = LiveJob("dev-bronze-members", JOB_ROLE, "pythonshell", "s3://b/shell.py", python_version="3.9",
                    glue_version="3.0", max_capacity=0.0625, timeout=30, max_concurrent_runs=3,
                    job_run_queuing_enabled=True, notify_delay_after=5, connections=("vpc",), description="shell",
                    non_overridable_arguments=(("--x", "1"),), security_configuration="kms", tags=SEED[0].tags)
    data = _data(spec_of(_with_jobs(expected_live(LAYERED), (spark, shell, *SEED[2:]))))
    assert "max_capacity" not in data["jobs"]["dev_bronze_claims"] and "max_capacity" not in data.get("job_defaults", {})
    assert data["jobs"]["dev_bronze_members"] == {
        "script_location": "s3://b/shell.py", "command": "pythonshell", "python_version": "3.9", "glue_version": "3.0",
        "max_capacity": 0.0625, "timeout": 30, "max_concurrent_runs": 3, "job_run_queuing_enabled": True,
        "security_configuration": "kms", "notify_delay_after": 5, "connections": ["vpc"], "description": "shell",
        "non_overridable_arguments": {"--x": "1"}}


@pytest.mark.parametrize("change, message", [
    ({"command": "glueray", "runtime": "Ray2.4"},
     "job 'dev-bronze-claims': is a glueray job (runtime Ray2.4); a spec's jobs are glueetl, pythonshell, gluestreaming"),
    ({"role": "metriccare-dev-glue"},
     "job 'dev-bronze-claims': names its role 'metriccare-dev-glue', not an IAM role ARN; the module's job_role_arn is "
     "an ARN: give the job its role's ARN first (aws glue update-job)"),
    ({"glue_version": None},
     "job 'dev-bronze-claims': has no Glue version; a spec's job needs one (glue_version): set it on the job first "
     "(aws glue update-job)"),
    ({"worker_type": None, "number_of_workers": None, "max_capacity": 10.0},
     "job 'dev-bronze-claims': is sized in DPUs (MaxCapacity 10) rather than workers; a spec sizes a Spark job with "
     "worker_type and number_of_workers"),
    ({"command": "gluestreaming", "maintenance_window": "Sun:3"},
     "job 'dev-bronze-claims': has the maintenance window Sun:3, which a spec cannot say; the provider manages it "
     "(maintenance_window), so the plan would remove it"),
    ({"source_control": "GITHUB org/etl"},
     "job 'dev-bronze-claims': is synchronised with source control (GITHUB org/etl), which a spec cannot say; the "
     "provider manages it (source_control_details), so the plan would remove it"),
    ({"visual": True},
     "job 'dev-bronze-claims': is a Glue Studio visual job: its script is generated from a visual graph "
     "(CodeGenConfigurationNodes) that neither a spec nor the provider holds, and Glue's UpdateJob replaces the whole "
     "job, so the first change Terraform makes to it drops the graph"),
], ids=["ray", "role-name", "no-glue-version", "dpus", "maintenance-window", "source-control", "visual"])
def test_what_a_spec_job_cannot_say_is_refused_with_the_reason(change, message):
    imported = spec_of(_with_jobs(expected_live(LAYERED), (replace(SEED[0], **change), *SEED[1:])))
    assert imported.text is None
    assert [str(f) for f in imported.findings if f.fatal] == [message]


def test_jobs_with_several_roles_are_refused_naming_them():
    other = "arn:aws:iam::123456789012:role/other"
    imported = spec_of(_with_jobs(expected_live(LAYERED), (replace(SEED[4], role=other), *SEED[:4], *SEED[5:])))
    assert imported.text is None
    assert [str(f) for f in imported.findings if f.fatal] == [
        f"workflow 'dev-metriccare': its jobs use 2 roles ({JOB_ROLE}, {other}); the module gives one role, "
        "job_role_arn, to every job it defines"]


def test_a_usage_profile_is_noted():
    imported = spec_of(_with_jobs(expected_live(LAYERED), (replace(SEED[0], profile_name="small"), *SEED[1:])))
    assert [str(f) for f in imported.findings] == [
        "job 'dev-bronze-claims': uses the Glue usage profile 'small', which a spec cannot say; the import keeps it, but "
        "Glue's UpdateJob replaces the whole job, so the first change Terraform makes to it drops it"]
