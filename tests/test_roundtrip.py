"""Parse every generated module with python-hcl2 and compare it with what its spec says.

Expectations come from the validated spec (generator.spec.model.Spec), not from the
generator's own plan, so a wrong decision in analysis or rendering shows up here.
"""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT, SPECS
from generator.spec.model import Spec
from hclparse import blocks, merged, parse_module
from shapes import Act, actions, as_written, conditions, crawler_keys, dependent, job_keys, merged_job, roots, trigger_file


def literal(value: str) -> str:
    """python-hcl2 keeps template escapes in string values; resolve them."""
    return value.replace("$${", "${").replace("%%{", "%{")


def job(key: str, spec: Spec | None = None) -> str:
    """A job's name: the created job's when the spec defines it (issue 11), else var.jobs'."""
    if spec is not None and key in spec.jobs:
        return f"${{aws_glue_job.{key}.name}}"
    return f'${{var.jobs["{key}"]}}'


def ref(act: Act, spec: Spec) -> tuple[str, str]:
    """(field, reference) naming an action's job or crawler, as an action or condition does."""
    if act.kind == "crawler":
        return "crawler_name", f'${{var.crawlers["{act.key}"]}}'
    return "job_name", job(act.key, spec)


def file_of(spec: Spec, name: str) -> str:
    return trigger_file(spec, name)


def name_expression(owner, default: str) -> str:
    """A trigger's `name` as python-hcl2 reads it: the exact name, or the workflow name and suffix."""
    if owner.trigger_name is not None:
        return owner.trigger_name
    return f"${{var.workflow_name}}-{owner.trigger_suffix or default}"


FEATURE_RESOURCES = {
    "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_iam_role", "aws_iam_role_policy",
    "aws_sns_topic", "aws_sns_topic_policy", "aws_sns_topic_subscription", "aws_cloudwatch_dashboard",
    "aws_iam_role_policy_attachment",  # the job role's Glue service policy
}


def load(path) -> Spec:
    return Spec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def expected_action(act: Act, spec: Spec) -> dict:
    stage = act.options
    field, reference = ref(act, spec)
    action: dict = {field: reference}
    if act.kind == "job":  # the spec's arguments under var.stage_arguments["<stage>"] (or "<stage>.<action>")
        action["arguments"] = (stage.arguments, f'lookup(var.stage_arguments, "{act.label}", {{}})')
    if stage.timeout is not None:
        action["timeout"] = stage.timeout
    if stage.security_configuration is not None:
        action["security_configuration"] = stage.security_configuration
    if stage.notify_delay_after is not None:
        action["notification_property"] = [{"notify_delay_after": stage.notify_delay_after}]
    return action


def actual_action(action: dict, stage: str) -> dict:
    result = dict(action)
    if "arguments" in result:
        variable = f'lookup(var.stage_arguments, "{stage}", {{}})'
        result["arguments"] = ({literal(k): literal(v) for k, v in merged(result["arguments"], variable).items()}, variable)
    return result


def default(module, name: str):
    """A variable's default, as the spec's value reads (None for null)."""
    value = module.variables[name]["default"]
    return literal(value) if isinstance(value, str) else value


@pytest.fixture(params=SPECS, ids=lambda path: path.stem)
def case(request):
    spec = load(request.param)
    return spec, parse_module(ROOT / "out" / spec.module)


def test_resources_are_one_workflow_and_one_trigger_per_dependent_stage(case):
    spec, module = case
    jobs = {"aws_glue_job"} if spec.jobs else set()
    assert set(module.resources) - FEATURE_RESOURCES == {"aws_glue_workflow", "aws_glue_trigger", *jobs}
    assert list(module.resources["aws_glue_workflow"]) == ["this"]
    assert list(module.resources.get("aws_glue_job", {})) == list(spec.jobs), "one job per defined job, in spec order"
    assert set(module.resources["aws_glue_trigger"]) == {"start", *dependent(spec)}


def test_workflow_attributes(case):
    spec, module = case
    workflow = module.resources["aws_glue_workflow"]["this"]
    assert workflow["name"] == "${var.workflow_name}"
    assert workflow["description"] == "${var.description}"
    assert workflow["max_concurrent_runs"] == "${var.max_concurrent_runs}"
    assert default(module, "max_concurrent_runs") == spec.workflow.max_concurrent_runs
    properties = merged(workflow["default_run_properties"], "var.run_properties")
    assert {literal(k): literal(v) for k, v in properties.items()} == spec.workflow.default_run_properties
    tags = "${local.tags}" if spec.tags else "${var.tags}"
    assert workflow["tags"] == tags
    if spec.tags:
        assert {literal(k): literal(v) for k, v in module.locals["spec_tags"].items()} == spec.tags
        assert module.locals["tags"] == "${merge(local.spec_tags, var.tags)}"


def test_start_trigger_fires_every_root_stage(case):
    spec, module = case
    start = module.resources["aws_glue_trigger"]["start"]
    assert start["name"] == name_expression(spec.start, "start")
    assert literal(start.get("description", "")) == (spec.start.description or "")
    assert start["workflow_name"] == "${aws_glue_workflow.this.name}"
    if spec.start.schedule:
        assert (start["type"], start["enabled"], start["schedule"]) == ("SCHEDULED", "${!var.paused}", "${var.schedule}")
        assert default(module, "schedule") == spec.start.schedule
    elif spec.start.event:
        assert (start["type"], start["enabled"]) == ("EVENT", False)  # pitfalls 3, 15
        assert "schedule" not in start
        batching = {"batch_size": "${var.event_batch_size}", "batch_window": "${var.event_batch_window}"}
        assert blocks(start["event_batching_condition"]) == [batching]
        assert default(module, "event_batch_size") == spec.start.event.batch_size
        assert default(module, "event_batch_window") == spec.start.event.batch_window
    else:
        assert (start["type"], start["enabled"]) == ("ON_DEMAND", False)
        assert "schedule" not in start
    assert "predicate" not in start
    acts = [act for root in roots(spec) for act in actions(spec, root)]
    found = [actual_action(a, act.label) for a, act in zip(blocks(start["actions"]), acts, strict=True)]
    assert found == [expected_action(act, spec) for act in acts]


def test_conditional_triggers_match_after(case):
    spec, module = case
    for name, stage in spec.stages.items():
        if not stage.after:
            continue
        trigger = module.resources["aws_glue_trigger"][name]
        assert trigger["type"] == "CONDITIONAL"
        if "enabled" in stage.model_fields_set:  # issue 10: the spec's value, overridable per environment
            assert trigger["enabled"] == f'${{lookup(var.trigger_enabled, "{name}", {str(stage.enabled).lower()})}}'
        else:
            assert trigger["enabled"] is True
        assert trigger["name"] == name_expression(stage, name)
        assert literal(trigger.get("description", "")) == (stage.description or "")
        (predicate,) = blocks(trigger["predicate"])
        expected = []
        for act, state in conditions(spec, name):
            field, reference = ref(act, spec)
            state_field = "crawl_state" if act.kind == "crawler" else "state"
            expected.append({field: reference, state_field: state, "logical_operator": "EQUALS"})
        assert blocks(predicate["conditions"]) == expected
        logical = "ANY" if stage.when == "any" else ("AND" if len(expected) > 1 else None)
        assert predicate.get("logical") == logical
        acts = actions(spec, name)
        found = [actual_action(a, act.label) for a, act in zip(blocks(trigger["actions"]), acts, strict=True)]
        assert found == [expected_action(act, spec) for act in acts]


def test_trigger_files_follow_the_stage_layout(case):
    spec, module = case
    first = roots(spec)[0]
    where = {
        name: file
        for file, parsed in module.files.items()
        for resource in parsed.get("resource", [])
        for name in resource.get("aws_glue_trigger", {})
    }
    assert where["start"] == file_of(spec, first)
    for name, stage in spec.stages.items():
        if stage.after:
            assert where[name] == file_of(spec, name)
    expected_files = {"main.tf", "variables.tf", "outputs.tf", file_of(spec, first)}
    expected_files |= {file_of(spec, name) for name, stage in spec.stages.items() if stage.after}
    features = {"event_start.tf": spec.start.event is not None, "iam_role.tf": spec.iam_role,
                "alerts.tf": spec.alerts is not None, "dashboard.tf": spec.dashboard,
                "jobs.tf": bool(spec.jobs), "job_role.tf": spec.job_role}
    expected_files |= {name for name, wanted in features.items() if wanted}
    assert set(module.files) == expected_files


def test_variables_match_the_seed_interface(case):
    spec, module = case
    variables = module.variables
    expected = {"workflow_name", "description", "jobs", "tags"}
    if crawler_keys(spec):
        expected.add("crawlers")
        crawlers = sorted(crawler_keys(spec))
        assert "[" + ", ".join(f'"{key}"' for key in crawlers) + "]" in variables["crawlers"]["validation"][0]["condition"]
    if spec.alerts:
        expected |= {"create_alert_topic", "alert_topic_arn", "alert_emails", "alert_kms_key_id"}
    # Issue 9: what differs between environments, each defaulting to the spec's value.
    expected |= {"paused", "max_concurrent_runs", "run_properties"}
    if spec.start.schedule:
        expected.add("schedule")
    if spec.start.event:
        expected |= {"event_batch_size", "event_batch_window"}
        expected |= {"event_bucket", "event_prefix"} if spec.start.event.s3 else {"event_pattern"}
        if spec.start.event.s3:
            assert default(module, "event_bucket") == spec.start.event.s3.bucket
            assert default(module, "event_prefix") == spec.start.event.s3.prefix
    if job_keys(spec):
        expected.add("stage_arguments")
    if any("enabled" in stage.model_fields_set for stage in spec.stages.values()):
        expected.add("trigger_enabled")
    if spec.jobs and not spec.job_role:
        expected.add("job_role_arn")
    assert set(variables) == expected
    assert (variables["paused"]["default"], variables["run_properties"]["default"]) == (False, {})
    assert (variables["workflow_name"]["type"], variables["workflow_name"]["default"]) == ("string", spec.workflow.name)
    description = variables["description"]["default"]
    assert (literal(description) if description is not None else None) == spec.workflow.description
    assert variables["description"]["type"] == "string"
    assert (variables["jobs"]["type"], variables["jobs"]["default"]) == ("${map(string)}", {})
    assert (variables["tags"]["type"], variables["tags"]["default"]) == ("${map(string)}", {})
    keys = sorted(key for key in job_keys(spec) if key not in spec.jobs)  # issue 11: only the undefined ones are required
    condition = variables["jobs"]["validation"][0]["condition"]
    if keys:
        assert "[" + ", ".join(f'"{key}"' for key in keys) + "]" in condition
    else:  # every job defined: var.jobs may only rename them
        allowed = sorted({*job_keys(spec), *spec.jobs})
        assert condition == f"${{length(sort(setsubtract(keys(var.jobs), [{', '.join(f'{chr(34)}{k}{chr(34)}' for k in allowed)}]))) == 0}}"


def test_outputs(case):
    spec, module = case
    outputs = module.outputs
    assert {"workflow_name", "workflow_arn", "trigger_arns"} <= set(outputs)
    assert outputs["workflow_name"]["value"] == "${aws_glue_workflow.this.name}"
    assert outputs["workflow_arn"]["value"] == "${aws_glue_workflow.this.arn}"
    order = ["start", *dependent(spec)]
    assert outputs["trigger_arns"]["value"] == [f"${{aws_glue_trigger.{name}.arn}}" for name in order]
    assert list(outputs["trigger_names"]["value"]) == order
    if spec.jobs:
        assert outputs["job_names"]["value"] == {key: f"${{aws_glue_job.{key}.name}}" for key in spec.jobs}
        assert outputs["job_arns"]["value"] == {key: f"${{aws_glue_job.{key}.arn}}" for key in spec.jobs}
    else:
        assert not {"job_names", "job_arns"} & set(outputs)


def test_module_readme_claims_hold_for_the_workflow(case):
    """The seed's "a downstream job starts only once its upstream jobs succeeded" only where it is
    true (no failure branch, no `when: any`, no crawler); `trigger_arns` says it holds the start trigger."""
    spec, module = case
    readme = (ROOT / "out" / spec.module / "README.md").read_text(encoding="utf-8")
    plain = all(  # a layer whose upstreams must all succeed is as plain as a single job
        not stage.crawler and stage.when == "all" and set(stage.after.values()) <= {"SUCCEEDED"}
        for stage in spec.stages.values()
    ) and not crawler_keys(spec)
    assert ("a downstream job starts only once its upstream jobs succeeded" in readme) == plain
    if not plain:
        assert "have ended in the states the [Stages](#stages) table lists" in readme
    description = module.outputs["trigger_arns"]["description"]
    assert "start trigger" in description and "dependent jobs" not in description


def test_each_defined_job_is_its_merged_settings(case):
    spec, module = case
    for key in spec.jobs:
        want, job_block = as_written(merged_job(spec, key)), dict(module.resources["aws_glue_job"][key])
        name = want.get("name")
        default_name = literal(name) if name is not None else f"${{var.workflow_name}}-{want.get('name_suffix', key)}"
        assert literal(job_block.pop("name")) == f'${{lookup(var.jobs, "{key}", "{default_name}")}}'
        assert job_block.pop("role_arn") == ("${aws_iam_role.job.arn}" if spec.job_role else "${var.job_role_arn}")
        command = {"name": want.get("command", "glueetl"), "script_location": want["script_location"]}
        if "python_version" in want:
            command["python_version"] = want["python_version"]
        assert [{k: literal(v) for k, v in c.items()} for c in blocks(job_block.pop("command"))] == [command]
        arguments = dict(want.get("default_arguments", {}))
        if spec.dashboard:
            arguments.setdefault("--enable-metrics", "")
        for field, value in (("default_arguments", arguments),
                             ("non_overridable_arguments", want.get("non_overridable_arguments", {}))):
            found = job_block.pop(field, {})
            assert list(found) == sorted(found), "sorted keys"
            assert {literal(k): literal(v) for k, v in found.items()} == value
        tags = job_block.pop("tags")
        module_tags = "local.tags" if spec.tags else "var.tags"
        if want.get("tags"):
            written = ", ".join(f'"{k}" = "{v}"' for k, v in sorted(want["tags"].items()))
            assert tags == f"${{merge({module_tags}, {{{written}}})}}"
        else:
            assert tags == f"${{{module_tags}}}"
        if "max_concurrent_runs" in want:
            assert blocks(job_block.pop("execution_property")) == [{"max_concurrent_runs": want["max_concurrent_runs"]}]
        if "notify_delay_after" in want:
            assert blocks(job_block.pop("notification_property")) == [{"notify_delay_after": want["notify_delay_after"]}]
        plain = {field: value for field, value in want.items() if field not in (
            "name", "name_suffix", "command", "script_location", "python_version", "default_arguments",
            "non_overridable_arguments", "tags", "max_concurrent_runs", "notify_delay_after")}
        # Nothing else: every attribute is one the spec sets (pitfall 7: no empty block, no null).
        assert {field: literal(v) if isinstance(v, str) else v for field, v in job_block.items()} == plain
