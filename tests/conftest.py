"""Shared fixtures: the repo layout, the CLI, and terraform pointed at the local provider mirror."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def terraform(tmp_path_factory) -> Iterator[Terraform]:
    """terraform with a CLI config of its own: providers from the local mirror named by
    GLUEGEN_TF_PLUGIN_MIRROR when set, else from the registry; one plugin cache warmed once."""
    binary = shutil.which("terraform")
    mirror = os.environ.get(MIRROR_ENV)
    if binary is None:
        missing("terraform is not on PATH")
    if mirror and not Path(mirror, "registry.terraform.io", "hashicorp", "aws").is_dir():
        pytest.fail(f"{MIRROR_ENV}={mirror} holds no registry.terraform.io/hashicorp/aws (unset it to use the registry)")
    home = tmp_path_factory.mktemp("terraform")
    terraform = Terraform(binary, terraform_env(terraform_cli_config(home, mirror), os.environ))
    # Warm the plugin cache once, so the parallel inits of later tests only link to it
    # (terraform does not promise that concurrent installs into one cache are safe).
    warm = home / "warm"
    warm.mkdir()
    (warm / "main.tf").write_text('terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n')
    terraform.run("init", "-backend=false", "-input=false", "-no-color", cwd=warm)
    binary = provider_binary(home / "plugin-cache")
    if os.environ.get(REATTACH_ENV, "1") == "0" or binary is None:
        yield terraform
        return
    providers = ProviderPool(binary, terraform.env, home)
    try:
        yield Terraform(terraform.binary, terraform.env, providers)
    finally:
        providers.close()


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
