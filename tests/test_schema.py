"""The spec's JSON Schema: generated from the models, committed, and useful to editors."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import ROOT, SPECS, run_cli
from generator.loader import load_yaml
from generator.schema import schema_text

SCHEMA_PATH = ROOT / "specs" / "gluegen.schema.json"
CORPUS = ROOT / "tests" / "corpus" / "invalid"
# Corpus cases a JSON Schema can express; the rest need the whole spec (references, cycles, ...).
SCHEMA_REJECTS = [
    "unknown_key", "wrong_type", "bad_stage_name", "bad_module_name", "name_not_single_line", "empty_stages",
    "bad_cron", "bad_start", "wrong_version", "reserved_tag", "missing_workflow", "not_a_mapping", "out_of_range",
    "state_case", "bad_bucket", "batch_size", "alert_state",
    "alerts_null", "after_null", "start_null", "empty_prefix", "yaml11_bool", "yaml11_sexagesimal",
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
