"""Names the module gives AWS resources beside its workflow, and the limits they must fit.

One definition serves the templates (each resource's `name` expression) and the rules
in `generator.spec.analyse` (how long the workflow name may be, which characters it may hold),
so a suffix can never differ between the two.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

# Glue names: 1-255 UTF-8 bytes. The API reference says "length 255" and the developer
# guide "not more than 255 bytes long"; gluegen enforces the stricter reading, bytes.
GLUE_NAME_MAX = 255

_ALNUM = string.ascii_letters + string.digits
_IAM = frozenset(_ALNUM + "_+=,.@-")  # IAM role names: [\w+=,.@-]+, at most 64
_EVENTBRIDGE = frozenset(_ALNUM + "._-")  # EventBridge rule names: [\.\-_A-Za-z0-9]+, at most 64
_SNS = frozenset(_ALNUM + "_-")  # SNS topic names: letters, digits, "_" and "-", at most 256
_DASHBOARD = frozenset(_ALNUM + "_-")  # CloudWatch dashboard names: letters, digits, "_" and "-", at most 255


@dataclass(frozen=True)
class ResourceName:
    """A name `<workflow_name><suffix>` the module gives one resource."""

    service: str  # as messages and the README name it
    suffix: str
    max_length: int  # the service's limit for the whole name
    characters: frozenset[str]  # what the service allows in it (all ASCII)

    @property
    def expression(self) -> str:
        """The HCL expression of the name."""
        return f'"${{var.workflow_name}}{self.suffix}"' if self.suffix else "var.workflow_name"


START_RULE = ResourceName("EventBridge rule", "-start", 64, _EVENTBRIDGE)
START_ROLE = ResourceName("IAM role", "-start", 64, _IAM)
RUN_ROLE = ResourceName("IAM role", "-run", 64, _IAM)
ALERTS_RULE = ResourceName("EventBridge rule", "-alerts", 64, _EVENTBRIDGE)
CRAWLER_ALERTS_RULE = ResourceName("EventBridge rule", "-crawler-alerts", 64, _EVENTBRIDGE)
ALERTS_TOPIC = ResourceName("SNS topic", "-alerts", 256, _SNS)
DASHBOARD = ResourceName("CloudWatch dashboard", "", 255, _DASHBOARD)
JOB_ROLE = ResourceName("IAM role", "-job", 64, _IAM)  # the jobs' role, with `job_role: true`


def allowed(names: tuple[ResourceName, ...]) -> frozenset[str]:
    """The characters every one of `names` allows."""
    found = frozenset(_ALNUM + string.punctuation)
    for name in names:
        found &= name.characters
    return found


def character_class(characters: frozenset[str]) -> str:
    """A regular-expression class body matching exactly `characters` (RE2 and Python alike)."""
    ranges = [part for part in ("0-9", "A-Z", "a-z") if set(_range(part)) <= characters]
    covered = {char for part in ranges for char in _range(part)}
    rest = sorted(characters - covered)
    # "-" last, where it is literal; "\\", "]" and "^" escaped; the rest is literal in a class.
    literal = "".join("\\" + char if char in "\\]^" else char for char in rest if char != "-")
    return "".join(ranges) + literal + ("-" if "-" in rest else "")


def _range(part: str) -> str:
    first, last = part.split("-")
    return "".join(chr(code) for code in range(ord(first), ord(last) + 1))


def describe(characters: frozenset[str]) -> str:
    """`letters, digits, '-' and '_'` for a message."""
    return join(["letters", "digits", *(f"'{char}'" for char in sorted(characters - set(_ALNUM)))])


def services(found: tuple[ResourceName, ...]) -> str:
    """`EventBridge rule, IAM role and SNS topic`: the kinds of resource named, once each."""
    return join(list(dict.fromkeys(name.service for name in found)))


def join(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
