"""The starter spec `gluegen init` writes: the seed's Bronze -> Silver -> Gold workflow."""

from __future__ import annotations

from generator.errors import UsageError
from generator.spec.model import IDENTIFIER
from generator.render.module import environment

DEFAULT_NAME = "metriccare"


def starter_spec(name: str = DEFAULT_NAME) -> str:
    """The spec text for `specs/<name>.yaml`; the default name gives specs/metriccare.yaml."""
    if not IDENTIFIER.fullmatch(name):
        raise UsageError(
            f"init: '{name}' is not a valid spec name: use 1-63 lowercase letters, digits and underscores, starting with a letter"
        )
    module, workflow_name = ("glue_workflow", "metriccare_etl_workflow") if name == DEFAULT_NAME else (name, name)
    return environment().get_template("starter.yaml.jinja").render(module=module, workflow_name=workflow_name)
