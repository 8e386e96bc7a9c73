"""`job_defaults` merged under each job, as the README states it: maps (default_arguments,
non_overridable_arguments, tags) merge key by key with the job winning; every other value the
job sets (scalars, the connections list) replaces the default; what the job leaves out is inherited."""

from __future__ import annotations

from hypothesis import given, settings as hypothesis_settings, strategies as st

from generator.spec import jobs
from generator.spec.jobs import MAP_FIELDS, merge, merged_job
from generator.spec.model import Job, JobSettings

_KEYS = st.text(alphabet="-abcdefgh", min_size=1, max_size=4)
_MAPS = st.dictionaries(_KEYS, st.text(alphabet="xyz 12.", max_size=3), max_size=4)
_OTHER = {
    "glue_version": st.sampled_from(["3.0", "4.0", "5.0"]),
    "worker_type": st.sampled_from(["G.1X", "G.2X"]),
    "number_of_workers": st.integers(2, 20),
    "max_retries": st.integers(0, 10),
    "timeout": st.integers(1, 10080),
    "connections": st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3),
    "job_run_queuing_enabled": st.booleans(),
    "description": st.text(alphabet="abc \n", max_size=5),
}


def _settings() -> st.SearchStrategy[dict]:
    fields = {**{field: _MAPS for field in MAP_FIELDS}, **_OTHER}
    return st.fixed_dictionaries({}, optional=fields)


@given(defaults=_settings(), job=_settings())
def test_merge_is_the_documented_rule(defaults, job):
    merged = merge(defaults, job)
    assert set(merged) == set(defaults) | set(job)
    for field, value in merged.items():
        if field in MAP_FIELDS:
            expected = dict(defaults.get(field, {}))
            expected.update(job.get(field, {}))
            assert value == expected
            for name, item in job.get(field, {}).items():
                assert value[name] == item  # the job wins on a shared key
        elif field in job:
            assert value == job[field]  # scalars and lists are replaced, never merged
        else:
            assert value == defaults[field]  # inherited unchanged


@given(defaults=_settings(), job=_settings())
def test_merge_changes_neither_argument(defaults, job):
    before = (repr(defaults), repr(job))
    merge(defaults, job)
    assert (repr(defaults), repr(job)) == before


@given(defaults=_settings(), job=_settings())
@hypothesis_settings(max_examples=50)
def test_merging_validated_models_agrees_with_merging_what_they_set(defaults, job):
    """The models carry exactly what the spec wrote: unset maps are not an empty override."""
    script = {"script_location": "s3://bucket/job.py"}
    found = merged_job("k", JobSettings.model_validate(defaults), Job.model_validate({**job, **script}))
    expected = merge(defaults, {**job, **script})
    assert {field: value for field, value in found.values.items()} == expected
    assert found.own == frozenset(job) | {"script_location"}


def test_an_empty_map_on_the_job_keeps_the_defaults_and_an_empty_list_clears_them():
    found = merge({"default_arguments": {"--a": "1"}, "connections": ["vpc"]}, {"default_arguments": {}, "connections": []})
    assert found == {"default_arguments": {"--a": "1"}, "connections": []}


def test_a_refused_inherited_value_is_located_in_job_defaults_and_names_the_job():
    job = merged_job("notify", JobSettings(worker_type="G.1X", number_of_workers=2, glue_version="5.0"),
                     Job(command="pythonshell", script_location="s3://bucket/notify.py"))
    assert [(problem.path, problem.message.endswith("(inherited by jobs.notify)")) for problem in jobs.problems(job)] == [
        (("job_defaults", "worker_type"), True), (("job_defaults", "number_of_workers"), True),
    ]


def test_the_same_value_set_on_the_job_is_located_on_the_job():
    job = merged_job("notify", JobSettings(glue_version="5.0"),
                     Job(command="pythonshell", script_location="s3://bucket/n.py", worker_type="G.1X", number_of_workers=2))
    assert [problem.path for problem in jobs.problems(job)] == [
        ("jobs", "notify", "worker_type"), ("jobs", "notify", "number_of_workers"),
    ]


def test_what_glue_accepts_is_not_refused():
    accepted = [
        Job(script_location="s3://bucket/a.py", glue_version="5.0", worker_type="G.1X", number_of_workers=2,
            execution_class="FLEX", python_version="3"),
        Job(script_location="s3://bucket/a.py", glue_version="4.0", command="gluestreaming", worker_type="G.025X",
            number_of_workers=299),
        Job(script_location="s3://bucket/a.py", glue_version="3.0", command="pythonshell", python_version="3.9",
            max_capacity=0.0625),
        Job(script_location="s3://bucket/a.py", glue_version="5.0"),  # Glue's default workers
    ]
    for job in accepted:
        assert jobs.problems(merged_job("k", None, job)) == []


BARE_JOBS = """\
version: 1
module: m
workflow: {name: w}
jobs:
  etl4: {script_location: s3://bucket/a.py, glue_version: "4.0"}
  etl5: {script_location: s3://bucket/b.py, glue_version: "5.0"}
  stream: {script_location: s3://bucket/c.py, glue_version: "4.0", command: gluestreaming}
  shell: {script_location: s3://bucket/d.py, glue_version: "3.0", command: pythonshell}
  own: {script_location: s3://bucket/e.py, glue_version: "5.0", max_retries: 3, timeout: 30, execution_class: FLEX}
stages:
  etl4: {}
  etl5: {}
  stream: {}
  shell: {}
  own: {}
"""


def test_gluegen_writes_the_defaults_a_job_relies_on():
    """Issue 18: what a job leaves out is written as Glue's default for its command and Glue version
    (README, "gluegen writes every default it relies on"); what it sets is kept."""
    from generator.spec.load import load_plan

    found = {job.key: (job.max_retries, job.timeout, job.execution_class, job.max_capacity)
             for job in load_plan(BARE_JOBS, "m.yaml").jobs}
    assert found == {
        "etl4": (0, 2880, "STANDARD", None),
        "etl5": (0, 480, "STANDARD", None),
        "stream": (0, None, "STANDARD", None),  # a streaming job runs until stopped: no timeout to write
        "shell": (0, 2880, "STANDARD", 0.0625),  # Glue reads STANDARD back for every command
        "own": (3, 30, "FLEX", None),
    }
