"""`gluegen run`, `gluegen status` and `gluegen resume`: the edge that talks to Glue and the terminal.

`generator.cli` parses the arguments, loads the spec and maps errors to exit codes; these
handlers pick the environment, call Glue (`generator.runs.glue`), follow the run
(`generator.runs.watch`) and print what `generator.runs.view` lays out.
"""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from generator.adopt import read
from generator.errors import ExitCode, LiveError, Throttled, UsageError
from generator.render.module import shell_word
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
LINEAGE = 20  # at most this many earlier runs are read behind a resumed run
CLOCK = Clock()  # the watcher's time (tests put in one that does not sleep)


@dataclass(frozen=True)
class Context:
    """What every handler works with: the arguments, the spec's run target, the AWS connection."""

    args: argparse.Namespace
    target: RunTarget
    connection: read.Connection

    def command(self, *words: str) -> str:
        """A gluegen command on this spec, with this command's environment and AWS options, quoted."""
        parts = ["gluegen", words[0], shell_word(self.args.spec), *(shlex.quote(word) for word in words[1:])]
        for option in ("env", "region", "profile", "endpoint_url"):
            if getattr(self.args, option):
                parts += [f"--{option.replace('_', '-')}", shlex.quote(getattr(self.args, option))]
        return " ".join(parts)

    def again(self, run_id: str) -> str:
        return self.command("status", "--run-id", run_id, "--wait")

    @property
    def listing(self) -> str:
        return self.command("status", "--last", "5")


def _environment(plan: Plan, name: str | None) -> EnvironmentPlan | None:
    envs = {env.name: env for env in plan.environments}
    if name is not None:
        if name not in envs:
            raise UsageError(f"{plan.source} declares no environment '{name}'"
                             + (f" (it has {', '.join(envs)})" if envs else ""))
        return envs[name]
    if len(envs) > 1:
        raise UsageError(f"{plan.source} declares environments {', '.join(envs)}: name one with --env")
    return next(iter(envs.values()), None)  # none: the module's own defaults (workflow.name)


def _context(args: argparse.Namespace, plan: Plan) -> Context:
    if args.timeout is not None and not args.wait:
        raise UsageError("--timeout limits --wait: pass --wait too")
    env = _environment(plan, args.env)
    region = args.region or (env.region if env is not None else None)
    return Context(args, target(plan, env), read.connect(region, args.profile, args.endpoint_url))


def lineage(context: Context, record: RunRecord) -> tuple[RunRecord, ...]:
    """The runs a resumed run continues, newest first (PreviousRunId after PreviousRunId). Only a
    run with a graph is followed back: moto, which has none, names a previous run on every run."""
    found: list[RunRecord] = []
    current = record
    while current.previous_run_id and current.has_graph and len(found) < LINEAGE:
        current = glue.run(context.connection, context.target.workflow, current.previous_run_id, context.listing)
        found.append(current)
    return tuple(found)


def _verdict(context: Context, record: RunRecord, earlier: tuple[RunRecord, ...] = (),
             restarted: Iterable[str] = (), *, against_spec: bool = True):
    binding = bind(context.target, record)
    observed = observe(context.target, binding, record, earlier, restarted)
    return binding, observed, verify(context.target, binding, record, observed, against_spec=against_spec)


def _show(context: Context, record: RunRecord, stdout: TextIO, *, earlier: tuple[RunRecord, ...] = (),
          restarted: Iterable[str] = (), against_spec: bool = True) -> Verdict:
    binding, observed, verdict = _verdict(context, record, earlier, restarted, against_spec=against_spec)
    found = rows(context.target, binding, record, observed, CLOCK.now())
    if context.args.json:
        print(json.dumps(document(context.target, record, found, verdict), indent=2, sort_keys=True), file=stdout)
    else:
        for line in report(context.target, record, found, verdict):
            print(line, file=stdout)
    return verdict


def _watch(context: Context, stdout: TextIO, run_id: str, earlier: tuple[RunRecord, ...] = (),
           restarted: Iterable[str] = ()) -> ExitCode:
    """Follow the run to its end (or --timeout), then show and verify it. Only the watching ever
    stops: every way it ends says how to watch the run again."""
    args = context.args
    view = view_for(stdout, args.json)
    goes_on = f"run {run_id} goes on. Watch it again: {context.again(run_id)}"
    try:
        record, timed_out = follow(context.connection, context.target, run_id, view, timeout=args.timeout,
                                   clock=CLOCK, earlier=earlier, restarted=restarted, listing=context.listing)
    except KeyboardInterrupt:
        view.close()
        print(f"gluegen: stopped watching; {goes_on}", file=args.stderr)
        return ExitCode.INTERRUPTED
    except LiveError as error:  # throttled past the retries, credentials expired mid-watch, ...
        view.close()
        raise type(error)(f"{error}; {goes_on}") from None
    view.close()
    if record is None:  # every poll until the timeout was throttled
        raise Throttled(f"AWS throttled every glue:GetWorkflowRun until --timeout {args.timeout:g} s; {goes_on}")
    verdict = _show(context, record, stdout, earlier=earlier, restarted=restarted)
    if timed_out:
        print(f"gluegen: run {run_id} is still {record.status} after --timeout {args.timeout:g} s; it goes on "
              f"(gluegen does not stop it). Watch it again: {context.again(run_id)}", file=args.stderr)
        return ExitCode.STALE
    return ExitCode(verdict.code)


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
    context = _context(args, plan)
    workflow = glue.workflow(context.connection, context.target.workflow)
    declared = set(context.target.declared_properties) | set(workflow.default_run_properties)
    for key in sorted(set(properties) - declared):
        print(f"gluegen: warning: run property '{key}' is not declared in the spec (workflow.default_run_properties)"
              f"{suggest(key, declared)}; Glue passes it to the run as given", file=args.stderr)
    run_id = glue.start(context.connection, workflow, properties, context.listing)
    merged = {**workflow.default_run_properties, **properties}
    if args.json and not args.wait:
        print(json.dumps({"workflow": context.target.workflow, "run_id": run_id, "properties": merged},
                         indent=2, sort_keys=True), file=stdout)
        return ExitCode.OK
    if not args.json:
        shown = ", ".join(f"{key}={value!r}" for key, value in sorted(merged.items()))
        print(f"started run {run_id} of workflow {context.target.workflow} in {context.connection.region}"
              + (f" with properties {shown}" if shown else ""), file=stdout)
    return _watch(context, stdout, run_id) if args.wait else ExitCode.OK


def cmd_status(args: argparse.Namespace, plan: Plan, stdout: TextIO) -> ExitCode:
    listing = args.history or args.last is not None
    if listing and args.wait:
        raise UsageError("--wait follows one run: drop --last or --history, or name the run with --run-id")
    context = _context(args, plan)
    workflow = glue.workflow(context.connection, context.target.workflow)  # an unknown workflow says so, not "no run"
    if args.history:
        if args.verify:
            raise UsageError("--history summarises durations and failures; --verify checks one run (or --last N)")
        return _history(context, stdout)
    if args.last is not None:
        return _last(context, stdout)
    run_id = args.run_id or workflow.last_run
    if run_id is None:
        raise UsageError(f"workflow {context.target.workflow} has no runs yet: start one with "
                         f"{context.command('run')}")
    record = glue.run(context.connection, context.target.workflow, run_id, context.listing)
    earlier = lineage(context, record)
    if args.wait and not record.finished:
        return _watch(context, stdout, run_id, earlier)
    return ExitCode(_show(context, record, stdout, earlier=earlier, against_spec=args.verify or args.wait).code)


def _history(context: Context, stdout: TextIO) -> ExitCode:
    records = glue.runs(context.connection, context.target.workflow, HISTORY_RUNS, context.listing)
    found = summarise(context.target, records)
    if context.args.json:
        print(json.dumps({"workflow": context.target.workflow, "runs": len(records), "stages": [
            {"stage": stage.label, "ran": stage.runs, "failed": stage.failures, "p50_seconds": stage.p50,
             "p95_seconds": stage.p95} for stage in found]}, indent=2, sort_keys=True), file=stdout)
    else:
        for line in history_lines(found, len(records)):
            print(line, file=stdout)
    return ExitCode.OK


def _last(context: Context, stdout: TextIO) -> ExitCode:
    records = glue.runs(context.connection, context.target.workflow, context.args.last, context.listing)
    listed = [(record, _verdict(context, record, lineage(context, record), against_spec=context.args.verify)[2])
              for record in records]
    if context.args.json:
        print(json.dumps([{"run_id": record.run_id, "status": record.status,
                           "started": record.started.isoformat() if record.started else None,
                           "verdict": verdict.status, "summary": verdict.summary} for record, verdict in listed],
                         indent=2), file=stdout)
    elif not listed:
        print(f"workflow {context.target.workflow} has no runs", file=stdout)
    for record, verdict in listed if not context.args.json else ():
        started = record.started.isoformat() if record.started else "?"
        print(f"{record.run_id}  {started}  {record.status:<9}  {verdict.summary}", file=stdout)
    return ExitCode.OK


def _chosen(context: Context, run_id: str, observed) -> list[str]:
    """The action labels to resume from: those --stage names, else every failed one."""
    slots = context.target.slots
    if not context.args.stage:
        chosen = [label for label, seen in observed.items() if seen.state in FAILED_STATES and not seen.earlier]
        if not chosen:
            raise UsageError(f"run {run_id} has no failed job or crawler to resume from; name one with --stage")
        return chosen
    chosen = []
    names = [*(slot.label for slot in slots), *dict.fromkeys(slot.stage for slot in slots)]
    for name in context.args.stage:
        if name not in names:
            raise UsageError(f"--stage {name}: no stage or action '{name}' in {context.target.plan.source}"
                             f"{suggest(name, names)}")
        chosen += [slot.label for slot in slots if name in (slot.label, slot.stage)]
    chosen = list(dict.fromkeys(chosen))
    for label in chosen:
        if not observed[label].ran or observed[label].earlier:
            raise UsageError(f"--stage {label}: it did not run in {run_id}, and Glue resumes only nodes that "
                             "have a run attempt in the original run; resume from the stage before it")
    return chosen


def cmd_resume(args: argparse.Namespace, plan: Plan, stdout: TextIO) -> ExitCode:
    context = _context(args, plan)
    record = glue.run(context.connection, context.target.workflow, args.run_id, context.listing)
    if not record.finished:
        raise UsageError(f"run {args.run_id} is {record.status}: Glue resumes only a run that has ended "
                         f"(follow it with {context.again(args.run_id)})")
    if not record.has_graph:
        raise UsageError(f"Glue gave no graph for run {args.run_id}, so gluegen cannot tell its nodes to resume")
    earlier = (record, *lineage(context, record))
    _, observed, _ = _verdict(context, record, earlier[1:])
    chosen = _chosen(context, args.run_id, observed)
    nodes = list(dict.fromkeys(observed[label].node.node_id for label in chosen))
    new_id, restarted = glue.resume(context.connection, context.target.workflow, args.run_id, nodes, context.listing)
    if args.json and not args.wait:
        print(json.dumps({"run_id": new_id, "resumed": args.run_id, "node_ids": list(restarted)}, indent=2), file=stdout)
        return ExitCode.OK
    if not args.json:
        names = ", ".join(f"{label} ({observed[label].node.kind} '{observed[label].node.name}')" for label in chosen)
        print(f"resumed run {args.run_id} as {new_id} from {names}"
              + (f"; Glue restarted {len(restarted)} node(s)" if restarted else ""), file=stdout)
    if not args.wait:
        return ExitCode.OK
    ids = set(restarted) or set(nodes)
    return _watch(context, stdout, new_id, earlier, [label for label in chosen if observed[label].node.node_id in ids])
