"""What a spec's module creates in one environment, as a LiveWorkflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from generator.adopt.expected import expected
from generator.adopt.live import LiveAction, LiveCondition, LiveTrigger, LiveWorkflow
from generator.adopt.to_spec import to_spec
from generator.spec.load import load_plan
from live_shapes import SHAPES, expected_live


def plan_of(path: Path):
    return load_plan(path.read_text(encoding="utf-8"), path.name)


def test_environment_inputs_give_names_schedule_arguments_tags_and_activation():
    plan = plan_of(ROOT / "specs" / "claims_daily.yaml")
    envs = {env.name: env for env in plan.environments}
    tags = (("Environment", "prod"), ("Project", "claims"))
    prod = expected(plan, envs["prod"])
    assert prod.workflow == LiveWorkflow(
        name="claims_daily_prod",
        description="Daily claims load (production).",
        tags=tags,
        triggers=(
            LiveTrigger("claims_daily_prod-gold", "CONDITIONAL", "ACTIVATED", logical="AND",
                        conditions=(LiveCondition("job", "prod-claims-silver", "SUCCEEDED"),),
                        actions=(LiveAction("job", "prod-claims-gold"),), tags=tags),
            LiveTrigger("claims_daily_prod-silver", "CONDITIONAL", "ACTIVATED", logical="AND",
                        conditions=(LiveCondition("job", "prod-claims-bronze", "SUCCEEDED"),),
                        actions=(LiveAction("job", "prod-claims-silver", arguments=(("--dedupe", "strict"),)),), tags=tags),
            LiveTrigger("claims_daily_prod-start", "SCHEDULED", "ACTIVATED", schedule="cron(30 1 * * ? *)",
                        actions=(LiveAction("job", "prod-claims-bronze"),), tags=tags),
        ),
    )
    assert prod.labels == {"claims_daily_prod-start": "the start trigger", "claims_daily_prod-silver": "stage 'silver'",
                           "claims_daily_prod-gold": "stage 'gold'"}
    dev = expected(plan, envs["dev"]).workflow
    assert dev.trigger("claims_daily_dev-start").state == "CREATED"  # paused: true
    assert dev.trigger("claims_daily_dev-start").schedule == "cron(0 2 * * ? *)"
    assert dev.description == "Daily claims load, Bronze → Silver → Gold."


def test_on_demand_start_stays_created_and_any_is_kept():
    plan = plan_of(ROOT / "specs" / "medallion_crawlers.yaml")
    workflow = expected(plan, None).workflow
    start = workflow.trigger("medallion_crawlers-start")
    assert start.state == "CREATED" and start.type == "ON_DEMAND"
    early = workflow.trigger("medallion_crawlers-early_report")
    assert early.logical == "ANY" and early.state == "ACTIVATED"
    crawl = workflow.trigger("medallion_crawlers-crawl_bronze")
    assert crawl.actions[0].kind == "crawler" and crawl.actions[0].arguments == ()


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_the_imported_spec_expects_exactly_the_live_workflow(shape):
    """Drift is "import, then compare": the spec import writes must expect what was read, so
    drift right after import is empty. (Needs the part-1 spec shapes: adopt, trigger names,
    actions, enabled, event external.)"""
    live = expected_live(shape)
    imported = to_spec(live, region="eu-west-1", origin="test")
    plan = load_plan(imported.text, f"{imported.module}.yaml")
    (env,) = plan.environments
    assert expected(plan, env).workflow == live


LAYERED_SPEC = """\
version: 1
module: layers
workflow: {name: layers, ignore_changes: [default_run_properties]}
start: {trigger_name: kick}
stages:
  a: {}
  layer:
    after: [a]
    trigger_suffix: l
    enabled: true
    actions:
      x: {arguments: {"--k": "spec"}}
      y: {crawler: true, timeout: 5}
environments:
  live:
    region: us-east-1
    inputs:
      jobs: {a: job-a, x: job-x}
      crawlers: {y: crawler-y}
      stage_arguments: {layer.x: {"--k": "env"}}
      trigger_enabled: {layer: false}
"""


def test_layer_names_arguments_activation_and_ignored_run_properties():
    """(Needs the part-1 spec shapes.)"""
    plan = load_plan(LAYERED_SPEC, "layers.yaml")
    found = expected(plan, plan.environments[0])
    assert not found.run_properties
    workflow = found.workflow
    assert [t.name for t in workflow.triggers] == ["kick", "layers-l"]
    layer = workflow.trigger("layers-l")
    assert layer.state == "CREATED"
    assert layer.actions == (LiveAction("job", "job-x", arguments=(("--k", "env"),)), LiveAction("crawler", "crawler-y", timeout=5))
    assert found.labels == {"kick": "the start trigger", "layers-l": "stage 'layer'"}


def test_defined_jobs_are_named_as_the_module_names_them():
    """An environment need not name the jobs the spec defines: the module names them itself."""
    plan = plan_of(ROOT / "specs" / "layered_jobs.yaml")
    found = expected(plan, None).workflow
    actions = {action.name for trigger in found.triggers for action in trigger.actions}
    defined = {job.name_for(plan.workflow_name, {}) for job in plan.jobs}
    assert defined <= actions and not any("unset" in name for name in actions)
