"""The result cache of `gluegen check` and `gluegen generate`: answer a run that changes nothing
without importing pydantic or jinja2.

Standard library only, and only its cheap modules (no pathlib, json, re or hashlib), since this
module is imported before anything else on every `gluegen` run.

An entry is the result of one run as the normal path printed it (stdout, stderr, exit code),
stored under a key over everything its output depends on:

- the run: the command, its arguments as given, the working directory, the cache format;
- the specs: each spec path the run reads (or the listing of the specs folder), where it
  resolves to, and its bytes;
- gluegen: a digest of every file of the installed package and its templates, the Python
  version and `sys.path`, and for pydantic, pydantic-core, jinja2, markupsafe and PyYAML the
  file each is imported from (with its size and modification time) and its installed version;
- the out dir: every name in it, in its module folders, in `envs/` and the environments'
  folders, with its kind (file, folder, link, other), and the bytes of every file in those
  folders (`tree`): what `check` compares, what `generate` would rewrite, and every header that
  names a spec.

The entry also holds each spec that a header in the out dir names, with what the run found
there (exists, is a file, resolves to): whether such a spec still exists decides orphans and
ownership, so a hit needs it unchanged too. A run is answered from the cache only when all of
this is equal; anything else (a miss, an entry that does not verify, an option the fast path
does not parse, an unreadable file) falls through to the normal path, which stores what it
printed when it changed nothing on disk (exit 0 or 1).

Threat model: an entry is trusted only when its MAC (keyed BLAKE2b) verifies under the secret
key of its cache folder (`secret`, created on first use, readable by its owner only), so an
entry that is corrupt, truncated, from another cache or machine, or written by anything that
cannot read that key is ignored and replaced. The key is trusted only when it, the folder and its
entries/ are the user's own and no one else can write them (the folder is created 0700): in a folder
others may write (a shared GLUEGEN_CACHE_DIR, say), anyone could replace the key and sign entries,
so there the cache is not used. Whoever can read the key can also edit gluegen's own code, and is not
defended against.
"""

from __future__ import annotations

import marshal
import os
import sys

try:  # the builtin module: hashlib would import OpenSSL's bindings first (about 5 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

FORMAT = 1
MAGIC = b"gluegen-cache %d\n" % FORMAT
_MAC_SIZE = 32
_SECRET = "secret"
_ENTRIES = "entries"
COMMANDS = ("check", "generate")
DEFAULT_OUT_DIR = "out"  # as generator.render.module has them (tests/test_cache.py checks)
DEFAULT_SPECS_DIR = "specs"
ENVS_FOLDER = "envs"
SPEC_SUFFIXES = (".yaml", ".yml")
_LIBRARIES = (  # (module, distribution): the libraries whose code shapes the output
    ("pydantic", "pydantic"),
    ("pydantic_core", "pydantic_core"),
    ("jinja2", "jinja2"),
    ("markupsafe", "markupsafe"),
    ("yaml", "pyyaml"),
)
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


class Miss(Exception):
    """The cache cannot answer this run (the reason, for GLUEGEN_CACHE_DEBUG)."""


def _debug(message: str) -> None:
    if os.environ.get("GLUEGEN_CACHE_DEBUG"):
        print(f"gluegen cache: {message}", file=sys.stderr)


def disabled(environ=os.environ) -> bool:
    """GLUEGEN_NO_CACHE set to anything but empty or 0 turns the cache off."""
    return environ.get("GLUEGEN_NO_CACHE", "") not in ("", "0")


def location(environ=os.environ) -> str:
    """GLUEGEN_CACHE_DIR, else the platform's cache folder: $XDG_CACHE_HOME/gluegen or
    ~/.cache/gluegen (Linux and other Unix), ~/Library/Caches/gluegen (macOS),
    %LOCALAPPDATA%\\gluegen\\Cache (Windows)."""
    if environ.get("GLUEGEN_CACHE_DIR"):
        return environ["GLUEGEN_CACHE_DIR"]
    if sys.platform == "win32" and environ.get("LOCALAPPDATA"):
        return os.path.join(environ["LOCALAPPDATA"], "gluegen", "Cache")
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Caches", "gluegen")
    base = environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gluegen")


# -- the arguments -----------------------------------------------------------------------------


class Run:
    """A `check` or `generate` invocation, as argparse would read it."""

    __slots__ = ("command", "specs", "out_dir", "specs_dir")

    def __init__(self, command: str, specs: tuple[str, ...], out_dir: str | None, specs_dir: str | None) -> None:
        # As the commands read them: the defaults spelled out, so `--out-dir out` is the same run.
        self.command, self.specs, self.out_dir = command, specs, out_dir or DEFAULT_OUT_DIR
        self.specs_dir = None if specs else specs_dir or DEFAULT_SPECS_DIR

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Run) and all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # compared, never a key


def parse(argv: list[str]) -> Run | None:
    """The run, when it is `check` or `generate` with only the arguments this parser knows
    (`SPEC ...`, `--out-dir DIR`, `--specs-dir DIR`, each option once, no `--no-cache`);
    None for anything else, which argparse then handles (abbreviations, `--`, help, errors)."""
    if not argv or argv[0] not in COMMANDS:
        return None
    specs: list[str] = []
    options: dict[str, str] = {}
    given_before = 0  # options given before the last SPEC
    rest = iter(argv[1:])
    for token in rest:
        if not token.startswith("-"):
            if specs and options and len(options) != given_before:  # argparse takes SPEC ... in one run only
                return None
            specs.append(token)
            given_before = len(options)
            continue
        name, equals, value = token.partition("=")
        if name not in ("--out-dir", "--specs-dir") or name in options:
            return None
        if not equals:
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return None
        if not value:
            return None
        options[name] = value
    if specs and "--specs-dir" in options:  # a usage error: the normal path says so
        return None
    return Run(argv[0], tuple(specs), options.get("--out-dir"), options.get("--specs-dir"))


# -- what a run depends on ---------------------------------------------------------------------


class _Digest:
    """Feeds typed, length-prefixed fields, so no two different sequences hash alike."""

    def __init__(self) -> None:
        self._hash = blake2b(digest_size=32)

    def add(self, *fields) -> None:
        for field in fields:
            if field is None:
                self._hash.update(b"N")
                continue
            if isinstance(field, bool):
                data, tag = b"1" if field else b"0", b"B"
            elif isinstance(field, int):
                data, tag = str(field).encode(), b"I"
            elif isinstance(field, str):
                data, tag = field.encode("utf-8", "surrogateescape"), b"S"
            else:
                data, tag = bytes(field), b"Y"
            self._hash.update(b"%s%d:" % (tag, len(data)))
            self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.digest()


def _read(path: str) -> bytes:
    """A regular file's bytes; Miss for anything else (a FIFO is never opened for reading)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise Miss(f"{path}: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if (info.st_mode & 0o170000) != 0o100000:
            raise Miss(f"{path}: not a regular file")
        chunks = [os.read(fd, info.st_size + 1)]  # all of it, in one call, unless it grew
        while len(chunks[-1]) > (info.st_size if len(chunks) == 1 else 0):
            chunks.append(os.read(fd, 1 << 16))
        return b"".join(chunks)
    except OSError as error:
        raise Miss(f"{path}: {error.strerror}") from None
    finally:
        os.close(fd)


def _kind(entry: os.DirEntry) -> str:
    if entry.is_symlink():
        return "l"
    if entry.is_dir(follow_symlinks=False):
        return "d"
    if entry.is_file(follow_symlinks=False):
        return "f"
    return "o"


def _entries(folder: str) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as found:
            return sorted(found, key=lambda entry: entry.name)
    except OSError as error:
        raise Miss(f"{folder}: {error.strerror}") from None


def package_digest() -> bytes:
    """Every file of the gluegen package and of its templates (wherever the package finds them),
    by relative path and bytes; bytecode caches are derived from the sources and left out."""
    digest = _Digest()
    templates = [os.path.join(_PACKAGE, "templates"), os.path.join(os.path.dirname(_PACKAGE), "templates")]
    roots = [_PACKAGE] + [next((folder for folder in templates if os.path.isdir(folder)), templates[0])]
    for root in roots:
        digest.add("root", root)
        pending = [""]
        while pending:
            relative = pending.pop()
            for entry in _entries(os.path.join(root, relative) if relative else root):
                if entry.name == "__pycache__" or entry.name.endswith((".pyc", ".pyo")):
                    continue
                name = f"{relative}/{entry.name}" if relative else entry.name
                kind = "d" if entry.is_dir() else "f" if entry.is_file() else "o"
                digest.add(name, kind)
                if kind == "d":
                    pending.append(name)
                elif kind == "f":
                    digest.add(_read(entry.path))
    return digest.digest()


def _libraries(digest: _Digest) -> None:
    """Python, and where each library that shapes the output is imported from and its version
    (from the file system: importing them, or importlib.metadata, is what the cache avoids)."""
    digest.add(sys.version, sys.implementation.cache_tag, sys.executable, *sys.path)
    listings: dict[str, list[str]] = {}
    for module, distribution in _LIBRARIES:
        for entry in sys.path:
            init = os.path.join(entry or os.curdir, module, "__init__.py")
            try:
                info = os.stat(init)
            except OSError:
                continue
            if entry not in listings:
                try:
                    listings[entry] = sorted(os.listdir(entry or os.curdir))
                except OSError:
                    listings[entry] = []
            versions = [name for name in listings[entry]
                        if name.lower().startswith(distribution + "-") and name.endswith((".dist-info", ".egg-info"))]
            digest.add(module, os.path.abspath(init), info.st_mtime_ns, info.st_size, *versions)
            break
        else:
            digest.add(module, None)


def _specs(run: Run, digest: _Digest) -> None:
    """The specs the run reads: each given path, or every entry of the specs folder, with where
    it resolves to and (for a spec) its bytes. Miss when one cannot be read: the normal path
    reports that."""
    if run.specs:
        for path in run.specs:
            digest.add("spec", path, os.path.realpath(path), _read(path))
        return
    folder = run.specs_dir
    digest.add("specs", folder, os.path.realpath(folder))
    for entry in _entries(folder):
        kind = _kind(entry)
        digest.add(entry.name, kind)
        if os.path.splitext(entry.name)[1].lower() in SPEC_SUFFIXES:
            path = entry.path
            is_file = os.path.isfile(path)
            digest.add(os.path.realpath(path), is_file)
            if is_file:
                digest.add(_read(path))


def key(run: Run) -> bytes:
    """Everything but the out dir that the run's output depends on."""
    digest = _Digest()
    digest.add(FORMAT, run.command, run.out_dir, run.specs_dir, len(run.specs), os.getcwd())
    for stream in (sys.stdout, sys.stderr):  # what the stored text is printed through
        digest.add(getattr(stream, "encoding", None), getattr(stream, "errors", None))
    _libraries(digest)
    digest.add(package_digest())
    _specs(run, digest)
    return digest.digest()


def tree(out_dir: str, files: list[tuple[str, bytes]] | None = None) -> bytes:
    """The out dir as `check` and `generate` see it: every name in it, in each folder in it and
    in each folder of its `envs/`, with its kind, and the bytes of every regular file in those
    folders (appended to `files`, when given). Miss when the out dir is not a folder (the normal
    path decides what a missing one or a file in its place means) or cannot be read."""
    if not os.path.isdir(out_dir):
        raise Miss(f"{out_dir}: not a folder")
    digest = _Digest()
    digest.add(os.path.realpath(out_dir), os.path.islink(out_dir))
    pending = [(out_dir, "", False)]
    while pending:
        folder, relative, envs = pending.pop()
        digest.add("folder", relative)
        depth = relative.count("/") + 1 if relative else 0
        for entry in _entries(folder):
            kind = _kind(entry)
            if kind == "l":  # the normal path follows it (an envs/ or a module folder elsewhere): miss
                raise Miss(f"{entry.path}: a symbolic link")
            digest.add(entry.name, kind)
            if kind == "d" and (depth == 0 or envs):
                pending.append((entry.path, f"{relative}/{entry.name}" if relative else entry.name,
                                depth == 0 and entry.name == ENVS_FOLDER))
            elif kind == "f" and depth > 0:
                data = _read(entry.path)
                digest.add(data)
                if files is not None:
                    files.append((entry.path, data))
    return digest.digest()


def probe(path: str) -> tuple:
    """What ownership and orphan rules ask of a spec that a header names."""
    return (os.path.realpath(path), os.path.isfile(path), os.path.exists(path), os.path.islink(path))


# -- entries -------------------------------------------------------------------------------------


def _secret(folder: str, create: bool) -> bytes | None:
    """The cache folder's key, created on first use (readable by its owner only, and never half
    written: it appears under its name by a hard link, which fails if another process got there first)."""
    path = os.path.join(folder, _SECRET)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            if not _private(folder, os.fstat(fd)):
                return None
            secret = os.read(fd, 65)
        finally:
            os.close(fd)
        if len(secret) == 64:
            return secret
    except FileNotFoundError:
        secret = None
    except OSError:
        return None
    if not create or (os.path.isdir(folder) and not _private(folder, None)):
        return None
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not _private(folder, None):
        return None
    temp = f"{path}.{os.getpid()}.{os.urandom(8).hex()}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, os.urandom(64))
    finally:
        os.close(fd)
    try:
        if secret is None:
            try:
                os.link(temp, path)
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: a racing process's entries become unverifiable, no worse
                os.replace(temp, path)
        else:  # a corrupt key: every entry under it is unverifiable anyway
            os.replace(temp, path)
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)
    return _secret(folder, create=False)


def _private(folder: str, key: os.stat_result | None) -> bool:
    """Whether no one but this user can have written the key (when given) or the entries: the
    folder, its entries/ and the key are this user's, and writable by no one else. Else the
    cache is not used at all: whoever could write the key or an entry could make a hit lie."""
    if not hasattr(os, "getuid"):  # Windows: the folder's ACL decides; nothing to compare here
        return True
    uid = os.getuid()
    found = [key] if key is not None else []
    for path in (folder, os.path.join(folder, _ENTRIES)):
        try:
            found.append(os.stat(path))
        except FileNotFoundError:
            if path == folder:
                return False
        except OSError:
            return False
    return all(stat.st_uid == uid and not stat.st_mode & 0o022 for stat in found)


def _entry_path(folder: str, key_: bytes, state: bytes) -> str:
    name = blake2b(key_ + state, digest_size=20).hexdigest()
    return os.path.join(folder, _ENTRIES, name[:2], name[2:])


def _mac(secret: bytes, body: bytes) -> bytes:
    return blake2b(MAGIC + body, key=secret, digest_size=_MAC_SIZE).digest()


def load(folder: str, key_: bytes, state: bytes) -> tuple[int, str, str, tuple]:
    """The entry for this key and out dir state: (exit code, stdout, stderr, probes). Miss when
    there is none or it does not verify (wrong format, MAC, key or state)."""
    secret = _secret(folder, create=False)
    if secret is None:
        raise Miss("no cache key")
    path = _entry_path(folder, key_, state)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        raise Miss("no entry") from None
    head = len(MAGIC) + _MAC_SIZE
    if not data.startswith(MAGIC) or len(data) <= head:
        raise Miss(f"{path}: not an entry of this format")
    body = data[head:]
    if data[len(MAGIC):head] != _mac(secret, body):
        raise Miss(f"{path}: does not verify")
    try:
        stored_key, stored_state, code, out, err, probes = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        raise Miss(f"{path}: unreadable") from None
    if stored_key != key_ or stored_state != state:
        raise Miss(f"{path}: made for another run")
    return code, out, err, probes


def store(folder: str, key_: bytes, state: bytes, code: int, out: str, err: str, probes: tuple) -> None:
    """Write the entry atomically (a unique temporary file renamed into place), so concurrent
    writers and readers only ever see a whole entry."""
    secret = _secret(folder, create=True)
    if secret is None:
        raise Miss("cannot create the cache key")
    body = marshal.dumps((key_, state, code, out, err, probes))
    path = _entry_path(folder, key_, state)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tag = os.path.join(folder, "CACHEDIR.TAG")
    if not os.path.exists(tag):
        with open(tag, "w", encoding="ascii") as handle:
            handle.write("Signature: 8a477f597d28d172789f06886806bc55\n# gluegen's result cache; delete it at any time.\n")
    temp = f"{path}.{os.getpid()}.{os.urandom(8).hex()}.tmp"
    try:
        with open(temp, "xb") as handle:
            handle.write(MAGIC + _mac(secret, body) + body)
        os.replace(temp, path)
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


# -- the two paths -------------------------------------------------------------------------------


def _out(text: str, stream) -> None:
    if text:
        stream.write(text)
        stream.flush()


def answer(argv: list[str]) -> int | None:
    """The fast path: print what the normal path would and return its exit code, or None when
    the cache cannot answer (the normal path runs)."""
    run = parse(argv)
    if run is None or disabled():
        return None
    global _seen
    try:
        key_, files = key(run), []
        state = tree(run.out_dir, files)
        _seen = (run, key_, state, files)  # on a miss, the normal path's Recorder starts from these
        code, out, err, probes = load(location(), key_, state)
        for path, found in probes:
            if probe(path) != found:
                raise Miss(f"{path}: changed")
    except Miss as miss:
        _debug(f"miss: {miss}")
        return None
    except Exception as error:  # any doubt: the normal path answers
        _debug(f"miss: {type(error).__name__}: {error}")
        return None
    _debug("hit")
    try:
        _out(err, sys.stderr)
        _out(out, sys.stdout)
    except BrokenPipeError:  # as the normal path: the reader went away
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


# What `answer` computed for its run (key, out dir state and files), so that on a miss the
# Recorder of the same run does not read and hash it all again; `finish` observes afresh anyway.
_seen: tuple[Run, bytes, bytes, list[tuple[str, bytes]]] | None = None


class _Tee:
    """A text stream that passes everything on and keeps a copy."""

    def __init__(self, stream) -> None:
        self.stream, self.parts = stream, []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()

    def text(self) -> str:
        return "".join(self.parts)


class Recorder:
    """The normal path's side: what the run depends on before it runs; after it, the entry,
    stored when the out dir is as it was (the run changed nothing) and the exit code is 0 or 1."""

    def __init__(self, run: Run, stdout, stderr, named_spec) -> None:
        global _seen
        self.run, self.named_spec = run, named_spec
        seen, _seen = _seen, None
        if seen is not None and seen[0] == run:  # the fast path's miss: reuse what it read
            self.key = seen[1]
            self.state, self.probes = self._probes(seen[2], seen[3])
        else:
            self.key = key(run)
            self.state, self.probes = self._observe()
        self.stdout, self.stderr = _Tee(stdout), _Tee(stderr)

    def _observe(self) -> tuple[bytes, tuple]:
        files: list[tuple[str, bytes]] = []
        return self._probes(tree(self.run.out_dir, files), files)

    def _probes(self, state: bytes, files: list[tuple[str, bytes]]) -> tuple[bytes, tuple]:
        """The state, and each spec a generated file's header names with what is there now."""
        named = {self.named_spec(data.decode("utf-8", "replace"), self.run.out_dir) for _, data in files}
        return state, tuple(sorted((path, probe(path)) for path in map(str, named - {None})))

    @classmethod
    def start(cls, command: str, specs: list[str], out_dir: str, specs_dir: str | None, stdout, stderr,
              named_spec) -> Recorder | None:
        """None when the cache is off or cannot apply to this run. `named_spec(text, out_dir)`: the
        spec a generated file's header names, or None."""
        if disabled():
            return None
        try:
            return cls(Run(command, tuple(specs), out_dir, specs_dir), stdout, stderr, named_spec)
        except Exception as error:
            _debug(f"not recorded: {type(error).__name__}: {error}")
            return None

    def finish(self, code: int) -> None:
        if code not in (0, 1):
            return
        try:  # stored only when what the run depends on is the same after it as before it
            if self._observe() != (self.state, self.probes) or key(self.run) != self.key:
                raise Miss("the inputs changed while the run read them")
            store(location(), self.key, self.state, code, self.stdout.text(), self.stderr.text(), self.probes)
            _debug("stored")
        except Exception as error:  # a cache that cannot be written is no cache, not an error
            _debug(f"not stored: {type(error).__name__}: {error}")
