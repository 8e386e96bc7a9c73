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
