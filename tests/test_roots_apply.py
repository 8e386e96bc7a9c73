"""The generated environment roots on a real AWS API: every example spec with `environments:`
has each of its roots (`out/envs/<env>/`, unchanged) go through terraform init, validate, apply
against one moto server (so the environments stand side by side), a read-back with boto3, a
second `plan -detailed-exitcode` that must exit 0, and destroy.

The roots are copied with the modules beside them (their `source` is `../../<module>`) and
pointed at moto by a hand-written `providers_override.tf`, which Terraform merges into the
generated `provider "aws"` block: the generated files stay as generated, and a hand-written
file beside them is shown to work.
"""

from __future__ import annotations

import json
import shutil
import traceback
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.config import Config

from conftest import ROOT, SPECS, Terraform, run_cli
from e2e_root import point_at
from emulator import emulator
from generator.spec.model import Spec
from shapes import all_actions, trigger_name

pytestmark = pytest.mark.terraform


def load_spec(path: Path) -> Spec:
    return Spec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


ENV_SPECS = [path for path in SPECS if load_spec(path).environments]


def client(endpoint: str, service: str, region: str):
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 2}))


def expected(spec: Spec, env: str) -> dict[str, Any]:
    """What one environment's root must deploy: the spec's values under the environment's inputs."""
    inputs = spec.environments[env].inputs
    workflow = inputs.get("workflow_name", spec.workflow.name)
    # A job the spec defines (issue 11) is named by the environment's jobs input, else as the spec says.
    jobs = {**{key: job.name or f"{workflow}-{job.name_suffix or key}" for key, job in spec.jobs.items()},
            **inputs.get("jobs", {})}
    return {
        "region": spec.environments[env].region,
        "workflow": inputs.get("workflow_name", spec.workflow.name),
        "tags": {**spec.tags, **inputs.get("tags", {})},
        "schedule": inputs.get("schedule", spec.start.schedule),
        "paused": inputs.get("paused", False),
        "jobs": {act.label: jobs[act.key] for act in all_actions(spec) if act.kind == "job"},
        "start": trigger_name(spec, None, inputs.get("workflow_name", spec.workflow.name)),
        "trigger_enabled": inputs.get("trigger_enabled", {}),
    }


def lifecycle(paths: list[Path], terraform: Terraform, work: Path) -> dict[str, Any]:
    """Every environment's root, holding the modules of every spec that declares it, applied side by
    side on one server: each root once, however many specs share it. Observations by spec and env."""
    specs = {path.stem: load_spec(path) for path in paths}
    seen: dict[str, Any] = {"specs": {stem: {} for stem in specs}, "failure": None}
    shutil.copytree(ROOT / "out", work / "out", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    roots = {env: work / "out" / "envs" / env for env in sorted({e for spec in specs.values() for e in spec.environments})}

    def each(env: str):  # (spec's observations of env, spec) for every spec deployed by env's root
        return [(seen["specs"][stem].setdefault(env, {}), spec) for stem, spec in specs.items() if env in spec.environments]

    try:
        with emulator() as aws:
            for env, root in roots.items():
                point_at(root, aws.endpoint)
                terraform.run("init", "-input=false", "-no-color", cwd=root)
                validated = terraform.run("validate", "-no-color", cwd=root).stdout
                for got, _ in each(env):
                    got["validate"] = validated
            for env, root in roots.items():
                terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
            for env, root in roots.items():
                outputs = {k: v["value"] for k, v in json.loads(terraform.run("output", "-json", cwd=root).stdout).items()}
                for got, spec in each(env):
                    want = expected(spec, env)
                    glue = client(aws.endpoint, "glue", want["region"])
                    workflow = glue.get_workflow(Name=want["workflow"])["Workflow"]
                    triggers = [t for t in glue.get_triggers()["Triggers"] if t.get("WorkflowName") == want["workflow"]]
                    got.update(
                        outputs=outputs, workflow=workflow, triggers=triggers,
                        tags=glue.get_tags(ResourceArn=outputs[f"{spec.module}_workflow_arn"])["Tags"],
                        other_regions=[r for r in ("us-east-1", "eu-west-1") if r != want["region"]
                                       and want["workflow"] in client(aws.endpoint, "glue", r).list_workflows()["Workflows"]],
                    )
            for env, root in roots.items():
                plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
                for got, _ in each(env):
                    got["plan"] = (plan.returncode, plan.stdout + plan.stderr)
            for env, root in roots.items():
                terraform.destroy(root)
                for got, spec in each(env):
                    got["after_destroy"] = client(aws.endpoint, "glue", expected(spec, env)["region"]).list_workflows()["Workflows"]
            seen["left"] = {region: client(aws.endpoint, "glue", region).list_workflows()["Workflows"]
                            for region in ("us-east-1", "eu-west-1")}
    except Exception:
        seen["failure"] = traceback.format_exc(limit=3)
    return seen


@pytest.fixture(scope="module")
def roots_applied(terraform, tmp_path_factory) -> dict[str, Any]:
    return lifecycle(ENV_SPECS, terraform, tmp_path_factory.mktemp("roots"))


@pytest.fixture(params=ENV_SPECS, ids=lambda path: path.stem)
def applied(request, roots_applied):
    """One spec and what its environments' roots showed."""
    path = request.param
    return load_spec(path), {"envs": roots_applied["specs"][path.stem], "failure": roots_applied["failure"],
                             "left": roots_applied.get("left")}


def test_there_is_an_example_spec_with_two_environments():
    assert any(len(load_spec(path).environments) >= 2 for path in ENV_SPECS)


def test_each_root_inits_validates_and_applies(applied):
    spec, seen = applied
    assert seen["failure"] is None, seen["failure"]
    assert sorted(seen["envs"]) == sorted(spec.environments)
    for env in spec.environments:
        assert "Success" in seen["envs"][env]["validate"]


def test_each_environment_has_its_own_workflow_jobs_tags_and_schedule(applied):
    spec, seen = applied
    assert seen["failure"] is None, seen["failure"]
    names = set()
    for env in spec.environments:
        want, got = expected(spec, env), seen["envs"][env]
        names.add(got["workflow"]["Name"])
        assert got["workflow"]["Name"] == want["workflow"] == got["outputs"][f"{spec.module}_workflow_name"]
        assert got["tags"] == want["tags"]
        assert got["other_regions"] == [], "the workflow is in the environment's region only"
        started = {action["JobName"] for t in got["triggers"] for action in t["Actions"] if "JobName" in action}
        assert started == set(want["jobs"].values())
        (start,) = [t for t in got["triggers"] if t["Name"] == want["start"]]
        if want["schedule"] is not None:
            assert start["Schedule"] == want["schedule"]
            # a paused environment's start trigger is created disabled, the others' activated
            assert (start["State"] == "ACTIVATED") == (not want["paused"])
        # Issue 10: a stage's `enabled`, overridden by the environment's trigger_enabled
        for stage, body in spec.stages.items():
            if body.after:
                (trigger,) = [t for t in got["triggers"] if t["Name"] == trigger_name(spec, stage, want["workflow"])]
                active = want["trigger_enabled"].get(stage, body.enabled)
                assert trigger["State"] == ("ACTIVATED" if active else "CREATED"), stage
    assert len(names) == len(spec.environments)


def test_second_plan_of_each_root_is_empty(applied):
    spec, seen = applied
    assert seen["failure"] is None, seen["failure"]
    for env in spec.environments:
        code, text = seen["envs"][env]["plan"]
        assert code == 0, text


def test_destroy_of_each_root_leaves_no_workflow(applied):
    spec, seen = applied
    assert seen["failure"] is None, seen["failure"]
    for env in spec.environments:  # destroyed one after the other: each removes its own workflow only
        assert expected(spec, env)["workflow"] not in seen["envs"][env]["after_destroy"]
    assert seen["left"] == {"us-east-1": [], "eu-west-1": []}, "every root destroyed: no workflow left anywhere"


def test_flipping_paused_in_the_spec_changes_only_the_start_trigger_in_place(terraform, tmp_path):
    """moto answers UpdateTrigger with HTTP 500 (README), so the second step asserts the plan: one
    in-place update of the start trigger's `enabled`, nothing replaced or added."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    spec = tmp_path / "specs" / "claims_daily.yaml"
    assert run_cli("generate", "specs/claims_daily.yaml", cwd=tmp_path).code == 0
    root = tmp_path / "out" / "envs" / "dev"
    with emulator() as aws:
        point_at(root, aws.endpoint)
        terraform.run("init", "-input=false", "-no-color", cwd=root)
        terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
        inputs = data["environments"]["dev"]["inputs"]
        inputs["paused"] = not inputs.get("paused", False)
        spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        assert run_cli("generate", "specs/claims_daily.yaml", cwd=tmp_path).code == 0
        terraform.run("plan", "-input=false", "-no-color", "-out=flip.plan", cwd=root)
        plan = json.loads(terraform.run("show", "-json", "flip.plan", cwd=root).stdout)
        changes = {c["address"]: c["change"] for c in plan["resource_changes"] if c["change"]["actions"] != ["no-op"]}
        assert list(changes) == ["module.claims_daily.aws_glue_trigger.start"]
        change = changes["module.claims_daily.aws_glue_trigger.start"]
        assert change["actions"] == ["update"]
        differs = {key for key in change["after"] if change["before"].get(key) != change["after"][key]}
        assert differs == {"enabled"}
        terraform.destroy(root)


# claims_daily's dev and prod workflows as someone built them before gluegen: each resource the
# module would create, made with boto3 alone (names, actions, conditions, states and tags written
# out from the spec and its environments' inputs, not taken from gluegen).
def _existing(env: str) -> dict[str, Any]:
    prod = env == "prod"
    workflow = f"claims_daily_{env}"
    jobs = {stage: f"{env}-claims-{stage}" for stage in ("bronze", "silver", "gold")}
    tags = {"Project": "claims", "Environment": env}

    def after(upstream: str) -> dict[str, Any]:
        return {"Logical": "AND", "Conditions": [{"LogicalOperator": "EQUALS", "JobName": jobs[upstream], "State": "SUCCEEDED"}]}

    silver = {"JobName": jobs["silver"], **({"Arguments": {"--dedupe": "strict"}} if prod else {})}
    return {
        "workflow": {"Name": workflow, "Tags": tags,
                     "Description": "Daily claims load (production)." if prod else "Daily claims load, Bronze → Silver → Gold."},
        "triggers": [
            {"Name": f"{workflow}-start", "Type": "SCHEDULED", "Schedule": "cron(30 1 * * ? *)" if prod else "cron(0 2 * * ? *)",
             "Actions": [{"JobName": jobs["bronze"]}], "StartOnCreation": prod},  # dev is paused
            {"Name": f"{workflow}-silver", "Type": "CONDITIONAL", "Predicate": after("bronze"), "Actions": [silver],
             "StartOnCreation": True},
            {"Name": f"{workflow}-gold", "Type": "CONDITIONAL", "Predicate": after("silver"),
             "Actions": [{"JobName": jobs["gold"]}], "StartOnCreation": True},
        ],
        "tags": tags,
    }


def test_adopting_existing_workflows_plans_only_imports_then_applies_to_an_empty_plan(terraform, tmp_path):
    """`adopt: true` on both environments of claims_daily, whose workflows and triggers exist already:
    `terraform plan` in each root imports every resource with no other change, apply takes them
    over, and the next plan is empty."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    spec = tmp_path / "specs" / "claims_daily.yaml"
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    for env in ("dev", "prod"):
        data["environments"][env]["adopt"] = True
    spec.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert run_cli("generate", "specs/claims_daily.yaml", cwd=tmp_path).code == 0
    with emulator() as aws:
        glue = client(aws.endpoint, "glue", "eu-west-1")
        ids = {}
        for env in ("dev", "prod"):
            existing = _existing(env)
            glue.create_workflow(**existing["workflow"])
            for trigger in existing["triggers"]:
                glue.create_trigger(WorkflowName=existing["workflow"]["Name"], Tags=existing["tags"], **trigger)
            ids[env] = {existing["workflow"]["Name"], *(trigger["Name"] for trigger in existing["triggers"])}
        states = {t["Name"]: t["State"] for t in glue.get_triggers()["Triggers"]}
        assert states["claims_daily_dev-start"] == "CREATED" and states["claims_daily_prod-start"] == "ACTIVATED"
        for env in ("dev", "prod"):
            root = tmp_path / "out" / "envs" / env
            point_at(root, aws.endpoint)
            terraform.run("init", "-input=false", "-no-color", cwd=root)
            terraform.run("plan", "-input=false", "-no-color", "-out=adopt.plan", cwd=root)
            plan = json.loads(terraform.run("show", "-json", "adopt.plan", cwd=root).stdout)
            changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
            assert sorted(changes) == sorted(
                f"module.claims_daily.{address}" for address in (
                    "aws_glue_workflow.this", "aws_glue_trigger.start", "aws_glue_trigger.silver", "aws_glue_trigger.gold"))
            for address, change in changes.items():
                assert change["actions"] == ["no-op"], (address, change)
                assert "importing" in change, address
            assert {change["importing"]["id"] for change in changes.values()} == ids[env]
            terraform.run("apply", "-auto-approve", "-input=false", "-no-color", "adopt.plan", cwd=root)
            again = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
            assert again.returncode == 0, again.stdout + again.stderr
        after = {t["Name"]: t["State"] for t in glue.get_triggers()["Triggers"]}
        assert after == states, "adoption changed no trigger's state"
