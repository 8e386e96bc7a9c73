"""One test per guard of ../shared/docs/terraform-pitfalls.md that a generated module holds
(1-3, 5-10, 12, 15, 18, 19; 4 and 14 are proven on moto in test_apply.py, 13 in test_cli.py,
21 by the error corpus)."""

from __future__ import annotations

import re

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from conftest import ROOT, build_file_tree
from generator.errors import SpecError
from generator.render.module import render
from generator.spec.load import load_plan
from hclparse import blocks, merged, parse_module

MINIMAL = """\
version: 1
module: minimal
workflow: {name: minimal}
stages:
  a: {}
  b: {after: [a]}
"""


def render_to(tmp_path: Path, text: str) -> Path:
    return build_file_tree(tmp_path / "module", render(load_plan(text, "mem.yaml")))


def all_modules():
    return [parse_module(ROOT / "out" / path.name) for path in sorted((ROOT / "out").iterdir()) if path.name != "envs"]


def triggers():
    return [trigger for module in all_modules() for trigger in module.resources["aws_glue_trigger"].values()]


def test_pitfall_1_on_demand_start_trigger_is_disabled_and_has_no_start_on_creation():
    on_demand = [t for t in triggers() if t["type"] == "ON_DEMAND"]
    assert on_demand, "the examples include an ON_DEMAND start"
    for trigger in on_demand:
        assert trigger["enabled"] is False
        assert "start_on_creation" not in trigger


def test_pitfall_2_conditional_and_scheduled_triggers_are_enabled_explicitly():
    kinds = {t["type"] for t in triggers()}
    assert {"CONDITIONAL", "SCHEDULED"} <= kinds
    for trigger in triggers():
        if trigger["type"] in ("CONDITIONAL", "SCHEDULED"):
            # A scheduled start is enabled unless var.paused; a conditional trigger always (paused
            # stops new runs only, so a run in progress finishes).
            # Issue 10: a stage that sets `enabled` gets its value through var.trigger_enabled, never unset.
            assert trigger["enabled"] == ("${!var.paused}" if trigger["type"] == "SCHEDULED" else True) or (
                trigger["type"] == "CONDITIONAL"
                and re.fullmatch(r'\$\{lookup\(var\.trigger_enabled, "[a-z0-9_]+", (true|false)\)\}', trigger["enabled"]))
            assert "start_on_creation" not in trigger


@pytest.mark.parametrize("version,admitted", [
    ("5.26.0", False), ("5.27.0", True), ("5.100.0", True), ("6.0.0", True), ("6.12.0", True), ("7.0.0", False),
])
def test_pitfall_5_provider_constraint_requires_5_27_and_admits_6(version, admitted):
    for module in all_modules():
        (terraform,) = module.terraform
        (providers,) = blocks(terraform["required_providers"])
        assert providers["aws"]["source"] == "hashicorp/aws"
        constraint = SpecifierSet(providers["aws"]["version"].replace(" ", ""))
        assert (version in constraint) is admitted


def test_pitfall_6_triggers_have_a_15_minute_delete_timeout():
    for trigger in triggers():
        assert blocks(trigger["timeouts"]) == [{"delete": "15m"}]


def _nested_empty_blocks(parsed: dict) -> list[str]:
    """Empty nested blocks and nulls in lists; a data source's own empty body (`data "aws_region" "current" {}`) is no nested block."""
    found = []
    for key, value in parsed.items():
        if key != "data":
            found += _empty_blocks(value, key)
            continue
        for index, source in enumerate(value):
            for kind, named in source.items():
                if kind == "__is_block__":
                    continue
                for name, body in named.items():
                    if name != "__is_block__":
                        for field, inner in body.items():
                            found += _empty_blocks(inner, f"data[{index}].{kind}.{name}.{field}")
    return found


def _empty_blocks(node, path="") -> list[str]:
    found = []
    if isinstance(node, dict):
        if node.get("__is_block__") and set(node) == {"__is_block__"}:
            found.append(path)
        for key, value in node.items():
            found += _empty_blocks(value, f"{path}.{key}")
    elif isinstance(node, list):
        if any(item is None for item in node):
            found.append(f"{path}: null in a list")
        for index, item in enumerate(node):
            found += _empty_blocks(item, f"{path}[{index}]")
    return found


def test_pitfall_7_no_empty_blocks_or_nulls_with_every_optional_field_unset(tmp_path):
    module = parse_module(render_to(tmp_path, MINIMAL))
    for name, parsed in module.files.items():
        assert _nested_empty_blocks(parsed) == [], name
    for trigger in module.resources["aws_glue_trigger"].values():
        assert blocks(trigger["actions"]), "every trigger has at least one action"
        for action in blocks(trigger["actions"]):
            # No optional action field when the spec sets none; the arguments come from the root only.
            assert set(action) == {"job_name", "arguments"}
            assert action["arguments"].startswith("${lookup(var.stage_arguments, ")
    workflow = module.resources["aws_glue_workflow"]["this"]
    assert workflow["default_run_properties"] == "${var.run_properties}"
    assert workflow["max_concurrent_runs"] == "${var.max_concurrent_runs}"
    assert module.variables["max_concurrent_runs"]["default"] is None


def test_pitfall_7_notification_property_only_when_notify_delay_after_is_set(tmp_path):
    text = MINIMAL.replace("b: {after: [a]}", "b: {after: [a], notify_delay_after: 5}")
    module = parse_module(render_to(tmp_path, text))
    start, b = module.resources["aws_glue_trigger"]["start"], module.resources["aws_glue_trigger"]["b"]
    assert "notification_property" not in blocks(start["actions"])[0]
    assert blocks(blocks(b["actions"])[0]["notification_property"]) == [{"notify_delay_after": 5}]
    for name, parsed in module.files.items():
        assert _nested_empty_blocks(parsed) == [], name


def test_pitfall_7_every_example_is_free_of_empty_blocks():
    for module in all_modules():
        for name, parsed in module.files.items():
            assert _nested_empty_blocks(parsed) == [], name


def _named(item: dict) -> str:
    return item.get("job_name") or item["crawler_name"]


def test_pitfall_9_a_trigger_never_has_its_action_job_among_its_conditions():
    for trigger in triggers():
        actions = {_named(a) for a in blocks(trigger["actions"])}
        for predicate in blocks(trigger.get("predicate")):
            conditions = {_named(c) for c in blocks(predicate["conditions"])}
            assert not actions & conditions


def test_pitfall_9_a_stage_sharing_its_upstream_job_is_rejected():
    text = MINIMAL.replace("b: {after: [a]}", "b: {after: [a], job: a}")
    with pytest.raises(SpecError, match="which is also the job of its upstream 'a'"):
        load_plan(text, "mem.yaml")


def test_pitfall_3_and_15_event_triggers_are_created_disabled():
    """enabled = false: the value an imported EVENT trigger reads back, so no plan ever sets it
    to true (which would call StartTrigger, refused for EVENT triggers); the apply tests import
    the start trigger and plan nothing."""
    events = [t for t in triggers() if t["type"] == "EVENT"]
    assert events, "the examples include an EVENT start"
    for trigger in events:
        assert trigger["enabled"] is False and "start_on_creation" not in trigger


def test_pitfall_8_crawler_conditions_use_crawl_state_and_job_conditions_state():
    seen = set()
    for trigger in triggers():
        for predicate in blocks(trigger.get("predicate")):
            for condition in blocks(predicate["conditions"]):
                assert condition["logical_operator"] == "EQUALS"
                if "crawler_name" in condition:
                    assert set(condition) == {"crawler_name", "crawl_state", "logical_operator"}
                    assert condition["crawl_state"] in ("SUCCEEDED", "FAILED", "CANCELLED")
                    seen.add("crawler")
                else:
                    assert set(condition) == {"job_name", "state", "logical_operator"}
                    assert condition["state"] in ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED")
                    seen.add("job")
    assert seen == {"crawler", "job"}


def test_pitfall_10_exactly_one_start_trigger_per_workflow():
    for module in all_modules():
        starts = [t for t in module.resources["aws_glue_trigger"].values() if t["type"] != "CONDITIONAL"]
        assert len(starts) == 1


def test_pitfall_12_conditions_follow_spec_order_and_tags_are_sorted(tmp_path):
    text = """\
version: 1
module: order
workflow: {name: order, default_run_properties: {z: "1", a: "2"}}
stages:
  zeta: {}
  alpha: {}
  join: {after: [zeta, alpha], arguments: {"--z": "1", "--a": "2"}}
tags: {Zulu: "1", Alpha: "2"}
"""
    module = parse_module(render_to(tmp_path, text))
    join = module.resources["aws_glue_trigger"]["join"]
    conditions = blocks(blocks(join["predicate"])[0]["conditions"])
    assert [c["job_name"] for c in conditions] == ['${var.jobs["zeta"]}', '${var.jobs["alpha"]}']
    assert list(merged(blocks(join["actions"])[0]["arguments"], 'lookup(var.stage_arguments, "join", {})')) == ["--a", "--z"]
    assert list(module.locals["spec_tags"]) == ["Alpha", "Zulu"]
    assert list(merged(module.resources["aws_glue_workflow"]["this"]["default_run_properties"], "var.run_properties")) == ["a", "z"]
    start = module.resources["aws_glue_trigger"]["start"]
    assert [a["job_name"] for a in blocks(start["actions"])] == ['${var.jobs["zeta"]}', '${var.jobs["alpha"]}']


def test_pitfall_18_counts_depend_only_on_plan_time_inputs():
    """A count from `var.alert_topic_arn == null` fails at plan when the ARN comes from the same apply."""
    modules = [module for module in all_modules() if "aws_sns_topic" in module.resources]
    assert modules, "the examples include alerts"
    for module in modules:
        counted = [body["count"] for kind in module.resources.values() for body in kind.values() if "count" in body]
        assert counted and all(count == "${var.create_alert_topic ? 1 : 0}" for count in counted), counted
        assert module.variables["create_alert_topic"]["type"] in ("bool", "${bool}")


def test_pitfall_19_no_resourceless_action_is_scoped_and_every_service_trust_is_guarded():
    seen = set()
    for module in all_modules():
        for name, document in module.data.get("aws_iam_policy_document", {}).items():
            for statement in blocks(document.get("statement")):
                actions = statement.get("actions", [])
                # Glue actions without resource-level permissions: granting them on ARNs grants nothing.
                assert "glue:GetCrawlerMetrics" not in actions, name
                assert "*" not in statement.get("resources", []), name
                if "sts:AssumeRole" in actions:
                    seen.add("trust")
                    conditions = {c["variable"]: c for c in blocks(statement.get("condition"))}
                    assert conditions["aws:SourceAccount"]["values"] == ["${data.aws_caller_identity.current.account_id}"], name
                if any(p["type"] == "Service" for p in blocks(statement.get("principals"))) and "sts:AssumeRole" not in actions:
                    seen.add("resource policy")
                    conditions = {c["variable"] for c in blocks(statement.get("condition"))}
                    assert {"aws:SourceAccount", "aws:SourceArn"} <= conditions, name
    assert seen == {"trust", "resource policy"}


JOBS = MINIMAL + """\
job_defaults: {glue_version: "5.0", worker_type: G.1X, number_of_workers: 2}
jobs:
  a: {script_location: "s3://scripts/a.py"}
  b: {script_location: "s3://scripts/b.py", max_concurrent_runs: 2, notify_delay_after: 10}
"""


def test_pitfall_7_a_job_has_no_empty_block_and_its_property_blocks_only_when_set(tmp_path):
    module = parse_module(render_to(tmp_path, JOBS))
    for name, parsed in module.files.items():
        assert _nested_empty_blocks(parsed) == [], name
    a, b = module.resources["aws_glue_job"]["a"], module.resources["aws_glue_job"]["b"]
    assert not {"execution_property", "notification_property", "default_arguments", "connections"} & set(a)
    assert blocks(b["execution_property"]) == [{"max_concurrent_runs": 2}]
    assert blocks(b["notification_property"]) == [{"notify_delay_after": 10}]
    assert all(value is not None for job in (a, b) for value in job.values()), "no null attribute"


def test_pitfall_7_every_defined_job_of_the_examples_sets_its_command_and_no_null():
    jobs = [job for module in all_modules() for job in module.resources.get("aws_glue_job", {}).values()]
    assert jobs, "the examples define jobs"
    for job in jobs:
        (command,) = blocks(job["command"])
        assert command["name"] in ("glueetl", "pythonshell", "gluestreaming") and command["script_location"].startswith("s3://")
        assert all(value is not None for value in job.values())
