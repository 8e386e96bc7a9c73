"""Read a spec: YAML text in, a checked `Plan` out, or a SpecError with every problem."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from pydantic import ValidationError

from generator.spec.analyse import analyse, stage_problems
from generator.spec.environments import environments
from generator.errors import Diagnostic, SpecError
from generator.spec.loader import Document, load_yaml
from generator.spec.messages import diagnostics
from generator.spec.model import IDENTIFIER, Spec, Stage
from generator.spec.plan import Plan


def load_plan(text: str, source: str, *, quotas: bool = True) -> Plan:
    """Parse, validate and analyse one spec; `source` names it in messages and headers.
    Raise one SpecError with every problem found.

    `quotas=False` skips Glue's quotas (for benchmarks of specs larger than AWS allows)."""
    document = load_yaml(text, source)
    problems = list(document.problems)
    if not isinstance(document.data, dict):
        if document.replaced != {()}:
            problems.append(document.locations.diagnostic((), "the spec must be a mapping of keys to values"))
        raise SpecError(problems)
    problems += _not_normalised(document)
    try:
        spec = Spec.model_validate(document.data)
    except ValidationError as error:
        found = diagnostics(error, Spec, document.locations)
        problems += [problem for problem, path in found if path not in document.replaced]
        problems += _problems_of_valid_stages(document)
        raise SpecError(problems) from None
    try:
        plan = analyse(spec, document.locations, quotas=quotas)
    except SpecError as error:
        raise SpecError(problems + list(error.diagnostics)) from None
    if spec.environments:
        from generator.render.interface import variables  # which inputs the module has is the interface's call

        found, trouble = environments(spec, plan, document.locations, [v.name for v in variables(plan)])
        problems += trouble
        plan = replace(plan, environments=found)
    if problems:
        raise SpecError(problems)
    return plan


def _problems_of_valid_stages(document: Document) -> list[Diagnostic]:
    """When the spec as a whole did not validate: the reference and graph rules over the
    stages that did (each validated alone), so one run lists every problem."""
    raw = document.data.get("stages")
    if not isinstance(raw, dict):
        return []
    valid: dict[str, Stage] = {}
    for name, value in raw.items():
        if IDENTIFIER.fullmatch(name):
            try:
                valid[name] = Stage.model_validate(value)
            except ValidationError:
                continue
    return stage_problems(valid, document.locations, declared=None if len(valid) == len(raw) else raw)


def _not_normalised(document: Document) -> list[Diagnostic]:
    """Terraform normalises string literals to Unicode NFC; a string in another form
    would reach AWS changed, so it is refused here rather than altered silently."""
    problems = []

    def walk(value: object, path: tuple) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if not unicodedata.is_normalized("NFC", key):
                    problems.append(document.locations.diagnostic(path + (key,), _NFC, key=True))
                walk(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, path + (index,))
        elif isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
            problems.append(document.locations.diagnostic(path, _NFC))

    walk(document.data, ())
    return problems


_NFC = (
    "string is not in Unicode NFC form; Terraform would normalise it before it reaches AWS "
    "(compose it, e.g. 'e' + U+0301 -> U+00E9)"
)
