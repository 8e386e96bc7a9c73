"""Turn pydantic's validation errors into gluegen diagnostics.

pydantic reports `loc` tuples and its own wording; users get the dotted path, the
line and column of the offending value, and a message in the spec's terms, with a
suggestion where a close match exists.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.errors import Diagnostic
from generator.loader import Locations, Path

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


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if isinstance(value, str) else f"{type(value).__name__} {value!r}"


def _message(error: Any, root: type[BaseModel], path: Path) -> str:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
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
        return f"must be {context.get('expected')}, not {_describe(value)}{hint}"
    if kind in _TYPE_NAMES:
        hint = ""
        if kind == "list_type" and isinstance(value, str):
            hint = f" (write [{value}])"
        return f"must be {_TYPE_NAMES[kind]}, not {_describe(value)}{hint}"
    if kind in _BOUNDS:
        return _BOUNDS[kind].format(**context)
    if kind == "too_short" and path == ("stages",):
        return "must define at least one stage"
    if kind == "too_short":
        return f"must have at least {context.get('min_length')} item(s)"
    return str(error["msg"]).removeprefix("Value error, ")


def diagnostics(error: ValidationError, root: type[BaseModel], locations: Locations) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located in the YAML source."""
    found = []
    for item in error.errors():
        loc = tuple(item["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"
        path: Path = loc[:-1] if is_key else loc
        message = _message(item, root, path)
        at_key = is_key or item["type"] == "extra_forbidden"
        if item["type"] == "missing":  # the key is absent: report it on the mapping that lacks it
            path = path[:-1]
        index = (item.get("ctx") or {}).get("index")
        if isinstance(index, int):  # a custom error that names the list item it is about
            path = path + (index,)
        found.append(locations.diagnostic(path, message, key=at_key))
    return found
