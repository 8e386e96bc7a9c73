"""The module inputs' plan-time validations, evaluated by terraform itself, agree with the
spec's own rules: a list of crons through `generator.spec.cron.check_cron` and through the
`schedule` variable's conditions, a list of bucket names through the spec's S3 rules and
through `event_bucket`'s (one `terraform console` run each)."""

from __future__ import annotations

import json
import re

import pytest

from generator.render import hcl, interface
from generator.spec.load import load_plan
from generator.spec.model import bucket_problem
from spec.test_cron import BAD, GOOD, python_accepts

pytestmark = pytest.mark.terraform

SCHEDULED = """\
version: 1
module: inputs
workflow: {name: inputs}
start: {schedule: "cron(0 2 * * ? *)"}
stages: {a: {}}
"""
EVENT = """\
version: 1
module: inputs
workflow: {name: inputs}
start: {event: {s3: {bucket: landing}}}
stages: {a: {}}
"""


def conditions(spec: str, variable: str) -> list[str]:
    (found,) = [v for v in interface.variables(load_plan(spec, "mem.yaml")) if v.name == variable]
    return [validation.condition for validation in found.validations]


def evaluate(terraform, tmp_path, variable: str, checks: list[str], values: list[str]) -> dict[str, bool]:
    """Whether every condition holds, per value: `var.<variable>` bound to each value in turn."""
    reference = re.compile(rf"\bvar\.{variable}\b")
    body = " && ".join("(" + reference.sub("value", check) + ")" for check in checks)
    listed = "[\n" + "".join(f"    {hcl.string(value)},\n" for value in values) + "  ]"
    (tmp_path / "main.tf").write_text(f"locals {{\n  values = {listed}\n}}\n", encoding="utf-8")
    result = terraform.run("console", cwd=tmp_path, input_text=f"jsonencode({{ for value in local.values : value => {body} }})\n")
    return json.loads(json.loads(result.stdout.strip().splitlines()[-1]))


def test_schedule_validations_agree_with_check_cron(terraform, tmp_path):
    values = GOOD + BAD
    seen = evaluate(terraform, tmp_path, "schedule", conditions(SCHEDULED, "schedule"), values)
    assert seen == {value: python_accepts(value) for value in values}


def test_a_backwards_range_passes_the_plan(terraform, tmp_path):
    """The one rule the plan cannot state, and the module README says so."""
    seen = evaluate(terraform, tmp_path, "schedule", conditions(SCHEDULED, "schedule"), ["cron(5-1 2 * * ? *)"])
    assert seen == {"cron(5-1 2 * * ? *)": True}


BUCKETS = [
    "landing", "my.bucket-1", "abc", "a" * 63, "ab", "a" * 64, "Landing", "-landing", "landing-", "lan..ding",
    "192.168.1.1", "192.168.1.a", "xn--landing", "sthree-x", "amzn-s3-demo-x", "landing-s3alias", "landing--ol-s3",
    "landing.mrap", "landing--x-s3", "landing--table-s3", "land_ing", "landing\n", "lündig",
]


def test_event_bucket_validations_agree_with_the_spec(terraform, tmp_path):
    seen = evaluate(terraform, tmp_path, "event_bucket", conditions(EVENT, "event_bucket"), BUCKETS)
    assert seen == {name: bucket_problem(name) is None for name in BUCKETS}
