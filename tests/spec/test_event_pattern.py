"""EventBridge's pattern grammar: the checker and the JSON Schema accept and refuse the same patterns."""

from __future__ import annotations

import math

import jsonschema
import pytest

from generator.spec import event_pattern
from generator.spec.event_pattern import PatternError, check

# Patterns from EventBridge's user guide ("Content filtering", "Comparison operators", "$or"), all accepted.
VALID = [
    {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["terminated"]}},
    {"time": [{"prefix": "2017-10-02"}]},
    {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
    {"FileName": [{"suffix": ".png"}]},
    {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}},
    {"detail": {"state": [{"anything-but": "initializing"}]}},
    {"detail": {"x-limit": [{"anything-but": 123}]}},
    {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
    {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
    {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
    {"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}},
    {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}},
    {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
    {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"numeric": ["=", 3.018e2]}]}},
    {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}},
    {"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/64"}]}},
    {"detail": {"c-count": [{"exists": False}]}},
    {"detail": {"eventVersion": [""], "responseElements": [None]}},
    {"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]},
    {"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}},
    {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
    {"detail": {"name": [{"equals-ignore-case": "alice"}], "flags": [True, 1.5, -2]}},
]

# (pattern, where the problem is, the start of its message, whether JSON Schema can say it too)
INVALID = [
    ({}, (), "must name at least one field", True),
    ({"source": "aws.s3"}, ("source",), "must be a list of values to match (write [aws.s3])", True),
    ({"size": 5}, ("size",), "must be a list of values to match (write [5])", True),
    ({"source": []}, ("source",), "must list at least one value", True),
    ({"detail": {}}, ("detail",), "must name at least one field", True),
    ({"a": [["x"]]}, ("a", 0), "a value to match is a string", True),
    ({"a": [{}]}, ("a", 0), "a matcher has exactly one key", True),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, ("a", 0), "a matcher has exactly one key", True),
    ({"a": [{"prefx": "x"}]}, ("a", 0, "prefx"), "unknown matcher 'prefx' (did you mean 'prefix'?)", True),
    ({"a": [{"prefix": 1}]}, ("a", 0, "prefix"), "'prefix' takes a string", True),
    ({"a": [{"prefix": {"wildcard": "x"}}]}, ("a", 0, "prefix"), "'prefix' takes a string or a mapping", True),
    ({"a": [{"wildcard": ["x"]}]}, ("a", 0, "wildcard"), "'wildcard' takes a string", True),
    ({"a": [{"exists": "yes"}]}, ("a", 0, "exists"), "'exists' takes true or false", True),
    ({"a": [{"numeric": [">", "1"]}]}, ("a", 0, "numeric"), "'numeric' takes a list", True),
    ({"a": [{"numeric": ["<", 1, ">", 2]}]}, ("a", 0, "numeric"), "'numeric' takes a list", True),
    ({"a": [{"numeric": [">", 1, "<"]}]}, ("a", 0, "numeric"), "'numeric' takes a list", True),
    ({"a": [{"numeric": ["==", 1]}]}, ("a", 0, "numeric"), "'numeric' takes a list", True),
    ({"a": [{"numeric": [">", True]}]}, ("a", 0, "numeric"), "'numeric' takes a list", True),
    ({"a": [{"cidr": "10.0.0.0"}]}, ("a", 0, "cidr"), "'cidr' takes an IP address block", False),
    ({"a": [{"cidr": "10.0.0.0/33"}]}, ("a", 0, "cidr"), "'cidr' takes an IP address block", False),
    ({"a": [{"cidr": 10}]}, ("a", 0, "cidr"), "'cidr' takes an IP address block", True),
    ({"a": [{"anything-but": ["a", 1]}]}, ("a", 0, "anything-but"), "'anything-but' takes", True),
    ({"a": [{"anything-but": []}]}, ("a", 0, "anything-but"), "'anything-but' takes", True),
    ({"a": [{"anything-but": None}]}, ("a", 0, "anything-but"), "'anything-but' takes", True),
    ({"a": [{"anything-but": {"exists": True}}]}, ("a", 0, "anything-but"), "'anything-but' takes a string or a mapping", True),
    ({"a": [{"anything-but": {"prefix": ""}}]}, ("a", 0, "anything-but", "prefix"), "'anything-but' 'prefix' must not be empty", True),
    ({"$or": [{"a": ["x"]}]}, ("$or",), "'$or' takes a list of two or more patterns", True),
    ({"$or": {"a": ["x"]}}, ("$or",), "'$or' takes a list of two or more patterns", True),
    ({"$or": [{"a": ["x"]}, {}]}, ("$or", 1), "must name at least one field", True),
    ({"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}, ("$or", 0, "prefix"), "'prefix' names a matcher", False),
    ({"a": [math.nan]}, ("a", 0), "nan is not a JSON number", False),
    ({"a": [{"numeric": ["=", math.inf]}]}, ("a", 0, "numeric", 1), "inf is not a JSON number", False),
]


@pytest.fixture(scope="module")
def schema():
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": event_pattern.SCHEMA_REF,
                "$defs": event_pattern.json_schema_defs()}
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


@pytest.mark.parametrize("pattern", VALID, ids=range(len(VALID)))
def test_documented_patterns_are_accepted_by_the_checker_and_the_schema(pattern, schema):
    check(pattern)
    assert list(schema.iter_errors(pattern)) == []


@pytest.mark.parametrize("pattern,at,message,in_schema", INVALID, ids=range(len(INVALID)))
def test_patterns_eventbridge_refuses_are_refused_where_they_go_wrong(pattern, at, message, in_schema, schema):
    with pytest.raises(PatternError) as caught:
        check(pattern)
    assert (caught.value.at, caught.value.message[: len(message)]) == (at, message)
    if in_schema:
        assert not schema.is_valid(pattern)
