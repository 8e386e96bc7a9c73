"""Validate AWS cron expressions, `cron(Minutes Hours Day-of-month Month Day-of-week Year)`.

No library parses AWS's dialect (six fields, `?`, `L`, `W`, `#`, a year field);
croniter and friends read Unix cron and would accept expressions Glue rejects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    question: bool = False  # `?` allowed


_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31, question=True),
    _Field("month", 1, 12, tuple(_MONTHS)),
    _Field("day-of-week", 1, 7, tuple(_DAYS), question=True),
    _Field("year", 1970, 2199),
)

_WRAPPER = re.compile(r"cron\((?P<body>[^()]*)\)")


def _number(text: str, spec: _Field) -> int:
    upper = text.upper()
    if upper in spec.names:
        return spec.names.index(upper) + 1
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"{spec.name} field: '{text}' is not a number")
    value = int(text)
    if not spec.low <= value <= spec.high:
        raise ValueError(f"{spec.name} field: {value} is outside {spec.low}-{spec.high}")
    return value


def _item(item: str, spec: _Field) -> None:
    if item == "*" or (item == "?" and spec.question):
        return
    if spec.name == "day-of-month" and (item in ("L", "LW") or re.fullmatch(r"\d+W", item)):
        if item.endswith("W") and item != "LW":
            _number(item[:-1], spec)
        return
    if spec.name == "day-of-week" and (item == "L" or re.fullmatch(r"\w+L", item)):
        if item != "L":
            _number(item[:-1], spec)
        return
    if spec.name == "day-of-week" and "#" in item:
        day, _, nth = item.partition("#")
        _number(day, spec)
        if nth not in ("1", "2", "3", "4", "5"):
            raise ValueError(f"{spec.name} field: '#{nth}' must be #1 to #5")
        return
    base, slash, step = item.partition("/")
    if slash and (not re.fullmatch(r"[0-9]+", step) or int(step) == 0):
        raise ValueError(f"{spec.name} field: step '/{step}' must be a positive number")
    if base == "*" and slash:
        return
    start, dash, end = base.partition("-")
    first = _number(start, spec)
    if dash and _number(end, spec) < first:
        raise ValueError(f"{spec.name} field: range '{base}' runs backwards")


def check_cron(expression: str) -> None:
    """Raise ValueError with a precise message if `expression` is not AWS cron."""
    match = _WRAPPER.fullmatch(expression.strip())
    if not match or expression != expression.strip():
        raise ValueError(f"'{expression}' is not of the form cron(Minutes Hours Day-of-month Month Day-of-week Year)")
    body = match.group("body")
    if re.search(r"[^\x21-\x7e ]", body):
        raise ValueError("cron expression may hold only ASCII characters separated by spaces")
    fields = body.split()
    if len(fields) != 6:
        raise ValueError(f"cron expression has {len(fields)} fields, needs 6: Minutes Hours Day-of-month Month Day-of-week Year")
    for text, spec in zip(fields, _FIELDS, strict=True):
        for item in text.split(","):
            if not item:
                raise ValueError(f"{spec.name} field: empty list item in '{text}'")
            if item == "?" and not spec.question:
                raise ValueError(f"{spec.name} field: '?' is only allowed in day-of-month or day-of-week")
            _item(item, spec)
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError("exactly one of day-of-month and day-of-week must be '?'")


# The same rules as regular expressions (RE2 and Python alike), for checks that run where
# Python does not: a module's `schedule` variable checks a cron at plan time with them.
# Built from `_FIELDS`, so the two readings cannot drift. What they cannot state: that a
# range does not run backwards (`5-1`), which `check_cron` refuses and Glue does too.

_TOKEN = "[!-'*-~]+"  # printable ASCII but the parentheses: a field as `check_cron` splits it
# cron(...) with six fields; the groups capture them (AWS: Minutes Hours Day-of-month Month Day-of-week Year).
SHAPE = rf"^cron\( *({_TOKEN}) +({_TOKEN}) +({_TOKEN}) +({_TOKEN}) +({_TOKEN}) +({_TOKEN}) *\)$"
QUESTION_FIELDS = tuple(index for index, spec in enumerate(_FIELDS) if spec.question)


def _digits(low: str, high: str) -> list[str]:
    """Alternatives matching the numbers low..high, both of one length, without leading zeros."""
    if len(low) == 1:
        return [low if low == high else f"[{low}-{high}]"]
    if low[0] == high[0]:
        return [low[0] + rest for rest in _digits(low[1:], high[1:])]
    rest = len(low) - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        return [f"[{low[0]}-{high[0]}][0-9]{{{rest}}}" if rest > 1 else f"[{low[0]}-{high[0]}][0-9]"]
    found = [low[0] + tail for tail in _digits(low[1:], "9" * rest)]
    if int(high[0]) - int(low[0]) > 1:
        found += _digits(str(int(low[0]) + 1) + "0" * rest, str(int(high[0]) - 1) + "9" * rest)
    found += [high[0] + tail for tail in _digits("0" * rest, high[1:])]
    return found


def number_pattern(low: int, high: int) -> str:
    """A regular expression matching the decimal numbers low..high, leading zeros allowed (as int() reads them)."""
    found = []
    for length in range(len(str(low)), len(str(high)) + 1):
        first, last = max(low, 10 ** (length - 1) if length > 1 else 0), min(high, 10**length - 1)
        if first <= last:
            found += _digits(str(first), str(last))
    return "0*(?:" + "|".join(found) + ")"


def _value(spec: _Field) -> str:
    names = f"|(?i:{'|'.join(spec.names)})" if spec.names else ""
    return f"(?:{number_pattern(spec.low, spec.high)}{names})"


def _item_pattern(spec: _Field) -> str:
    value = _value(spec)
    step = "/0*[1-9][0-9]*"
    items = [r"\*", rf"\*{step}", rf"{value}(?:-{value})?(?:{step})?"]
    if spec.question:
        items.append(r"\?")
    if spec.name == "day-of-month":
        items += ["L", "LW", f"{value}W"]
    if spec.name == "day-of-week":
        items += ["L", f"{value}L", f"{value}#[1-5]"]
    return "(?:" + "|".join(items) + ")"


def item_patterns() -> tuple[tuple[str, str], ...]:
    """(field name, regular expression for one item of the field's comma-separated list), in field order."""
    return tuple((spec.name, f"^{_item_pattern(spec)}$") for spec in _FIELDS)


def field_summary(name: str) -> str:
    """What a field may hold, in words, for a message."""
    spec = next(spec for spec in _FIELDS if spec.name == name)
    values = f"{spec.low}-{spec.high}" + (f" or {spec.names[0]}-{spec.names[-1]}" if spec.names else "")
    extra = {"day-of-month": ", ?, L, LW, <day>W", "day-of-week": ", ?, L, <day>L, <day>#1-5"}.get(spec.name, "")
    return f"*, {values}, ranges (a-b), steps (*/n, a/n, a-b/n){extra}, separated by commas"
