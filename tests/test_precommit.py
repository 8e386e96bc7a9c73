"""The pre-commit hooks, run by pre-commit itself (`try-repo`) on a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, build_file_tree, missing, run_cli
from generator.render.starter import starter_spec


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    """This repository as committed files, so try-repo installs what a user would get."""
    if shutil.which("git") is None:
        missing("git is not on PATH")
    clone = tmp_path_factory.mktemp("hooks") / "gluegen"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, capture_output=True)
    # The working tree may hold changes not yet committed; the hooks under test are the current ones.
    for path in ("generator", "templates", "pyproject.toml", ".pre-commit-hooks.yaml", "README.md"):
        source, target = ROOT / path, clone / path
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    git("add", "-A", cwd=clone)
    git("-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "under test", cwd=clone)
    return clone


@pytest.fixture
def user_repo(tmp_path) -> Path:
    build_file_tree(tmp_path, {"specs/etl.yaml": starter_spec("etl")})
    assert run_cli("generate", cwd=tmp_path).code == 0
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    return tmp_path


def try_repo(hooks_repo: Path, hook: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(hooks_repo.parent / "pre-commit-cache")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), hook, "--all-files"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )


def test_hook_definitions():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"gluegen-check", "gluegen-validate"}
    assert hooks["gluegen-check"]["entry"] == "gluegen check" and hooks["gluegen-check"]["pass_filenames"] is False
    import re

    for hook in hooks.values():  # gluegen reads .yaml and .yml specs in any case; the hooks must see them all
        assert all(re.search(hook["files"], name) for name in ("specs/a.yaml", "specs/b.yml", "specs/C.YAML", "specs/d.Yml"))
        assert not re.search(hook["files"], "specs/gluegen.schema.json")


def test_check_hook_passes_then_fails_with_the_diff_on_a_stale_module(hooks_repo, user_repo):
    passed = try_repo(hooks_repo, "gluegen-check", user_repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    spec = user_repo / "specs" / "etl.yaml"
    spec.write_text(spec.read_text().replace("gold: {after: [silver]}", "gold: {after: [silver], timeout: 30}"))
    git("add", "-A", cwd=user_repo)
    failed = try_repo(hooks_repo, "gluegen-check", user_repo)
    assert failed.returncode == 1
    assert "+    timeout   = 30" in failed.stdout and "gluegen generate specs/etl.yaml" in failed.stdout


def test_validate_hook_reports_the_location(hooks_repo, user_repo):
    spec = user_repo / "specs" / "etl.yaml"
    spec.write_text(spec.read_text().replace("silver: {after: [bronze]}", "silver: {after: [bronz]}"))
    git("add", "-A", cwd=user_repo)
    result = try_repo(hooks_repo, "gluegen-validate", user_repo)
    assert result.returncode != 0
    assert "specs/etl.yaml:14:20:" in result.stdout and "unknown stage 'bronz' (did you mean 'bronze'?)" in result.stdout
