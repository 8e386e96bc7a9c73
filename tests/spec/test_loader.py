"""YAML loading: positions of values and keys, YAML 1.2 scalars, and what PyYAML would accept silently."""

from __future__ import annotations

import math
import sys

import pytest
import yaml

from conftest import SPECS
from generator.spec import loader
from generator.errors import SpecError
from generator.spec.loader import MAX_DIGITS, dotted, load_yaml


def test_positions_of_values_and_keys():
    document = load_yaml("a: 1\nb:\n  c: [x, {d: 2}]\n", "f.yaml")
    assert document.data == {"a": 1, "b": {"c": ["x", {"d": 2}]}}
    assert document.locations.values[("b", "c", 1, "d")] == (3, 14)
    assert document.locations.keys[("b", "c")] == (3, 3)
    assert document.locations.find(("b", "c", 5, "zz")) == (3, 6), "nearest existing ancestor"


@pytest.mark.parametrize("text,message", [
    ("a: 1\na: 2\n", "f.yaml:2:1: a: duplicate key 'a' (first defined at line 1)"),
    ("a: {b: 1, b: 2}\n", "f.yaml:1:11: a.b: duplicate key 'b' (first defined at line 1)"),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yaml:3:3: other: YAML merge keys ('<<') are not supported; write the keys out"),
    ("1: a\n", 'f.yaml:1:1: keys must be strings, not the number 1 (quote it: "1")'),
    ("~: a\n", 'f.yaml:1:1: keys must be strings, not null (quote it: "~")'),
    ("true: a\n", 'f.yaml:1:1: keys must be strings, not the boolean true (quote it: "true")'),
    ("[a]: b\n", "f.yaml:1:1: keys must be strings, not a list"),
    ("a: &x [1, *x]\n", "f.yaml:1:4: a[1]: a YAML alias refers to a collection that contains it"),
    ("a: !!binary aGk=\n", "f.yaml:1:4: a: the YAML tag !!binary is not supported; write a plain value"),
    ("a: !!timestamp 2024-01-01\n", "f.yaml:1:4: a: the YAML tag !!timestamp is not supported; write a plain value"),
    ("a: !custom x\n", "f.yaml:1:4: a: the YAML tag !custom is not supported; write a plain value"),
    ("a: !!set {x, y}\n", "f.yaml:1:4: a: the YAML tag !!set is not supported; remove it"),
    ("a: !!int x\n", "f.yaml:1:4: a: 'x' is not an integer"),
])
def test_refused_values_are_problems_of_the_document(text, message):
    document = load_yaml(text, "f.yaml")
    assert [str(problem) for problem in document.problems] == [message]


def test_a_refused_value_reads_as_null_and_is_marked_replaced():
    document = load_yaml("a: 010\nb: {c: !!binary aGk=}\nd: 1\n", "f.yaml")
    assert document.data == {"a": None, "b": {"c": None}, "d": 1}
    assert document.replaced == {("a",), ("b", "c")}


def test_empty_file_has_nothing_to_validate():
    with pytest.raises(SpecError) as caught:
        load_yaml("", "f.yaml")
    assert str(caught.value) == "f.yaml:1:1: the spec is empty"


@pytest.mark.parametrize("text,value", [
    # YAML 1.1 (PyYAML's default) reads these as booleans, numbers or dates; YAML 1.2 as strings.
    ("yes", "yes"), ("No", "No"), ("on", "on"), ("OFF", "OFF"), ("y", "y"),
    ("1:30", "1:30"), ("1_000", "1_000"), ("0b101", "0b101"), ("2024-01-01", "2024-01-01"), ("=", "="),
    # the core schema's numbers, booleans and nulls
    ("10", 10), ("-7", -7), ("+3", 3), ("0", 0), ("0o17", 15), ("0x1F", 31), ("007", 7), ("-00", 0),
    ("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5), ("-.inf", -math.inf),
    ("true", True), ("False", False), ("TRUE", True), ("~", None), ("null", None), ("", None),
    # quoted and explicitly tagged scalars
    ("'010'", "010"), ('"yes"', "yes"), ("!!str 010", "010"), ("!!int '12'", 12), ("!!float '2'", 2.0),
])
def test_scalars_follow_the_yaml_1_2_core_schema(text, value):
    document = load_yaml(f"a: {text}\n", "f.yaml")
    assert document.problems == ()
    assert document.data["a"] == value and type(document.data["a"]) is type(value)


def test_nan_is_a_float():
    assert math.isnan(load_yaml("a: .nan\n", "f.yaml").data["a"])


@pytest.mark.parametrize("text,message", [
    ("010", "ambiguous number 010: YAML 1.1 reads it as octal 8, YAML 1.2 as 10; write 10, 0o10 for octal 8, or '010' for text"),
    ("-010", "ambiguous number -010: YAML 1.1 reads it as octal -8, YAML 1.2 as -10; write -10, or '-010' for text"),
    ("09", "ambiguous number 09: YAML 1.1 reads it as text, YAML 1.2 as 9; write 9, or '09' for text"),
])
def test_leading_zero_numbers_are_refused_with_the_fix(text, message):
    (problem,) = load_yaml(f"a: {text}\n", "f.yaml").problems
    assert str(problem) == f"f.yaml:1:4: a: {message}"


@pytest.mark.parametrize("text", ["1" * 5000, "-" + "9" * (MAX_DIGITS + 1), "0x" + "f" * 5000, "0o" + "7" * 400])
def test_numbers_too_long_to_print_are_refused_whatever_pythons_limit(text, monkeypatch):
    if hasattr(sys, "set_int_max_str_digits"):
        monkeypatch.setattr(sys, "get_int_max_str_digits", sys.get_int_max_str_digits)  # restored afterwards
        sys.set_int_max_str_digits(640)  # the smallest limit Python accepts
    document = load_yaml(f"a: [{text}]\n", "f.yaml")
    (problem,) = document.problems
    assert str(problem).startswith("f.yaml:1:5: a[0]: number has ")
    assert f"gluegen reads numbers of at most {MAX_DIGITS}" in str(problem)
    assert document.data == {"a": [None]}


def test_numbers_of_the_maximum_length_are_read():
    assert load_yaml(f"a: {'9' * MAX_DIGITS}\n", "f.yaml").data["a"] == int("9" * MAX_DIGITS)


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_libyaml_and_pure_python_composers_read_the_same(path):
    text = path.read_text(encoding="utf-8") + "extra: [yes, 1:30, 0o10, 1e3, ~, !!str 5, 2024-01-01]\n"
    with_libyaml = loader._Builder("f").build(yaml.compose(text, Loader=loader._Composer), ())
    pure = loader._Builder("f").build(yaml.compose(text, Loader=loader._PureComposer), ())
    assert with_libyaml == pure
    assert with_libyaml["extra"] == ["yes", "1:30", 8, 1000.0, None, "5", "2024-01-01"]


def test_dotted_paths_quote_keys_that_are_not_plain():
    assert dotted(("stages", "silver", "after", 0)) == "stages.silver.after[0]"
    assert dotted(("tags", "aws:owner")) == 'tags["aws:owner"]'


@pytest.mark.parametrize("text,where", [
    ("a:\n\tb: 1\n", "2:1"),
    ("a:\n  - \tb\n", "2:5"),
    ("a: 1\n\t# note\n", "2:1"),
])
def test_a_tab_used_for_indentation_is_named(text, where):
    with pytest.raises(SpecError) as caught:
        load_yaml(text, "f.yaml")
    assert str(caught.value) == f"f.yaml:{where}: invalid YAML: a tab cannot indent YAML (or start a value); use spaces"


def test_tabs_inside_values_are_fine():
    assert load_yaml("a: x\ty\nb: [1,\t2]\n", "f.yaml").data == {"a": "x\ty", "b": [1, 2]}


@pytest.mark.parametrize("char,escape", [("\x00", "\\x00"), ("\x7f", "\\x7f"), ("\ufffe", "\\ufffe")])
def test_a_control_character_is_located_and_shown_as_an_escape(char, escape):
    with pytest.raises(SpecError) as caught:
        load_yaml(f"a: 1\nb: \"é{char}\"\n", "f.yaml")
    code = f"U+{ord(char):04X}"
    assert str(caught.value) == (f"f.yaml:2:6: invalid YAML: character {code} is not allowed in a YAML file; "
                                 f"inside double quotes, write it as \"{escape}\"")
    assert "<unicode string>" not in str(caught.value)


def test_yaml_syntax_error_names_where_the_construct_started():
    with pytest.raises(SpecError) as caught:
        load_yaml("a: [1\n", "f.yaml")
    message = str(caught.value)
    # LibYAML and PyYAML word the problem differently; the location and context are the same.
    assert message.startswith("f.yaml:2:1: invalid YAML: while parsing a flow sequence (started at line 1, column 4): ")
    assert "expected ',' or ']'" in message
