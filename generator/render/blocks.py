"""Terraform `variable` and `output` blocks as data: what variables.tf, outputs.tf and the
module README lay out."""

from __future__ import annotations

from dataclasses import dataclass

from generator.render import hcl


@dataclass(frozen=True)
class Validation:
    condition: str  # HCL expressions
    error_message: str


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str
    default: str | None  # HCL expression; None: the variable is required
    readme_default: str  # as the README table shows it
    validations: tuple[Validation, ...] = ()
    nullable: bool = True  # false: a null argument means the default (Terraform >= 1.1)

    @property
    def attributes(self) -> str:
        pairs = [("description", hcl.string(self.description)), ("type", self.type)]
        if self.default is not None:
            pairs.append(("default", self.default))
        if not self.nullable:
            pairs.append(("nullable", "false"))
        return hcl.attributes(pairs, 2)


@dataclass(frozen=True)
class Output:
    name: str
    description: str
    value: str  # HCL expression, possibly several lines
    readme_description: str | None = None  # Markdown, where it differs from `description`

    @property
    def attributes(self) -> str:
        return hcl.attributes([("description", hcl.string(self.description)), ("value", self.value)], 2)
