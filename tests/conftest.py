"""Shared fixtures: the repo layout, the CLI, and terraform pointed at the local provider mirror."""

from __future__ import annotations

import fcntl
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
# gluegen's result cache: one folder of the session's own, so no test reads or writes the user's
# cache or depends on what another test run left behind (tests/test_cache.py uses folders of its own).
CACHE_DIR = tempfile.mkdtemp(prefix="gluegen-test-cache-")
os.environ["GLUEGEN_CACHE_DIR"] = CACHE_DIR
os.environ.pop("GLUEGEN_NO_CACHE", None)
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
MIRROR_ENV = "GLUEGEN_TF_PLUGIN_MIRROR"


def build_file_tree(root: Path, files: dict[str, str]) -> Path:
    """Create `files` (relative path -> text) under `root`; tests read like their situation."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None) -> Result:
    """Run gluegen in-process, in `cwd`, capturing both streams."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        try:
            code = main(list(args), stdout=out, stderr=err)
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
    finally:
        os.chdir(previous)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def missing(what: str) -> None:
    """Skip on a developer's machine that lacks a tool; fail in CI, where nothing may be skipped."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must run every test)")
    pytest.skip(f"{what} (.ci/run sets this up and fails instead of skipping)")


def checkov_binary() -> str:
    """checkov lives in its own virtualenv (.venv-checkov, see README): its pins clash with moto's."""
    for candidate in (os.environ.get("GLUEGEN_CHECKOV"), shutil.which("checkov"), str(ROOT / ".venv-checkov" / "bin" / "checkov")):
        if candidate and Path(candidate).is_file():
            return candidate
    missing("checkov is not installed (README: .venv-checkov)")
    raise AssertionError("unreachable")


# Each terraform command starts the AWS provider 2 to 5 times (schema, validate, plan, apply), and
# each start spends seconds building the provider's schema. Terraform can instead attach to a
# provider that is already running (TF_REATTACH_PROVIDERS, the provider's `-debug` mode, made for
# debuggers): one provider process per thread serves every command that thread runs, one at a time
# (each command configures it afresh). The same binary from the same mirror does the same calls;
# `terraform init` still installs it as usual. GLUEGEN_TF_REATTACH=0 turns this off.
REATTACH_ENV = "GLUEGEN_TF_REATTACH"
_REATTACH_LINE = re.compile(r"TF_REATTACH_PROVIDERS='([^']+)'")


@dataclass
class ProviderPool:
    """AWS provider processes in debug mode, one per thread that runs terraform, started on first use."""

    binary: Path
    env: dict[str, str]
    logs: Path
    _local: threading.local = field(default_factory=threading.local)
    _processes: list[subprocess.Popen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reattach(self) -> str:
        """The TF_REATTACH_PROVIDERS value of this thread's provider (restarted if it has ended)."""
        process = getattr(self._local, "process", None)
        if process is None or process.poll() is not None:
            self._local.process, self._local.value = self._start()
        return self._local.value

    def _start(self) -> tuple[subprocess.Popen, str]:
        with self._lock:
            log = self.logs / f"provider-{len(self._processes)}.log"
            with log.open("wb") as sink:
                process = subprocess.Popen([str(self.binary), "-debug"], stdout=sink, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, env=_provider_env(self.env))
            self._processes.append(process)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = _REATTACH_LINE.search(log.read_text(errors="replace"))
            if found:
                return process, found.group(1)
            if process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"the AWS provider in debug mode did not start ({self.binary}):\n{log.read_text()[-2000:]}")

    def close(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _provider_env(env: dict[str, str]) -> dict[str, str]:
    """The provider's own environment, without AWS_CA_BUNDLE: each configuration would wrap the
    process's shared HTTP client in the bundle again, and the second fails ("unable to add custom
    RootCAs HTTPClient"); the tests' endpoints are plain http on 127.0.0.1."""
    return {key: value for key, value in env.items() if key != "AWS_CA_BUNDLE"}


def provider_binary(cache: Path) -> Path | None:
    """The AWS provider that `terraform init` installed into the plugin cache (the newest, if several)."""
    found = sorted(cache.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*"))
    return found[-1] if found else None


@dataclass(frozen=True)
class Terraform:
    binary: str
    env: dict[str, str]
    providers: ProviderPool | None = None  # running providers to attach to (not for `init`)

    def run(
        self, *args: str, cwd: Path, check: bool = True, timeout: int = 300, input_text: str | None = None
    ) -> subprocess.CompletedProcess:
        env = self.env
        if self.providers is not None and args[:1] != ("init",):
            env = {**env, "TF_REATTACH_PROVIDERS": self.providers.reattach()}
        result = subprocess.run(
            [self.binary, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input_text,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"terraform {' '.join(args)} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
        return result

    def destroy(self, cwd: Path) -> subprocess.CompletedProcess:
        """`terraform destroy` without its refresh: the state was written by this test's own apply or
        import, so refreshing it first would only start the provider once more (a walk of its own);
        the tests read back through boto3 that nothing is left."""
        return self.run("destroy", "-auto-approve", "-refresh=false", "-input=false", "-no-color", cwd=cwd)


def terraform_cli_config(home: Path, mirror: str | None) -> Path:
    """A CLI config with one shared plugin cache; with a mirror, providers come only from it
    (offline machines and CI), without one terraform installs them from its registry as usual."""
    cache = home / "plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    installation = ""
    if mirror:
        installation = (
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }}\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
            "}\n"
        )
    config = home / "terraform.rc"
    config.write_text(installation + f'plugin_cache_dir = "{cache}"\n')
    return config


# The Go garbage collector's target (Go's default is 100). terraform and the AWS provider it starts
# are Go programs, and the provider builds its whole schema (~1,500 resource types) each time
# terraform starts it (2 to 5 times per command): at 100 the collector runs through that heap
# again and again. 400 takes about 30% less CPU per provider start for ~0.5 GB instead of
# ~0.3 GB of memory; the programs behave the same.
GO_GC_PERCENT = "400"


def terraform_env(config: Path, environ) -> dict[str, str]:
    """The environment of every terraform command: the CLI config, no prompts, no update check,
    and the Go GC target above unless GOGC is set already."""
    return {
        **environ,
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "1",
        "GOGC": environ.get("GOGC", GO_GC_PERCENT),
    }


def xdist_worker(config: pytest.Config) -> str | None:
    """The pytest-xdist worker this session is (`gw0`, ...), or None in a run without `-n`."""
    return getattr(config, "workerinput", {}).get("workerid")


def _run_folder(config: pytest.Config, tmp_path_factory) -> Path:
    """A folder of this test run that every pytest-xdist worker sees: the workers' base temps are
    folders of the controller's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if xdist_worker(config) else base


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if need be): one xdist worker at a time."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def terraform(tmp_path_factory, pytestconfig) -> Iterator[Terraform]:
    """terraform with a CLI config of its own: providers from the local mirror named by
    GLUEGEN_TF_PLUGIN_MIRROR when set, else from the registry; one plugin cache warmed once per
    test run (shared by the pytest-xdist workers), one provider pool per worker."""
    binary = shutil.which("terraform")
    mirror = os.environ.get(MIRROR_ENV)
    if binary is None:
        missing("terraform is not on PATH")
    if mirror and not Path(mirror, "registry.terraform.io", "hashicorp", "aws").is_dir():
        pytest.fail(f"{MIRROR_ENV}={mirror} holds no registry.terraform.io/hashicorp/aws (unset it to use the registry)")
    home = _run_folder(pytestconfig, tmp_path_factory) / "terraform"
    home.mkdir(exist_ok=True)
    # Warm the plugin cache once, so the parallel inits of later tests only link to it
    # (terraform does not promise that concurrent installs into one cache are safe): the first
    # worker installs, the others wait for the lock and find the provider there.
    with _locked(home / "warm.lock"):
        terraform = Terraform(binary, terraform_env(terraform_cli_config(home, mirror), os.environ))
        warm = home / "warm"
        warm.mkdir(exist_ok=True)
        (warm / "main.tf").write_text('terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n')
        terraform.run("init", "-backend=false", "-input=false", "-no-color", cwd=warm)
    binary = provider_binary(home / "plugin-cache")
    if os.environ.get(REATTACH_ENV, "1") == "0" or binary is None:
        yield terraform
        return
    providers = ProviderPool(binary, terraform.env, tmp_path_factory.mktemp("providers"))
    try:
        yield Terraform(terraform.binary, terraform.env, providers)
    finally:
        providers.close()


# The README's test command runs the tests in two processes (pytest-xdist, `-n 2 --dist loadgroup`):
# every test of one `xdist_group` runs in the same process. The expensive cases below (terraform on
# moto) are each one group, so a case runs once, where its tests run, and the two processes balance
# the cases and all other tests over the two cores.


def group_of_mark(mark: pytest.Mark | pytest.MarkDecorator) -> str:
    return mark.args[0] if mark.args else mark.kwargs.get("name", "default")


def group_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    return None if mark is None else group_of_mark(mark)


@pytest.hookimpl(tryfirst=True)  # before xdist's, which puts each test's group into its node id
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test using a module-scoped fixture joins its module's group (unless it has a group of its own),
    so that fixture (a moto server filled with shapes, a clone with the hooks installed) is set up in
    one process, not in each."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if group_of(item) is None and info is not None and any(
                definition.scope == "module" for definitions in info.name2fixturedefs.values() for definition in definitions):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


def pytest_configure(config: pytest.Config) -> None:
    """With `-n`, only `--dist loadgroup` keeps each case in one process, and pytest 9.2 silently
    undoes it (pytest-dev/pytest-xdist#1386): refuse a run in which every case would run in every process."""
    if not getattr(config.option, "numprocesses", None) or xdist_worker(config):
        return
    if config.option.dist != "loadgroup":
        raise pytest.UsageError(f"-n with --dist {config.option.dist}: the apply cases need --dist loadgroup "
                                "(README: Testing), or each would run in every process")
    if pytest.version_tuple[:2] >= (9, 2):
        raise pytest.UsageError(f"pytest {pytest.__version__} loses xdist's groups (pytest-dev/pytest-xdist#1386); "
                                "pyproject.toml's test extra pins pytest<9.2")


def reads_case(prefix: str, name: str) -> pytest.MarkDecorator:
    """The mark of a test that reads case `name` of a `Cases(prefix, ...)`: its xdist group, `<prefix>-<name>`
    (xdist mishandles a group name holding ':', so none does)."""
    return pytest.mark.xdist_group(f"{prefix}-{name}".replace(":", "-"))


def case_params(prefix: str, values, name: Callable[[object], str] = lambda value: value.stem) -> list:
    """`values` as test parameters, each marked as reading its case (`reads_case`)."""
    return [pytest.param(value, id=name(value), marks=reads_case(prefix, name(value))) for value in values]


class Cases:
    """Expensive cases by name (each a terraform lifecycle on a moto server of its own), each run at
    most once per process, and only if a selected test reads it (marked `reads_case(prefix, name)`).

    Without xdist, the cases the selected tests read start at once in a pool of GLUEGEN_APPLY_WORKERS
    threads (default 2: they are CPU-bound, and more only contend). Under xdist the processes are the
    workers: a case runs in the process xdist gives its group to, when its first test reads it, one at
    a time, so `-n 2` runs two cases at once, one a core, and GLUEGEN_APPLY_WORKERS is not used."""

    def __init__(self, prefix: str, runners: dict[str, Callable[[], object]], session: pytest.Session) -> None:
        self._runners = runners
        self._done: dict[str, object] = {}
        self._futures: dict[str, Future] = {}
        self._pool: ThreadPoolExecutor | None = None
        if xdist_worker(session.config) is None:
            wanted = {group_of(item) for item in session.items}
            self._pool = ThreadPoolExecutor(max_workers=int(os.environ.get("GLUEGEN_APPLY_WORKERS", "2")))
            self._futures = {name: self._pool.submit(run) for name, run in runners.items()
                             if group_of_mark(reads_case(prefix, name)) in wanted}

    def __getitem__(self, name: str):
        if name not in self._done:
            future = self._futures.get(name)
            self._done[name] = future.result() if future is not None else self._runners[name]()
        return self._done[name]

    def ran(self) -> dict[str, object]:
        return dict(self._done)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def pytest_unconfigure(config) -> None:
    shutil.rmtree(CACHE_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say how many tests were skipped and why, so a green run cannot hide a missing tool."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"gluegen: {count} test(s) skipped: {reason}", yellow=True)


@pytest.fixture
def aws_env(monkeypatch):
    """The test credentials, and nothing of the machine's AWS configuration."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
                 "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch
