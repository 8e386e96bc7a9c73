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


# Where each model sits in a spec, as YAML that gives every required field, with `{key}` for the key under test.
NULL_PLACES = {
    "Spec": HEAD + "stages: {bronze: {}}\n{key}:\n",
    "Workflow": "version: 1\nmodule: etl\nworkflow:\n  name: etl\n  {key}:\nstages: {bronze: {}}\n",
    "Start": HEAD + "stages: {bronze: {}}\nstart:\n  {key}:\n",
    "EventStart": HEAD + "stages: {bronze: {}}\nstart:\n  event:\n    s3: {bucket: landing}\n    {key}:\n",
    "S3Source": HEAD + "stages: {bronze: {}}\nstart:\n  event:\n    s3:\n      bucket: landing\n      {key}:\n",
    "Stage": HEAD + "stages:\n  bronze: {}\n  silver:\n    after: [bronze]\n    {key}:\n",
    "Alerts": HEAD + "stages: {bronze: {}}\nalerts:\n  {key}:\n",
}


def _optional_fields():
    from generator import model

    for name, template in NULL_PLACES.items():
        cls = getattr(model, name)
        for key, field in cls.model_fields.items():
            if not field.is_required() and not (name == "Stage" and key == "after"):
                text = template
                if (name, key) == ("EventStart", "s3"):  # the other source, so only the null is wrong
                    text = text.replace("s3: {bucket: landing}", "pattern: {source: [aws.s3]}")
                yield pytest.param(text.replace("{key}", key), key, id=f"{name}.{key}")


@pytest.mark.parametrize("text,key", list(_optional_fields()))
def test_every_optional_key_refuses_null_and_says_what_to_write(text, key):
    (message,) = problems(text)
    assert f".{key}: " in message or f": {key}: " in message
    assert ", not null; " in message
    assert message.split("; ", 1)[1].startswith(("remove the key", "write "))


@pytest.mark.parametrize("text,message", [
    (HEAD + "stages: {bronze: {}}\nalerts:\n", "s.yaml:6:8: alerts: must be a mapping, not null; write 'alerts: {}' "
     "for alerts on FAILED, TIMEOUT and STOPPED, or remove the key for none"),
    (HEAD + "stages: {bronze: {}}\ndashboard:\n", "s.yaml:6:11: dashboard: must be true or false, not null; "
     "remove the key for the default (false)"),
    (HEAD + "stages: {bronze: {}}\ntags:\n", "s.yaml:6:6: tags: must be a mapping, not null; remove the key for the default ({})"),
    (HEAD + "stages:\n  bronze:\n", "s.yaml:6:10: stages.bronze: must be a mapping, not null; "
     "write 'bronze: {}' for a stage with the default options"),
    (HEAD + "stages: {bronze: {timeout: ~}}\n", "s.yaml:5:28: stages.bronze.timeout: must be a whole number, not null; "
     "remove the key to leave it unset"),
    (HEAD + "stages: {bronze: {}}\nalerts: {states: null}\n", "s.yaml:6:18: alerts.states: must be a list, not null; "
     "remove the key for the default ([FAILED, TIMEOUT, STOPPED])"),
    ("version: 1\nmodule: etl\nworkflow:\nstages: {bronze: {}}\n", "s.yaml:3:10: workflow: must be a mapping, not null"),
])
def test_null_messages(text, message):
    assert problems(text) == [message]
