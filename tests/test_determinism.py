"""Same specs, same bytes, whatever PYTHONHASHSEED the process runs under."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import ROOT, read_tree


def test_output_is_identical_under_several_hash_seeds(tmp_path):
    trees = []
    for seed in ("0", "1", "42", "random"):
        project = tmp_path / f"seed-{seed}"
        shutil.copytree(ROOT / "specs", project / "specs")
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "generator", "generate"], cwd=project, env=env, check=True, capture_output=True)
        trees.append(read_tree(project / "out"))
    assert all(tree == trees[0] for tree in trees[1:])
    assert all(b"\r" not in text for text in trees[0].values()), "output is LF only"
