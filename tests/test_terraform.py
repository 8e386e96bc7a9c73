"""terraform itself accepts every generated module: fmt, init from the local mirror, validate."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.terraform

MODULES = sorted(path for path in (ROOT / "out").iterdir() if path.is_dir() and path.name != "envs")
SEED_README = Path(__file__).parent / "fixtures" / "seed_glue_workflow_README.md"


def test_fmt_check_passes_on_every_generated_file(terraform):
    result = terraform.run("fmt", "-check", "-recursive", "-diff", "-no-color", str(ROOT / "out"), cwd=ROOT, check=False)
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_validate_each_module_offline(terraform, tmp_path, module):
    work = tmp_path / module.name
    shutil.copytree(module, work)
    terraform.run("init", "-backend=false", "-no-color", cwd=work)
    lock = (work / ".terraform.lock.hcl").read_text()
    assert re.search(r'provider "registry.terraform.io/hashicorp/aws" \{\s+version\s+= "5\.100\.0"', lock), lock
    result = terraform.run("validate", "-no-color", cwd=work)
    assert "Success" in result.stdout


def seed_example() -> str:
    text = SEED_README.read_text(encoding="utf-8")
    (block,) = re.findall(r"```hcl\n(.*?)```", text, flags=re.S)
    return block


def test_seed_example_usage_validates_unchanged_against_out_glue_workflow(terraform, tmp_path):
    """The seed README's Example Usage, with only `source` pointed at the generated folder."""
    example = seed_example()
    assert 'source = "./module/glue/glue_workflow"' in example
    root = tmp_path / "root"
    shutil.copytree(ROOT / "out" / "glue_workflow", root / "module" / "glue" / "glue_workflow")
    # The example reads module.glue_job.glue_job_names; the seed project has that module, so stand one in.
    (root / "glue_job").mkdir(parents=True)
    (root / "glue_job" / "main.tf").write_text('output "glue_job_names" {\n  value = ["bronze", "silver", "gold"]\n}\n')
    glue_job = 'module "glue_job" {\n  source = "./glue_job"\n}\n'
    provider = 'provider "aws" {\n  region = "us-east-1"\n}\n'
    (root / "main.tf").write_text(example + "\n" + glue_job + "\n" + provider, encoding="utf-8")
    terraform.run("init", "-backend=false", "-no-color", cwd=root)
    result = terraform.run("validate", "-no-color", cwd=root)
    assert "Success" in result.stdout
