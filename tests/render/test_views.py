"""The trigger blocks' values: names as data, activation through var.trigger_enabled."""

from __future__ import annotations

from generator.render.module import render
from generator.spec.load import load_plan

SPEC = """\
version: 1
module: m
workflow: {name: w}
start: {trigger_name: "dev \\"start\\"", description: Starts it.}
stages:
  a: {}
  b: {after: [a], trigger_suffix: "x-${y}"}
  c: {after: {b: FAILED}, enabled: false}
  d: {after: [b], enabled: true}
"""


def test_exact_names_are_literals_and_suffixes_are_data_after_the_workflow_name():
    files = render(load_plan(SPEC, "m.yaml"))
    assert 'name          = "dev \\"start\\""' in files["a_job_trigger.tf"]
    assert 'description   = "Starts it."' in files["a_job_trigger.tf"]
    assert 'name          = "${var.workflow_name}-x-$${y}"' in files["b_job_trigger.tf"]
    assert 'name          = "${var.workflow_name}-c"' in files["c_job_trigger.tf"]


def test_a_stage_that_sets_enabled_reads_it_through_trigger_enabled():
    files = render(load_plan(SPEC, "m.yaml"))
    assert 'enabled       = lookup(var.trigger_enabled, "c", false)' in files["c_job_trigger.tf"]
    assert 'enabled       = lookup(var.trigger_enabled, "d", true)' in files["d_job_trigger.tf"]
    assert 'enabled       = true' in files["b_job_trigger.tf"]
    assert 'variable "trigger_enabled"' in files["variables.tf"] and '["c", "d"]' in files["variables.tf"]
    without = render(load_plan(SPEC.replace(", enabled: false", "").replace(", enabled: true", ""), "m.yaml"))
    assert "trigger_enabled" not in without["variables.tf"]
