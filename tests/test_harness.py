"""The test harness itself: terraform tests run wherever terraform is, and skips are counted aloud."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GO_GC_PERCENT, terraform_cli_config, terraform_env

TESTS = Path(__file__).resolve().parent

# A throwaway test session that uses this suite's conftest (loaded under another name).
_CONFTEST = f"""\
import importlib.util
import sys

_spec = importlib.util.spec_from_file_location("gluegen_conftest", {str(TESTS / "conftest.py")!r})
_module = sys.modules["gluegen_conftest"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
terraform = _module.terraform
pytest_terminal_summary = _module.pytest_terminal_summary
"""
_TEST = "def test_uses_terraform(terraform):\n    assert terraform.binary\n"


def _session(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text(_CONFTEST)
    (tmp_path / "test_it.py").write_text(_TEST)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", str(tmp_path)],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(TESTS)}, capture_output=True, text=True, timeout=300,
    )


def _environment(**changes: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "GLUEGEN_TF_PLUGIN_MIRROR")}
    env.update({key: value for key, value in changes.items() if value is not None})
    return env


def test_without_a_mirror_terraform_tests_run_against_the_registry(tmp_path):
    """No GLUEGEN_TF_PLUGIN_MIRROR: nothing is skipped; terraform installs the provider from its
    registry (here, offline, that fails at once, naming the registry: proof it was asked)."""
    result = _session(tmp_path, _environment())
    output = result.stdout + result.stderr
    assert "skipped" not in output, output
    assert " passed" in output or "registry.terraform.io" in output, output


def test_without_terraform_tests_skip_and_the_summary_says_why(tmp_path):
    python_only = tmp_path / "bin"
    python_only.mkdir()
    (python_only / "python").symlink_to(sys.executable)
    assert shutil.which("terraform", path=str(python_only)) is None
    result = _session(tmp_path, _environment(PATH=str(python_only)))
    assert "1 skipped" in result.stdout, result.stdout
    assert "gluegen: 1 test(s) skipped: terraform is not on PATH" in result.stdout, result.stdout


def test_cli_config_uses_the_mirror_only_when_one_is_named(tmp_path):
    mirrored = terraform_cli_config(tmp_path / "a", "/opt/mirror")
    assert 'filesystem_mirror {\n    path    = "/opt/mirror"' in mirrored.read_text()
    direct = terraform_cli_config(tmp_path / "b", None).read_text()
    assert "provider_installation" not in direct and "plugin_cache_dir" in direct


def test_terraform_runs_with_the_go_gc_target_unless_one_is_set(tmp_path):
    """terraform and the provider it starts inherit GOGC; a GOGC the user set wins."""
    config = tmp_path / "terraform.rc"
    env = terraform_env(config, {"PATH": "/bin"})
    assert env["GOGC"] == GO_GC_PERCENT == "400" and env["TF_CLI_CONFIG_FILE"] == str(config)
    assert terraform_env(config, {"GOGC": "100"})["GOGC"] == "100"


def test_terraform_commands_of_one_thread_share_one_running_provider(terraform, tmp_path):
    """Commands after `init` attach to this thread's provider instead of starting their own; another
    thread gets another provider (the tests' apply cases run two threads, each its own moto)."""
    import threading

    if terraform.providers is None:
        pytest.skip("GLUEGEN_TF_REATTACH=0: every command starts its own provider")
    (tmp_path / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n\n'
        'data "aws_partition" "current" {}\n'
    )
    terraform.run("init", "-backend=false", "-input=false", "-no-color", cwd=tmp_path)
    first = terraform.providers.reattach()
    terraform.run("validate", "-no-color", cwd=tmp_path)
    terraform.run("validate", "-no-color", cwd=tmp_path)
    assert terraform.providers.reattach() == first
    pid = json.loads(first)["registry.terraform.io/hashicorp/aws"]["Pid"]
    os.kill(pid, 0)  # still running after both commands
    other: list[str] = []
    thread = threading.Thread(target=lambda: other.append(terraform.providers.reattach()))
    thread.start()
    thread.join()
    assert other and other[0] != first
