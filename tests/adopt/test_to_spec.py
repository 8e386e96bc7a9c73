"""A live workflow as a spec: the spec of each hand-built shape, what is noted, and what is refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from generator.adopt.live import LiveAction, LiveCondition, LiveTrigger, LiveWorkflow
from generator.adopt.expected import expected
from generator.adopt.to_spec import identifier, to_spec
from generator.spec.load import load_plan
from generator.spec.loader import load_yaml
from live_shapes import EVENT, FANOUT, LAYERED, SHAPES, expected_live

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
