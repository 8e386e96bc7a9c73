"""Hand-built Glue workflows in the shapes issue 10 lists, as boto3 creates them (never by gluegen),
and the `LiveWorkflow` each must read back as.

Each shape is the CreateWorkflow arguments plus CreateTrigger arguments (with `StartOnCreation`
for the triggers that are active). `create(glue, shape)` builds it on a Glue API (moto);
`expected_live(shape)` says, independently of the reader, what a read must give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from emulator import emulator
from generator.adopt.live import LiveAction, LiveCondition, LiveJob, LiveTrigger, LiveWorkflow


@dataclass(frozen=True)
class Shape:
    name: str  # the test id, and the fixture's file name
    workflow: dict[str, Any]  # CreateWorkflow arguments
    triggers: tuple[dict[str, Any], ...]  # CreateTrigger arguments


def _job(name: str, **options: Any) -> dict[str, Any]:
    return {"JobName": name, **options}


def _when(*conditions: tuple[str, str, str], logical: str = "AND") -> dict[str, Any]:
    found = []
    for kind, name, state in conditions:
        if kind == "job":
            found.append({"LogicalOperator": "EQUALS", "JobName": name, "State": state})
        else:
            found.append({"LogicalOperator": "EQUALS", "CrawlerName": name, "CrawlState": state})
    return {"Logical": logical, "Conditions": found}


DEV_TAGS = {"Environment": "dev", "Project": "MetricCare"}

# The seed's real deployment: three layers of three jobs, one trigger per layer, workspace-prefixed names.
LAYERED = Shape(
    "layered",
    {"Name": "dev-metriccare", "Description": "MetricCare ETL workflow chaining Bronze → Silver → Gold jobs",
     "Tags": DEV_TAGS},
    (
        {"Name": "dev-bronze_layer-trigger", "WorkflowName": "dev-metriccare", "Type": "ON_DEMAND",
         "Actions": [_job("dev-bronze-claims"), _job("dev-bronze-members"), _job("dev-bronze-providers")], "Tags": DEV_TAGS},
        {"Name": "dev-silver_layer-trigger", "WorkflowName": "dev-metriccare", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "dev-bronze-claims", "SUCCEEDED"), ("job", "dev-bronze-members", "SUCCEEDED"),
                            ("job", "dev-bronze-providers", "SUCCEEDED")),
         "Actions": [_job("dev-silver-claims"), _job("dev-silver-members"), _job("dev-silver-providers")], "Tags": DEV_TAGS},
        {"Name": "dev-gold_layer-trigger", "WorkflowName": "dev-metriccare", "Type": "CONDITIONAL", "StartOnCreation": True,
         # listed out of the layer's order, as hand-built triggers often are: the spec must keep it
         "Predicate": _when(("job", "dev-silver-providers", "SUCCEEDED"), ("job", "dev-silver-claims", "SUCCEEDED"),
                            ("job", "dev-silver-members", "SUCCEEDED")),
         "Actions": [_job("dev-gold-claims"), _job("dev-gold-members"), _job("dev-gold-kpis")], "Tags": DEV_TAGS},
    ),
)

# A fan-out and fan-in, ANY on one condition and on two, a failure branch, and one clean-up job
# started by two triggers (one per failure), one of them on two states of one job.
FANOUT = Shape(
    "fanout",
    {"Name": "claims-fan", "Tags": {"team": "claims"}},
    (
        {"Name": "kickoff", "WorkflowName": "claims-fan", "Type": "ON_DEMAND", "Actions": [_job("ingest")],
         "Tags": {"team": "claims"}},
        {"Name": "claims-fan-split", "WorkflowName": "claims-fan", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "ingest", "SUCCEEDED"), logical="ANY"),
         "Actions": [_job("claims"), _job("members")], "Tags": {"team": "claims"}},
        {"Name": "claims-fan-early", "WorkflowName": "claims-fan", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "claims", "SUCCEEDED"), ("job", "members", "SUCCEEDED"), logical="ANY"),
         "Actions": [_job("early_report")], "Tags": {"team": "claims"}},
        {"Name": "claims-fan-join", "WorkflowName": "claims-fan", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "claims", "SUCCEEDED"), ("job", "members", "SUCCEEDED")),
         "Actions": [_job("publish")], "Tags": {"team": "claims"}},
        {"Name": "claims-fan-claims-failed", "WorkflowName": "claims-fan", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "claims", "FAILED")), "Actions": [_job("cleanup")], "Tags": {"team": "claims"}},
        {"Name": "claims-fan-members-failed", "WorkflowName": "claims-fan", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "members", "FAILED"), ("job", "members", "TIMEOUT"), logical="ANY"),
         "Actions": [_job("cleanup")], "Tags": {"team": "claims"}},
    ),
)

# Crawler conditions and crawler actions, mixed with jobs in one trigger; a crawler action's timeout.
CRAWLERS = Shape(
    "crawlers",
    {"Name": "lake-crawl"},
    (
        {"Name": "lake-crawl-start", "WorkflowName": "lake-crawl", "Type": "ON_DEMAND",
         "Actions": [{"CrawlerName": "raw-crawler", "Timeout": 30}, _job("land")]},
        {"Name": "lake-crawl-refine", "WorkflowName": "lake-crawl", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("crawler", "raw-crawler", "SUCCEEDED"), ("job", "land", "SUCCEEDED")),
         "Actions": [_job("refine"), {"CrawlerName": "curated-crawler"}]},
        {"Name": "lake-crawl-cancelled", "WorkflowName": "lake-crawl", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("crawler", "raw-crawler", "CANCELLED")), "Actions": [_job("notify")]},
    ),
)

# A scheduled start, an active conditional trigger and a deactivated one.
SCHEDULED = Shape(
    "scheduled",
    {"Name": "nightly"},
    (
        {"Name": "nightly-start", "WorkflowName": "nightly", "Type": "SCHEDULED", "Schedule": "cron(0 2 * * ? *)",
         "StartOnCreation": True, "Actions": [_job("extract")]},
        {"Name": "nightly-load", "WorkflowName": "nightly", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "extract", "SUCCEEDED")), "Actions": [_job("load")]},
        {"Name": "nightly-backfill", "WorkflowName": "nightly", "Type": "CONDITIONAL",
         "Predicate": _when(("job", "extract", "FAILED")), "Actions": [_job("backfill")]},
    ),
)

# An EVENT start with batching (its EventBridge rule lives elsewhere).
EVENT = Shape(
    "event",
    {"Name": "landing-events"},
    (
        {"Name": "landing-events-start", "WorkflowName": "landing-events", "Type": "EVENT",
         "EventBatchingCondition": {"BatchSize": 5, "BatchWindow": 300}, "Actions": [_job("ingest_batch")]},
        {"Name": "landing-events-index", "WorkflowName": "landing-events", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Predicate": _when(("job", "ingest_batch", "SUCCEEDED")), "Actions": [_job("index")]},
    ),
)

# Every action option, run properties, max concurrent runs, descriptions, tags; a paused schedule.
OPTIONS = Shape(
    "options",
    {"Name": "ledger", "Description": "General ledger close", "DefaultRunProperties": {"--env": "prod", "region": "eu"},
     "MaxConcurrentRuns": 2, "Tags": {"owner": "finance", "cost-center": "42"}},
    (
        {"Name": "ledger-start", "WorkflowName": "ledger", "Type": "SCHEDULED", "Schedule": "cron(30 4 ? * MON-FRI *)",
         "Description": "Weekday close",
         "Actions": [_job("ledger-extract", Arguments={"--layer": "bronze", "--input": "s3://ledger/raw/"}, Timeout=60,
                          SecurityConfiguration="ledger-kms", NotificationProperty={"NotifyDelayAfter": 15})],
         "Tags": {"owner": "finance", "cost-center": "42"}},
        {"Name": "ledger-post", "WorkflowName": "ledger", "Type": "CONDITIONAL", "StartOnCreation": True,
         "Description": "Post the entries",
         "Predicate": _when(("job", "ledger-extract", "SUCCEEDED")),
         "Actions": [_job("ledger-post", Arguments={"--mode": "final"}, Timeout=120, NotificationProperty={"NotifyDelayAfter": 30})],
         "Tags": {"owner": "finance", "cost-center": "42"}},
    ),
)

SHAPES = (LAYERED, FANOUT, CRAWLERS, SCHEDULED, EVENT, OPTIONS)


# The seed's nine jobs behind LAYERED, as its hand-written Terraform made them: one role, Glue 5.0,
# G.1X workers, retries and a timeout, and one block of fifteen default arguments they all share;
# each its own script and a --layer/--entity pair.
JOB_ROLE = "arn:aws:iam::123456789012:role/metriccare-dev-glue"
SHARED_ARGUMENTS = {
    "--enable-metrics": "",
    "--enable-continuous-cloudwatch-log": "true",
    "--enable-spark-ui": "true",
    "--spark-event-logs-path": "s3://metriccare-dev-glue/sparkui/",
    "--enable-glue-datacatalog": "true",
    "--enable-job-insights": "true",
    "--enable-observability-metrics": "true",
    "--enable-auto-scaling": "true",
    "--datalake-formats": "delta",
    "--conf": "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension "
              "--conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "--TempDir": "s3://metriccare-dev-glue/temp/",
    "--job-language": "python",
    "--job-bookmark-option": "job-bookmark-disable",
    "--extra-py-files": "s3://metriccare-dev-glue/libs/common.zip",
    "--environment": "dev",
}


def _seed_job(layer: str, entity: str, **options: Any) -> dict[str, Any]:
    return {
        "Name": f"dev-{layer}-{entity}", "Role": JOB_ROLE,
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://metriccare-dev-glue/scripts/{layer}/{entity}.py",
                    "PythonVersion": "3"},
        "DefaultArguments": {**SHARED_ARGUMENTS, "--layer": layer, "--entity": entity},
        "GlueVersion": "5.0", "WorkerType": "G.1X", "NumberOfWorkers": 2, "MaxRetries": 1, "Timeout": 60,
        "Tags": DEV_TAGS, **options,
    }


SEED_JOBS = tuple(_seed_job(layer, entity) for layer, entities in (
    ("bronze", ("claims", "members", "providers")), ("silver", ("claims", "members", "providers")),
    ("gold", ("claims", "members", "kpis"))) for entity in entities)


def create(glue, shape: Shape) -> None:
    glue.create_workflow(**shape.workflow)
    for trigger in shape.triggers:
        glue.create_trigger(**trigger)


def _sorted(mapping: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((mapping or {}).items()))


def _live_trigger(trigger: dict[str, Any], tags: bool) -> LiveTrigger:
    conditions = []
    for condition in trigger.get("Predicate", {}).get("Conditions", []):
        if "JobName" in condition:
            conditions.append(LiveCondition("job", condition["JobName"], condition["State"]))
        else:
            conditions.append(LiveCondition("crawler", condition["CrawlerName"], condition["CrawlState"]))
    actions = tuple(
        LiveAction(
            kind="job" if "JobName" in action else "crawler",
            name=action.get("JobName") or action["CrawlerName"],
            arguments=_sorted(action.get("Arguments")),
            timeout=action.get("Timeout"),
            notify_delay_after=action.get("NotificationProperty", {}).get("NotifyDelayAfter"),
            security_configuration=action.get("SecurityConfiguration"),
        )
        for action in trigger["Actions"]
    )
    batching = trigger.get("EventBatchingCondition", {})
    active = trigger.get("StartOnCreation", False) and trigger["Type"] != "ON_DEMAND"
    return LiveTrigger(
        name=trigger["Name"],
        type=trigger["Type"],
        state="ACTIVATED" if active else "CREATED",
        description=trigger.get("Description"),
        schedule=trigger.get("Schedule"),
        logical=trigger["Predicate"]["Logical"] if conditions else None,
        conditions=tuple(conditions),  # in the order they were created with: AWS keeps it
        actions=actions,
        batch_size=batching.get("BatchSize") if trigger["Type"] == "EVENT" else None,
        batch_window=batching.get("BatchWindow") if trigger["Type"] == "EVENT" else None,
        tags=_sorted(trigger.get("Tags")) if tags else None,
    )


def expected_live(shape: Shape, *, tags: bool = True) -> LiveWorkflow:
    """What reading `shape` must give; `tags=False`: as from a get-workflow document (no tags)."""
    workflow = shape.workflow
    return LiveWorkflow(
        name=workflow["Name"],
        description=workflow.get("Description"),
        default_run_properties=_sorted(workflow.get("DefaultRunProperties")),
        max_concurrent_runs=workflow.get("MaxConcurrentRuns"),
        tags=_sorted(workflow.get("Tags")) if tags else None,
        triggers=tuple(sorted((_live_trigger(t, tags) for t in shape.triggers), key=lambda t: t.name)),
    )


def create_jobs(glue, jobs: tuple[dict[str, Any], ...] = SEED_JOBS) -> None:
    for job in jobs:
        glue.create_job(**job)


def expected_job(job: dict[str, Any]) -> LiveJob:
    """What reading a job created with `job` (CreateJob arguments) on moto must give (moto reads every
    job back with ExecutionClass STANDARD, as Glue does)."""
    command = job["Command"]
    return LiveJob(
        name=job["Name"], role=job["Role"], command=command["Name"], script_location=command["ScriptLocation"],
        python_version=command.get("PythonVersion"), glue_version=job.get("GlueVersion"),
        worker_type=job.get("WorkerType"), number_of_workers=job.get("NumberOfWorkers"),
        max_capacity=job.get("MaxCapacity"), default_arguments=_sorted(job.get("DefaultArguments")),
        non_overridable_arguments=_sorted(job.get("NonOverridableArguments")),
        connections=tuple(job.get("Connections", {}).get("Connections", ())), max_retries=job.get("MaxRetries"),
        timeout=job.get("Timeout"), max_concurrent_runs=job.get("ExecutionProperty", {}).get("MaxConcurrentRuns"),
        execution_class=job.get("ExecutionClass", "STANDARD"), security_configuration=job.get("SecurityConfiguration"),
        notify_delay_after=job.get("NotificationProperty", {}).get("NotifyDelayAfter"),
        description=job.get("Description"), tags=_sorted(job.get("Tags")),
    )


@pytest.fixture(scope="module")
def moto_shapes():
    """One moto server holding every shape (a fixture: test modules import it by name)."""
    with emulator() as aws:
        glue = aws.client("glue")
        for shape in SHAPES:
            create(glue, shape)
        yield aws
