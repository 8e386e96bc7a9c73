"""Values the jobs' templates lay out: one `aws_glue_job` per job the spec defines (`jobs.tf`),
and the role the module creates for them when the spec asks (`job_role.tf`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.render import hcl
from generator.render.views import suffixed_name, tags_expression
from generator.spec import names
from generator.spec.jobs import READ_ARGUMENTS, WORK_PATH_ARGUMENTS
from generator.spec.plan import JobDefinition, Plan

JOB_ROLE_ARN = "var.job_role_arn"
JOB_ROLE = "aws_iam_role.job.arn"
# The AWS managed policy for Glue's service role: CloudWatch logs and metrics, the catalog,
# EC2 network interfaces for connections, and the `aws-glue-*` buckets (IAM user guide,
# "Step 2: Create an IAM role for AWS Glue").
SERVICE_POLICY = "service-role/AWSGlueServiceRole"
S3_ARN = "arn:${data.aws_partition.current.partition}:s3:::"


def spec_name(job: JobDefinition) -> str:
    """The name the spec gives the job: its exact `name` as a literal, else `"${var.workflow_name}-<suffix>"`."""
    return hcl.string(job.name) if job.name is not None else suffixed_name(job.suffix)


def name_expression(job: JobDefinition) -> str:
    """The job's `name`: an environment's `jobs` entry for its key, else the spec's name."""
    return f"lookup(var.jobs, {hcl.string(job.key)}, {spec_name(job)})"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _tags(job: JobDefinition, plan: Plan) -> str:
    module_tags = tags_expression(plan)
    return f"merge({module_tags}, {hcl.mapping(job.tags, 2)})" if job.tags else module_tags


def job_view(job: JobDefinition, plan: Plan) -> dict[str, Any]:
    pairs: list[tuple[str, str]] = [("name", name_expression(job))]
    if job.description is not None:
        pairs.append(("description", hcl.string(job.description)))
    pairs += [("role_arn", JOB_ROLE if plan.job_role else JOB_ROLE_ARN), ("glue_version", hcl.string(job.glue_version))]
    if job.worker_type is not None:
        pairs.append(("worker_type", hcl.string(job.worker_type)))
    if job.number_of_workers is not None:
        pairs.append(("number_of_workers", str(job.number_of_workers)))
    if job.max_capacity is not None:
        pairs.append(("max_capacity", _number(job.max_capacity)))
    if job.max_retries is not None:
        pairs.append(("max_retries", str(job.max_retries)))
    if job.timeout is not None:
        pairs.append(("timeout", str(job.timeout)))
    if job.execution_class is not None:
        pairs.append(("execution_class", hcl.string(job.execution_class)))
    if job.job_run_queuing_enabled is not None:
        pairs.append(("job_run_queuing_enabled", "true" if job.job_run_queuing_enabled else "false"))
    if job.security_configuration is not None:
        pairs.append(("security_configuration", hcl.string(job.security_configuration)))
    if job.connections:
        pairs.append(("connections", hcl.value(list(job.connections), 2)))
    if job.default_arguments:
        pairs.append(("default_arguments", hcl.mapping(sorted(job.default_arguments), 2)))
    if job.non_overridable_arguments:
        pairs.append(("non_overridable_arguments", hcl.mapping(sorted(job.non_overridable_arguments), 2)))
    pairs.append(("tags", _tags(job, plan)))
    command = [("name", hcl.string(job.command)), ("script_location", hcl.string(job.script_location))]
    if job.python_version is not None:
        command.append(("python_version", hcl.string(job.python_version)))
    blocks = [("command", hcl.attributes(command, 4))]
    if job.max_concurrent_runs is not None:  # pitfall 7: no empty block
        blocks.append(("execution_property", hcl.attributes([("max_concurrent_runs", str(job.max_concurrent_runs))], 4)))
    if job.notify_delay_after is not None:
        blocks.append(("notification_property", hcl.attributes([("notify_delay_after", str(job.notify_delay_after))], 4)))
    return {"address": job.key, "attributes": hcl.attributes(pairs, 2), "blocks": blocks}


def jobs_view(plan: Plan) -> dict[str, Any]:
    role = "the module's own, in job_role.tf" if plan.job_role else "var.job_role_arn"
    return {"jobs": [job_view(job, plan) for job in plan.jobs], "role": role}


@dataclass(frozen=True, order=True)
class S3Location:
    bucket: str
    key: str  # an object key, or a prefix without its trailing "/" ("" for the whole bucket)


def s3_location(uri: str) -> S3Location | None:
    """`s3://bucket/key` split, or None for anything else (a local path, a placeholder)."""
    text = uri.strip()
    if not text.startswith("s3://"):
        return None
    bucket, _, key = text[len("s3://"):].partition("/")  # not urlsplit: "?" and "#" are key characters
    return S3Location(bucket, key.lstrip("/")) if bucket else None


def _arguments(job: JobDefinition) -> dict[str, str]:
    # A non-overridable argument wins over a default one at run time.
    return {**dict(job.default_arguments), **dict(job.non_overridable_arguments)}


def script_objects(plan: Plan) -> list[S3Location]:
    """The objects the jobs read: their scripts, and the files their extra-files arguments name."""
    found = set()
    for job in plan.jobs:
        location = s3_location(job.script_location)
        if location is not None and location.key:
            found.add(location)
        arguments = _arguments(job)
        for argument in READ_ARGUMENTS:
            for item in arguments.get(argument, "").split(","):
                location = s3_location(item)
                if location is not None and location.key:
                    found.add(location)
    return sorted(found)


def work_paths(plan: Plan) -> list[S3Location]:
    """The S3 prefixes the jobs write to: the paths their --TempDir and --spark-event-logs-path name."""
    found = set()
    for job in plan.jobs:
        arguments = _arguments(job)
        for argument in WORK_PATH_ARGUMENTS:
            location = s3_location(arguments.get(argument, ""))
            if location is not None:
                found.add(S3Location(location.bucket, location.key.rstrip("/")))
    return sorted(found)


# Characters IAM reads in a resource or StringLike value (wildcards, policy variables), and how
# a policy names them literally (IAM user guide, "IAM policy elements: Variables and tags", special characters).
_IAM_SPECIAL = {"*": "${*}", "?": "${?}", "$": "${$}"}


def iam_literal(text: str) -> str:
    """`text` as IAM reads it literally: an S3 key holding `*` names that object, not every object."""
    return "".join(_IAM_SPECIAL.get(char, char) for char in text)


def _s3_arn(text: str, wildcard: str = "") -> str:
    """`"arn:<partition>:s3:::<text><wildcard>"`: the text as data to IAM and to HCL, then the wildcard."""
    return f'"{S3_ARN}' + hcl.string(iam_literal(text) + wildcard)[1:]


def _statement(sid: str, actions: list[str], resources: list[str], condition: str | None = None) -> dict[str, str | None]:
    pairs = [("sid", hcl.string(sid)), ("actions", hcl.value(actions, 4)),
             ("resources", hcl.value([hcl.Expr(resource) for resource in resources], 4))]
    return {"attributes": hcl.attributes(pairs, 4), "condition": condition}


def _prefix_condition(prefixes: list[str]) -> str:
    values = hcl.value([item for prefix in map(iam_literal, prefixes) for item in (prefix, f"{prefix}/*")], 6)
    return hcl.attributes([("test", '"StringLike"'), ("variable", '"s3:prefix"'), ("values", values)], 6)


def job_role_view(plan: Plan) -> dict[str, Any]:
    """The jobs' role: Glue may assume it for this account only; the service policy, read of the
    scripts (and extra files), read and write of the work paths, nothing else in S3."""
    statements = []
    objects = script_objects(plan)
    if objects:
        statements.append(_statement("ReadScripts", ["s3:GetObject"], [_s3_arn(f"{o.bucket}/{o.key}") for o in objects]))
    paths = work_paths(plan)
    if paths:
        statements.append(_statement(
            "WorkPaths", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            [_s3_arn(f"{path.bucket}/{path.key}/" if path.key else f"{path.bucket}/", "*") for path in paths],
        ))
    whole = sorted({path.bucket for path in paths if not path.key})
    listed = sorted({path.bucket for path in paths if path.key and path.bucket not in whole})
    if listed:  # listing only under the work paths
        prefixes = sorted({path.key for path in paths if path.key and path.bucket in listed})
        statements.append(_statement("ListWorkPaths", ["s3:ListBucket"], [_s3_arn(bucket) for bucket in listed],
                                     _prefix_condition(prefixes)))
    if whole:  # a work path that is a whole bucket
        statements.append(_statement("ListWorkBuckets", ["s3:ListBucket"], [_s3_arn(bucket) for bucket in whole]))
    trust = hcl.attributes(
        [("test", '"StringEquals"'), ("variable", '"aws:SourceAccount"'),
         ("values", "[data.aws_caller_identity.current.account_id]")], 6)
    return {
        "role_name": names.JOB_ROLE.expression,
        "description": hcl.string("Lets this module's Glue jobs run: the Glue service policy, their scripts and work paths."),
        "tags": tags_expression(plan),
        "trust_condition": trust,
        "service_policy": f'"arn:${{data.aws_partition.current.partition}}:iam::aws:policy/{SERVICE_POLICY}"',
        "statements": statements,
    }
