"""The jinja2 environments for SQL snippets and bundle documents.

SQL templates are rendered in their dialect's environment, whose filters are that
dialect's own functions: `sql_string` (any text as a string literal), `sql_strings`
(a list of them, for IN (...)) and `comment` (any text after `-- `). No template
writes user text into SQL any other way.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import messages

if TYPE_CHECKING:
    import jinja2


def _new_environment() -> jinja2.Environment:
    # Imported here: verbs that read or verify bundles render no template and start faster without it.
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sqlrelease", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package: no stat() of the file for every document
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["versions_text"] = messages.versions_text
    env.globals["messages"] = messages
    return env


@lru_cache(maxsize=None)
def environment(dialect=None) -> jinja2.Environment:
    """Documents' environment, or with `dialect` the one its SQL templates render in."""
    env = _new_environment()
    if dialect is not None:
        literal = _remembered(dialect.string_literal)
        env.filters["sql_string"] = literal
        env.filters["sql_strings"] = lambda values: ", ".join(literal(value) for value in values)
        env.filters["comment"] = _remembered(dialect.comment)
        env.filters.update(dict(dialect.filters))
    return env


def _remembered(write: Callable[[str], str]) -> Callable[[object], str]:
    """The dialect's own function `write` (a string literal, a comment), its answers kept for texts seen
    recently: the files of a release say the same names, versions and messages many times over.

    Each function starts from str(value), so the text is the key; one that refuses a value raises
    each time (an exception is not kept)."""
    cached = lru_cache(maxsize=4096)(write)
    return lambda value: cached(str(value))


FOLDER = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=None)
def digest() -> str:
    """sha256 over the templates bundles are made from (name and bytes), which a manifest records.

    All of them: the SQL and document templates, and those of the queries a bundle
    ships or its manifest records the result of (status/, schema/).
    """
    sums = hashlib.sha256()
    for path in sorted(p for p in FOLDER.rglob("*.j2") if p.is_file()):
        sums.update(path.relative_to(FOLDER).as_posix().encode("utf-8") + b"\0")
        sums.update(hashlib.sha256(path.read_bytes()).digest())
    return sums.hexdigest()


def render(name: str, **context) -> str:
    """Template `name` rendered with `context`; SQL templates get their dialect's filters from `dialect`."""
    return environment(context.get("dialect")).get_template(name).render(**context)


@lru_cache(maxsize=None)
def macros(name: str, dialect):
    """The macros of template `name`, rendered for `dialect`, callable from Python."""
    # Their answers are not kept: the kept arguments and texts made the build's garbage collections
    # cost about as much CPU as the calls saved (gc time doubled assembling the 1,000-revision benchmark).
    return environment(dialect).get_template(name).module
