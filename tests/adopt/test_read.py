"""Reading live workflows: from a moto server (workflows created with boto3, never by gluegen),
from recorded get-workflow documents, and every way a read fails."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from emulator import emulator
from dataclasses import replace

from generator.adopt.read import FALLBACK_JOB_BATCH, connect, from_api, from_json, job_batch_size, read_jobs
from generator.errors import LiveError, WorkflowNotFound
from live_shapes import (
    LAYERED, SCHEDULED, SEED_JOBS, SHAPES, create, create_jobs, expected_job, expected_live,
    moto_shapes,  # noqa: F401 (a fixture)
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adopt"


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_live_read_gives_every_trigger_condition_action_and_tag(shape, moto_shapes, aws_env):
    connection = connect("us-east-1", None, moto_shapes.endpoint)
    assert from_api(connection, shape.workflow["Name"]) == expected_live(shape)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_recorded_document_reads_as_the_live_workflow_but_for_tags(shape, moto_shapes, aws_env):
    path = FIXTURES / f"{shape.name}.get-workflow.json"
    recorded = from_json(path.read_text(encoding="utf-8"), path.name)
    live = from_api(connect("us-east-1", None, moto_shapes.endpoint), shape.workflow["Name"])
    untagged = live.__class__(**{**live.__dict__, "tags": None,
                                 "triggers": tuple(t.__class__(**{**t.__dict__, "tags": None}) for t in live.triggers)})
    assert recorded == untagged == expected_live(shape, tags=False)


def test_triggers_on_a_later_page_are_read(aws_env):
    """moto returns no graph, so triggers come from GetTriggers: 100 a page; ours sit on page 2."""
    with emulator() as aws:
        glue = aws.client("glue")
        glue.create_workflow(Name="noise")
        for index in range(105):
            glue.create_trigger(Name=f"noise-{index:03}", WorkflowName="noise", Type="ON_DEMAND",
                                Actions=[{"JobName": "j"}])
        create(glue, SCHEDULED)
        assert len(glue.get_triggers()["Triggers"]) == 100
        assert from_api(connect("us-east-1", None, aws.endpoint), "nightly") == expected_live(SCHEDULED)


def test_with_jobs_every_job_the_triggers_name_is_read_with_its_tags_and_a_missing_one_reported(aws_env):
    """The seed's nine jobs, but for the KPI job, which Glue reports in JobsNotFound."""
    present = [job for job in SEED_JOBS if job["Name"] != "dev-gold-kpis"]
    with emulator() as aws:
        glue = aws.client("glue")
        create(glue, LAYERED)
        create_jobs(glue, tuple(present))
        glue.create_job(Name="unrelated", Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://b/u.py"})
        live = from_api(connect("us-east-1", None, aws.endpoint), "dev-metriccare", with_jobs=True)
    jobs = tuple(sorted((expected_job(job) for job in present), key=lambda job: job.name))
    assert live == replace(expected_live(LAYERED), jobs=jobs, jobs_not_found=("dev-gold-kpis",))
    assert all(job.tags == (("Environment", "dev"), ("Project", "MetricCare")) for job in live.jobs)


def test_jobs_are_read_in_batches_no_larger_than_batch_get_jobs_takes(aws_env):
    """botocore 1.44's model gives JobNameList no maximum, so the fallback applies: 30 names are 25 + 5."""
    with emulator() as aws:
        glue = aws.client("glue")
        names = tuple(f"job-{index:02}" for index in range(30))
        for name in names:
            glue.create_job(Name=name, Role="arn:aws:iam::123456789012:role/r",
                            Command={"Name": "glueetl", "ScriptLocation": f"s3://b/{name}.py"})
        connection = connect("us-east-1", None, aws.endpoint)
        sizes: list[int] = []
        connection.glue.meta.events.register("provide-client-params.glue.BatchGetJobs",
                                             lambda params, **_: sizes.append(len(params["JobNames"])))
        jobs, missing = read_jobs(connection, (*names, "absent"))
    limit = connection.glue.meta.service_model.operation_model("BatchGetJobs").input_shape.members["JobNames"]
    assert job_batch_size(connection.glue) == limit.metadata.get("max", FALLBACK_JOB_BATCH) == 25
    assert sizes == [25, 6]
    assert [job.name for job in jobs] == list(names) and missing == ("absent",)


def test_no_such_workflow(moto_shapes, aws_env):
    with pytest.raises(WorkflowNotFound) as error:
        from_api(connect("us-east-1", None, moto_shapes.endpoint), "nope")
    assert str(error.value) == "no Glue workflow named 'nope' in us-east-1"


def test_no_credentials(aws_env):
    aws_env.delenv("AWS_ACCESS_KEY_ID")
    aws_env.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(LiveError) as error:
        connect("us-east-1", None, "http://127.0.0.1:9")
    assert str(error.value).startswith("no AWS credentials found: ")


def test_unknown_profile(aws_env):
    with pytest.raises(LiveError) as error:
        connect("us-east-1", "nobody", None)
    assert str(error.value) == "no AWS profile 'nobody' in the AWS config files"


def test_access_denied(aws_env):
    """moto with IAM checks on: a user without policies may not read the workflow."""
    aws_env.setenv("INITIAL_NO_AUTH_ACTION_COUNT", "3")  # create_user, create_access_key, create_workflow
    with emulator() as aws:
        iam = aws.client("iam")
        iam.create_user(UserName="reader")
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        aws.client("glue").create_workflow(Name="locked")
        aws_env.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        aws_env.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        with pytest.raises(LiveError) as error:
            from_api(connect("us-east-1", None, aws.endpoint), "locked")
    assert str(error.value).startswith("access denied: glue:GetWorkflow: ")
    assert str(error.value).endswith("is not authorized to perform: glue:GetWorkflow")
    assert "\n" not in str(error.value)


class _Throttling(BaseHTTPRequestHandler):
    """Answers STS's GetCallerIdentity, and every Glue call with ThrottlingException."""

    glue_calls = 0

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if b"GetCallerIdentity" in body:
            text = ('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
                    "<Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AID</UserId>"
                    "</GetCallerIdentityResult></GetCallerIdentityResponse>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
        else:
            type(self).glue_calls += 1
            text = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args) -> None:
        pass


def test_throttling_is_retried_with_backoff_then_reported(aws_env):
    aws_env.setenv("AWS_MAX_ATTEMPTS", "3")  # botocore's own setting; gluegen's default is 10
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(LiveError) as error:
            from_api(connect("us-east-1", None, f"http://127.0.0.1:{server.server_address[1]}"), "busy")
    finally:
        server.shutdown()
    assert _Throttling.glue_calls == 3
    assert str(error.value) == ("AWS throttled glue:GetWorkflow 3 times in a row; try again later "
                                "(AWS_MAX_ATTEMPTS raises the number of attempts)")


def test_default_retries_are_generous(moto_shapes, aws_env):
    connection = connect("us-east-1", None, moto_shapes.endpoint)
    retries = connection.glue.meta.config.retries
    assert retries["mode"] == "standard" and retries["total_max_attempts"] == 10


@pytest.mark.parametrize("name, message", [
    ("bad-syntax.json", "bad-syntax.json:1:48: not valid JSON: Expecting value"),
    ("bad-no-graph.json", "bad-no-graph.json: Workflow.Graph: missing; record the workflow with `aws glue get-workflow "
                          "--name NAME --include-graph`, which returns its triggers"),
    ("bad-not-get-workflow.json", "bad-not-get-workflow.json: not the output of `aws glue get-workflow --include-graph`: "
                                  "it has no 'Workflow' object"),
    ("bad-types.json", 'bad-types.json: Workflow.Graph.Nodes[0].TriggerDetails.Trigger.Actions[0].Timeout: expected an '
                       'integer, found "sixty"'),
])
def test_malformed_documents(name, message):
    with pytest.raises(LiveError) as error:
        from_json((FIXTURES / name).read_text(encoding="utf-8"), name)
    assert str(error.value) == message


@pytest.mark.parametrize("key, value, where, allowed", [
    ("Type", "FOO", "Trigger.Type", "SCHEDULED, CONDITIONAL, ON_DEMAND, EVENT"),
    ("State", "WEIRD", "Trigger.State", "CREATING, CREATED, ACTIVATING, ACTIVATED, DEACTIVATING, DEACTIVATED, "
                                        "DELETING, UPDATING"),
    ("Logical", "OR", "Trigger.Predicate.Logical", "AND, ANY"),
])
def test_values_outside_glues_enums_are_refused_with_their_path(key, value, where, allowed):
    """Guessing would be worse than stopping: a trigger read as another type is replaced by the plan."""
    document = json.loads((FIXTURES / "fanout.get-workflow.json").read_text(encoding="utf-8"))
    nodes = document["Workflow"]["Graph"]["Nodes"]
    index, node = next((i, n) for i, n in enumerate(nodes) if n.get("TriggerDetails", {}).get("Trigger", {}).get("Predicate"))
    trigger = node["TriggerDetails"]["Trigger"]
    (trigger["Predicate"] if key == "Logical" else trigger)[key] = value
    with pytest.raises(LiveError) as error:
        from_json(json.dumps(document), "doc.json")
    assert str(error.value) == (f"doc.json: Workflow.Graph.Nodes[{index}].TriggerDetails.{where}: '{value}' is not a "
                                f"Glue value ({allowed})")
