"""Compare what a spec renders with what a module folder holds: pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Drift:
    """How one module folder differs from its spec's rendering."""

    folder: str  # e.g. "out/glue_workflow"
    changed: tuple[str, ...]  # unified diffs, one per file
    missing: tuple[str, ...]  # expected files absent from the folder
    extra: tuple[str, ...]  # generated files the spec no longer produces

    @property
    def current(self) -> bool:
        return not (self.changed or self.missing or self.extra)


def _diff(path: str, source: str, actual: str, expected: str) -> str:
    import difflib  # only a stale module needs it

    lines = difflib.unified_diff(
        actual.splitlines(keepends=True),
        expected.splitlines(keepends=True),
        fromfile=f"{path} (on disk)",
        tofile=f"{path} (generated from {source})",
    )
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    if "\r" in actual and "\r" not in expected:
        text += f"(note: {path} has CRLF line endings; gluegen writes LF)\n"
    if actual.startswith("\ufeff") and not expected.startswith("\ufeff"):
        text += f"(note: {path} starts with a UTF-8 byte order mark; gluegen writes none)\n"
    return text


def compare(folder: str, source: str, expected: dict[str, str], generated: dict[str, str], handwritten: set[str]) -> Drift:
    """`generated`: the folder's files carrying gluegen's header; `handwritten`: the rest."""
    changed = tuple(
        _diff(f"{folder}/{name}", source, generated[name], text)
        for name, text in sorted(expected.items())
        if name in generated and generated[name] != text
    )
    return Drift(
        folder=folder,
        changed=changed,
        missing=tuple(sorted(name for name in expected if name not in generated and name not in handwritten)),
        extra=tuple(sorted(name for name in generated if name not in expected)),
    )
