"""The jinja2 environment for SQL snippets and bundle documents."""

from __future__ import annotations

from functools import lru_cache

import jinja2


def sql_string(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def versions_text(versions) -> str:
    """How a set of alembic_version rows reads in messages."""
    versions = list(versions)
    return ",".join(versions) if versions else "none"


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sqlrelease", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["sql_string"] = sql_string
    env.filters["versions_text"] = versions_text
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


@lru_cache(maxsize=None)
def macros(name: str):
    """The macros of a template, callable from Python."""
    return environment().get_template(name).module
