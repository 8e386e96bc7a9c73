"""The edge that touches the disk: reading specs and module folders, writing modules.

Writes are atomic per module: every new file is written and synced under a
temporary name first, and only when all are ready are they renamed into place, so
a failure before that leaves the previous module as it was. A file without
gluegen's header is never overwritten or removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import OwnershipError, UsageError
from generator.render import MARKER

SPEC_SUFFIXES = (".yaml", ".yml")
_TEMP_SUFFIX = ".gluegen-tmp"


def discover(paths: list[str], default_dir: Path = Path("specs")) -> list[Path]:
    """The given spec paths, or every spec in `specs/` when none is given."""
    if paths:
        return [Path(path) for path in paths]
    found = sorted(path for path in default_dir.glob("*") if path.suffix in SPEC_SUFFIXES and path.is_file())
    if not found:
        raise UsageError(f"no spec given and none found in {default_dir}/ (create one with `gluegen init`)")
    return found


def display(path: Path) -> str:
    """A spec path as headers and messages show it: relative to here when inside it, with '/'."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_spec(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{display(path)}: no such spec file") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{display(path)}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise UsageError(f"{display(path)}: cannot read: {error.strerror}") from None


def _is_generated(path: Path) -> bool:
    with path.open("rb") as handle:
        first = handle.readline(512)
    return first.startswith((f"# {MARKER} ".encode(), f"<!-- {MARKER} ".encode()))


@dataclass(frozen=True)
class Folder:
    """A module folder's top-level files, split by who wrote them."""

    generated: dict[str, str]
    handwritten: set[str]


def read_folder(folder: Path) -> Folder:
    generated: dict[str, str] = {}
    handwritten: set[str] = set()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.endswith(_TEMP_SUFFIX):
                continue
            if _is_generated(path):
                with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                    generated[path.name] = handle.read()
            else:
                handwritten.add(path.name)
    return Folder(generated, handwritten)


@dataclass(frozen=True)
class Outcome:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]


def check_ownership(folder: Path, files: dict[str, str]) -> None:
    """Refuse, before anything is written, to replace a file gluegen did not write."""
    existing = read_folder(folder)
    blocked = sorted(name for name in files if name in existing.handwritten)
    if blocked:
        names = ", ".join(f"{folder.as_posix()}/{name}" for name in blocked)
        raise OwnershipError(f"{names}: not written by gluegen (no '{MARKER}' header); move it away or rename it")


def write_module(folder: Path, files: dict[str, str]) -> Outcome:
    """Make `folder` hold exactly `files` among gluegen's own files."""
    check_ownership(folder, files)
    existing = read_folder(folder)
    changed = {name: text for name, text in files.items() if existing.generated.get(name) != text}
    stale = sorted(name for name in existing.generated if name not in files)
    folder.mkdir(parents=True, exist_ok=True)
    temps: list[Path] = []
    try:
        for name, text in changed.items():
            temp = folder / f".{name}{_TEMP_SUFFIX}"
            temps.append(temp)
            with temp.open("wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        for name in changed:
            os.replace(folder / f".{name}{_TEMP_SUFFIX}", folder / name)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    for name in stale:
        (folder / name).unlink()
    return Outcome(
        written=tuple(sorted(changed)),
        removed=tuple(stale),
        unchanged=tuple(sorted(name for name in files if name not in changed)),
    )


def write_file(path: Path, text: str) -> None:
    """Replace one file atomically: write and sync a temporary sibling, then rename it over."""
    temp = path.with_name(f".{path.name}{_TEMP_SUFFIX}")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with temp.open("wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def read_text(path: Path) -> str | None:
    """A file's text, or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def create_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (`gluegen init`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{display(path)} already exists; gluegen init never overwrites a spec") from None
