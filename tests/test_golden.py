"""out/ is the golden record of specs/: regenerating it must give the same bytes."""

from __future__ import annotations

import difflib
import shutil

from conftest import ROOT, read_tree, run_cli

UPDATE = "gluegen generate   (from the repository root; it rewrites out/ from specs/)"


def test_out_matches_specs(tmp_path):
    # The headers name the spec and out dir relative to the folder holding both, so the
    # record is regenerated in a copy of that layout: specs/ beside out/.
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    result = run_cli("generate", cwd=tmp_path)
    assert result.code == 0, result.err
    expected = read_tree(tmp_path / "out")
    committed = read_tree(ROOT / "out")
    problems = [f"MISSING: out/{name}" for name in sorted(expected.keys() - committed.keys())]
    problems += [f"EXTRA: out/{name}" for name in sorted(committed.keys() - expected.keys())]
    for name in sorted(expected.keys() & committed.keys()):
        if expected[name] != committed[name]:
            problems.append(
                "".join(
                    difflib.unified_diff(
                        committed[name].decode().splitlines(keepends=True),
                        expected[name].decode().splitlines(keepends=True),
                        f"out/{name} (committed)",
                        f"out/{name} (generated)",
                    )
                )
            )
    assert not problems, "\n".join(problems) + f"\nThe golden record is stale; update it with: {UPDATE}"


def test_every_spec_has_a_module():
    modules = {path.name for path in (ROOT / "out").iterdir() if path.is_dir() and path.name != "envs"}
    assert len(modules) == len(list((ROOT / "specs").glob("*.yaml")))
