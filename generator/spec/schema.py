"""The JSON Schema of a spec, generated from the pydantic models (editors complete
and flag fields with it; `specs/gluegen.schema.json` is the committed copy)."""

from __future__ import annotations

import json
from typing import Any

from generator import __version__
from generator.spec import event_pattern
from generator.spec.model import Spec

SCHEMA_FILE = "gluegen.schema.json"  # beside the specs, named in each spec's modeline


def _close_pattern_maps(node: Any) -> None:
    """A map whose keys have a pattern admits no other keys (pydantic leaves that open)."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_pattern_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_pattern_maps(value)


def _drop_null_defaults(node: Any) -> None:
    """Optional fields default to unset but refuse an explicit null, so the schema names no null default."""
    if isinstance(node, dict):
        if node.get("default", ...) is None:
            del node["default"]
        for value in node.values():
            _drop_null_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _drop_null_defaults(value)


def _refer_to_event_pattern(node: Any) -> None:
    """Replace the event pattern field's placeholder with a reference to the pattern's grammar."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and value.get("x-gluegen") == event_pattern.SCHEMA_NAME:
                del value["x-gluegen"]
                value["$ref"] = event_pattern.SCHEMA_REF
            _refer_to_event_pattern(value)
    elif isinstance(node, list):
        for value in node:
            _refer_to_event_pattern(value)


def spec_schema() -> dict[str, Any]:
    from generator.spec.environments import inputs_schema

    schema = Spec.model_json_schema()
    inputs = schema["$defs"]["Environment"]["properties"]["inputs"]
    schema["$defs"]["Environment"]["properties"]["inputs"] = {**inputs_schema(), "description": inputs["description"]}
    _refer_to_event_pattern(schema)
    schema["$defs"].update(event_pattern.json_schema_defs())
    _close_pattern_maps(schema)
    _drop_null_defaults(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": f"gluegen {__version__}", **schema}


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"


def is_schema_text(text: str) -> bool:
    """Whether `text` is a spec schema some gluegen wrote (`schema --out` replaces only those)."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return isinstance(document, dict) and str(document.get("$comment", "")).startswith("gluegen ")
