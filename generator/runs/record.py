"""A workflow run as Glue reports it: `GetWorkflowRun` (with `IncludeGraph`) parsed into plain data.

The shapes are those of botocore's Glue service model (2017-03-31): `WorkflowRun`,
`WorkflowGraph`, `Node`, `TriggerNodeDetails`, `JobNodeDetails` (`JobRun`), `CrawlerNodeDetails`
(`Crawl`) and `WorkflowRunStatistics`. Parsing goes through the reader of `import` and `drift`
(`generator.adopt.read`), so a malformed answer is one located line, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from generator.adopt.live import LiveTrigger, Pairs, pairs
from generator.adopt.read import Shape, trigger_from
from generator.errors import LiveError

# WorkflowRunStatus: RUNNING | COMPLETED | STOPPING | STOPPED | ERROR
FINISHED_RUN_STATES = ("COMPLETED", "STOPPED", "ERROR")
# JobRunState and CrawlState values that end an attempt without success.
FAILED_STATES = ("FAILED", "TIMEOUT", "ERROR", "STOPPED", "CANCELLED", "EXPIRED")
# ... and those of an attempt still under way.
UNDER_WAY_STATES = ("STARTING", "RUNNING", "STOPPING", "WAITING", "CANCELLING")
# WorkflowRunStatistics members that count actions which did not succeed.
FAILURE_COUNTS = ("FailedActions", "TimeoutActions", "ErroredActions", "StoppedActions")
EPOCH = datetime.fromtimestamp(0, timezone.utc)


@dataclass(frozen=True)
class Attempt:
    """One job run (a `JobRun`) or crawl (a `Crawl`) of a node."""

    state: str
    started: datetime | None = None
    completed: datetime | None = None
    error: str | None = None
    run_id: str | None = None  # a job run's Id (crawls have none)
    trigger: str | None = None  # a job run's TriggerName: the trigger that started it
    execution_time: int | None = None  # seconds, as Glue bills them (ExecutionTime)
    dpu_seconds: float | None = None  # DPUSeconds: Glue gives it for Flex and auto-scaling runs only
    log_group: str | None = None


@dataclass(frozen=True)
class NodeRun:
    """A job or crawler node of the run's graph, with its attempts oldest first (retries follow)."""

    node_id: str  # UniqueId: what ResumeWorkflowRun takes
    kind: str  # "job" or "crawler"
    name: str
    attempts: tuple[Attempt, ...] = ()

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def state(self) -> str | None:
        """The node's outcome: its last attempt's state (None: never attempted in this run)."""
        return self.last.state if self.last else None

    @property
    def started(self) -> datetime | None:
        return self.attempts[0].started if self.attempts else None

    @property
    def completed(self) -> datetime | None:
        return self.last.completed if self.last else None


@dataclass(frozen=True)
class TriggerNode:
    node_id: str
    trigger: LiveTrigger


@dataclass(frozen=True)
class RunRecord:
    """One workflow run: its status and, where Glue gave the graph, every node's attempts."""

    workflow: str
    run_id: str
    status: str
    started: datetime | None = None
    completed: datetime | None = None
    error: str | None = None
    previous_run_id: str | None = None
    properties: Pairs = ()
    statistics: tuple[tuple[str, int], ...] | None = None  # WorkflowRunStatistics, by member name
    nodes: tuple[NodeRun, ...] = ()  # job and crawler nodes, in the graph's order
    triggers: tuple[TriggerNode, ...] = ()
    has_graph: bool = False

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_RUN_STATES

    def statistic(self, name: str) -> int:
        return dict(self.statistics or ()).get(name, 0)

    @property
    def failed_actions(self) -> int:
        """Actions Glue counts as failed, timed out, errored or stopped (0 without statistics)."""
        return sum(self.statistic(name) for name in FAILURE_COUNTS)

    def node(self, kind: str, name: str) -> NodeRun | None:
        return next((node for node in self.nodes if node.kind == kind and node.name == name), None)


def hms(moment: datetime | None, missing: str = "?") -> str:
    """A moment as messages and views show it: its time of day in UTC (the run's own clock)."""
    return moment.astimezone(timezone.utc).strftime("%H:%M:%S") if moment else missing


def _time(shape: Shape) -> datetime | None:
    """A timestamp: botocore gives datetimes; a recorded document (`aws glue ... --output json`) ISO text."""
    value = shape.value
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, timezone.utc)
    if isinstance(value, str):
        try:
            found = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise LiveError(f"{shape.source}: {shape.path}: not a timestamp: {value[:40]!r}") from None
        return found if found.tzinfo else found.replace(tzinfo=timezone.utc)
    raise LiveError(f"{shape.source}: {shape.path}: not a timestamp")


def _job_attempt(shape: Shape) -> Attempt:
    return Attempt(
        state=shape.get("JobRunState").required().text(),
        started=_time(shape.get("StartedOn")),
        completed=_time(shape.get("CompletedOn")),
        error=shape.get("ErrorMessage").text() or None,
        run_id=shape.get("Id").text(),
        trigger=shape.get("TriggerName").text(),
        execution_time=shape.get("ExecutionTime").number(),
        dpu_seconds=shape.get("DPUSeconds").decimal(),
        log_group=shape.get("LogGroupName").text(),
    )


def _crawl(shape: Shape) -> Attempt:
    return Attempt(
        state=shape.get("State").required().text(),
        started=_time(shape.get("StartedOn")),
        completed=_time(shape.get("CompletedOn")),
        error=shape.get("ErrorMessage").text() or None,
        log_group=shape.get("LogGroup").text(),
    )


def _ordered(found: list[tuple[Any, Attempt]]) -> tuple[Attempt, ...]:
    """Oldest first, by the sort key each attempt came with (stable for equal keys)."""
    return tuple(attempt for _, attempt in sorted(found, key=lambda item: item[0]))


def from_run(run: Shape) -> RunRecord:
    """A `WorkflowRun` structure (the `Run` of GetWorkflowRun, or one of GetWorkflowRuns' `Runs`)."""
    nodes, triggers = [], []
    graph = run.get("Graph")
    for node in graph.get("Nodes").items():
        kind = node.get("Type").required().text()
        node_id = node.get("UniqueId").required().text()
        name = node.get("Name").required().text()
        if kind == "TRIGGER":
            triggers.append(TriggerNode(node_id, trigger_from(node.get("TriggerDetails").get("Trigger").required())))
        elif kind == "JOB":
            runs = node.get("JobDetails").get("JobRuns").items()
            # by Attempt (0 first, then each retry), as listed where Glue gives none
            found = [((item.get("Attempt").number() or 0, index), _job_attempt(item)) for index, item in enumerate(runs)]
            nodes.append(NodeRun(node_id, "job", name, _ordered(found)))
        elif kind == "CRAWLER":
            crawls = [_crawl(item) for item in node.get("CrawlerDetails").get("Crawls").items()]
            found = [((crawl.started or EPOCH, index), crawl) for index, crawl in enumerate(crawls)]
            nodes.append(NodeRun(node_id, "crawler", name, _ordered(found)))
        else:
            raise LiveError(f"{node.source}: {node.get('Type').path}: '{kind}' is not a Glue node type (CRAWLER, JOB, TRIGGER)")
    statistics = run.get("Statistics")
    counts = None
    if statistics.value is not None:
        if not isinstance(statistics.value, dict):
            raise LiveError(f"{statistics.source}: {statistics.path}: expected an object")
        counts = tuple(sorted((key, statistics.get(key).number() or 0) for key in statistics.value))
    return RunRecord(
        workflow=run.get("Name").required().text(),
        run_id=run.get("WorkflowRunId").required().text(),
        status=run.get("Status").required().text(),
        started=_time(run.get("StartedOn")),
        completed=_time(run.get("CompletedOn")),
        error=run.get("ErrorMessage").text() or None,
        previous_run_id=run.get("PreviousRunId").text() or None,
        properties=pairs(run.get("WorkflowRunProperties").strings()),
        statistics=counts,
        nodes=tuple(nodes),
        triggers=tuple(triggers),
        has_graph=graph.value is not None,
    )


def from_answer(answer: dict[str, Any], source: str) -> RunRecord:
    """The answer of GetWorkflowRun: `{"Run": WorkflowRun}`."""
    return from_run(Shape(answer, "", source).get("Run").required())
