"""Rendering a `Plan`: HCL literals, the values each template lays out, the module's files."""
