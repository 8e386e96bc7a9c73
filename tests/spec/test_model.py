"""Field rules of the models, and the JSON Schema built from the same constants."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from generator.spec import model

BUCKET = TypeAdapter(model.S3Bucket)
BUCKET_PATTERN = re.compile(model.BUCKET_SCHEMA["pattern"])


def _bucket_ok(name: str) -> bool:
    try:
        BUCKET.validate_python(name)
    except ValidationError:
        return False
    return True


def _schema_ok(name: str) -> bool:
    low, high = model.BUCKET_SCHEMA["minLength"], model.BUCKET_SCHEMA["maxLength"]
    return low <= len(name) <= high and BUCKET_PATTERN.search(name) is not None


@pytest.mark.parametrize("name,reason", [
    ("ab", "it must be 3 to 63 characters long, is 2"),
    ("a" * 64, "it must be 3 to 63 characters long, is 64"),
    ("Landing", "use lowercase letters"),
    ("-landing", "use lowercase letters"),
    ("landing.", "use lowercase letters"),
    ("land..ing", "it must not hold two adjacent dots"),
    ("192.168.5.4", "it must not be formatted as an IP address"),
    ("xn--landing", "the prefix 'xn--' is reserved"),
    ("sthree-landing", "the prefix 'sthree-' is reserved"),
    ("amzn-s3-demo-bucket", "the prefix 'amzn-s3-demo-' is reserved"),
    ("landing-s3alias", "the suffix '-s3alias' is reserved"),
    ("landing--ol-s3", "the suffix '--ol-s3' is reserved"),
    ("landing.mrap", "the suffix '.mrap' is reserved"),
    ("landing--x-s3", "the suffix '--x-s3' is reserved"),
    ("landing--table-s3", "the suffix '--table-s3' is reserved"),
])
def test_s3_naming_rules_refuse_with_the_rule(name, reason):
    with pytest.raises(ValidationError) as caught:
        BUCKET.validate_python(name)
    assert f"'{name}' is not a valid S3 bucket name: {reason}" in str(caught.value)
    assert not _schema_ok(name)


@pytest.mark.parametrize("name", ["landing", "a.b.c", "my-bucket-1", "192.168.5.4x", "1.2.3", "docexamplebucket1",
                                  "amzn-s3-demo", "s3alias", "bucket-111122223333-us-west-2-an"])
def test_valid_bucket_names(name):
    assert _bucket_ok(name) and _schema_ok(name)


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(alphabet="abx-.0193nsthremzdoliaspfgu", min_size=1, max_size=20),
    st.builds(lambda affix, body: affix + body, st.sampled_from(model.BUCKET_RESERVED_PREFIXES), st.text("ab-.1", max_size=8)),
    st.builds(lambda body, affix: body + affix, st.text("ab-.1", max_size=8), st.sampled_from(model.BUCKET_RESERVED_SUFFIXES)),
    st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,4}){2,4}", fullmatch=True),
))
def test_the_schema_pattern_and_the_validator_agree_on_bucket_names(name):
    assert _bucket_ok(name) == _schema_ok(name)


@pytest.mark.parametrize("type_,value,message", [
    (model.GlueName, "", "must not be empty"),
    (model.GlueName, "a\nb", "must be a single line without control characters"),
    (model.Description, "x" * 2049, "must be 0 to 2048 bytes long in UTF-8, is 2049"),
    (model.S3Prefix, "", "must not be empty"),
    (model.TagKey, "AWS:owner", "uses the prefix 'aws:', which AWS reserves"),
])
def test_text_types_refuse_with_gluegen_wording(type_, value, message):
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(type_).validate_python(value)
    assert message in str(caught.value)


@pytest.mark.parametrize("type_", [model.GlueName, model.Description, model.TagKey, model.TagValue, model.PropertyKey])
@pytest.mark.parametrize("value", ["ok", "", "tab\there", "two\nlines", "nul\x00", "del\x7f", "aws:x", "Aws:y", "x" * 300])
def test_text_schemas_state_the_validators_limits(type_, value):
    """The JSON Schema's lengths and pattern come from the validator's numbers: both accept the same strings
    (tag characters beyond control characters are the validator's alone: JSON Schema has no Unicode categories)."""
    adapter = TypeAdapter(type_)
    schema = adapter.json_schema()
    by_schema = schema["minLength"] <= len(value) <= schema["maxLength"] and re.search(schema["pattern"], value) is not None
    try:
        adapter.validate_python(value)
        by_validator = True
    except ValidationError:
        by_validator = False
    if type_ in (model.TagKey, model.TagValue) and "\t" in value:  # AWS's tag characters: a tab is not a space
        assert (by_schema, by_validator) == (True, False)
    else:
        assert by_schema == by_validator
