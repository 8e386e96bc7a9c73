"""Turn pydantic's validation errors into gluegen diagnostics.

pydantic reports `loc` tuples and its own wording; users get the dotted path, the
line and column of the offending value, and a message in the spec's terms, with a
suggestion where a close match exists.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from generator.errors import Diagnostic
from generator.spec.loader import BOOL, INT, MAX_DIGITS, Locations, Path, describe, plain_tag

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "bool_type": "true or false",
}

_BOUNDS = {
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be greater than {gt}",
    "less_than": "must be less than {lt}",
}


def suggest(word: str, choices: typing.Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or nothing."""
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class whose instance sits at `path`, following fields and dict values."""
    current: type[BaseModel] | None = root
    pending_dict = False
    for part in path:
        if current is None:
            return None
        if pending_dict:
            pending_dict = False
            continue
        field = current.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        annotation = field.annotation
        current = _model_in(annotation)
        pending_dict = typing.get_origin(_unwrap(annotation)) is dict
    return None if pending_dict else current


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


_YAML11 = yaml.resolver.Resolver()  # PyYAML's YAML 1.1 rules: what older readers make of a string
_EXPECTS = {"bool_type": BOOL, "int_type": INT, "int_parsing": INT}


def _reading_hint(kind: str, value: Any) -> str:
    """For a number where a string is expected: ` (quote it: "3")`. For a string where a number or boolean is expected, the fix: ` (write 30, without quotes)`
    for a quoted `"30"`; ` (write true)` for `yes`, ` (... write 90)` for `1:30`, which YAML 1.1
    read as a boolean or number and YAML 1.2 (which gluegen reads) reads as a string."""
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f' (quote it: "{value}")'  # YAML reads 3 and 5.0 unquoted as numbers
    expected = _EXPECTS.get(kind)
    if expected is None or not isinstance(value, str):
        return ""
    if plain_tag(value) == expected:
        return f" (write {value}, without quotes)" if len(value) <= MAX_DIGITS else ""
    tag = _YAML11.resolve(yaml.ScalarNode, value, (True, False))
    if tag != expected:
        return ""
    try:
        reading = yaml.SafeLoader("").construct_object(yaml.ScalarNode(tag, value))
    except (ValueError, yaml.YAMLError):
        return ""
    if isinstance(reading, bool):
        return f" (write {str(reading).lower()})"
    if abs(reading) < 10**18:
        return f" (YAML 1.1 read {value} as {reading}; write {reading})"
    return ""


# What to write instead of null where the field's default alone would not say it.
_NULL_FIXES = {
    ("Spec", "alerts"): "write 'alerts: {}' for alerts on FAILED, TIMEOUT and STOPPED, or remove the key for none",
    ("Spec", "start"): "remove the key (or write on_demand) for an on-demand start",
    ("Stage", "after"): "remove the key (or write []) for a root stage",
}


def _as_yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_as_yaml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_as_yaml(item)}" for key, item in value.items()) + "}"
    return str(value)


def _null_fix(root: type[BaseModel], path: Path) -> str:
    """What to write instead of an explicit null at `path` ("" where a value is required)."""
    if len(path) == 2 and path[0] == "stages":
        return f"write '{path[1]}: {{}}' for a stage with the default options"
    model = _model_at(root, path[:-1])
    name = path[-1] if path else None
    field = model.model_fields.get(name) if model is not None and isinstance(name, str) else None
    if field is None or field.is_required():
        return ""
    if (model.__name__, name) in _NULL_FIXES:
        return _NULL_FIXES[(model.__name__, name)]
    default = field.get_default(call_default_factory=True)
    return "remove the key to leave it unset" if default is None else f"remove the key for the default ({_as_yaml(default)})"


def _message(error: Any, root: type[BaseModel], path: Path) -> str:
    message = _plain_message(error, root, path)
    if error.get("input", ...) is None and error["type"] != "missing" and (fix := _null_fix(root, path)):
        message += f"; {fix}"
    return message


def _plain_message(error: Any, root: type[BaseModel], path: Path) -> str:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind == "extra_forbidden" and path[:-1] == ("job_defaults",) and path[-1] in ("name", "name_suffix"):
        return f"'{path[-1]}' names one job: set it under jobs.<key>, not in job_defaults"
    if kind == "extra_forbidden":
        model = _model_at(root, path[:-1])
        known = model.model_fields if model else ()
        return f"unknown key '{path[-1]}'{suggest(str(path[-1]), known)}"
    if kind == "missing":
        return f"missing required key '{path[-1]}'"
    if kind == "literal_error" and path == ("version",):
        return f"unsupported spec version {value!r}: this gluegen reads version 1"
    if kind == "literal_error":
        hint = suggest(str(value).upper(), str(context.get("expected", "")).replace("'", "").replace(" or ", ", ").split(", "))
        return f"must be {context.get('expected')}, not {describe(value)}{hint}"
    if kind in _TYPE_NAMES:
        hint = _reading_hint(kind, value)
        if kind == "list_type" and isinstance(value, str):
            hint = f" (write [{value}])"
        return f"must be {_TYPE_NAMES[kind]}, not {describe(value)}{hint}"
    if kind in _BOUNDS:
        return _BOUNDS[kind].format(**context)
    if kind == "string_too_short":
        low = context.get("min_length")
        return "must not be empty" if low == 1 else f"must be at least {low} characters long"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters long"
    if kind == "too_short" and path == ("stages",):
        return "must define at least one stage"
    if kind == "too_short":
        return f"must have at least {context.get('min_length')} item(s)"
    return str(error["msg"]).removeprefix("Value error, ")


def diagnostics(
    error: ValidationError, root: type[BaseModel], locations: Locations, prefix: Path = ()
) -> list[tuple[Diagnostic, Path]]:
    """One diagnostic per pydantic error, located in the YAML source, with the data path it is about.

    `prefix`: where the validated value sits in the document, when it is not the whole spec."""
    found = []
    for item in error.errors():
        loc = prefix + tuple(item["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"
        path: Path = loc[:-1] if is_key else loc
        message = _message(item, root, path)
        at_key = is_key or item["type"] == "extra_forbidden"
        if item["type"] == "missing":  # the key is absent: report it on the mapping that lacks it
            path = path[:-1]
        context = item.get("ctx") or {}
        if isinstance(context.get("index"), int):  # a custom error that names the list item it is about
            path = path + (context["index"],)
        if isinstance(context.get("at"), tuple):  # ... or the place inside the value (an event pattern)
            path = path + context["at"]
        found.append((locations.diagnostic(path, message, key=at_key), path))
    return found
