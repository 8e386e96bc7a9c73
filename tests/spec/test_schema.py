"""The spec's JSON Schema: generated from the models, committed, and useful to editors."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import ROOT, SPECS, run_cli
from generator.spec.loader import load_yaml
from generator.spec.schema import schema_text

SCHEMA_PATH = ROOT / "specs" / "gluegen.schema.json"
CORPUS = ROOT / "tests" / "corpus" / "invalid"
# Corpus cases a JSON Schema can express; the rest need the whole spec (references, cycles, ...).
SCHEMA_REJECTS = [
    "unknown_key", "wrong_type", "bad_stage_name", "bad_module_name", "name_not_single_line", "empty_stages",
    "bad_cron", "bad_start", "wrong_version", "reserved_tag", "missing_workflow", "not_a_mapping", "out_of_range",
    "state_case", "bad_bucket", "batch_size", "alert_state",
    "alerts_null", "after_null", "start_null", "empty_prefix", "yaml11_bool", "yaml11_sexagesimal",
    # single-file rules the validator enforces beyond types (issue 8, item 17)
    "too_many_tags", "alert_state_twice", "schedule_and_event", "event_two_sources",
    "crawler_arguments", "empty_pattern", "pattern_not_list", "pattern_empty_list",
    "pattern_empty_object", "pattern_unknown_matcher", "bucket_ip_address", "bucket_reserved_prefix",
    "bucket_reserved_suffix",
    # issue 10
    "field_beside_actions", "trigger_name_and_suffix", "start_trigger_name_and_suffix", "state_listed_twice",
    "crawler_action_job_option",
    # issue 11: what one job (or job_defaults) cannot hold, whatever it inherits
    "job_flex_streaming", "job_pythonshell_capacity", "job_workers_below_minimum", "job_version_number",
    "job_bad_script_location", "job_name_and_suffix", "job_field_limits", "job_defaults_name",
    # issue 18: worker types and counts
    "job_worker_standard", "job_worker_ray", "job_workers_above_maximum",
]


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_current():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "update it with: gluegen schema --out specs/gluegen.schema.json"
    assert run_cli("schema", "--check", "specs/gluegen.schema.json", cwd=ROOT).code == 0


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_every_example_spec_names_the_schema_and_passes_it(path, validator):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=gluegen.schema.json\n")
    errors = [error.message for error in validator.iter_errors(load_yaml(text, path.name).data)]
    assert errors == []


@pytest.mark.parametrize("name", SCHEMA_REJECTS)
def test_schema_rejects_the_corpus_cases_it_can_express(name, validator):
    # read as gluegen (and editors) read YAML: 1.2, where `yes` is a string
    document = load_yaml((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"), name).data
    assert not validator.is_valid(document)


def test_schema_check_reports_a_stale_file(tmp_path):
    stale = tmp_path / "schema.json"
    stale.write_text("{}\n")
    result = run_cli("schema", "--check", str(stale))
    assert result.code == 1 and "gluegen schema --out" in result.out and "+++" in result.out


@pytest.mark.parametrize("after,when,valid", [
    ("[a, b]", "any", True), ("{a: SUCCEEDED, b: FAILED}", "any", True),
    # Issue 10: one condition with `when: any` is what AWS stores as logical ANY.
    ("[a]", "any", True), ("{a: FAILED}", "any", True), ("[a]", "all", True),
    ("{a: [FAILED, TIMEOUT]}", "any", True), ("[a.x]", "all", True),
    ("{a: []}", "any", False), ("{a: [FAILED, FAILED]}", "any", False), ("{a: failed}", "all", False),
    ("[a.x.y]", "all", False), ("[A.x]", "all", False),
])
def test_after_forms(after, when, valid, validator):
    text = f"version: 1\nmodule: m\nworkflow: {{name: w}}\nstages:\n  a: {{}}\n  b: {{}}\n  c: {{after: {after}, when: {when}}}\n"
    assert validator.is_valid(load_yaml(text, "m.yaml").data) is valid


def test_a_spec_with_every_key_set_passes(validator):
    document = load_yaml((ROOT / "specs" / "nightly_full.yaml").read_text(encoding="utf-8"), "n.yaml").data
    document["start"] = {"event": {"pattern": {"source": ["aws.s3"], "detail": {"size": [{"numeric": [">", 0]}]}},
                                   "batch_size": 5, "batch_window": 60}}
    document.update(iam_role=True, dashboard=True, alerts={"states": ["FAILED", "SUCCEEDED"]})
    assert [error.message for error in validator.iter_errors(document)] == []


JOBS_SPEC = """\
version: 1
module: m
workflow: {name: w}
job_role: true
job_defaults:
  glue_version: "5.0"
  default_arguments: {"--TempDir": "s3://bucket/temp/"}
  non_overridable_arguments: {"--x": "1"}
  connections: [vpc]
  max_retries: 1
  timeout: 60
  max_concurrent_runs: 2
  job_run_queuing_enabled: true
  security_configuration: sec
  notify_delay_after: 5
  description: d
  tags: {team: data}
jobs:
  a: {script_location: s3://bucket/a.py, name: exact-a, python_version: "3", worker_type: G.1X, number_of_workers: 2,
      execution_class: FLEX}
  b: {script_location: s3://bucket/b.py, name_suffix: b-job, command: gluestreaming, worker_type: G.025X,
      number_of_workers: 2, execution_class: STANDARD}
  c: {script_location: s3://bucket/c.py, command: pythonshell, python_version: "3.9", max_capacity: 0.0625}
stages:
  a: {}
  b: {}
  c: {after: [a]}
"""


def test_a_spec_with_every_job_field_passes_and_one_job_cannot_hold_contradictions(validator):
    from generator.spec.load import load_plan

    document = load_yaml(JOBS_SPEC, "j.yaml").data
    assert [error.message for error in validator.iter_errors(document)] == []
    assert [job.key for job in load_plan(JOBS_SPEC, "j.yaml").jobs] == ["a", "b", "c"]  # gluegen agrees
    for field, value in [("worker_type", "G.1X"), ("number_of_workers", 2), ("execution_class", "FLEX")]:
        refused = load_yaml(JOBS_SPEC, "j.yaml").data
        refused["jobs"]["c"][field] = value
        assert not validator.is_valid(refused), field
