"""Read YAML text into plain data plus the line and column of every value.

PyYAML's composer already records where each node starts; this module keeps those
marks in a `Locations` index keyed by the data path, and refuses what PyYAML would
otherwise accept silently: duplicate keys (it keeps the last one), non-string keys,
anchors merged with `<<`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.errors import Diagnostic, SpecError

Path = tuple[str | int, ...]
# LibYAML's parser (shipped in PyYAML's wheels) parses a 5,000-stage spec about five times
# faster than the pure-Python one and keeps the same marks; its syntax messages word a few
# problems differently, which only the YAML-syntax message can show.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_VALUES = 500_000  # a 5,000-stage spec holds about 30,000
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def dotted(path: Path) -> str:
    """`('stages', 'silver', 'after', 0)` -> `stages.silver.after[0]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class Locations:
    """Where each value (and each mapping key) of a document starts, 1-based."""

    source: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def find(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that exists."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return (1, 1)

    def diagnostic(self, path: Path, message: str, *, key: bool = False) -> Diagnostic:
        line, column = self.find(path, key=key)
        return Diagnostic(self.source, line, column, dotted(path), message)


@dataclass(frozen=True)
class Document:
    data: Any
    locations: Locations


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed YAML node tree into data, recording every position."""

    def __init__(self, source: str) -> None:
        self.locations = Locations(source)
        self.problems: list[Diagnostic] = []
        self._constructor = yaml.SafeLoader("")
        self._open: set[int] = set()  # collections being built: an alias to one is a cycle
        self._built = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._built += 1
        if self._built > MAX_VALUES:  # aliases can multiply a small file into billions of values
            line, column = _mark(node)
            raise SpecError([Diagnostic(self.locations.source, line, column, dotted(path),
                                        f"the spec expands to more than {MAX_VALUES:,} values (through YAML aliases?)")])
        self.locations.values[path] = _mark(node)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return self._constructor.construct_object(node, deep=True)
        if id(node) in self._open:
            self._problem(node, path, "a YAML alias refers to a collection that contains it")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, path, "YAML merge keys ('<<') are not supported; write the keys out")
                continue
            key = self._constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self._problem(key_node, path, f"keys must be strings, not {type(key).__name__} {key!r}")
                continue
            if key in result:
                first = self.locations.keys[path + (key,)]
                self._problem(key_node, path + (key,), f"duplicate key '{key}' (first defined at line {first[0]})")
                continue
            self.locations.keys[path + (key,)] = _mark(key_node)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _problem(self, node: yaml.Node, path: Path, message: str) -> None:
        line, column = _mark(node)
        self.problems.append(Diagnostic(self.locations.source, line, column, dotted(path), message))


def load_yaml(text: str, source: str) -> Document:
    """Parse one YAML document; raise SpecError for syntax errors and duplicate keys."""
    try:
        root = yaml.compose(text, Loader=_PARSER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        context = error.context or ""
        if error.context and error.context_mark and error.problem_mark and error.context_mark.line != error.problem_mark.line:
            context += f" (started at line {error.context_mark.line + 1}, column {error.context_mark.column + 1})"
        problem = ": ".join(part for part in (context, error.problem) if part)
        raise SpecError([Diagnostic(source, line, column, "", f"invalid YAML: {problem}")]) from None
    except yaml.YAMLError as error:
        raise SpecError([Diagnostic(source, 1, 1, "", f"invalid YAML: {error}")]) from None
    if root is None:
        raise SpecError([Diagnostic(source, 1, 1, "", "the spec is empty")])
    builder = _Builder(source)
    try:
        data = builder.build(root, ())
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecError([Diagnostic(source, line, column, "", f"invalid YAML: {error.problem}")]) from None
    if builder.problems:
        raise SpecError(builder.problems)
    return Document(data, builder.locations)
