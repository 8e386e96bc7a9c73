"""Reading a spec: YAML with locations, the pydantic model, whole-spec analysis, and the `Plan`."""
