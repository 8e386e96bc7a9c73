"""YAML loading: positions of values and keys, and what PyYAML would accept silently."""

from __future__ import annotations

import pytest

from generator.errors import SpecError
from generator.loader import dotted, load_yaml


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
    ("1: a\n", "f.yaml:1:1: keys must be strings, not int 1"),
    ("a: &x [1, *x]\n", "f.yaml:1:4: a[1]: a YAML alias refers to a collection that contains it"),
    ("", "f.yaml:1:1: the spec is empty"),
])
def test_refused_documents(text, message):
    with pytest.raises(SpecError) as caught:
        load_yaml(text, "f.yaml")
    assert str(caught.value) == message


def test_dotted_paths_quote_keys_that_are_not_plain():
    assert dotted(("stages", "silver", "after", 0)) == "stages.silver.after[0]"
    assert dotted(("tags", "aws:owner")) == 'tags["aws:owner"]'


def test_yaml_syntax_error_names_where_the_construct_started():
    with pytest.raises(SpecError) as caught:
        load_yaml("a: [1\n", "f.yaml")
    message = str(caught.value)
    # LibYAML and PyYAML word the problem differently; the location and context are the same.
    assert message.startswith("f.yaml:2:1: invalid YAML: while parsing a flow sequence (started at line 1, column 4): ")
    assert "expected ',' or ']'" in message
