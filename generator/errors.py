"""The one error hierarchy of gluegen, and the exit codes it maps to.

Errors carry data, never print; `generator.cli.main` turns them into messages and
exit codes in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    STALE = 1  # `check`: the committed module differs from what the spec renders
    DRIFT = 1  # `drift`: what runs in AWS differs from the spec (an alias of STALE)
    ERROR = 2  # invalid spec, invalid usage, or a file gluegen refuses to touch
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one spec, at one place: `file:line:col: path: message`.

    A warning (`severity="warning"`) reads `file:line:col: path: warning: message`; it is
    reported but stops nothing and leaves the exit code alone.
    """

    source: str
    line: int
    column: int
    path: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.column}"
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"


class GluegenError(Exception):
    """Base of every error gluegen reports to a user."""

    exit_code = ExitCode.ERROR

    def lines(self) -> list[str]:
        return [str(self)]


class SpecError(GluegenError):
    """A spec is not valid; carries every diagnostic found, in file order."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def lines(self) -> list[str]:
        return [str(d) for d in self.diagnostics]


class UsageError(GluegenError):
    """The command line asks for something that cannot be done."""


class OwnershipError(GluegenError):
    """A file gluegen would write or remove was not written by gluegen."""


class WriteError(GluegenError):
    """The disk refused a write (a folder in the way, no permission, no space)."""


class LiveError(GluegenError):
    """A live workflow could not be read: from AWS (no such workflow, no credentials, access
    denied, throttled beyond the retries, boto3 missing) or from a recorded JSON document."""


class WorkflowNotFound(LiveError):
    """AWS has no workflow of that name (for `drift`, the largest difference of all)."""


class Throttled(LiveError):
    """AWS throttled a call past botocore's retries (a watcher backs off and tries again)."""
