"""The edge that touches the disk: reading specs and module folders, writing modules.

Writes are atomic per module: every new file is written and synced under a
temporary name first, and only when all are ready are they renamed into place, so
a failure before that leaves the previous module as it was. A file without
gluegen's header is never overwritten or removed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from generator.errors import OwnershipError, UsageError, WriteError
from generator.render import MARKER

SPEC_SUFFIXES = (".yaml", ".yml")
_TEMP_SUFFIX = ".gluegen-tmp"


def discover(paths: list[str], specs_dir: Path = Path("specs")) -> list[Path]:
    """The given spec paths, each file once however it is spelled, or every `.yaml`/`.yml`
    file (any case) in `specs_dir` when none is given."""
    if paths:
        unique: dict[Path, Path] = {}
        for path in map(Path, paths):
            unique.setdefault(path.resolve(), path)
        return list(unique.values())
    found = sorted(path for path in specs_dir.glob("*") if path.suffix.lower() in SPEC_SUFFIXES and path.is_file())
    if not found:
        raise UsageError(f"no spec given and none found in {specs_dir.as_posix()}/ (create one with `gluegen init`)")
    return found


def display(path: Path) -> str:
    """A spec path as headers and messages show it: relative to here when inside it, with '/'."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes; refuses a FIFO, device or folder before reading from it
    (a FIFO opened without O_NONBLOCK would wait for a writer forever)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError(f"{display(path)}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{display(path)}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def read_spec(path: Path) -> str:
    try:
        return _decode(path, _read_regular(path))
    except FileNotFoundError:
        raise UsageError(f"{display(path)}: no such spec file") from None
    except OSError as error:
        raise UsageError(f"{display(path)}: cannot read: {error.strerror}") from None


def _is_generated(path: Path) -> bool:
    """A regular file (not a link) whose first line is gluegen's header."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        first = handle.readline(512)
    return first.startswith((f"# {MARKER} ".encode(), f"<!-- {MARKER} ".encode()))


@dataclass(frozen=True)
class Folder:
    """A module folder's entries, split by who wrote them: anything that is not a
    regular file with gluegen's header (a link, a folder, a hand-written file) is not ours."""

    generated: dict[str, str]
    handwritten: set[str]


def read_folder(folder: Path) -> Folder:
    generated: dict[str, str] = {}
    handwritten: set[str] = set()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.name.endswith(_TEMP_SUFFIX):
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
    """Refuse, before anything is written, a module folder that is not a folder, or a
    generated file's place taken by something gluegen did not write."""
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise OwnershipError(f"{folder.as_posix()}: {parent.as_posix()} is not a folder gluegen may write into")
    existing = read_folder(folder)
    blocked = sorted(name for name in files if name in existing.handwritten)
    if blocked:
        names = ", ".join(f"{folder.as_posix()}/{name}" for name in blocked)
        raise OwnershipError(
            f"{names}: not written by gluegen (no '{MARKER}' header, or not a regular file); move it away or rename it"
        )


def _write_synced(path: Path, text: str) -> None:
    """Write UTF-8 text with LF as given, and sync it to disk before anyone renames it."""
    with path.open("wb") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


@dataclass
class _Staged:
    folder: Path
    files: dict[str, str]
    changed: dict[str, Path]  # name -> its written and synced temporary file
    stale: list[str]


def _stage(folder: Path, files: dict[str, str]) -> _Staged:
    existing = read_folder(folder)
    staged = _Staged(folder, files, {}, sorted(name for name in existing.generated if name not in files))
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if existing.generated.get(name) == text:
            continue
        temp = folder / f".{name}{_TEMP_SUFFIX}"
        staged.changed[name] = temp
        _write_synced(temp, text)
    return staged


def write_modules(modules: list[tuple[Path, dict[str, str]]]) -> list[Outcome]:
    """Make each folder hold exactly its files among gluegen's own files.

    Every module is checked, then every changed file of every module is written and
    synced under a temporary name; only when all are ready are they renamed into place
    and stale generated files removed. A failure before that leaves every module as it
    was (temporary files and folders this run created are removed) and is reported as
    a WriteError.
    """
    for folder, files in modules:
        check_ownership(folder, files)
    created = [parent for folder, _ in modules for parent in (folder, *folder.parents) if not parent.exists()]
    staged: list[_Staged] = []
    try:
        for folder, files in modules:
            staged.append(_stage(folder, files))
    except OSError as error:
        for folder, _ in modules:
            for temp in folder.glob(f".*{_TEMP_SUFFIX}") if folder.is_dir() else ():
                temp.unlink(missing_ok=True)
        for folder in sorted(set(created), key=lambda path: len(path.parts), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise WriteError(f"cannot write {error.filename or ''}: {error.strerror or error}; nothing was changed") from None
    outcomes = []
    for module in staged:
        for name, temp in module.changed.items():
            os.replace(temp, module.folder / name)
        for name in module.stale:
            (module.folder / name).unlink()
        outcomes.append(Outcome(
            written=tuple(sorted(module.changed)),
            removed=tuple(module.stale),
            unchanged=tuple(sorted(name for name in module.files if name not in module.changed)),
        ))
    return outcomes


def write_module(folder: Path, files: dict[str, str]) -> Outcome:
    """`write_modules` for one module."""
    return write_modules([(folder, files)])[0]


def check_folder(folder: Path) -> None:
    """Refuse a folder path when something that is not a folder stands where it or a parent goes."""
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise UsageError(f"{display(parent)} is not a folder")


def write_file(path: Path, text: str) -> None:
    """Replace one regular file atomically: write and sync a temporary sibling, then rename it over."""
    check_folder(path.parent)
    if path.exists() and not path.is_file():
        raise UsageError(f"{display(path)}: not a regular file; gluegen writes only files")
    temp = path.with_name(f".{path.name}{_TEMP_SUFFIX}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_synced(temp, text)
        os.replace(temp, path)
    except OSError as error:
        raise WriteError(f"cannot write {display(path)}: {error.strerror or error}") from None
    finally:
        temp.unlink(missing_ok=True)


def read_text(path: Path) -> str | None:
    """A regular file's UTF-8 text, or None when nothing is there; UsageError for anything else."""
    try:
        return _decode(path, _read_regular(path))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(f"{display(path)}: cannot read: {error.strerror}") from None


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and its ancestors that do not exist yet, deepest first (what a mkdir would create)."""
    return [path for path in (folder, *folder.parents) if not path.exists()]


def _remove_empty(folders: list[Path]) -> None:
    for folder in sorted(set(folders), key=lambda path: len(path.parts), reverse=True):
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()


def create_files(files: list[tuple[Path, str]]) -> None:
    """Create files that must not exist yet, all or none (`gluegen init`).

    Each name is reserved first with an exclusive create, so nothing that appears
    meanwhile is ever replaced; the text goes to a synced temporary file renamed over
    the reservation. On any failure every reservation, temporary file and folder this
    call created is removed again.
    """
    created = [folder for path, _ in files for folder in _missing_folders(path.parent)]
    reserved: list[Path] = []
    temps: list[Path] = []
    try:
        for path, text in files:
            check_folder(path.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                path.open("xb").close()
            except FileExistsError:
                raise UsageError(f"{display(path)} already exists; gluegen never overwrites it") from None
            reserved.append(path)
            temps.append(path.with_name(f".{path.name}{_TEMP_SUFFIX}"))
            _write_synced(temps[-1], text)
        for (path, _), temp in zip(files, temps, strict=True):
            os.replace(temp, path)
    except BaseException as error:
        for path in (*temps, *reserved):
            path.unlink(missing_ok=True)
        _remove_empty(created)
        if isinstance(error, OSError):
            raise WriteError(f"cannot write {display(Path(error.filename or ''))}: {error.strerror or error}; nothing was written") from None
        raise
