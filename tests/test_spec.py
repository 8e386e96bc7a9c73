"""Reading a whole spec: YAML 1.2 scalars where strings are expected, and every problem at once."""

from __future__ import annotations

import pytest

from generator.errors import SpecError
from generator.spec import load_plan

HEAD = "version: 1\nmodule: etl\nworkflow:\n  name: etl\n"


def problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_plan(text, "s.yaml")
    return caught.value.lines()


def test_yes_no_on_off_are_plain_strings_where_strings_are_expected():
    text = HEAD.replace("name: etl\n", "name: etl\n  default_run_properties: {dry_run: no}\n") + (
        "stages:\n  bronze: {arguments: {--full: yes, --when: 1:30}}\ntags: {Backup: on, Since: 2024-01-01}\n"
    )
    plan = load_plan(text, "s.yaml")
    assert plan.default_run_properties == (("dry_run", "no"),)
    assert plan.triggers[0].actions[0].arguments == (("--full", "yes"), ("--when", "1:30"))
    assert plan.tags == (("Backup", "on"), ("Since", "2024-01-01"))
