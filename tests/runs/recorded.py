"""Recorded workflow runs (tests/fixtures/runs/*.json) served to gluegen through botocore's Stubber.

A recording holds the GetWorkflow answer and each run's final `WorkflowRun` document. While a
run is followed, Glue answers GetWorkflowRun with the run as it stands: `as_of` cuts the final
document back to a moment (attempts not yet started are absent, those under way RUNNING, the
run RUNNING until it completed), and `polls` gives one answer per moment at which anything
changed, so the watcher sees the run unfold as it would against Glue. Stubber checks every
answer against botocore's Glue service model, and every call's parameters against the test's.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.adopt import read
from generator.adopt.read import Connection
from generator.runs import commands, watch

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "runs"
REGION = "eu-west-1"
ACCOUNT = "123456789012"


def _times(value: Any) -> Any:
    """ISO timestamps as datetimes, as botocore hands them to gluegen."""
    if isinstance(value, dict):
        return {key: _times(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_times(item) for item in value]
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def load(name: str) -> dict[str, Any]:
    return _times(json.loads((FIXTURES / name).read_text()))


def _attempts(node: dict[str, Any]) -> list[dict[str, Any]]:
    return node.get("JobDetails", {}).get("JobRuns") or node.get("CrawlerDetails", {}).get("Crawls") or []


def moments(run: dict[str, Any]) -> list[datetime]:
    """Every moment at which something in the run changed, in order."""
    found = {run["StartedOn"]}
    for node in run.get("Graph", {}).get("Nodes", []):
        for attempt in _attempts(node):
            found |= {attempt[key] for key in ("StartedOn", "CompletedOn") if key in attempt}
    if "CompletedOn" in run:
        found.add(run["CompletedOn"])
    return sorted(found)


def as_of(run: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """The run as GetWorkflowRun shows it at `moment`."""
    seen = copy.deepcopy(run)
    for node in seen.get("Graph", {}).get("Nodes", []):
        details = node.get("JobDetails") or node.get("CrawlerDetails")
        if details is None:
            continue
        key = "JobRuns" if "JobRuns" in details else "Crawls"
        kept = []
        for attempt in details[key]:
            if attempt["StartedOn"] > moment:
                continue
            if attempt.get("CompletedOn") and attempt["CompletedOn"] > moment:
                for gone in ("CompletedOn", "ErrorMessage", "ExecutionTime", "DPUSeconds"):
                    attempt.pop(gone, None)
                attempt["JobRunState" if key == "JobRuns" else "State"] = "RUNNING"
            kept.append(attempt)
        details[key] = kept
    if run.get("CompletedOn") and run["CompletedOn"] > moment:
        seen.pop("CompletedOn")
        seen["Status"] = "RUNNING"
        seen.pop("Statistics", None)
    return seen


def polls(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Run": as_of(run, moment)} for moment in moments(run)]


@dataclass
class FakeClock:
    """The watcher's clock: sleeping advances it at once; `now` is the recording's last moment."""

    now_at: datetime
    elapsed: float = 0.0
    sleeps: list[float] = field(default_factory=list)
    interrupt: bool = False  # the next sleep is interrupted by Ctrl-C

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        if self.interrupt:
            raise KeyboardInterrupt
        self.sleeps.append(seconds)
        self.elapsed += seconds

    def now(self) -> datetime:
        return self.now_at


@dataclass
class Glue:
    """A real boto3 Glue client whose answers come from a recording, in the order the test queues them."""

    client: Any
    stubber: Stubber

    @classmethod
    def create(cls) -> Glue:
        client = boto3.client("glue", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        stubber = Stubber(client)
        stubber.activate()
        return cls(client, stubber)

    def connection(self) -> Connection:
        return Connection(self.client, ACCOUNT, REGION, "aws", f"https://glue.{REGION}.amazonaws.com")

    def answer(self, method: str, response: dict[str, Any], params: dict[str, Any] | None = None) -> None:
        self.stubber.add_response(method, response, params)

    def refuse(self, method: str, code: str, message: str = "", params: dict[str, Any] | None = None,
               status: int = 400) -> None:
        self.stubber.add_client_error(method, code, message, status, expected_params=params)

    def workflow(self, recording: dict[str, Any]) -> None:
        name = recording["workflow"]["Workflow"]["Name"]
        self.answer("get_workflow", recording["workflow"], {"Name": name, "IncludeGraph": False})

    def follows(self, run: dict[str, Any]) -> None:
        """The polls of a watcher following `run` from its start to its end."""
        for answer in polls(run):
            self.answer("get_workflow_run", answer, {"Name": run["Name"], "RunId": run["WorkflowRunId"], "IncludeGraph": True})

    def final(self, run: dict[str, Any]) -> None:
        self.answer("get_workflow_run", {"Run": run}, {"Name": run["Name"], "RunId": run["WorkflowRunId"], "IncludeGraph": True})

    def done(self) -> None:
        self.stubber.assert_no_pending_responses()


# ---- fixtures (imported by the test modules, as tests/adopt imports live_shapes' own: a conftest.py here
# would shadow tests/conftest.py for the modules that import from it) ------------------------------


@pytest.fixture
def glue(monkeypatch, aws_env):
    """A stubbed Glue client behind gluegen's AWS connection (`read.connect`), with the regions asked for."""
    stubbed = Glue.create()
    stubbed.regions = []

    def connect(region=None, profile=None, endpoint_url=None):
        stubbed.regions.append(region)
        return stubbed.connection()

    monkeypatch.setattr(read, "connect", connect)
    yield stubbed
    stubbed.stubber.deactivate()


@pytest.fixture
def clock(monkeypatch):
    """The watcher's clock, which does not sleep."""
    fake = FakeClock(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(commands, "CLOCK", watch.Clock(fake.monotonic, fake.sleep, fake.now))
    return fake
