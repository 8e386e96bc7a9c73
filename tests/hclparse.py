"""Parse a generated module with python-hcl2 into plain, comparable structures."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

VALUES = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
BLOCKS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=True, strip_string_quotes=True)


@dataclass
class ParsedModule:
    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # data sources by kind and name
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # file -> raw parse (explicit blocks)


def parse_module(folder: Path) -> ParsedModule:
    module = ParsedModule()
    for path in sorted(folder.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        module.files[path.name] = hcl2.loads(text, serialization_options=BLOCKS)
        parsed = hcl2.loads(text, serialization_options=VALUES)
        for resource in parsed.get("resource", []):
            for kind, named in resource.items():
                for name, body in named.items():
                    assert name not in module.resources.setdefault(kind, {}), f"{kind}.{name} defined twice"
                    module.resources[kind][name] = body
        for source in parsed.get("data", []):
            for kind, named in source.items():
                for name, body in named.items():
                    module.data.setdefault(kind, {})[name] = body
        for variable in parsed.get("variable", []):
            module.variables.update(variable)
        for output in parsed.get("output", []):
            module.outputs.update(output)
        for local in parsed.get("locals", []):
            module.locals.update(local)
        module.terraform.extend(parsed.get("terraform", []))
    return module


def blocks(value: Any) -> list[Any]:
    """A nested block as a list, whether it occurs once or several times."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def merged(value: str, variable: str) -> dict[str, Any]:
    """The spec's map `m` of an attribute laid out `merge(m, <variable>)`, or {} for `<variable>` alone,
    with its keys in the order written."""
    if value == f"${{{variable}}}":
        return {}
    head, tail = "${merge(", f", {variable})}}"
    assert value.startswith(head) and value.endswith(tail), value
    parsed = hcl2.loads(f"x = {value[len(head):-len(tail)]}\n", serialization_options=VALUES)["x"]
    return {key.strip('"'): item for key, item in parsed.items()}
