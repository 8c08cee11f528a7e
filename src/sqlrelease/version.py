"""The sqlrelease version: one place, read by pyproject.toml (dynamic version) and the manifest."""

VERSION = "0.1.0"
