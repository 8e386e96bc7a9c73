"""AWS cron expressions, as Glue's SCHEDULED triggers take them."""

from __future__ import annotations

import pytest

from generator.spec.cron import check_cron


@pytest.mark.parametrize("expression", [
    "cron(0 2 * * ? *)", "cron(15 10 ? * 6L 2022-2023)", "cron(0/15 * * * ? *)", "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)", "cron(0 10 ? * 2#1 *)", "cron(0 0 LW * ? *)", "cron(0 0 15W JAN,JUL ? *)",
])
def test_valid(expression):
    check_cron(expression)


@pytest.mark.parametrize("expression,message", [
    ("0 2 * * ? *", "is not of the form cron("),
    ("cron(0 2 * * *)", "has 5 fields, needs 6"),
    ("cron(0 2 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 2 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(61 2 * * ? *)", "minutes field: 61 is outside 0-59"),
    ("cron(0 24 * * ? *)", "hours field: 24 is outside 0-23"),
    ("cron(0 2 * 13 ? *)", "month field: 13 is outside 1-12"),
    ("cron(0 2 ? * FOO *)", "day-of-week field: 'FOO' is not a number"),
    ("cron(0 2 * * ? 1969)", "year field: 1969 is outside 1970-2199"),
    ("cron(? 2 * * ? *)", "'?' is only allowed in day-of-month or day-of-week"),
    ("cron(0/0 2 * * ? *)", "step '/0' must be a positive number"),
    ("cron(5-1 2 * * ? *)", "range '5-1' runs backwards"),
    ("cron(0 2 ? * 2#6 *)", "'#6' must be #1 to #5"),
    (" cron(0 2 * * ? *)", "is not of the form cron("),
])
def test_invalid(expression, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("?", r"\?").replace("*", r"\*").replace("#", r"\#")):
        check_cron(expression)
