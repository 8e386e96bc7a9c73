"""Read a spec: YAML text in, a checked `Plan` out, or a SpecError with every problem."""

from __future__ import annotations

import unicodedata

from pydantic import ValidationError

from generator.analyse import analyse
from generator.errors import SpecError
from generator.loader import Document, load_yaml
from generator.messages import diagnostics
from generator.model import Spec
from generator.plan import Plan


def load_plan(text: str, source: str, *, quotas: bool = True) -> Plan:
    """Parse, validate and analyse one spec; `source` names it in messages and headers.

    `quotas=False` skips Glue's quotas (for benchmarks of specs larger than AWS allows)."""
    document = load_yaml(text, source)
    if not isinstance(document.data, dict):
        raise SpecError([document.locations.diagnostic((), "the spec must be a mapping of keys to values")])
    _check_normalised(document)
    try:
        spec = Spec.model_validate(document.data)
    except ValidationError as error:
        raise SpecError(diagnostics(error, Spec, document.locations)) from None
    return analyse(spec, document.locations, quotas=quotas)


def _check_normalised(document: Document) -> None:
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
    if problems:
        raise SpecError(problems)


_NFC = (
    "string is not in Unicode NFC form; Terraform would normalise it before it reaches AWS "
    "(compose it, e.g. 'e' + U+0301 -> U+00E9)"
)
