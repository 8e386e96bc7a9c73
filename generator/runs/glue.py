"""The Glue calls of `run`, `status` and `resume`: start, read, list and resume workflow runs.

Each call goes through `generator.adopt.read.aws_errors`, so missing credentials, access denied,
an unknown workflow, an unreachable endpoint and throttling past botocore's retries are the
same one-line errors (exit 2) as in `import` and `drift`; the refusals particular to runs
(too many concurrent runs, a run Glue will not resume) say what to do about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.adopt.read import Connection, Shape, aws_errors
from generator.errors import LiveError
from generator.runs.record import EPOCH, RunRecord, from_answer, from_run

RUNS_PAGE = 100  # GetWorkflowRuns MaxResults (the service allows 1-1,000)
RUNS_READ = 1_000  # at most this many runs are read to find the latest (Glue keeps 90 days of them)


@dataclass(frozen=True)
class Workflow:
    """What GetWorkflow says that a run needs: the defaults its properties merge over."""

    name: str
    default_run_properties: dict[str, str]
    max_concurrent_runs: int | None
    last_run: str | None  # the id of its latest run (LastRun), if any


def workflow(connection: Connection, name: str) -> Workflow:
    with aws_errors("glue:GetWorkflow", name, connection.region):
        answer = connection.glue.get_workflow(Name=name, IncludeGraph=False)
    shape = Shape(answer, "", f"GetWorkflow {name}").get("Workflow").required()
    return Workflow(name, shape.get("DefaultRunProperties").strings(), shape.get("MaxConcurrentRuns").number(),
                    shape.get("LastRun").get("WorkflowRunId").text())


def start(connection: Connection, found: Workflow, properties: Mapping[str, str], listing: str) -> str:
    """StartWorkflowRun; `listing` is the command that lists the workflow's runs, for the refusal."""
    limit = f" ({found.max_concurrent_runs})" if found.max_concurrent_runs else ""
    refusals = {"ConcurrentRunsExceededException":
                f"workflow '{found.name}' already runs as many runs at once as its max_concurrent_runs{limit} allows: "
                f"wait for one to end ({listing} lists them), or raise max_concurrent_runs in the spec"}
    with aws_errors("glue:StartWorkflowRun", found.name, connection.region, refusals):
        arguments = {"Name": found.name, **({"RunProperties": dict(properties)} if properties else {})}
        answer = connection.glue.start_workflow_run(**arguments)
    return Shape(answer, "", "StartWorkflowRun").get("RunId").required().text()


def run(connection: Connection, name: str, run_id: str, listing: str) -> RunRecord:
    """GetWorkflowRun with the graph: every node, with its job runs and crawls."""
    refusals = {"EntityNotFoundException": f"workflow '{name}' has no run '{run_id}' in {connection.region} "
                f"(Glue keeps run history for 90 days; {listing} lists the latest)"}
    with aws_errors("glue:GetWorkflowRun", name, connection.region, refusals):
        answer = connection.glue.get_workflow_run(Name=name, RunId=run_id, IncludeGraph=True)
    return from_answer(answer, f"GetWorkflowRun {run_id}")


def runs(connection: Connection, name: str, limit: int, listing: str) -> list[RunRecord]:
    """The workflow's latest `limit` runs with their graphs, newest first. Glue's API does not say in
    which order GetWorkflowRuns lists runs (moto lists the oldest first), so every page is read
    without graphs (up to RUNS_READ runs) and sorted by start; then GetWorkflowRun reads the graph
    of each run kept."""
    token = None
    found: list[RunRecord] = []
    while len(found) < RUNS_READ:
        arguments = {"Name": name, "IncludeGraph": False, "MaxResults": RUNS_PAGE}
        if token:
            arguments["NextToken"] = token
        with aws_errors("glue:GetWorkflowRuns", name, connection.region):
            answer = connection.glue.get_workflow_runs(**arguments)
        shape = Shape(answer, "", "GetWorkflowRuns")
        found += [from_run(item) for item in shape.get("Runs").items()]
        token = shape.get("NextToken").text()
        if not token:
            break
    found.sort(key=lambda record: record.started or EPOCH, reverse=True)
    return [run(connection, name, record.run_id, listing) for record in found[:limit]]


def resume(connection: Connection, name: str, run_id: str, node_ids: list[str], listing: str) -> tuple[str, tuple[str, ...]]:
    """ResumeWorkflowRun: the new run's id and the nodes Glue actually restarted."""
    refusals = {
        "IllegalWorkflowStateException": f"Glue refuses to resume run '{run_id}': it is not in a state that can be resumed",
        "ConcurrentRunsExceededException": f"workflow '{name}' already runs as many runs at once as its "
                                           f"max_concurrent_runs allows: wait for one to end ({listing} lists "
                                           "them), then resume",
        "InvalidInputException": f"Glue refuses to resume run '{run_id}' from those nodes",
        "EntityNotFoundException": f"workflow '{name}' has no run '{run_id}' in {connection.region}",
    }
    with aws_errors("glue:ResumeWorkflowRun", name, connection.region, refusals):
        answer = connection.glue.resume_workflow_run(Name=name, RunId=run_id, NodeIds=node_ids)
    shape = Shape(answer, "", "ResumeWorkflowRun")
    restarted = tuple(item.text() or "" for item in shape.get("NodeIds").items())
    new = shape.get("RunId").required().text()
    if not new:
        raise LiveError(f"ResumeWorkflowRun: Glue returned no run id for the resumed run of '{run_id}'")
    return new, restarted
