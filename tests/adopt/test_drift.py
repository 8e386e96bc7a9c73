"""Differences between what a spec's module creates and what runs, in the spec's terms."""

from __future__ import annotations

from dataclasses import replace

from generator.adopt.drift import compare
from generator.adopt.expected import Expected
from generator.adopt.live import LiveAction, LiveCondition, LiveTrigger, LiveWorkflow

TAGS = (("env", "dev"),)
START = LiveTrigger("wf-start", "SCHEDULED", "ACTIVATED", schedule="cron(0 2 * * ? *)",
                    actions=(LiveAction("job", "a", arguments=(("--x", "1"),)),), tags=TAGS)
SILVER = LiveTrigger("wf-silver", "CONDITIONAL", "ACTIVATED", logical="AND",
                     conditions=(LiveCondition("job", "a", "SUCCEEDED"),), actions=(LiveAction("job", "b"),), tags=TAGS)
SPEC = LiveWorkflow("wf", description="d", default_run_properties=(("p", "1"),), tags=TAGS, triggers=(SILVER, START))
LABELS = {"wf-start": "the start trigger", "wf-silver": "stage 'silver'"}


def drift(live: LiveWorkflow | None, *, run_properties: bool = True) -> list[str]:
    return compare(Expected(SPEC, LABELS, run_properties), live)


def with_trigger(name: str, **changes) -> LiveWorkflow:
    triggers = tuple(replace(t, **changes) if t.name == name else t for t in SPEC.triggers)
    return replace(SPEC, triggers=triggers)


def test_in_sync():
    assert drift(SPEC) == []


def test_missing_workflow():
    assert drift(None) == ["workflow 'wf' does not exist in AWS"]


def test_stage_missing_and_trigger_added():
    extra = LiveTrigger("wf-hotfix", "CONDITIONAL", "ACTIVATED", logical="AND",
                        conditions=(LiveCondition("job", "b", "FAILED"),), actions=(LiveAction("job", "fix"),), tags=TAGS)
    live = replace(SPEC, triggers=(START, extra))
    assert drift(live) == [
        "stage 'silver' is missing in AWS: no trigger 'wf-silver' in the workflow",
        "trigger 'wf-hotfix' (CONDITIONAL, starts job 'fix') is in the workflow but not in the spec: the module does not "
        "manage it",
    ]


def test_condition_state_and_logic_changed():
    live = with_trigger("wf-silver", logical="ANY", conditions=(LiveCondition("job", "a", "FAILED"),
                                                                 LiveCondition("job", "z", "SUCCEEDED")))
    assert drift(live) == [
        "stage 'silver': AWS starts it when one condition holds (any), the spec when every condition holds (all)",
        "stage 'silver': condition job 'a' SUCCEEDED is missing in AWS",
        "stage 'silver': AWS also waits for job 'a' FAILED, which the spec does not",
        "stage 'silver': AWS also waits for job 'z' SUCCEEDED, which the spec does not",
    ]


def test_schedule_changed_and_trigger_deactivated():
    live = with_trigger("wf-start", schedule="cron(0 3 * * ? *)")
    live = replace(live, triggers=tuple(replace(t, state="DEACTIVATED") if t.name == "wf-silver" else t for t in live.triggers))
    assert drift(live) == [
        "stage 'silver': trigger 'wf-silver' is deactivated in AWS (DEACTIVATED); the spec has it active",
        "the start trigger: schedule is 'cron(0 3 * * ? *)' in AWS, 'cron(0 2 * * ? *)' in the spec",
    ]


def test_tags_changed_on_workflow_and_trigger():
    live = replace(with_trigger("wf-silver", tags=(("env", "prod"),)), tags=(("env", "dev"), ("owner", "me")))
    assert drift(live) == [
        "workflow 'wf': tags differ: 'owner' only in AWS ('me')",
        "stage 'silver': trigger 'wf-silver' tags differ: 'env' is 'prod' in AWS, 'dev' in the spec",
    ]


def test_actions_and_their_options_changed():
    live = with_trigger("wf-start", actions=(LiveAction("job", "a", arguments=(("--x", "2"),), timeout=10),
                                             LiveAction("crawler", "c")))
    assert drift(live) == [
        "the start trigger: job 'a': arguments differ: '--x' is '2' in AWS, '1' in the spec",
        "the start trigger: job 'a': timeout is 10 in AWS, unset in the spec",
        "the start trigger: its trigger in AWS also starts crawler 'c', which the spec does not",
    ]


def test_workflow_fields_and_run_properties_unless_ignored():
    live = replace(SPEC, description=None, max_concurrent_runs=3, default_run_properties=(("p", "2"),))
    assert drift(live) == [
        "workflow 'wf': description is unset in AWS, 'd' in the spec",
        "workflow 'wf': max_concurrent_runs is 3 in AWS, unset in the spec",
        "workflow 'wf': default_run_properties differ: 'p' is '2' in AWS, '1' in the spec",
    ]
    assert drift(live, run_properties=False) == drift(live)[:2]


def test_type_change_is_reported_alone():
    live = with_trigger("wf-start", type="ON_DEMAND", schedule=None, state="CREATED")
    assert drift(live) == ["the start trigger: trigger 'wf-start' is ON_DEMAND in AWS, SCHEDULED in the spec"]


def test_conditions_and_actions_in_another_order_are_drift():
    """The provider's predicate.conditions and actions are lists: another order in AWS is an in-place change."""
    two = (LiveCondition("job", "a", "SUCCEEDED"), LiveCondition("job", "c", "FAILED"))
    spec = with_trigger("wf-silver", conditions=two, actions=(LiveAction("job", "b"), LiveAction("job", "d")))
    aws = replace(spec, triggers=tuple(replace(t, conditions=tuple(reversed(t.conditions)),
                                               actions=tuple(reversed(t.actions))) if t.name == "wf-silver" else t
                                       for t in spec.triggers))
    assert compare(Expected(spec, LABELS), aws) == [
        "stage 'silver': AWS lists its conditions in another order (c FAILED, a SUCCEEDED) than the spec "
        "(a SUCCEEDED, c FAILED): the plan reorders them in place",
        "stage 'silver': AWS lists its actions in another order (d, b) than the spec (b, d): the plan reorders "
        "them in place",
    ]
