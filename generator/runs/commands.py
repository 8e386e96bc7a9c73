"""`gluegen run`, `gluegen status` and `gluegen resume`: the edge that talks to Glue and the terminal.

`generator.cli` parses the arguments and maps errors to exit codes; these handlers read the spec
and its environment, call Glue (`generator.runs.glue`), follow the run (`generator.runs.watch`)
and print what `generator.runs.view` lays out.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from generator.adopt import read
from generator.errors import ExitCode, Throttled, UsageError
from generator.runs import glue
from generator.runs.history import lines as history_lines, summarise
from generator.runs.record import FAILED_STATES, RunRecord
from generator.runs.target import RunTarget, bind, target
from generator.runs.verify import Verdict, observe, verify
from generator.runs.view import document, report, rows
from generator.runs.watch import Clock, follow, view_for
from generator.spec.messages import suggest
from generator.spec.plan import EnvironmentPlan, Plan

HISTORY_RUNS = 100
CLOCK = Clock()  # the watcher's time (tests put in one that does not sleep)


def _environment(plan: Plan, source: str, name: str | None) -> EnvironmentPlan | None:
    envs = {env.name: env for env in plan.environments}
    if name is not None:
        if name not in envs:
            raise UsageError(f"{source} declares no environment '{name}'"
                             + (f" (it has {', '.join(envs)})" if envs else ""))
        return envs[name]
    if len(envs) > 1:
        raise UsageError(f"{source} declares environments {', '.join(envs)}: name one with --env")
    return next(iter(envs.values()), None)  # none: the module's own defaults (workflow.name)


def _target(args: argparse.Namespace, plan: Plan) -> tuple[RunTarget, read.Connection]:
    env = _environment(plan, plan.source, args.env)
    region = args.region or (env.region if env is not None else None)
    return target(plan, env), read.connect(region, args.profile, args.endpoint_url)


def _verdict(run_target: RunTarget, record: RunRecord, previous: RunRecord | None = None, *, against_spec: bool = True):
    binding = bind(run_target, record)
    observed = observe(run_target, binding, record, previous)
    return binding, observed, verify(run_target, binding, record, observed, against_spec=against_spec)


def _show(run_target: RunTarget, record: RunRecord, stdout: TextIO, json_output: bool, *,
          previous: RunRecord | None = None, verified: bool = True) -> Verdict:
    binding, observed, verdict = _verdict(run_target, record, previous, against_spec=verified)
    found = rows(run_target, binding, record, observed, CLOCK.now())
    if json_output:
        print(json.dumps(document(run_target, record, found, verdict), indent=2, sort_keys=True), file=stdout)
    else:
        for line in report(run_target, record, found, verdict):
            print(line, file=stdout)
    return verdict


def _watch(args: argparse.Namespace, stdout: TextIO, run_target: RunTarget, connection: read.Connection,
           run_id: str, previous: RunRecord | None = None) -> ExitCode:
    view = view_for(stdout, args.json)
    again = _again(args, run_id)
    try:
        record, timed_out = follow(connection, run_target, run_id, view, timeout=args.timeout, clock=CLOCK,
                                   previous=previous)
    except Throttled as error:
        raise Throttled(f"{error}; run {run_id} goes on. Watch it again: {again}") from None
    except KeyboardInterrupt:
        view.close()
        print(f"gluegen: stopped watching; run {run_id} goes on. Watch it again: {again}", file=args.stderr)
        return ExitCode.INTERRUPTED
    finally:
        view.close()
    if record is None:  # every poll was throttled until the timeout
        print(f"gluegen: run {run_id} could not be read before --timeout {args.timeout:g} s; it goes on. "
              f"Watch it again: {again}", file=args.stderr)
        return ExitCode.STALE
    verdict = _show(run_target, record, stdout, args.json, previous=previous)
    if timed_out:
        print(f"gluegen: run {run_id} is still {record.status} after --timeout {args.timeout:g} s; it goes on "
              f"(gluegen does not stop it). Watch it again: {again}", file=args.stderr)
        return ExitCode.STALE
    return ExitCode(verdict.code)


def _again(args: argparse.Namespace, run_id: str) -> str:
    """The `gluegen status ... --wait` that watches run `run_id` again, with this command's AWS options."""
    import shlex

    from generator.render.module import shell_word

    words = ["status", shell_word(args.spec), "--run-id", shlex.quote(run_id), "--wait"]
    for option in ("env", "region", "profile", "endpoint_url"):
        if getattr(args, option):
            words += [f"--{option.replace('_', '-')}", shlex.quote(getattr(args, option))]
    return " ".join(["gluegen", *words])


def _properties(options: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for option in options:
        key, equals, value = option.partition("=")
        if not equals or not key:
            raise UsageError(f"--property {option}: write KEY=VALUE")
        if len(key) > 255 or "\n" in key or "\r" in key:
            raise UsageError(f"--property {option[:40]}: a run property key is 1-255 characters on one line")
        if key in found:
            raise UsageError(f"--property {key}: given twice")
        found[key] = value
    return found


def cmd_run(args: argparse.Namespace, plan: Plan, stdout: TextIO) -> ExitCode:
    properties = _properties(args.property)
    run_target, connection = _target(args, plan)
    workflow = glue.workflow(connection, run_target.workflow)
    declared = set(run_target.declared_properties) | set(workflow.default_run_properties)
    for key in sorted(set(properties) - declared):
        print(f"gluegen: warning: run property '{key}' is not declared in the spec (workflow.default_run_properties)"
              f"{suggest(key, declared)}; Glue passes it to the run as given", file=args.stderr)
    run_id = glue.start(connection, workflow, properties)
    merged = {**workflow.default_run_properties, **properties}
    if args.json and not args.wait:
        print(json.dumps({"workflow": run_target.workflow, "run_id": run_id, "properties": merged},
                         indent=2, sort_keys=True), file=stdout)
        return ExitCode.OK
    if not args.json:
        shown = ", ".join(f"{key}={value!r}" for key, value in sorted(merged.items()))
        print(f"started run {run_id} of workflow {run_target.workflow} in {connection.region}"
              + (f" with properties {shown}" if shown else ""), file=stdout)
    if not args.wait:
        return ExitCode.OK
    return _watch(args, stdout, run_target, connection, run_id)


def cmd_status(args: argparse.Namespace, plan: Plan, stdout: TextIO) -> ExitCode:
    run_target, connection = _target(args, plan)
    workflow = glue.workflow(connection, run_target.workflow)  # an unknown workflow says so, not "no run"
    if args.history:
        records = glue.runs(connection, run_target.workflow, HISTORY_RUNS)
        found = summarise(run_target, records)
        if args.json:
            print(json.dumps({"workflow": run_target.workflow, "runs": len(records), "stages": [
                {"stage": stage.label, "ran": stage.runs, "failed": stage.failures, "p50_seconds": stage.p50,
                 "p95_seconds": stage.p95} for stage in found]}, indent=2, sort_keys=True), file=stdout)
        else:
            for line in history_lines(found, len(records)):
                print(line, file=stdout)
        return ExitCode.OK
    if args.last is not None:
        records = glue.runs(connection, run_target.workflow, args.last)
        listed = []
        for record in records:
            _, _, verdict = _verdict(run_target, record)
            listed.append((record, verdict))
        if args.json:
            print(json.dumps([{"run_id": r.run_id, "status": r.status, "started": r.started.isoformat() if r.started else None,
                               "verdict": v.status, "summary": v.summary} for r, v in listed], indent=2), file=stdout)
        else:
            if not listed:
                print(f"workflow {run_target.workflow} has no runs", file=stdout)
            for record, verdict in listed:
                print(f"{record.run_id}  {record.started.isoformat() if record.started else '?'}  {record.status:<9}  "
                      f"{verdict.summary}", file=stdout)
        return ExitCode.OK
    run_id = args.run_id or workflow.last_run
    if run_id is None:
        raise UsageError(f"workflow {run_target.workflow} has no runs yet: start one with gluegen run {args.spec}")
    if args.wait:
        return _watch(args, stdout, run_target, connection, run_id)
    record = glue.run(connection, run_target.workflow, run_id)
    previous = _resumed_from(connection, run_target, record)
    return ExitCode(_show(run_target, record, stdout, args.json, previous=previous, verified=args.verify).code)


def _resumed_from(connection: read.Connection, run_target: RunTarget, record: RunRecord) -> RunRecord | None:
    """The run a resumed run continues (its PreviousRunId), whose outcomes stand for the nodes not run again."""
    if not record.previous_run_id or not record.has_graph:
        return None
    return glue.run(connection, run_target.workflow, record.previous_run_id)


def cmd_resume(args: argparse.Namespace, plan: Plan, stdout: TextIO) -> ExitCode:
    run_target, connection = _target(args, plan)
    record = glue.run(connection, run_target.workflow, args.run_id)
    if not record.finished:
        raise UsageError(f"run {args.run_id} is {record.status}: Glue resumes only a run that has ended "
                         f"(follow it with gluegen status {args.spec} --run-id {args.run_id} --wait)")
    if not record.has_graph:
        raise UsageError(f"Glue gave no graph for run {args.run_id}, so gluegen cannot tell its nodes to resume")
    binding, observed, _ = _verdict(run_target, record)
    labels = [slot.label for slot in run_target.slots]
    stages = {slot.stage for slot in run_target.slots}
    if args.stage:
        chosen = []
        for name in args.stage:
            if name not in labels and name not in stages:
                raise UsageError(f"--stage {name}: no stage or action '{name}' in {run_target.plan.source}"
                                 f"{suggest(name, [*labels, *stages])}")
            chosen += [slot.label for slot in run_target.slots if name in (slot.label, slot.stage)]
        for label in chosen:
            if not observed[label].ran:
                raise UsageError(f"--stage {label}: it did not run in {args.run_id}, and Glue resumes only nodes "
                                 "that have a run attempt in the original run; resume from the stage before it")
    else:
        chosen = [label for label, seen in observed.items() if seen.state in FAILED_STATES]
        if not chosen:
            raise UsageError(f"run {args.run_id} has no failed job or crawler to resume from; name one with --stage")
    nodes = list(dict.fromkeys(observed[label].node.node_id for label in chosen))
    new_id, restarted = glue.resume(connection, run_target.workflow, args.run_id, nodes)
    names = ", ".join(f"{label} ({observed[label].node.kind} '{observed[label].node.name}')" for label in chosen)
    if not args.json:
        print(f"resumed run {args.run_id} as {new_id} from {names}"
              + (f"; Glue restarted {len(restarted)} node(s)" if restarted else ""), file=stdout)
    if not args.wait:
        if args.json:
            print(json.dumps({"run_id": new_id, "resumed": args.run_id, "node_ids": list(restarted)}, indent=2), file=stdout)
        return ExitCode.OK
    return _watch(args, stdout, run_target, connection, new_id, previous=record)
