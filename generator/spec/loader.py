"""Read YAML text into plain data plus the line and column of every value.

PyYAML's composer already records where each node starts; this module keeps those
marks in a `Locations` index keyed by the data path, and refuses what PyYAML would
otherwise accept silently: duplicate keys (it keeps the last one), non-string keys,
anchors merged with `<<`.

Scalars are read with the YAML 1.2 core schema (as JSON and most editors read them),
not PyYAML's YAML 1.1 rules: `yes`, `on`, `1:30` and `2024-01-01` are strings, `0o10`
is octal. A plain number with a leading zero (`010`), which YAML 1.1 reads as octal
and YAML 1.2 as decimal, is refused rather than guessed, and so is a number too long
to be meant (Python could not even print it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from generator.errors import Diagnostic, SpecError

Path = tuple[str | int, ...]
MAX_DEPTH = 64  # a spec needs about 8; event patterns a few more
MAX_VALUES = 500_000  # a 5,000-stage spec holds about 30,000
# Spec numbers have at most five digits and EventBridge compares numbers as IEEE doubles;
# a cap far below Python's smallest int-to-text limit (640 digits) means no number can
# make gluegen fail to print it, whatever that limit is set to.
MAX_DIGITS = 100
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, MERGE = (_TAG + name for name in ("str", "int", "float", "bool", "null", "merge"))
_COLLECTION_TAGS = {yaml.MappingNode: _TAG + "map", yaml.SequenceNode: _TAG + "seq"}
_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")
_INT = re.compile(r"(?P<sign>[-+]?)(?P<dec>[0-9]+)|0o(?P<oct>[0-7]+)|0x(?P<hex>[0-9a-fA-F]+)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


class _CoreSchema(BaseResolver):
    """Implicit tags of the YAML 1.2 core schema (and `<<`, so merge keys can be refused)."""

    yaml_implicit_resolvers: dict = {}


for _tag, _regex, _first in (
    (NULL, _NULL, ["~", "n", "N", ""]),
    (BOOL, re.compile("|".join(_TRUE + _FALSE)), list("tTfF")),
    (INT, _INT, list("-+0123456789")),
    (FLOAT, _FLOAT, list("-+0123456789.")),
    (MERGE, re.compile("<<"), ["<"]),
):
    _CoreSchema.add_implicit_resolver(_tag, re.compile(f"^(?:{_regex.pattern})$"), _first)


class _PureComposer(Reader, Scanner, Parser, Composer, _CoreSchema):
    """PyYAML's pure-Python composer with the core schema (used where LibYAML is missing)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _CoreSchema.__init__(self)


_Composer: type = _PureComposer
if hasattr(yaml, "CSafeLoader"):  # LibYAML (in PyYAML's wheels) parses a 5,000-stage spec about five times faster

    class _LibYamlComposer(yaml.cyaml.CParser, _CoreSchema):
        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            _CoreSchema.__init__(self)

    _Composer = _LibYamlComposer


_CORE_SCHEMA = _CoreSchema()


def plain_tag(text: str) -> str:
    """The tag YAML 1.2's core schema gives `text` written as a plain (unquoted) scalar."""
    return _CORE_SCHEMA.resolve(yaml.ScalarNode, text, (True, False))


class _Refused(Exception):
    """A scalar gluegen will not read; the message says what to write instead."""


def _integer(text: str) -> int:
    match = _INT.fullmatch(text)
    if match is None:
        raise _Refused(f"'{text}' is not an integer")
    digits = match["dec"]
    if digits is None:  # 0o / 0x: Python reads power-of-two bases without a length limit
        value = int(match["oct"], 8) if match["oct"] is not None else int(match["hex"], 16)
        if value >= 10**MAX_DIGITS:
            raise _Refused(f"number has more than {MAX_DIGITS} digits; gluegen reads numbers of at most {MAX_DIGITS}")
        return value
    if len(digits) > MAX_DIGITS:
        raise _Refused(f"number has {len(digits):,} digits; gluegen reads numbers of at most {MAX_DIGITS}")
    octal = set(digits) <= set("01234567")
    if len(digits) > 1 and digits.startswith("0") and not (octal and int(digits, 8) == int(digits)):  # 07 is 7 either way
        raise _Refused(_leading_zero(text, match["sign"], digits, octal))
    return -int(digits) if match["sign"] == "-" else int(digits)


def _leading_zero(text: str, sign: str, digits: str, octal: bool) -> str:
    """`010` is octal 8 in YAML 1.1 and 10 in YAML 1.2 (`09` is text in YAML 1.1): say both, and what to write."""
    decimal = f"{'-' if sign == '-' else ''}{int(digits)}"
    if octal:
        octal = int(digits, 8) * (-1 if sign == "-" else 1)
        old, fixes = f"octal {octal}", [decimal] + ([] if sign else [f"0o{digits.lstrip('0') or '0'} for octal {octal}"])
    else:
        old, fixes = "text", [decimal]
    fixes.append(f"'{text}' for text")
    return f"ambiguous number {text}: YAML 1.1 reads it as {old}, YAML 1.2 as {decimal}; write {', '.join(fixes[:-1])}, or {fixes[-1]}"


def _float(text: str) -> float:
    if not _FLOAT.fullmatch(text):
        raise _Refused(f"'{text}' is not a number")
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _boolean(text: str) -> bool:
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise _Refused(f"'{text}' is not a boolean: write true or false")


def _null(text: str) -> None:
    if not _NULL.fullmatch(text):
        raise _Refused(f"'{text}' is not null")
    return None


_SCALARS = {STR: str, INT: _integer, FLOAT: _float, BOOL: _boolean, NULL: _null}


def scalar_value(node: yaml.ScalarNode) -> Any:
    """The value of a scalar under the YAML 1.2 core schema; `_Refused` for what gluegen does not read."""
    construct = _SCALARS.get(node.tag)
    if construct is None:
        raise _Refused(f"the YAML tag {node.tag.replace(_TAG, '!!')} is not supported; write a plain value")
    return construct(node.value)


def describe(value: Any) -> str:
    """A value as a spec's reader knows it: `'text'`, `the number 3`, `true`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if isinstance(value, str) else type(value).__name__


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
    """A parsed spec. `problems` are what the loader refused (duplicate keys, ambiguous
    numbers, ...); validation still runs, so every problem is reported at once. A refused
    value reads as null; its path is in `replaced`, so its consequences are not reported twice."""

    data: Any
    locations: Locations
    problems: tuple[Diagnostic, ...] = ()
    replaced: frozenset[Path] = frozenset()


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_KINDS = {NULL: "null", BOOL: "the boolean", INT: "the number", FLOAT: "the number"}


class _Builder:
    """Turns a composed YAML node tree into data, recording every position."""

    def __init__(self, source: str) -> None:
        self.locations = Locations(source)
        self.problems: list[Diagnostic] = []
        self.replaced: set[Path] = set()
        self._open: set[int] = set()  # collections being built: an alias to one is a cycle
        self._built = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._built += 1
        if self._built > MAX_VALUES:  # aliases can multiply a small file into billions of values
            line, column = _mark(node)
            raise SpecError([Diagnostic(self.locations.source, line, column, dotted(path),
                                        f"the spec expands to more than {MAX_VALUES:,} values (through YAML aliases?)")])
        if len(path) > MAX_DEPTH:  # deeper would exhaust Python's stack in the checks that follow
            line, column = _mark(node)
            raise SpecError([Diagnostic(self.locations.source, line, column, dotted(path[:MAX_DEPTH]),
                                        f"values are nested more than {MAX_DEPTH} levels deep")])
        self.locations.values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            try:
                return scalar_value(node)
            except _Refused as refused:
                self._problem(node, path, str(refused))
                self.replaced.add(path)
                return None
        if node.tag != _COLLECTION_TAGS[type(node)]:
            self._problem(node, path, f"the YAML tag {node.tag.replace(_TAG, '!!')} is not supported; remove it")
            self.replaced.add(path)
            return None
        if id(node) in self._open:
            self._problem(node, path, "a YAML alias refers to a collection that contains it")
            self.replaced.add(path)
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
            if key_node.tag == MERGE:
                self._problem(key_node, path, "YAML merge keys ('<<') are not supported; write the keys out")
                continue
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in result:
                first = self.locations.keys[path + (key,)]
                self._problem(key_node, path + (key,), f"duplicate key '{key}' (first defined at line {first[0]})")
                continue
            self.locations.keys[path + (key,)] = _mark(key_node)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _key(self, node: yaml.Node, path: Path) -> str | None:
        """A mapping key: a string, or None after reporting why not."""
        if isinstance(node, yaml.ScalarNode) and node.tag == STR:
            return node.value
        if isinstance(node, yaml.ScalarNode):
            kind = _KINDS.get(node.tag, f"a {node.tag.replace(_TAG, '!!')} value")
            shown = f" {node.value}" if node.tag != NULL else ""
            quote = f" (quote it: \"{node.value}\")" if node.value and not node.style else ""
            message = f"keys must be strings, not {kind}{shown}{quote}"
        else:
            message = f"keys must be strings, not a {'mapping' if isinstance(node, yaml.MappingNode) else 'list'}"
        self._problem(node, path, message)
        return None

    def _problem(self, node: yaml.Node, path: Path, message: str) -> None:
        line, column = _mark(node)
        self.problems.append(Diagnostic(self.locations.source, line, column, dotted(path), message))


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, source: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.split("\n")
    # LibYAML words a misplaced tab two ways, neither naming it: say what the character is
    if mark and mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
        return Diagnostic(source, line, column, "", "invalid YAML: a tab cannot indent YAML (or start a value); use spaces")
    context = error.context or ""
    if error.context and error.context_mark and error.problem_mark and error.context_mark.line != error.problem_mark.line:
        context += f" (started at line {error.context_mark.line + 1}, column {error.context_mark.column + 1})"
    problem = ": ".join(part for part in (context, error.problem) if part)
    return Diagnostic(source, line, column, "", f"invalid YAML: {problem}")


def _character_problem(error: yaml.reader.ReaderError, text: str, source: str) -> Diagnostic:
    """YAML refuses control characters (other than tab and line breaks) anywhere in a file."""
    char = chr(error.character) if isinstance(error.character, int) else str(error.character)
    index = text.find(char)
    before = text[:max(index, 0)]
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    code = ord(char[0]) if char else 0
    escape = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return Diagnostic(source, line, column, "",
                      f"invalid YAML: character U+{code:04X} is not allowed in a YAML file; "
                      f"inside double quotes, write it as \"{escape}\"")


def load_yaml(text: str, source: str) -> Document:
    """Parse one YAML document. Raise SpecError when there is nothing to validate (a syntax
    error, an empty file, an alias bomb); other problems come back in `Document.problems`."""
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as error:
        raise SpecError([_syntax_problem(error, text, source)]) from None
    except yaml.reader.ReaderError as error:
        raise SpecError([_character_problem(error, text, source)]) from None
    except yaml.YAMLError as error:
        raise SpecError([Diagnostic(source, 1, 1, "", f"invalid YAML: {error}")]) from None
    if root is None:
        raise SpecError([Diagnostic(source, 1, 1, "", "the spec is empty")])
    builder = _Builder(source)
    data = builder.build(root, ())
    return Document(data, builder.locations, tuple(builder.problems), frozenset(builder.replaced))
