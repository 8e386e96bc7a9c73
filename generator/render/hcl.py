"""HCL literals and attribute layout, exactly as `terraform fmt` writes them.

Every string from a spec goes through `string()` (or `key()` for map keys): the
result is an HCL quoted literal that evaluates to exactly that string and never
interpolates. Strings must be in Unicode NFC (Terraform normalises string literals
to NFC, so other forms could not survive; the spec loader enforces it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_SIMPLE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Code points escaped so a reviewer sees them: controls, invisible format characters,
# line and paragraph separators, private use and noncharacters. A fixed list, not
# Unicode categories, so the output does not change with Python's Unicode version.
_ESCAPED_RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x061C, 0x061C), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x206F), (0xFDD0, 0xFDEF), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB), (0xE000, 0xF8FF), (0xF0000, 0x10FFFF),
)


def _visible(char: str) -> bool:
    code = ord(char)
    if code & 0xFFFE == 0xFFFE:  # U+xFFFE and U+xFFFF in every plane are noncharacters
        return False
    return not any(low <= code <= high for low, high in _ESCAPED_RANGES)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def string(value: str, *, ascii_only: bool = False) -> str:
    """The HCL quoted literal for `value`."""
    out = []
    for char in value:
        if char in _SIMPLE:
            out.append(_SIMPLE[char])
        elif (ascii_only and ord(char) > 0x7E) or not _visible(char):
            out.append(_escape(char))
        else:
            out.append(char)
    return '"' + _TEMPLATE_OPENER.sub(_literal_opener, "".join(out)) + '"'


# `${` and `%{` open template sequences. Their literal forms are `$${` and `%%{`, the
# idiom Terraform users read; python-hcl2 (and so checkov) only lexes those when a
# `}` follows in the same string, so an unclosed opener is written `\u0024{` /
# `\u0025{` instead: escapes are decoded after template scanning, so it stays literal.
_TEMPLATE_OPENER = re.compile(r"[$%]\{")


def _literal_opener(match: re.Match[str]) -> str:
    opener = match.group()
    if "}" in match.string[match.end() :]:
        return opener[0] + opener
    return _escape(opener[0]) + "{"


def key(value: str) -> str:
    """A quoted map key; non-ASCII is escaped so `terraform fmt`'s alignment (which
    counts grapheme clusters) is the key's plain length on every machine."""
    return string(value, ascii_only=True)


def attributes(pairs: Iterable[tuple[str, str]], indent: int) -> str:
    """Lay out `name = value` lines as `terraform fmt` does.

    Runs of single-line attributes align their `=`; an attribute whose value spans
    several lines is not aligned and ends the run.
    """
    pad = " " * indent
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(name) for name, _ in run), default=0)
        lines.extend(f"{pad}{name.ljust(width)} = {value}" for name, value in run)
        run.clear()

    for name, value in pairs:
        if "\n" in value:
            flush()
            lines.append(f"{pad}{name} = {value}")
        else:
            run.append((name, value))
    flush()
    return "\n".join(lines)


def mapping(items: Sequence[tuple[str, str]], indent: int) -> str:
    """An object constructor of string values, keys quoted; `{}` when empty."""
    if not items:
        return "{}"
    body = attributes(((key(k), string(v)) for k, v in items), indent + 2)
    return "{\n" + body + "\n" + " " * indent + "}"


def string_list(values: Iterable[str]) -> str:
    """A one-line list of string literals."""
    return "[" + ", ".join(string(value) for value in values) + "]"


INLINE_WIDTH = 80  # longer lists of scalars get one item per line


class Expr(str):
    """A Terraform expression laid out as is (a reference such as `var.jobs["a"]`), not a string literal."""


def value(data: object, indent: int) -> str:
    """Any JSON-like value (dicts, lists, strings, numbers, booleans, `Expr`) as an HCL expression."""
    if isinstance(data, Expr):
        return str(data)
    if isinstance(data, str):
        return string(data)
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, (int, float)):
        return repr(data)
    if data is None:
        return "null"
    if isinstance(data, dict):
        if not data:
            return "{}"
        body = attributes(((key(str(k)), value(v, indent + 2)) for k, v in data.items()), indent + 2)
        return "{\n" + body + "\n" + " " * indent + "}"
    if isinstance(data, (list, tuple)):
        if all(not isinstance(item, (dict, list, tuple)) for item in data):
            inline = "[" + ", ".join(value(item, indent) for item in data) + "]"
            if len(inline) <= INLINE_WIDTH:
                return inline
        pad = " " * (indent + 2)
        return "[\n" + "".join(f"{pad}{value(item, indent + 2)},\n" for item in data) + " " * indent + "]"
    raise TypeError(f"no HCL form for {type(data).__name__}")


def utf8_length(expression: str) -> str:
    """An HCL expression for the UTF-8 length of the string `expression`: its code points, plus
    one for each beyond U+007F, U+07FF and U+FFFF (Terraform's length() counts characters)."""
    patterns = ["(?s).", "[^\\x{0}-\\x{7F}]", "[^\\x{0}-\\x{7FF}]", "[^\\x{0}-\\x{FFFF}]"]
    return " + ".join(f"length(regexall({string(pattern)}, {expression}))" for pattern in patterns)
