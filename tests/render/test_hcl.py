"""Every spec string becomes an HCL literal that evaluates to exactly that string."""

from __future__ import annotations

import base64
import json
import unicodedata

import hcl2
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hcl2.utils import process_escape_sequences

from generator.render import hcl

_OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False)
_TEMPLATE_NODES = {"interpolation", "template_if_start", "template_for_start", "template_else", "template_endif", "template_endfor"}

# Characters that stress the escaper: template openers, escapes, controls, invisible and wide characters.
_NASTY = st.sampled_from(list('$%{}\\"\n\r\t\x00\x01\x1b\x7f\u0085\u2028\u2029\u200d\u202e\ufeff') + ["é", "中", "🎉"])
nfc_text = st.text(st.one_of(st.characters(codec="utf-8"), _NASTY)).filter(lambda s: unicodedata.is_normalized("NFC", s))


def _parse_value(source: str):
    tree = hcl2.parses_to_tree(source)
    found = {node.data for node in tree.iter_subtrees()}
    assert not (found & _TEMPLATE_NODES), f"literal was parsed as a template: {found & _TEMPLATE_NODES}"
    return hcl2.loads(source, serialization_options=_OPTIONS)


def _literal_value(raw: str) -> str:
    """Evaluate python-hcl2's source form of a quoted literal as HCL does: template
    escapes (`$${`, `%%{`) are resolved by the template scanner, then backslash escapes."""
    assert raw.startswith('"') and raw.endswith('"'), raw
    scanned = raw[1:-1].replace("$${", "${").replace("%%{", "%{")
    return process_escape_sequences(scanned)


@settings(max_examples=400, deadline=None)
@given(nfc_text)
@example("${var.secret}")
@example("%{ if true }x%{ endif }")
@example("$${already_escaped}")
@example('a "quoted" \\ back\\slash\n\ttab')
@example("ends with $")
@example("$$${")
def test_string_literal_round_trips_through_python_hcl2(value):
    parsed = _parse_value(f"x = {hcl.string(value)}\n")
    assert _literal_value(parsed["x"]) == value


@settings(max_examples=200, deadline=None)
@given(nfc_text.filter(bool))
def test_map_key_round_trips_and_is_ascii(value):
    literal = hcl.key(value)
    assert literal.isascii(), "keys are ASCII so terraform fmt's alignment is their plain length"
    parsed = _parse_value(f"m = {{\n  {literal} = 1\n}}\n")
    assert [_literal_value(k) for k in parsed["m"]] == [value]


def test_attributes_align_runs_and_break_on_multiline_values():
    text = hcl.attributes(
        [("name", "1"), ("description", "2"), ("tags", "{\n    a = 1\n  }"), ("b", "3"), ("long_name", "4")], 2
    )
    assert text.splitlines() == [
        "  name        = 1",
        "  description = 2",
        "  tags = {",
        "    a = 1",
        "  }",
        "  b         = 3",
        "  long_name = 4",
    ]


def test_empty_mapping_is_inline():
    assert hcl.mapping([], 2) == "{}"


NASTY_SAMPLE = [
    'double "quotes" and \\backslashes\\',
    "newline\nand\r\nCRLF\tand tab",
    "${var.not_a_reference}",
    "%{ if true }not a directive%{ endif }",
    "$${already} %%{escaped}",
    "trailing $",
    "$$${",
    "unclosed ${ and %{",
    "$${a}",
    "control \x01\x1b\x7f chars",
    "emoji 🎉 family 👨‍👩‍👧 CJK 中文 RTL \u202eoverride\u202c",
    "line\u2028separator and BOM \ufeff",
    "",
]


@pytest.mark.terraform
def test_nasty_strings_evaluate_exactly_in_terraform(terraform, tmp_path):
    """terraform itself evaluates each rendered literal to the original string."""
    names = [f"s{index}" for index in range(len(NASTY_SAMPLE))]
    body = hcl.attributes([(name, hcl.string(value)) for name, value in zip(names, NASTY_SAMPLE, strict=True)], 2)
    (tmp_path / "main.tf").write_text(f"locals {{\n{body}\n}}\n", encoding="utf-8")
    expression = "base64encode(jsonencode([" + ", ".join(f"local.{name}" for name in names) + "]))\n"
    result = terraform.run("console", cwd=tmp_path, timeout=120, input_text=expression)
    encoded = result.stdout.strip().strip('"')
    assert json.loads(base64.b64decode(encoded).decode("utf-8")) == NASTY_SAMPLE


def test_escaping_does_not_depend_on_the_python_unicode_version():
    # U+1FA75 was unassigned before Unicode 15: a category-based rule would escape it on older Pythons.
    assert hcl.string("🩵") == '"🩵"'
    assert hcl.string("a\u200db\u0085\ufeff\ue000\uffff") == '"a\\u200Db\\u0085\\uFEFF\\uE000\\uFFFF"'


def test_deeply_nested_values_render_in_linear_time():
    nested: list = ["x" * 81]
    for _ in range(40):  # exponential rendering would not finish
        nested = [nested]
    text = hcl.value({"a": nested}, 2)
    assert text.count('"x') == 1 and text.count("[") == 41


@pytest.mark.terraform
def test_utf8_length_expression_counts_bytes_as_python_does(terraform, tmp_path):
    """var.workflow_name's limit is in UTF-8 bytes, like the spec's; Terraform's length() counts characters."""
    samples = ["", "a", "é", "€", "🎉", "a\nb\tc", "é" * 125, "👨‍👩‍👧", "中文"]
    listed = ", ".join(hcl.string(sample) for sample in samples)
    (tmp_path / "main.tf").write_text(f"locals {{\n  samples = [{listed}]\n}}\n", encoding="utf-8")
    expression = "jsonencode([for s in local.samples : " + hcl.utf8_length("s") + "])\n"
    result = terraform.run("console", cwd=tmp_path, timeout=120, input_text=expression)
    assert json.loads(json.loads(result.stdout.strip())) == [len(sample.encode("utf-8")) for sample in samples]
