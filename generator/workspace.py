"""The edge that touches the disk: reading specs and module folders, writing modules.

`survey` looks at every module folder a run produces and at the orphaned ones beside
them, refusing anything gluegen may not touch; `apply` then writes all of it or none
of it (see `apply`). A file is gluegen's only when its name is one a module can have
and it starts with gluegen's header; nothing else is ever overwritten or removed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from collections.abc import Callable

from generator.errors import OwnershipError, UsageError, WriteError
from generator.spec.model import ENVS_FOLDER, IDENTIFIER
from generator.render.module import MARKER, Origin, is_module_file, origin_of
from generator.render.roots import IMPORTS_FILE, adopted_modules, is_root_file

SPEC_SUFFIXES = (".yaml", ".yml")
_TEMP_SUFFIX = ".gluegen-tmp"  # a new file, written and synced before it is renamed into place
_BACKUP_SUFFIX = ".gluegen-old"  # a replaced or removed file, kept until every module is written


def discover(paths: list[str], specs_dir: Path = Path("specs")) -> list[Path]:
    """The given spec paths, each file once however it is spelled, or every `.yaml`/`.yml`
    file (any case) in `specs_dir` when none is given."""
    if paths:
        unique: dict[Path, Path] = {}
        for path in map(Path, paths):
            unique.setdefault(path.resolve(), path)
        return list(unique.values())
    candidates = sorted(path for path in specs_dir.glob("*") if path.suffix.lower() in SPEC_SUFFIXES and path.is_file())
    if not candidates:
        raise UsageError(f"no spec given and none found in {specs_dir.as_posix()}/ (create one with `gluegen init`)")
    # A link to another spec of the folder is the same spec: read it once, under the file's own name.
    unique: dict[Path, Path] = {}
    for path in sorted(candidates, key=lambda path: path.is_symlink()):
        unique.setdefault(path.resolve(), path)
    return sorted(unique.values())


def display(path: Path) -> str:
    """A path as messages show it: relative to here when inside it, with '/'."""
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
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start:error.start].decode("utf-8", errors="replace")) + 1
        raise UsageError(
            f"{display(path)}:{line}:{column}: not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8"
        ) from None


def read_spec(path: Path) -> str:
    try:
        return _decode(path, _read_regular(path))
    except FileNotFoundError:
        raise UsageError(f"{display(path)}: no such spec file") from None
    except OSError as error:
        raise UsageError(f"{display(path)}: cannot read: {error.strerror}") from None


_BOM = "\ufeff"  # an editor's UTF-8 byte order mark before the header: a change to the file, not a new owner


_HEADER_STARTS = (f"# {MARKER} ".encode(), f"<!-- {MARKER} ".encode())


def _read_generated(path: Path, headers: bool) -> str | None:
    """The text of a regular file (not a link) whose first line is gluegen's header, else None;
    with `headers`, only its first two lines. One stat and one open per file: a check of one spec
    reads every other module's headers (for orphans), so this is on every command's path."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
    except OSError:
        return None
    with path.open("rb") as handle:
        first = handle.readline(512)
        if not first.removeprefix(_BOM.encode()).startswith(_HEADER_STARTS):
            return None
        if not headers:
            data = first + handle.read()
        else:
            data = (first if first.endswith(b"\n") else first + handle.readline()) + handle.readline()
    return data.decode("utf-8", "replace")


@dataclass(frozen=True)
class Folder:
    """A module folder's entries, split by who wrote them. gluegen's files are regular
    files whose name a module can have (`render.is_module_file`) and whose first line is
    its header; anything else (a link, a folder, a hand-written file, a file with a
    copied header under another name) is not gluegen's."""

    generated: dict[str, str]
    handwritten: set[str]


def read_folder(folder: Path, owns: Callable[[str], bool] = is_module_file, *, headers: bool = False) -> Folder:
    """`owns`: the file names gluegen may own in this kind of folder (a module's or a root's).
    `headers`: read only the first two lines of gluegen's files (its header, all `named_spec` needs)."""
    generated: dict[str, str] = {}
    handwritten: set[str] = set()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.name.endswith((_TEMP_SUFFIX, _BACKUP_SUFFIX)):
                continue
            text = _read_generated(path, headers) if owns(path.name) else None
            if text is not None:
                generated[path.name] = text
            else:
                handwritten.add(path.name)
    return Folder(generated, handwritten)


def origin(spec: Path, out_dir: Path) -> Origin:
    """The spec and out dir as the headers name them: relative to the deepest folder
    holding both (the project root), so the bytes do not depend on the working directory."""
    spec_path, out_path = Path(os.path.abspath(spec)), Path(os.path.abspath(out_dir))
    try:
        root = Path(os.path.commonpath([spec_path.parent, out_path]))
    except ValueError:  # different drives
        raise UsageError(f"{display(spec)} and the out dir {out_dir.as_posix()} have no folder in common") from None
    found = Origin(spec_path.relative_to(root).as_posix(), out_path.relative_to(root).as_posix())
    for path in (found.spec, found.out_dir):
        if not path.isprintable():
            raise UsageError(
                f"{path!r}: gluegen names this path in every generated file's header, and it holds a "
                "non-printable character; rename it"
            )
    return found


def named_spec(text: str, out_dir: Path) -> Path | None:
    """The spec a generated file's header names, found from the out dir the way the
    header defines its root; None when the header names none or was written for an
    out dir that is not this one (the folder was moved or copied)."""
    named = origin_of(text.removeprefix(_BOM))
    if named is None:
        return None
    out_path = Path(os.path.abspath(out_dir))
    depth = len(PurePosixPath(named.out_dir).parts)
    if depth and out_path.parts[-depth:] != PurePosixPath(named.out_dir).parts:
        return None
    return (out_path.parents[depth - 1] if depth else out_path) / named.spec


@dataclass(frozen=True)
class Target:
    """A module this run produces: its folder, its files and the spec it comes from."""

    folder: Path
    files: dict[str, str]
    spec: Path | None = None


@dataclass(frozen=True)
class RootTarget:
    """An environment's root this run produces: its folder, its files, and the spec of each
    module file (the shared files, written for every spec that declares the environment, have none)."""

    folder: Path
    files: dict[str, str]
    owners: dict[str, Path]  # "<module>.tf" -> its spec


@dataclass(frozen=True)
class ModuleState:
    """A produced module's folder as found: gluegen's files there, the rest, and which of
    gluegen's files the module no longer has."""

    target: Target
    on_disk: Folder
    stale: tuple[str, ...]
    others: tuple[Path, ...]  # specs of this run that files here name (this module was theirs before)


@dataclass(frozen=True)
class Orphan:
    """A module folder no spec of this run produces, holding files generated from a
    spec that no longer produces it."""

    folder: Path
    files: tuple[str, ...]  # the generated files to remove
    reasons: tuple[str, ...]  # "generated from specs/etl.yaml, which no longer exists"
    specs: tuple[Path, ...]  # specs of this run they name (they produce other modules now)


@dataclass(frozen=True)
class Survey:
    modules: tuple[ModuleState, ...]
    orphans: tuple[Orphan, ...]  # module folders, then environment folders
    roots: tuple[ModuleState, ...] = ()  # produced environment roots (their target is a RootTarget)


def _check_place(folder: Path) -> None:
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise OwnershipError(f"{folder.as_posix()}: {parent.as_posix()} is not a folder gluegen may write into")
    if folder.is_symlink():
        raise OwnershipError(
            f"{folder.as_posix()}: a symbolic link; gluegen writes a module only into a real folder (replace the link with a folder)"
        )


def _survey_module(target: Target, out_dir: Path | None, run: dict[Path, Target]) -> ModuleState:
    _check_place(target.folder)
    on_disk = read_folder(target.folder)
    blocked = sorted(name for name in target.files if name in on_disk.handwritten)
    if blocked:
        names = ", ".join(f"{target.folder.as_posix()}/{name}" for name in blocked)
        raise OwnershipError(
            f"{names}: not written by gluegen (no '{MARKER}' header, or not a regular file); move it away or rename it"
        )
    own = target.spec.resolve() if target.spec is not None else None
    others: dict[Path, Path] = {}
    for name, text in on_disk.generated.items():
        named = named_spec(text, out_dir) if out_dir is not None else None
        _claim(target.folder / name, named, own, run, others)
    stale = tuple(sorted(name for name in on_disk.generated if name not in target.files))
    return ModuleState(target, on_disk, stale, tuple(others.values()))


def _claim(path: Path, named: Path | None, own: Path | None, run: dict[Path, Target], others: dict[Path, Path]) -> None:
    """A generated file this run rewrites, generated from `named`: refused when that is another
    spec that exists and was not read; noted in `others` when it is another spec of this run."""
    if named is None or named.resolve() == own:
        return
    if named.resolve() in run:  # this file was that spec's before: it is this spec's now
        others[named.resolve()] = run[named.resolve()].spec or named
    elif named.is_file():
        raise OwnershipError(
            f"{path.as_posix()}: generated from {display(named)}, which this run did not read; "
            "pass both specs so gluegen can tell which one owns the module, or move the file away"
        )


def _survey_root(target: RootTarget, out_dir: Path, run: dict[Path, Target]) -> ModuleState:
    """A produced root, as `_survey_module` surveys a module, but shared by several specs: a
    module file generated from a spec that exists and that this run did not read is that
    spec's (left alone, neither stale nor extra); one from a spec that is gone, or that this
    run read and that no longer declares the environment, is stale."""
    _check_place(target.folder)
    on_disk = read_folder(target.folder, is_root_file)
    blocked = sorted(name for name in target.files if name in on_disk.handwritten)
    if blocked:
        names = ", ".join(f"{target.folder.as_posix()}/{name}" for name in blocked)
        raise OwnershipError(
            f"{names}: not written by gluegen (no '{MARKER}' header, or not a regular file); move it away or rename it"
        )
    others: dict[Path, Path] = {}
    foreign: dict[str, Path] = {}  # module files of specs this run did not read -> their spec
    for name, text in on_disk.generated.items():
        named = named_spec(text, out_dir)
        if name in target.files:
            own = target.owners[name].resolve() if name in target.owners else None
            _claim(target.folder / name, named, own, run, others)
        elif named is not None and named.resolve() not in run and named.is_file():
            foreign[name] = named
    theirs = {*foreign, *([IMPORTS_FILE] if _others_imports(target, on_disk, foreign) else [])}
    mine = Folder({name: text for name, text in on_disk.generated.items() if name not in theirs}, on_disk.handwritten)
    stale = tuple(sorted(name for name in mine.generated if name not in target.files))
    return ModuleState(Target(target.folder, target.files), mine, stale, tuple(others.values()))


def _others_imports(target: RootTarget, on_disk: Folder, foreign: dict[str, Path]) -> bool:
    """Whether the root's imports.tf adopts only modules of specs this run did not read (then it is
    theirs: left alone). imports.tf is shared by the specs that declare the environment, so a run
    that did not read a spec whose module it adopts cannot otherwise rewrite or remove it without
    losing that module's import blocks: refused."""
    text = on_disk.generated.get(IMPORTS_FILE)
    if text is None or target.files.get(IMPORTS_FILE) == text:
        return False
    adopted = adopted_modules(text)
    lost = sorted(spec for name, spec in foreign.items() if name.removesuffix(".tf") in adopted)
    if not lost:
        return False
    ours = {name.removesuffix(".tf") for name in target.owners}
    if IMPORTS_FILE not in target.files and not adopted & ours:
        return True
    raise OwnershipError(
        f"{(target.folder / IMPORTS_FILE).as_posix()}: also adopts the module of {', '.join(map(display, lost))}, "
        "which this run did not read; pass every spec that declares the environment (or none, to read them all)"
    )


def _orphans(out_dir: Path, run: dict[Path, Target], produced: set[str], *, roots: bool = False) -> list[Orphan]:
    """Module folders under the out dir (or, with `roots`, environment folders under its
    `envs/`) that no target produces, with the generated files whose spec is gone, is not a
    file, or (read in this run) produces another module or no longer declares the environment.
    A root's shared files (naming no one spec) go with it when none of its module files stays."""
    parent = out_dir / ENVS_FOLDER if roots else out_dir
    found = []
    specs_named: dict[str, Path | None] = {}  # a folder's files name one spec, in one header: read it once
    for folder in sorted(parent.iterdir()) if parent.is_dir() and not parent.is_symlink() else ():
        if folder.name in produced or not IDENTIFIER.fullmatch(folder.name) or folder.is_symlink() or not folder.is_dir():
            continue
        if not roots and folder.name == ENVS_FOLDER:
            continue
        files, reasons, specs, shared, kept = [], {}, {}, [], False
        for name, text in read_folder(folder, is_root_file if roots else is_module_file, headers=True).generated.items():
            if text not in specs_named:
                specs_named[text] = named_spec(text, out_dir)
            named = specs_named[text]
            if named is None:
                shared.append(name)
                continue
            if (resolved := named.resolve()) in run:
                owner = run[resolved]
                specs[resolved] = owner.spec or named
                reason = (f"which no longer declares environment {folder.name}" if roots
                          else f"which now produces {owner.folder.as_posix()}")
            elif not named.exists() and not named.is_symlink():
                reason = "which no longer exists"
            elif not named.is_file():
                reason = "which is not a file any more"
            else:  # a spec this run did not read: not this run's to judge
                kept = True
                continue
            files.append(name)
            reasons.setdefault(f"generated from {display(named)}, {reason}", None)
        if roots and shared and not kept:
            if not files:
                reasons.setdefault(f"no spec of this run declares environment {folder.name}", None)
            files = sorted(files + shared)
        if files:
            found.append(Orphan(folder, tuple(files), tuple(reasons), tuple(specs.values())))
    return found


def survey(targets: list[Target], out_dir: Path | None = None, roots: list[RootTarget] = ()) -> Survey:
    """Look at every produced module's folder, and (given the out dir) at the module
    folders under it that no target produces; refuse anything gluegen may not touch.

    Refused (OwnershipError): a module folder that is a link or sits under a file; a
    file that is not gluegen's where the module has a file; a generated file naming a
    spec this run did not read. Orphans: module folders under the out dir whose
    generated files name a spec that is gone, is not a file, or (read in this run)
    produces another module now.
    """
    run = {target.spec.resolve(): target for target in targets if target.spec is not None}
    modules = tuple(_survey_module(target, out_dir, run) for target in targets)
    produced = {target.folder.name for target in targets}
    orphans = tuple(_orphans(out_dir, run, produced)) if out_dir is not None else ()
    if out_dir is None:
        return Survey(modules, orphans)
    states = tuple(_survey_root(root, out_dir, run) for root in roots)
    orphans += tuple(_orphans(out_dir, run, {root.folder.name for root in roots}, roots=True))
    return Survey(modules, orphans, states)


def _write_synced(path: Path, text: str) -> None:
    """Write UTF-8 text with LF as given, and sync it to disk before anyone renames it."""
    with path.open("wb") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class Outcome:
    folder: Path
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    folder_removed: bool = False


def _undo(journal: list[tuple[Path, Path | None]]) -> list[str]:
    """Put every renamed file back, newest first; what could not be restored, said plainly."""
    failures = []
    for target, backup in reversed(journal):
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        except OSError as error:
            kept = f" (its previous text is in {backup.as_posix()})" if backup is not None else ""
            failures.append(f"{target.as_posix()}: {error.strerror or error}{kept}")
    return failures


@contextlib.contextmanager
def _signals_recorded() -> Iterator[list[int]]:
    """While files are written, SIGINT and SIGTERM are recorded instead of acted on, so the
    writer decides where to stop: before the first rename (undoing everything) or after
    the last (done). Signal handlers belong to the main thread; elsewhere nothing changes."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    wanted = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda number, frame: received.append(number)) for number in wanted}
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def apply(found: Survey) -> list[Outcome]:
    """`_apply` with interrupts held off until it can stop cleanly."""
    with _signals_recorded() as received:
        return _apply(found, received)


def _apply(found: Survey, interrupted: list[int]) -> list[Outcome]:
    """Make each produced folder hold exactly its files among gluegen's, and remove the
    orphans' generated files; all of it or none of it.

    Every changed file is written and synced under a temporary name first. Then each
    file to be replaced or removed is renamed aside to a hidden backup beside it and
    the new one renamed into place; the backups are deleted only when every module is
    done. On any failure the renames are undone in reverse (backups restored, new
    files removed), the temporary files and the folders this run created are removed,
    and a WriteError says nothing was changed (or, should undoing fail too, exactly
    which file is left how).
    """
    produced = (*found.modules, *found.roots)
    created = [folder for state in produced for folder in _missing_folders(state.target.folder)]
    temps: dict[Path, Path] = {}  # final path -> its synced temporary file
    journal: list[tuple[Path, Path | None]] = []  # (path, its backup or None when it was new)
    current = Path()  # what is being written, for the message
    try:
        for state in produced:
            current = state.target.folder
            current.mkdir(parents=True, exist_ok=True)
            for name, text in state.target.files.items():
                if state.on_disk.generated.get(name) != text:
                    current = state.target.folder / name
                    temps[current] = current.with_name(f".{name}{_TEMP_SUFFIX}")
                    _write_synced(temps[current], text)
                    if interrupted:  # nothing renamed yet: stop here, undoing the temporary files
                        raise KeyboardInterrupt
        removals = [state.target.folder / name for state in produced for name in state.stale]
        removals += [orphan.folder / name for orphan in found.orphans for name in orphan.files]
        for current in [*temps, *removals]:
            if current not in temps or os.path.lexists(current):  # a file to replace or remove goes aside first
                backup = current.with_name(f".{current.name}{_BACKUP_SUFFIX}")
                os.replace(current, backup)
                journal.append((current, backup))
            if current in temps:
                journal.append((current, None))
                os.replace(temps[current], current)
    except BaseException as error:  # an interrupt too: never leave a module half-written
        failures = _undo(journal)
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        _remove_empty(created)
        if not isinstance(error, OSError):
            raise
        problem = f"cannot write {current.as_posix()}: {error.strerror or error}"
        if failures:
            raise WriteError(f"{problem}; and could not restore: {'; '.join(failures)}") from None
        raise WriteError(f"{problem}; nothing was changed") from None
    for _, backup in journal:
        if backup is not None:
            with contextlib.suppress(OSError):  # a leftover hidden backup is ignored by every later run
                backup.unlink()
    outcomes = [
        Outcome(
            folder=state.target.folder,
            written=tuple(sorted(name for name in state.target.files if state.target.folder / name in temps)),
            removed=state.stale,
            unchanged=tuple(sorted(name for name in state.target.files if state.target.folder / name not in temps)),
        )
        for state in produced
    ]
    for orphan in found.orphans:
        emptied = not any(orphan.folder.iterdir())
        if emptied:
            with contextlib.suppress(OSError):
                orphan.folder.rmdir()
        outcomes.append(Outcome(orphan.folder, (), orphan.files, (), folder_removed=emptied and not orphan.folder.exists()))
    return outcomes


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
    except (FileNotFoundError, NotADirectoryError):  # nothing there (a file in its folder's place: the writer says so)
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
