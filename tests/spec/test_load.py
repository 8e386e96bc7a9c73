"""Reading a whole spec: YAML 1.2 scalars where strings are expected, and every problem at once."""

from __future__ import annotations

import pytest

from generator.errors import SpecError
from generator.spec.load import load_plan

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
    from generator.spec import model

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


def test_schema_reference_and_graph_problems_are_listed_together():
    text = HEAD + (
        "stages:\n  bronze: {timeout: 010}\n  silver: {aftr: [bronze]}\n"
        "  gold: {after: [silvr, platinum]}\n  platinum: {after: [gold]}\ntags: {Team: 'a&b'}\n"
    )
    assert problems(text) == [
        "s.yaml:6:21: stages.bronze.timeout: ambiguous number 010: YAML 1.1 reads it as octal 8, YAML 1.2 as 10; "
        "write 10, 0o10 for octal 8, or '010' for text",
        "s.yaml:7:12: stages.silver.aftr: unknown key 'aftr' (did you mean 'after'?)",
        "s.yaml:8:18: stages.gold.after[0]: unknown stage 'silvr' (did you mean 'silver'?)",
        "s.yaml:8:25: stages.gold.after[1]: dependency cycle: gold -> platinum -> gold",
        "s.yaml:10:14: tags.Team: '&' is not allowed in AWS tags: use letters, digits, spaces and _ . : / = + - @",
    ]


def test_a_stage_that_failed_validation_is_still_a_known_name_and_no_root_is_not_guessed():
    # silver fails validation; gold may name it, and nothing is said about roots or stages that can never run
    text = HEAD + "stages:\n  silver: {timeout: x}\n  gold: {after: {silver: FAILED}}\n  late: {after: [gold, nope]}\n"
    assert problems(text) == [
        "s.yaml:6:21: stages.silver.timeout: must be a whole number, not 'x'",
        "s.yaml:8:24: stages.late.after[1]: unknown stage 'nope'",
    ]


def test_when_every_stage_validated_the_whole_graph_is_checked_alongside_other_problems():
    text = HEAD + (
        "stages:\n  bronze: {}\n  ok: {after: [bronze]}\n  bad: {after: {bronze: FAILED}}\n  both: {after: [ok, bad]}\n"
        "dashboard: yes\n"
    )
    assert problems(text) == [
        "s.yaml:9:17: stages.both.after: stage 'both' can never run: it needs 'bronze' to end both SUCCEEDED and FAILED",
        "s.yaml:10:12: dashboard: must be true or false, not 'yes' (write true)",
    ]


@pytest.mark.parametrize("text", ["'" + "1" * 5000 + "'", "1_" + "1" * 5000, "0b" + "1" * 20000, "1" + ":59" * 2000])
def test_long_numbers_in_strings_never_reach_pythons_int_limit(text):
    (message,) = problems(HEAD + f"stages:\n  bronze: {{timeout: {text}}}\n")
    assert message.startswith("s.yaml:6:21: stages.bronze.timeout: must be a whole number, not '")
    assert "write" not in message[-80:], "no fix that would itself be refused"
