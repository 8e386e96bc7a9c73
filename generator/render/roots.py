"""Render the environments' root configurations: `<out-dir>/envs/<env>/`, nothing written.

A root holds `versions.tf` (the terraform block, pinned as every module pins it),
`providers.tf` (the AWS provider in the environment's region) and one `<module>.tf`
per spec that declares the environment: the module called by a relative `source`
with that environment's inputs, and its outputs re-exported. When a spec adopts the
environment (`adopt: true`), `imports.tf` holds one `import` block per resource of that
module that already exists: the workflow, every trigger and every job it defines, by their
names in AWS. Each kind of file has one template; values are laid out by `generator.render.hcl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from generator.render import hcl, interface, views
from generator.render.module import DEFAULT_OUT_DIR, DEFAULT_SPECS_DIR, MARKER, Origin, environment, header, shell_word
from generator.spec.analyse import ROOT_FILES
from generator.spec.model import ENVS_FOLDER, IDENTIFIER
from generator.spec.plan import EnvironmentPlan, Plan

SHARED_FILES = tuple(f"{name}.tf" for name in ROOT_FILES)  # ("imports.tf", "providers.tf", "versions.tf")
IMPORTS_FILE = "imports.tf"  # only in an environment some spec adopts
IMPORT_VERSION = ">= 1.5.0"  # import blocks
_MODULE_FILE = re.compile(rf"{IDENTIFIER.pattern}\.tf")
# Inputs whose values are maps of strings (or of maps of strings): laid out with sorted keys.
_SORTED_MAPS = frozenset({"jobs", "crawlers", "tags", "run_properties", "stage_arguments"})


def is_root_file(name: str) -> bool:
    """Whether a root could hold a file of this name: a shared file or one module's call."""
    return name in SHARED_FILES or _MODULE_FILE.fullmatch(name) is not None


@dataclass(frozen=True)
class RootOrigin:
    """What the shared files of a root (written for every spec that declares the environment)
    name: the environment, the folder of those specs and the out dir, relative to the project
    root, so their bytes depend neither on the working directory nor on which of those specs
    one run read."""

    environment: str
    specs_dir: str = DEFAULT_SPECS_DIR  # "." when the specs sit in the project root
    out_dir: str = DEFAULT_OUT_DIR

    def command(self) -> str:
        """The command that regenerates every module and root from that folder, run in the project root."""
        words = ["gluegen generate"]
        if self.specs_dir != DEFAULT_SPECS_DIR:
            words.append(f"--specs-dir {shell_word(self.specs_dir)}")
        if self.out_dir != DEFAULT_OUT_DIR:
            words.append(f"--out-dir {shell_word(self.out_dir)}")
        return " ".join(words)

    def root(self) -> str:
        tops = [shell_word(PurePosixPath(path).parts[0]) + "/" for path in (self.specs_dir, self.out_dir)
                if PurePosixPath(path).parts]
        return "the folder that holds " + " and ".join(dict.fromkeys(tops)) if tops else "the project root"

    def header(self) -> str:
        where = "the project root" if self.specs_dir == "." else f"{shell_word(self.specs_dir)}/"
        return (
            f"# {MARKER} for the environment {self.environment} of every spec in {where} that declares it.\n"
            f"# Do not edit: change the specs and run `{self.command()}` in {self.root()}."
        )


@dataclass(frozen=True)
class Member:
    """One module in one environment: its plan, the environment's inputs, and its origin (for the header)."""

    plan: Plan
    environment: EnvironmentPlan
    origin: Origin


def _sorted(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _sorted(data[key]) for key in sorted(data)}
    return data


def module_view(member: Member) -> dict[str, Any]:
    plan = member.plan
    inputs = [(name, hcl.value(_sorted(value) if name in _SORTED_MAPS else value, 2))
              for name, value in member.environment.inputs]
    outputs = [
        interface.Output(f"{plan.module}_{output.name}", output.description, f"module.{plan.module}.{output.name}")
        for output in interface.outputs(plan)
    ]
    return {
        "name": plan.module,
        "source": hcl.string(f"../../{plan.module}"),
        "inputs": hcl.attributes(inputs, 2) if inputs else None,
        "outputs": outputs,
    }


def imports_view(members: list[Member]) -> list[dict[str, Any]]:
    """Per adopting module: the import blocks' (to, id) of its workflow and triggers, by their AWS names."""
    found = []
    for member in members:
        if not member.environment.adopt:
            continue
        plan = member.plan
        workflow = member.environment.input("workflow_name", plan.workflow_name)
        blocks = [(f"module.{plan.module}.aws_glue_workflow.this", workflow)]
        blocks += [(f"module.{plan.module}.aws_glue_trigger.{t.address}", t.name_for(workflow)) for t in plan.triggers]
        names = member.environment.input("jobs", {})
        blocks += [(f"module.{plan.module}.aws_glue_job.{job.key}", job.name_for(workflow, names)) for job in plan.jobs]
        found.append({
            "module": plan.module,
            "source": member.origin.spec,
            "what": "its workflow, triggers and jobs" if plan.jobs else "its workflow and triggers",
            "blocks": [hcl.attributes([("to", to), ("id", hcl.string(name))], 2) for to, name in blocks],
        })
    return found


_IMPORT_TO = re.compile(rf"^  to = module\.({IDENTIFIER.pattern})\.", re.M)


def adopted_modules(text: str) -> set[str]:
    """The modules a generated imports.tf adopts (what `imports_view` laid out)."""
    return set(_IMPORT_TO.findall(text))


def render_root(origin: RootOrigin, region: str, members: list[Member]) -> dict[str, str]:
    """Every file of one environment's root, keyed by its name in `<out-dir>/envs/<env>/`."""
    env = environment()
    shared = {"header": origin.header()}
    files = {
        "versions.tf": env.get_template("root_versions.tf.jinja").render(
            shared, required_version=hcl.string(views.REQUIRED_VERSION), aws_version=hcl.string(views.AWS_PROVIDER_VERSION)),
        "providers.tf": env.get_template("root_providers.tf.jinja").render(shared, region=hcl.string(region)),
    }
    template = env.get_template("root_module.tf.jinja")
    for member in members:
        files[f"{member.plan.module}.tf"] = template.render(header=header(member.origin), module=module_view(member))
    adopted = imports_view(members)
    if adopted:
        files[IMPORTS_FILE] = env.get_template("root_imports.tf.jinja").render(
            shared, required_version=hcl.string(IMPORT_VERSION), modules=adopted)
    assert all(is_root_file(name) for name in files)
    return dict(sorted(files.items()))


ROOTS_FOLDER = ENVS_FOLDER
