"""Glue job definitions: `job_defaults` merged under each of `jobs`, and the rules a merged job obeys.

The merge: the job's settings over `job_defaults`; the maps (`MAP_FIELDS`) merge key by key, the
job winning on a shared key; every other value (scalars, and the `connections` list) the job sets
replaces the default. A refused combination is located at the field that causes it: under
`jobs.<key>` when the job sets it, under `job_defaults` when the job inherits it.

Sources of the rules (each cited where it is checked): Glue's API model (botocore
`botocore/data/glue/2017-03-31/service-2.json`, CreateJob's documentation of WorkerType,
MaxCapacity, ExecutionClass and JobCommand.PythonVersion) and the provider's `aws_glue_job`
(hashicorp/terraform-provider-aws `internal/service/glue/job.go`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.spec.loader import Path
from generator.spec.model import MAX_WORKERS, Job, JobSettings, bucket_problem

MAP_FIELDS = ("default_arguments", "non_overridable_arguments", "tags")
PER_JOB_FIELDS = ("name", "name_suffix")  # a job's own: not in job_defaults
DEFAULT_COMMAND = "glueetl"  # the provider's command.name default
SPARK = ("glueetl", "gluestreaming")
# "G.4X ... available only for Glue version 3.0 or later Spark ETL jobs", "G.8X ... Glue version 3.0 or
# later", "G.025X ... only available for Glue version 3.0 or later streaming jobs" (WorkerType).
GLUE_3_WORKERS = ("G.4X", "G.8X", "G.025X")
# Arguments whose S3 paths the jobs' role (job_role.tf) grants: written to, and read.
WORK_PATH_ARGUMENTS = ("--TempDir", "--spark-event-logs-path")
READ_ARGUMENTS = ("--extra-py-files", "--extra-jars", "--extra-files")  # comma-separated lists
# JobCommand.PythonVersion: "2", "3" or "3.9" (^([2-3]|3[.]9)$; the provider's list too); 3.9 is
# the Python shell runtime of Glue 3.0 ("The Python version being used to run a Python shell job").
PYTHON_VERSIONS = {"glueetl": ("2", "3"), "gluestreaming": ("2", "3"), "pythonshell": ("2", "3", "3.9")}
COMMAND_NAMES = {"glueetl": "a Spark ETL job", "gluestreaming": "a Spark streaming job", "pythonshell": "a Python shell job"}
# Glue's defaults for what a job leaves out, which gluegen writes into jobs.tf so that the job means
# the same whatever Glue's current defaults are, and so that the plan after apply is empty (the
# provider's execution_class and max_retries are Optional without Computed: what Glue reads back for
# an unset one shows as a change to null). Sources: CreateJob (Timeout: "When the value is left blank,
# the timeout is defaulted to 2,880 minutes for Glue version 4.0 and earlier, or 480 minutes for Glue
# version 5.0 and later"; MaxCapacity: a Python shell job "can allocate either 0.0625 or 1 DPU. The
# default is 0.0625 DPU"; ExecutionClass: FLEX only for glueetl, STANDARD for every command),
# the provider's aws_glue_job (timeout: "null (unlimited) for gluestreaming jobs"; max_retries unset: 0).
DEFAULT_RETRIES = 0
# Written for every command: Glue (and moto) read STANDARD back for a job created without a class, for
# Python shell and streaming jobs too, and the provider's execution_class is not Computed, so leaving it
# out plans `STANDARD -> null` after every apply. Only glueetl may be FLEX; STANDARD is valid for all.
DEFAULT_EXECUTION_CLASS = "STANDARD"
PYTHON_SHELL_DEFAULT_CAPACITY = 0.0625
TIMEOUT_BEFORE_5 = 2880  # minutes, Glue 4.0 and earlier
TIMEOUT_FROM_5 = 480  # minutes, Glue 5.0 and later (and a version gluegen cannot compare, such as a new one)


def settings(model: JobSettings | None) -> dict[str, Any]:
    """The fields `model` sets (written in the spec), with their values."""
    if model is None:
        return {}
    return {field: getattr(model, field) for field in type(model).model_fields if field in model.model_fields_set}


def merge(defaults: Mapping[str, Any], job: Mapping[str, Any]) -> dict[str, Any]:
    """`job` over `defaults`: maps merge key by key (the job's value wins), everything else the job sets
    replaces the default. Pure: neither argument is changed."""
    merged = dict(defaults)
    for field, value in job.items():
        if field in MAP_FIELDS and field in defaults:
            merged[field] = {**defaults[field], **value}
        else:
            merged[field] = value
    return merged


@dataclass(frozen=True)
class Problem:
    """A refused setting of one merged job: where it is written, and why."""

    path: Path
    message: str
    key: bool = False  # locate at the key (the mapping of the job, for what it lacks)


@dataclass(frozen=True)
class MergedJob:
    """One job with `job_defaults` merged in, and where each value comes from."""

    key: str
    values: Mapping[str, Any]
    own: frozenset[str]  # the fields the job itself sets
    written: Mapping[str, Any] = field(default_factory=dict)  # their values, as the job writes them

    def get(self, field: str, default: Any = None) -> Any:
        return self.values.get(field, default)

    def own_values(self, field: str) -> Any:
        """The value the job itself writes for `field` (None when it inherits or leaves it unset)."""
        return self.written.get(field)

    @property
    def command(self) -> str:
        return self.values.get("command", DEFAULT_COMMAND)

    def path(self, field: str) -> Path:
        """Where `field`'s value is written: the job's own, else job_defaults'."""
        if field in self.own or field not in self.values:
            return ("jobs", self.key, field)
        return ("job_defaults", field)

    def problem(self, field: str, message: str) -> Problem:
        if field in self.own or field not in self.values:
            return Problem(self.path(field), message)
        return Problem(self.path(field), f"{message} (inherited by jobs.{self.key})")


def merged_job(key: str, defaults: JobSettings | None, job: Job) -> MergedJob:
    own = settings(job)
    return MergedJob(key, merge(settings(defaults), own), frozenset(own), own)


def _version(text: str | None) -> tuple[int, ...] | None:
    """"3.0" -> (3, 0); None for a version that is not dotted numbers."""
    if text is None:
        return None
    parts = text.split(".")
    return tuple(int(part) for part in parts) if all(part.isdigit() for part in parts) else None


def default_timeout(command: str, glue_version: str) -> int | None:
    """Glue's timeout for a job that sets none: by Glue version for batch jobs; none for streaming jobs,
    which run until stopped."""
    if command == "gluestreaming":
        return None
    version = _version(glue_version)
    return TIMEOUT_BEFORE_5 if version is not None and version < (5,) else TIMEOUT_FROM_5


def written_defaults(command: str, glue_version: str) -> dict[str, Any]:
    """The settings gluegen writes for a job that leaves them out: Glue's defaults for this command and
    Glue version, so the job never depends on what Glue defaults to later."""
    found: dict[str, Any] = {"max_retries": DEFAULT_RETRIES}
    timeout = default_timeout(command, glue_version)
    if timeout is not None:
        found["timeout"] = timeout
    found["execution_class"] = DEFAULT_EXECUTION_CLASS
    if command == "pythonshell":
        found["max_capacity"] = PYTHON_SHELL_DEFAULT_CAPACITY
    return found


def _before_3(glue_version: str | None) -> bool:
    version = _version(glue_version)
    return version is not None and version < (3,)


def problems(job: MergedJob) -> list[Problem]:
    """What Glue (or the provider) refuses in the merged job, each located at its cause."""
    found: list[Problem] = []
    for field, what in (("script_location", "s3://<bucket>/<key of the script>"), ("glue_version", 'a string such as "5.0"')):
        if field not in job.values:
            found.append(Problem(("jobs", job.key), (
                f"job '{job.key}' has no {field}: set it on the job or in job_defaults ({what})"), key=True))
    if job.get("name") is not None and job.get("name_suffix") is not None:
        found.append(job.problem("name_suffix", "give one of 'name' and 'name_suffix', not both"))
    command, kind = job.command, COMMAND_NAMES[job.command]
    glue_version = job.get("glue_version")
    worker_type, workers = job.get("worker_type"), job.get("number_of_workers")
    if command == "pythonshell":
        # MaxCapacity: a Python shell job allocates 0.0625 or 1 DPU; WorkerType lists Spark and Ray types only.
        for field in ("worker_type", "number_of_workers"):
            if job.get(field) is not None:
                found.append(job.problem(field, (
                    f"'{field}' is for Spark jobs: jobs.{job.key} is {kind} (command: pythonshell), which takes "
                    "max_capacity (0.0625 or 1) instead")))
    else:
        # MaxCapacity: "For Glue version 2.0+ jobs, you cannot specify a Maximum capacity. Instead, you should
        # specify a Worker type and the Number of workers"; the provider: max_capacity ConflictsWith both.
        if job.get("max_capacity") is not None:
            found.append(job.problem("max_capacity", (
                f"'max_capacity' is for Python shell jobs: jobs.{job.key} is {kind} (command: {command}), which "
                "takes worker_type and number_of_workers instead")))
        if (worker_type is None) != (workers is None):
            given, lacking = ("worker_type", "number_of_workers") if workers is None else ("number_of_workers", "worker_type")
            found.append(job.problem(given, (
                f"'{given}' needs '{lacking}': a Spark job gets number_of_workers workers of worker_type; "
                f"set both (on jobs.{job.key} or in job_defaults), or neither for Glue's default")))
    if worker_type == "G.025X" and command != "gluestreaming":
        found.append(job.problem("worker_type", (
            f"worker type G.025X is for streaming jobs only (command: gluestreaming); jobs.{job.key} is {kind}: "
            "use G.1X or larger")))
    elif worker_type in GLUE_3_WORKERS and _before_3(glue_version):
        found.append(job.problem("worker_type", (
            f"worker type {worker_type} needs Glue 3.0 or later, and jobs.{job.key} has glue_version "
            f"\"{glue_version}\": use G.1X or G.2X, or Glue 3.0 or later")))
    if worker_type in MAX_WORKERS and workers is not None and workers > MAX_WORKERS[worker_type]:
        found.append(job.problem("number_of_workers", (
            f"must be at most {MAX_WORKERS[worker_type]} with worker type {worker_type}, is {workers}")))
    # ExecutionClass: "Only jobs with Glue version 3.0 and above and command type glueetl will be allowed
    # to set ExecutionClass to FLEX."
    if job.get("execution_class") == "FLEX":
        if command != "glueetl":
            found.append(job.problem("execution_class", (
                f"FLEX is for Spark ETL jobs only (command: glueetl); jobs.{job.key} is {kind}: use STANDARD")))
        elif _before_3(glue_version):
            found.append(job.problem("execution_class", (
                f"FLEX needs Glue 3.0 or later, and jobs.{job.key} has glue_version \"{glue_version}\": "
                "use STANDARD or a later Glue version")))
    python = job.get("python_version")
    if python is not None and python not in PYTHON_VERSIONS[command]:
        allowed = " or ".join(f'"{version}"' for version in PYTHON_VERSIONS[command])
        found.append(job.problem("python_version", (
            f"python_version \"{python}\" is for Python shell jobs; jobs.{job.key} is {kind}, which takes {allowed}")))
    found += _path_problems(job)
    return found


def _path_problems(job: MergedJob) -> list[Problem]:
    """The S3 URIs of the arguments the jobs' role names must name real buckets: an IAM resource
    built from `s3://*/` would grant every bucket."""
    found = []
    for field in ("default_arguments", "non_overridable_arguments"):
        arguments = job.get(field) or {}
        for argument in (*WORK_PATH_ARGUMENTS, *READ_ARGUMENTS):
            value = arguments.get(argument)
            items = [value] if argument in WORK_PATH_ARGUMENTS else (value or "").split(",")
            for item in items:
                if not item or not item.strip().startswith("s3://"):
                    continue
                bucket = item.strip()[len("s3://"):].split("/", 1)[0]
                problem = bucket_problem(bucket)
                if problem is not None:
                    own = argument in (job.own_values(field) or {})
                    path = ("jobs", job.key, field, argument) if own else ("job_defaults", field, argument)
                    inherited = "" if own else f" (inherited by jobs.{job.key})"
                    found.append(Problem(path, f"'{bucket}' in '{item.strip()}' is not a valid S3 bucket name: "
                                               f"{problem}{inherited}"))
    return found
