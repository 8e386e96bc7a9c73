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
from e2e_root import SERVICES
from emulator import emulator
from generator.spec.model import Spec

pytestmark = pytest.mark.terraform


def load_spec(path: Path) -> Spec:
    return Spec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


ENV_SPECS = [path for path in SPECS if load_spec(path).environments]

OVERRIDE = """\
provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  max_retries                 = 2

  endpoints {
%s
  }
}
"""


def point_at(root: Path, endpoint: str) -> None:
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    (root / "providers_override.tf").write_text(OVERRIDE % endpoints, encoding="utf-8")


def client(endpoint: str, service: str, region: str):
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 2}))


def expected(spec: Spec, env: str) -> dict[str, Any]:
    """What one environment's root must deploy: the spec's values under the environment's inputs."""
    inputs = spec.environments[env].inputs
    jobs = inputs.get("jobs", {})
    return {
        "region": spec.environments[env].region,
        "workflow": inputs.get("workflow_name", spec.workflow.name),
        "tags": {**spec.tags, **inputs.get("tags", {})},
        "schedule": inputs.get("schedule", spec.start.schedule),
        "paused": inputs.get("paused", False),
        "jobs": {stage: jobs[s.job or stage] for stage, s in spec.stages.items() if not s.crawler},
    }


def lifecycle(path: Path, terraform: Terraform, work: Path) -> dict[str, Any]:
    spec = load_spec(path)
    seen: dict[str, Any] = {"envs": {}, "failure": None}
    shutil.copytree(ROOT / "out", work / "out", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    roots = {env: work / "out" / "envs" / env for env in spec.environments}
    try:
        with emulator() as aws:
            for env, root in roots.items():
                point_at(root, aws.endpoint)
                terraform.run("init", "-input=false", "-no-color", cwd=root)
                seen["envs"].setdefault(env, {})["validate"] = terraform.run("validate", "-no-color", cwd=root).stdout
            for env, root in roots.items():  # every environment applied, side by side on one server
                terraform.run("apply", "-auto-approve", "-input=false", "-no-color", cwd=root)
            for env, root in roots.items():
                want = expected(spec, env)
                glue = client(aws.endpoint, "glue", want["region"])
                outputs = {k: v["value"] for k, v in json.loads(terraform.run("output", "-json", cwd=root).stdout).items()}
                workflow = glue.get_workflow(Name=want["workflow"])["Workflow"]
                triggers = [t for t in glue.get_triggers()["Triggers"] if t.get("WorkflowName") == want["workflow"]]
                seen["envs"][env].update(
                    outputs=outputs, workflow=workflow, triggers=triggers,
                    tags=glue.get_tags(ResourceArn=outputs[f"{spec.module}_workflow_arn"])["Tags"],
                    other_regions=[r for r in ("us-east-1", "eu-west-1") if r != want["region"]
                                   and want["workflow"] in client(aws.endpoint, "glue", r).list_workflows()["Workflows"]],
                )
            for env, root in roots.items():
                plan = terraform.run("plan", "-detailed-exitcode", "-input=false", "-no-color", cwd=root, check=False)
                seen["envs"][env]["plan"] = (plan.returncode, plan.stdout + plan.stderr)
            for env, root in roots.items():
                terraform.destroy(root)
                glue = client(aws.endpoint, "glue", expected(spec, env)["region"])
                seen["envs"][env]["after_destroy"] = glue.list_workflows()["Workflows"]
    except Exception:
        seen["failure"] = traceback.format_exc(limit=3)
    return seen


@pytest.fixture(scope="module", params=ENV_SPECS, ids=lambda path: path.stem)
def applied(request, terraform, tmp_path_factory):
    path = request.param
    return load_spec(path), lifecycle(path, terraform, tmp_path_factory.mktemp(path.stem))


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
        (start,) = [t for t in got["triggers"] if t["Name"] == f"{want['workflow']}-start"]
        if want["schedule"] is not None:
            assert start["Schedule"] == want["schedule"]
            # a paused environment's start trigger is created disabled, the others' activated
            assert (start["State"] == "ACTIVATED") == (not want["paused"])
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
    last = list(spec.environments)[-1]
    assert seen["envs"][last]["after_destroy"] == []


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
