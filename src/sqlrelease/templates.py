"""The jinja2 environment for SQL snippets and bundle documents."""

from __future__ import annotations

from functools import lru_cache

import jinja2


def sql_string(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_strings(values) -> str:
    """A comma-separated list of SQL string literals, for IN (...)."""
    return ", ".join(sql_string(value) for value in values)


def rebuild_message(rebuild, revision: str, label: str) -> tuple[str, str]:
    """What a refused table rebuild says, around the list of columns found in SQL.

    The columns come first after the revision: MariaDB cuts error text at 192 characters.
    """
    return (
        f"sqlrelease guard: migration {revision} rebuilds table {rebuild.table} "
        "and would drop columns it does not know: ",
        f"; nothing was changed ({label}; to keep them, list them in the migration copy_from, or move them out first)",
    )


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
    env.filters["sql_strings"] = sql_strings
    env.filters["versions_text"] = versions_text
    env.globals["rebuild_message"] = rebuild_message
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


@lru_cache(maxsize=None)
def macros(name: str):
    """The macros of a template, callable from Python."""
    return environment().get_template(name).module
