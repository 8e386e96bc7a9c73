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


# The plan-time reading (generator.spec.cron.SHAPE and item_patterns, which a module's
# `schedule` variable checks with) agrees with check_cron; tests/render/test_inputs.py
# runs the same list through terraform itself.
import re  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.spec import cron  # noqa: E402

GOOD = [
    "cron(0 2 * * ? *)", "cron(15 10 ? * 6L 2022-2023)", "cron(0/15 * * * ? *)", "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)", "cron(0 10 ? * 2#1 *)", "cron(0 0 LW * ? *)", "cron(0 0 15W JAN,JUL ? *)",
    "cron(00 02 * * ? *)", "cron( 0 2 * * ? * )", "cron(0 2 ? * sun,Sat *)", "cron(*/5 1-3/2 L jan-mar ? 2199)",
    "cron(59 23 31 12 ? 1970)", "cron(0 2 ? * L *)", "cron(0 2 ? * monL *)", "cron(0 2 1,15 * ? *)",
]
BAD = [
    "0 2 * * ? *", "cron(0 2 * * *)", "cron(0 2 * * * *)", "cron(0 2 ? * ? *)", "cron(61 2 * * ? *)",
    "cron(0 24 * * ? *)", "cron(0 2 * 13 ? *)", "cron(0 2 ? * FOO *)", "cron(0 2 * * ? 1969)", "cron(? 2 * * ? *)",
    "cron(0/0 2 * * ? *)", "cron(0 2 ? * 2#6 *)", " cron(0 2 * * ? *)", "cron(0 2 * * ? *) ", "cron(0 2 0W * ? *)",
    "cron(0 2 ? * 0L *)", "cron(0 2 ? * LL *)", "cron(0 2 1,,2 * ? *)", "cron(0 2 L/2 * ? *)", "cron(0\t2 * * ? *)",
    "cron(0 2 * * ? * *)", "cron(0 2 ?/2 * ? *)", "cron(0 2 * * ? 2200)", "cron(é 2 * * ? *)", "cron(0 2 * JAN-FOO ? *)",
    "cron(1-2-3 2 * * ? *)", "cron(0 2 * * MON *)", "cron(0 2 15L * ? *)", "cron(0 2 ? * 3W *)", "cron(0 2 ? * #2 *)",
]


def plan_time_accepts(expression: str) -> bool:
    """What the module's `schedule` validations accept, evaluated with Python's re."""
    shape = re.fullmatch(cron.SHAPE.removeprefix("^").removesuffix("$"), expression)
    if not shape:
        return False
    fields = shape.groups()
    for field, (_, pattern) in zip(fields, cron.item_patterns(), strict=True):
        if not all(re.fullmatch(pattern.removeprefix("^").removesuffix("$"), item) for item in field.split(",")):
            return False
    return sum(fields[index] == "?" for index in cron.QUESTION_FIELDS) == 1


def python_accepts(expression: str) -> bool:
    try:
        check_cron(expression)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("expression", GOOD + BAD)
def test_plan_time_patterns_agree_with_check_cron(expression):
    assert plan_time_accepts(expression) == python_accepts(expression)


def test_the_lists_hold_what_they_say():
    assert all(map(python_accepts, GOOD)) and not any(map(python_accepts, BAD))


def test_a_backwards_range_is_the_one_difference():
    """Documented in the module README: the plan lets `5-1` through, Glue refuses it at apply."""
    assert plan_time_accepts("cron(5-1 2 * * ? *)") and not python_accepts("cron(5-1 2 * * ? *)")


_PIECES = st.sampled_from(["*", "?", "L", "W", "#", "/", "-", ",", "0", "1", "5", "7", "12", "31", "59", "60",
                           "1970", "2199", "MON", "jan", "FRI", "LW", "3#2", "6L", "15W", "0/15", "1-5"])
_FIELD = st.lists(_PIECES, min_size=1, max_size=3).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_FIELD, min_size=5, max_size=7))
def test_generated_crons_agree(fields):
    expression = f"cron({' '.join(fields)})"
    try:
        check_cron(expression)
    except ValueError as error:
        if "runs backwards" in str(error):  # the one rule only check_cron sees
            return
    assert plan_time_accepts(expression) == python_accepts(expression), expression


@pytest.mark.parametrize("low,high", [(0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199), (1, 1000), (7, 7)])
def test_number_pattern_matches_exactly_the_range(low, high):
    pattern = re.compile(cron.number_pattern(low, high))
    for value in range(0, 2500):
        for text in (str(value), f"0{value}", f"00{value}"):
            assert bool(pattern.fullmatch(text)) == (low <= value <= high), text
