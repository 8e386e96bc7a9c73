"""EventBridge's event pattern grammar, checked before anything reaches AWS.

The rules are those of EventBridge's rule compiler (aws/event-ruler, `JsonRuleCompiler`),
limited to the comparison operators EventBridge documents for event buses: a pattern is a
non-empty object; each field holds a non-empty object (nested fields) or a non-empty
list of values to match; `$or` holds a list of two or more patterns. A value to match is
a string, a number, true, false or null, or a matcher: an object with exactly one of the
keys in `MATCHERS`.
"""

from __future__ import annotations

import ipaddress
import json
import math
from typing import Any

from generator.spec.loader import Path, describe
from generator.spec.messages import suggest

OR = "$or"
MATCHERS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr")
ANYTHING_BUT_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
NUMERIC_LOWER = (">", ">=")
NUMERIC_UPPER = ("<", "<=")
NUMERIC_SINGLE = ("=", *NUMERIC_LOWER, *NUMERIC_UPPER)


SCHEMA_NAME = "EventPattern"
SCHEMA_REF = f"#/$defs/{SCHEMA_NAME}"
# pydantic cannot emit a recursive definition it did not build itself: the pattern field's
# schema is this placeholder, which `generator.spec.schema` replaces with a reference to the definition.
SCHEMA_PLACEHOLDER = {"x-gluegen": SCHEMA_NAME}


def json_schema_defs() -> dict[str, Any]:
    """The same grammar as JSON Schema definitions (for the spec's schema), from the same names."""
    string: dict[str, Any] = {"type": "string"}
    number: dict[str, Any] = {"type": "number"}

    def one_of_keys(values: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object", "minProperties": 1, "maxProperties": 1, "properties": values, "additionalProperties": False,
        }

    ignore_case = one_of_keys({"equals-ignore-case": string})
    anything_but = {"anyOf": [
        {"type": ["string", "number"]},
        {"type": "array", "minItems": 1, "anyOf": [{"items": string}, {"items": number}]},
        one_of_keys({
            name: {"anyOf": [text, {"type": "array", "items": text}]}
            for name in ANYTHING_BUT_OPERATORS
            for text in [{"type": "string", "minLength": 1} if name in ("prefix", "suffix") else string]
        }),
    ]}
    numeric = {"type": "array", "anyOf": [
        {"prefixItems": [{"enum": list(NUMERIC_SINGLE)}, number], "minItems": 2, "maxItems": 2},
        {"prefixItems": [{"enum": list(NUMERIC_LOWER)}, number, {"enum": list(NUMERIC_UPPER)}, number],
         "minItems": 4, "maxItems": 4},
    ]}
    takes = {
        "prefix": {"anyOf": [string, ignore_case]},
        "suffix": {"anyOf": [string, ignore_case]},
        "equals-ignore-case": string,
        "wildcard": string,
        "anything-but": anything_but,
        "numeric": numeric,
        "exists": {"type": "boolean"},
        "cidr": string,
    }
    assert tuple(takes) == MATCHERS
    values = {"type": "array", "minItems": 1, "items": {"anyOf": [
        {"type": ["string", "number", "boolean", "null"]}, one_of_keys(takes),
    ]}}
    pattern = {
        "type": "object",
        "minProperties": 1,
        "description": "An EventBridge event pattern: each field holds a non-empty list of values to match, "
        "or nested fields.",
        "properties": {OR: {"type": "array", "minItems": 2, "items": {"$ref": SCHEMA_REF}}},
        "additionalProperties": {"anyOf": [{"$ref": SCHEMA_REF}, values]},
    }
    return {SCHEMA_NAME: pattern}


class PatternError(Exception):
    """The first problem of a pattern: where in it (`at`) and what."""

    def __init__(self, at: Path, message: str) -> None:
        super().__init__(message)
        self.at = at
        self.message = message


def check(pattern: Any) -> None:
    """Raise PatternError for the first thing EventBridge would refuse in `pattern`."""
    _object(pattern, ())


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: Any, at: Path) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise PatternError(at, f"{value!r} is not a JSON number")


def _object(value: dict, at: Path, *, in_or: bool = False) -> None:
    if not value:
        raise PatternError(at, "must name at least one field: EventBridge refuses an empty object")
    for key, item in value.items():
        if not isinstance(key, str):
            raise PatternError(at, f"keys must be strings, not {describe(key)}")
        here = at + (key,)
        if key == OR:
            _or(item, here)
        elif in_or and key in MATCHERS:
            raise PatternError(here, f"'{key}' names a matcher and cannot be a field inside '{OR}'")
        elif isinstance(item, dict):
            _object(item, here, in_or=in_or)
        elif isinstance(item, list):
            _values(item, here)
        else:
            raise PatternError(
                here,
                f"must be a list of values to match (write [{_json_text(item)}]) or a mapping of nested fields, "
                f"not {describe(item)}",
            )


def _or(value: Any, at: Path) -> None:
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(item, dict) for item in value):
        raise PatternError(at, f"'{OR}' takes a list of two or more patterns (mappings of fields)")
    for index, item in enumerate(value):
        _object(item, at + (index,), in_or=True)


def _values(values: list, at: Path) -> None:
    if not values:
        raise PatternError(at, "must list at least one value to match: EventBridge refuses an empty list")
    for index, item in enumerate(values):
        here = at + (index,)
        if isinstance(item, dict):
            _matcher(item, here)
        elif isinstance(item, list):
            raise PatternError(here, "a value to match is a string, number, true, false, null or a matcher, not a list")
        else:
            _finite(item, here)


def _matcher(matcher: dict, at: Path) -> None:
    if len(matcher) != 1:
        raise PatternError(at, f"a matcher has exactly one key ({', '.join(MATCHERS)}), not {len(matcher)}")
    ((name, value),) = matcher.items()
    here = at + (name,)
    if name not in MATCHERS:
        raise PatternError(here, f"unknown matcher '{name}'{suggest(str(name), MATCHERS)}: use one of {', '.join(MATCHERS)}")
    if name in ("prefix", "suffix") and isinstance(value, dict):
        _one_string(value, here, name, ("equals-ignore-case",))
    elif name in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        _string(value, here, name)
    elif name == "exists":
        if not isinstance(value, bool):
            raise PatternError(here, f"'exists' takes true or false, not {describe(value)}")
    elif name == "cidr":
        _cidr(value, here)
    elif name == "numeric":
        _numeric(value, here)
    else:
        _anything_but(value, here)


def _string(value: Any, at: Path, name: str) -> None:
    if not isinstance(value, str):
        raise PatternError(at, f"'{name}' takes a string, not {describe(value)}")


def _one_string(value: dict, at: Path, matcher: str, operators: tuple[str, ...], *, lists: bool = False) -> None:
    """`{equals-ignore-case: "x"}` inside `prefix`, `suffix` or `anything-but`."""
    if len(value) != 1 or next(iter(value)) not in operators:
        raise PatternError(at, f"'{matcher}' takes a string or a mapping with one key, one of {', '.join(operators)}")
    ((name, inner),) = value.items()
    here = at + (name,)
    if lists and isinstance(inner, list):
        for index, item in enumerate(inner):
            _string(item, here + (index,), name)
    else:
        _string(inner, here, name)


def _cidr(value: Any, at: Path) -> None:
    address, _, bits = value.partition("/") if isinstance(value, str) else ("", "", "")
    try:
        limit = ipaddress.ip_address(address).max_prefixlen
    except ValueError:
        limit = -1
    if not (bits.isascii() and bits.isdigit() and int(bits) <= limit):
        raise PatternError(at, f"'cidr' takes an IP address block such as \"10.0.0.0/24\", not {describe(value)}")


def _numeric(value: Any, at: Path) -> None:
    shape = "a list such as [\">\", 0, \"<=\", 5] or [\"=\", 100]"
    if not isinstance(value, list) or len(value) not in (2, 4):
        raise PatternError(at, f"'numeric' takes {shape}")
    operators, numbers = value[0::2], value[1::2]
    valid = operators[0] in NUMERIC_SINGLE if len(value) == 2 else (
        operators[0] in NUMERIC_LOWER and operators[1] in NUMERIC_UPPER
    )
    if not valid or not all(_is_number(number) for number in numbers):
        raise PatternError(at, f"'numeric' takes {shape}")
    for index, number in zip(range(1, len(value), 2), numbers):
        _finite(number, at + (index,))


def _anything_but(value: Any, at: Path) -> None:
    if isinstance(value, dict):
        _one_string(value, at, "anything-but", ANYTHING_BUT_OPERATORS, lists=True)
        ((name, inner),) = value.items()
        if name in ("prefix", "suffix") and "" in (inner if isinstance(inner, list) else [inner]):
            raise PatternError(at + (name,), f"'anything-but' '{name}' must not be empty")
        return
    if isinstance(value, str) or _is_number(value):
        _finite(value, at)
        return
    if isinstance(value, list) and value and (
        all(isinstance(item, str) for item in value) or all(_is_number(item) for item in value)
    ):
        for index, item in enumerate(value):
            _finite(item, at + (index,))
        return
    raise PatternError(
        at, "'anything-but' takes a string, a number, a non-empty list of only strings or only numbers, "
        f"or a mapping with one of {', '.join(ANYTHING_BUT_OPERATORS)}",
    )
