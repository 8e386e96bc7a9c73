"""Root modules for the apply tests: the seed's Example Usage against a moto endpoint."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from generator.render import hcl

PROVIDER = """\
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  max_retries                 = 2

  endpoints {
%(endpoints)s
  }
}

resource "aws_iam_role" "glue" {
  name = "gluegen-e2e-glue"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "glue.amazonaws.com" } }]
  })
}

resource "aws_glue_job" "job" {
  for_each = toset(%(job_keys)s)
  name     = "e2e-${each.key}"
  role_arn = aws_iam_role.glue.arn
  # moto reports STANDARD for every job; unset, each plan would show it changing to null.
  execution_class = "STANDARD"

  command {
    script_location = "s3://gluegen-e2e/${each.key}.py"
  }
}
"""

SERVICES = ("glue", "iam", "sts", "sns", "events", "cloudwatch", "s3")


CRAWLERS = """\
resource "aws_glue_catalog_database" "e2e" {
  name = "gluegen_e2e"
}

resource "aws_glue_crawler" "crawler" {
  for_each      = toset(%(crawler_keys)s)
  name          = "e2e-${each.key}"
  role          = aws_iam_role.glue.arn
  database_name = aws_glue_catalog_database.e2e.name

  s3_target {
    path = "s3://gluegen-e2e/${each.key}/"
  }
}
"""


def module_call(
    label: str, workflow_name: str, description: str | None, jobs: list[str], tags: dict[str, str],
    crawlers: list[str] = (),
    outputs: tuple[str, ...] = ("workflow_name", "workflow_arn", "trigger_arns", "trigger_names"),
    inputs: dict[str, str] | None = None,
) -> str:
    """A module block in the seed's Example Usage form; `inputs`: more arguments, as HCL expressions."""
    lines = [f'module "{label}" {{', '  source = "./module"', "", f"  workflow_name = {hcl.string(workflow_name)}"]
    if description is not None:
        lines.append(f"  description   = {hcl.string(description)}")
    lines += ["", "  jobs = {"]
    lines += [f"    {hcl.key(key)} = aws_glue_job.job[{hcl.string(key)}].name" for key in jobs]
    if crawlers:
        lines += ["  }", "", "  crawlers = {"]
        lines += [f"    {hcl.key(key)} = aws_glue_crawler.crawler[{hcl.string(key)}].name" for key in crawlers]
    lines += ["  }", ""]
    if inputs:
        width = max(map(len, inputs))
        lines += [f"  {name.ljust(width)} = {value}" for name, value in inputs.items()] + [""]
    lines += ["  tags = {"]
    lines += [f"    {hcl.key(key)} = {hcl.string(value)}" for key, value in tags.items()]
    lines += ["  }", "}", ""]
    for name in outputs:
        lines.append(f'output "{label}_{name}" {{\n  value = module.{label}.{name}\n}}\n')
    return "\n".join(lines)


def write_root(
    folder: Path, module: Path, endpoint: str, job_keys: list[str], calls: list[str], crawler_keys: list[str] = ()
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(module, folder / "module", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    text = PROVIDER % {"endpoints": endpoints, "job_keys": json.dumps(sorted(job_keys))}
    if crawler_keys:
        text += "\n" + CRAWLERS % {"crawler_keys": json.dumps(sorted(crawler_keys))}
    (folder / "main.tf").write_text(text + "\n" + "\n".join(calls), encoding="utf-8")
    return folder


# A root's provider pointed at a moto server: a providers_override.tf beside the generated files.
ENDPOINT_OVERRIDE = """\
provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  max_retries                 = 2

  endpoints {
%s
  }
}
"""


def point_at(root: Path, endpoint: str) -> None:
    """Point the root's AWS provider at the moto server at `endpoint`."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    (root / "providers_override.tf").write_text(ENDPOINT_OVERRIDE % endpoints, encoding="utf-8")
