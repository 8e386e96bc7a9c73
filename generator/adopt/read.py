"""Read a live Glue workflow: from AWS through boto3, or from a recorded
`aws glue get-workflow --name W --include-graph` document.

Both paths parse the same `Trigger` shapes (botocore's Glue service model, 2017-03-31) with
the same code, so a recording and a live read of one workflow give equal `LiveWorkflow`s
(but for tags, which get-workflow does not return). Dependencies are rebuilt from each
trigger's predicate, never from the graph's edges, which lose states and AND/ANY (pitfall 20).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from generator.adopt.live import (
    GLUE_BATCH_WINDOW, TRIGGER_STATES, LiveAction, LiveCondition, LiveJob, LiveTrigger, LiveWorkflow, pairs,
)
from generator.errors import LiveError, Throttled, WorkflowNotFound

INSTALL_HINT = "boto3 is not installed: install gluegen with its AWS extra, pip install 'gluegen[aws]'"
DEFAULT_ATTEMPTS = 10  # total attempts per call, unless AWS_MAX_ATTEMPTS or the profile's max_attempts says otherwise
_ACCESS_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnrecognizedClientException",
                  "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch"}
_EXPIRED = {"ExpiredTokenException", "ExpiredToken", "RequestExpired"}
_THROTTLED = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
              "ProvisionedThroughputExceededException", "SlowDown"}


class Shape:
    """One value of a document, with its path for messages: `Workflow.Graph.Nodes[2].Type`."""

    def __init__(self, value: Any, path: str, source: str) -> None:
        self.value, self.path, self.source = value, path, source

    def _fail(self, wanted: str) -> LiveError:
        return LiveError(f"{self.source}: {self.path}: expected {wanted}, found {json.dumps(self.value)[:60]}")

    def get(self, key: str) -> Shape:
        """The member `key`; of an absent value, absent too (optional structures nest)."""
        if self.value is not None and not isinstance(self.value, dict):
            raise self._fail("an object")
        return Shape(None if self.value is None else self.value.get(key), f"{self.path}.{key}" if self.path else key, self.source)

    def required(self) -> Shape:
        if self.value is None:
            raise LiveError(f"{self.source}: {self.path}: missing")
        return self

    def items(self) -> list[Shape]:
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            raise self._fail("a list")
        return [Shape(item, f"{self.path}[{index}]", self.source) for index, item in enumerate(self.value)]

    def text(self) -> str | None:
        if self.value is not None and not isinstance(self.value, str):
            raise self._fail("a string")
        return self.value

    def number(self) -> int | None:
        if self.value is not None and (isinstance(self.value, bool) or not isinstance(self.value, int)):
            raise self._fail("an integer")
        return self.value

    def decimal(self) -> float | None:
        if self.value is not None and (isinstance(self.value, bool) or not isinstance(self.value, (int, float))):
            raise self._fail("a number")
        return None if self.value is None else float(self.value)

    def flag(self) -> bool | None:
        if self.value is not None and not isinstance(self.value, bool):
            raise self._fail("a boolean")
        return self.value

    def strings(self) -> dict[str, str]:
        if self.value is None:
            return {}
        if not isinstance(self.value, dict) or not all(isinstance(v, str) for v in self.value.values()):
            raise self._fail("an object of strings")
        return self.value


def _action(shape: Shape) -> LiveAction:
    job, crawler = shape.get("JobName").text(), shape.get("CrawlerName").text()
    if (job is None) == (crawler is None):
        raise LiveError(f"{shape.source}: {shape.path}: an action names exactly one of JobName and CrawlerName")
    return LiveAction(
        kind="job" if job is not None else "crawler",
        name=job if job is not None else crawler,
        arguments=pairs(shape.get("Arguments").strings()),
        timeout=shape.get("Timeout").number(),
        notify_delay_after=shape.get("NotificationProperty").get("NotifyDelayAfter").number(),
        security_configuration=shape.get("SecurityConfiguration").text(),
    )


def _condition(shape: Shape) -> LiveCondition:
    job, crawler = shape.get("JobName").text(), shape.get("CrawlerName").text()
    if (job is None) == (crawler is None):
        raise LiveError(f"{shape.source}: {shape.path}: a condition names exactly one of JobName and CrawlerName")
    operator = shape.get("LogicalOperator").text()
    if operator not in (None, "EQUALS"):
        raise LiveError(f"{shape.source}: {shape.path}.LogicalOperator: '{operator}' is not a Glue operator (EQUALS)")
    if job is not None:
        return LiveCondition("job", job, shape.get("State").required().text())
    return LiveCondition("crawler", crawler, shape.get("CrawlState").required().text())


# Glue's enums (botocore's service model: TriggerType, TriggerState, Logical): anything else is not
# a Trigger this gluegen understands, and guessing would plan a replacement (a trigger's type forces one).
TRIGGER_TYPES = ("SCHEDULED", "CONDITIONAL", "ON_DEMAND", "EVENT")
LOGICALS = ("AND", "ANY")


def _one_of(shape: Shape, key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise LiveError(f"{shape.source}: {shape.get(key).path}: '{value}' is not a Glue value ({', '.join(allowed)})")


def trigger_from(shape: Shape, tags: dict[str, str] | None = None) -> LiveTrigger:
    """A `Trigger` structure of the Glue API (GetTriggers, or a graph node's TriggerDetails)."""
    predicate = shape.get("Predicate")
    # In AWS's order: the provider's `predicate.conditions` is a list, so order is part of the plan.
    conditions = tuple(_condition(item) for item in predicate.get("Conditions").items())
    trigger_type = shape.get("Type").required().text()
    batching = shape.get("EventBatchingCondition")
    batch_size = batching.get("BatchSize").number() if batching.value is not None else None
    batch_window = batching.get("BatchWindow").number() if batching.value is not None else None
    if trigger_type == "EVENT":  # an EVENT trigger always batches: Glue's defaults when unset
        batch_size = batch_size if batch_size is not None else 1
        batch_window = batch_window if batch_window is not None else GLUE_BATCH_WINDOW
    state = shape.get("State").required().text()
    _one_of(shape, "Type", trigger_type, TRIGGER_TYPES)
    _one_of(shape, "State", state, TRIGGER_STATES)
    if conditions:
        _one_of(predicate, "Logical", predicate.get("Logical").text() or "AND", LOGICALS)
    return LiveTrigger(
        name=shape.get("Name").required().text(),
        type=trigger_type,
        state=state,
        description=shape.get("Description").text() or None,
        schedule=shape.get("Schedule").text(),
        logical=(predicate.get("Logical").text() or "AND") if conditions else None,
        conditions=conditions,
        actions=tuple(_action(item) for item in shape.get("Actions").items()),
        batch_size=batch_size,
        batch_window=batch_window,
        tags=pairs(tags) if tags is not None else None,
    )


def job_from(shape: Shape, tags: dict[str, str] | None = None) -> LiveJob:
    """A `Job` structure of the Glue API (BatchGetJobs, GetJob)."""
    command = shape.get("Command")
    source = shape.get("SourceControlDetails")
    provider, repository = source.get("Provider").text(), source.get("Repository").text()
    connections = shape.get("Connections").get("Connections")
    return LiveJob(
        name=shape.get("Name").required().text(),
        role=shape.get("Role").required().text(),
        command=command.get("Name").required().text(),
        script_location=command.get("ScriptLocation").required().text(),
        python_version=command.get("PythonVersion").text() or None,
        runtime=command.get("Runtime").text() or None,
        glue_version=shape.get("GlueVersion").text() or None,
        worker_type=shape.get("WorkerType").text() or None,
        number_of_workers=shape.get("NumberOfWorkers").number(),
        max_capacity=shape.get("MaxCapacity").decimal(),
        default_arguments=pairs(shape.get("DefaultArguments").strings()),
        non_overridable_arguments=pairs(shape.get("NonOverridableArguments").strings()),
        connections=tuple(item.text() or "" for item in connections.items()),
        max_retries=shape.get("MaxRetries").number(),
        timeout=shape.get("Timeout").number(),
        max_concurrent_runs=shape.get("ExecutionProperty").get("MaxConcurrentRuns").number(),
        execution_class=shape.get("ExecutionClass").text() or None,
        job_run_queuing_enabled=shape.get("JobRunQueuingEnabled").flag(),
        security_configuration=shape.get("SecurityConfiguration").text() or None,
        notify_delay_after=shape.get("NotificationProperty").get("NotifyDelayAfter").number(),
        description=shape.get("Description").text() or None,
        maintenance_window=shape.get("MaintenanceWindow").text() or None,
        source_control=(" ".join(part for part in (provider, repository) if part) or "set") if source.value else None,
        visual=bool(shape.get("CodeGenConfigurationNodes").value),
        profile_name=shape.get("ProfileName").text() or None,
        tags=pairs(tags) if tags is not None else None,
    )


def _workflow(shape: Shape, triggers: list[LiveTrigger], tags: dict[str, str] | None) -> LiveWorkflow:
    blueprint = shape.get("BlueprintDetails")
    blueprint_name = blueprint.get("BlueprintName").text() if blueprint.value is not None else None
    return LiveWorkflow(
        name=shape.get("Name").required().text(),
        description=shape.get("Description").text() or None,
        default_run_properties=pairs(shape.get("DefaultRunProperties").strings()),
        max_concurrent_runs=shape.get("MaxConcurrentRuns").number(),
        tags=pairs(tags) if tags is not None else None,
        triggers=tuple(sorted(triggers, key=lambda trigger: trigger.name)),
        blueprint=f"{blueprint_name} (run {blueprint.get('RunId').text()})" if blueprint_name else None,
    )


def _graph_triggers(workflow: Shape) -> list[Shape]:
    return [node.get("TriggerDetails").get("Trigger").required()
            for node in workflow.get("Graph").get("Nodes").items() if node.get("Type").text() == "TRIGGER"]


def from_json(text: str, source: str) -> LiveWorkflow:
    """The output of `aws glue get-workflow --name W --include-graph` (tags unknown: it has none)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise LiveError(f"{source}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    root = Shape(document, "", source)
    if not isinstance(document, dict) or not isinstance(document.get("Workflow"), dict):
        raise LiveError(f"{source}: not the output of `aws glue get-workflow --include-graph`: it has no 'Workflow' object")
    workflow = root.get("Workflow")
    if workflow.get("Graph").value is None:
        raise LiveError(f"{source}: Workflow.Graph: missing; record the workflow with `aws glue get-workflow "
                        "--name NAME --include-graph`, which returns its triggers")
    name = workflow.get("Name").required().text()
    triggers = [trigger_from(shape) for shape in _graph_triggers(workflow)]
    for trigger, shape in zip(triggers, _graph_triggers(workflow), strict=True):
        owner = shape.get("WorkflowName").text()
        if owner not in (None, name):
            raise LiveError(f"{source}: {shape.path}.WorkflowName: trigger '{trigger.name}' belongs to workflow '{owner}', not '{name}'")
    return _workflow(workflow, triggers, None)


# ---- AWS -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """A Glue client and what GetTags needs to name this account's resources."""

    glue: Any
    account: str
    region: str
    partition: str
    endpoint: str

    def arn(self, kind: str, name: str) -> str:
        return f"arn:{self.partition}:glue:{self.region}:{self.account}:{kind}/{name}"


def _botocore():
    try:
        import boto3
        import botocore.exceptions
        from botocore.config import Config
    except ImportError:
        raise LiveError(INSTALL_HINT) from None
    return boto3, botocore.exceptions, Config


def _one_line(message: str) -> str:
    """An error message on one line; from an XML body (moto answers Glue's JSON API so on a denial), its <Message>."""
    found = re.search(r"<Message>(.*?)</Message>", message, re.S)
    if not found and message.lstrip().startswith("<"):  # an HTML error page (a proxy, an emulator's 500)
        return "an HTML error page, not an AWS answer"
    return " ".join((found.group(1) if found else message).split())


@contextmanager
def aws_errors(what: str, workflow: str | None = None, region: str | None = None,
               refusals: Mapping[str, str] | None = None) -> Iterator[None]:
    """Each way a call to AWS fails, as one line: `what` is the call, for the message;
    `refusals`: error code -> what it means here (AWS's own message follows it)."""
    _, exceptions, _ = _botocore()
    try:
        yield
    except exceptions.NoCredentialsError:
        raise LiveError("no AWS credentials found: set AWS_PROFILE or pass --profile, or set AWS_ACCESS_KEY_ID "
                        "and AWS_SECRET_ACCESS_KEY") from None
    except exceptions.ProfileNotFound as error:
        raise LiveError(f"no AWS profile {error.kwargs.get('profile')!r} in the AWS config files") from None
    except exceptions.NoRegionError:
        raise LiveError("no AWS region: pass --region or set AWS_REGION") from None
    except exceptions.EndpointConnectionError as error:
        raise LiveError(f"cannot reach AWS at {error.kwargs.get('endpoint_url')}: {what} failed") from None
    except exceptions.ClientError as error:
        info, meta = error.response.get("Error", {}), error.response.get("ResponseMetadata", {})
        code, message = info.get("Code", ""), _one_line(info.get("Message", ""))
        attempts = meta.get("RetryAttempts", 0) + 1
        if refusals and code in refusals:
            raise LiveError(f"{refusals[code]} ({code}: {message})" if message else refusals[code]) from None
        if code == "EntityNotFoundException" and workflow is not None:
            raise WorkflowNotFound(f"no Glue workflow named '{workflow}' in {region}") from None
        if code in _EXPIRED:
            raise LiveError(f"the AWS credentials have expired: {what}: {message or code}; renew them "
                            "(aws sso login, or new STS credentials) and try again") from None
        if code in _ACCESS_DENIED or meta.get("HTTPStatusCode") == 403:
            raise LiveError(f"access denied: {what}: {message or code}") from None
        if code in _THROTTLED:
            raise Throttled(f"AWS throttled {what} {attempts} times in a row; try again later "
                            "(AWS_MAX_ATTEMPTS raises the number of attempts)") from None
        raise LiveError(f"{what} failed: {code}: {message}") from None
    except exceptions.BotoCoreError as error:
        raise LiveError(f"{what} failed: {error}") from None


def connect(region: str | None = None, profile: str | None = None, endpoint_url: str | None = None) -> Connection:
    """A Glue client (with botocore's standard retries, backing off on throttling) and the account."""
    boto3, _, Config = _botocore()
    with aws_errors("reading the AWS configuration"):
        session = boto3.Session(profile_name=profile, region_name=region)
        retries: dict[str, Any] = {"mode": "standard"}
        if session._session.get_config_variable("max_attempts") is None:
            retries["total_max_attempts"] = DEFAULT_ATTEMPTS
        config = Config(retries=retries)
        region = session.region_name
        if region is None:
            raise LiveError("no AWS region: pass --region or set AWS_REGION")
        try:
            glue = session.client("glue", endpoint_url=endpoint_url, config=config)
            sts = session.client("sts", endpoint_url=endpoint_url, config=config)
        except ValueError as error:  # botocore: "Invalid endpoint: ..."
            raise LiveError(f"--endpoint-url {endpoint_url}: {error}") from None
    with aws_errors("sts:GetCallerIdentity"):
        account = sts.get_caller_identity()["Account"]
    return Connection(glue, account, region, glue.meta.partition, glue.meta.endpoint_url)


def _tags(connection: Connection, kind: str, name: str) -> dict[str, str]:
    with aws_errors(f"glue:GetTags on {kind} '{name}'"):
        return connection.glue.get_tags(ResourceArn=connection.arn(kind, name)).get("Tags", {})


# BatchGetJobs takes at most this many names a call: botocore's service model gives the limit where
# it states one (JobNameList has none in botocore 1.44); else 25, the most any other Glue BatchGet*
# name list (Blueprints, DevEndpoints, Workflows) allows.
FALLBACK_JOB_BATCH = 25


def job_batch_size(glue: Any) -> int:
    names = glue.meta.service_model.operation_model("BatchGetJobs").input_shape.members["JobNames"]
    return int(names.metadata.get("max") or FALLBACK_JOB_BATCH)


def read_jobs(connection: Connection, names: tuple[str, ...]) -> tuple[tuple[LiveJob, ...], tuple[str, ...]]:
    """The jobs named (BatchGetJobs, in batches of the model's size), each with its tags (GetTags on
    its ARN), sorted by name; and the names Glue reported in JobsNotFound, sorted."""
    found: list[LiveJob] = []
    missing: set[str] = set()
    size = job_batch_size(connection.glue)
    for start in range(0, len(names), size):
        batch = list(names[start:start + size])
        with aws_errors("glue:BatchGetJobs"):
            answer = connection.glue.batch_get_jobs(JobNames=batch)
        shape = Shape(answer, "", "BatchGetJobs")
        missing |= {item.text() or "" for item in shape.get("JobsNotFound").items()}
        for item in shape.get("Jobs").items():
            name = item.get("Name").required().text()
            if name in batch:
                found.append(job_from(item, _tags(connection, "job", name)))
    return tuple(sorted(found, key=lambda job: job.name)), tuple(sorted(missing))


def from_api(connection: Connection, workflow: str, *, with_jobs: bool = False) -> LiveWorkflow:
    """GetWorkflow with IncludeGraph (each trigger node carries the whole trigger); where the
    graph is absent (moto), every GetTriggers page, keeping this workflow's; GetTags on each;
    `with_jobs`: every job a trigger starts or waits on too (`read_jobs`)."""
    glue = connection.glue
    with aws_errors("glue:GetWorkflow", workflow, connection.region):
        document = glue.get_workflow(Name=workflow, IncludeGraph=True)
    shape = Shape(document, "", f"GetWorkflow {workflow}").get("Workflow").required()
    if shape.get("Graph").value is not None:
        found = _graph_triggers(shape)
    else:
        found = []
        with aws_errors("glue:GetTriggers"):
            for page in glue.get_paginator("get_triggers").paginate():
                found += [item for item in Shape(page, "", "GetTriggers").get("Triggers").items()
                          if item.get("WorkflowName").text() == workflow]
    triggers = [trigger_from(item, _tags(connection, "trigger", item.get("Name").required().text())) for item in found]
    live = _workflow(shape, triggers, _tags(connection, "workflow", workflow))
    if not with_jobs:
        return live
    jobs, missing = read_jobs(connection, live.job_names())
    return replace(live, jobs=jobs, jobs_not_found=missing)
