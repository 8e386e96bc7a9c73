"""Adopting workflows that already run in AWS: read one (`read`), write the spec that
reproduces it (`to_spec`), say what a spec's module creates (`expected`), and compare the
two (`drift`). Everything here returns values; only `generator.cli` prints or writes."""
