"""Which names may reach SQL unquoted: revision ids and the version table's name and schema.

Bundles write revision ids into string literals, comments, file names (steps/) and
error messages, and the version table's name into every statement that reads or
moves it. Rather than quote each of those places differently per dialect, these
names are validated once, where they are read (the revision file, pyproject.toml,
env.py), and a name that could change the meaning of the SQL around it is refused
there with its file and line. Everything else that reaches SQL (messages, release
names, file names, table and column names from migrations) is escaped by the
dialect's own functions (`dialects/`).
"""

from __future__ import annotations

import re

# Alembic's version_num column is VARCHAR(32): a longer id cannot be stamped.
REVISION_MAX = 32
_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.]*")
# Lower case: PostgreSQL folds unquoted names to lower case and Oracle to upper case, so
# only such names mean the same table whether a statement quotes them (Alembic) or not (bundles).
IDENTIFIER_MAX = 63  # PostgreSQL's limit, the smallest of the dialects sqlrelease tests
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

REVISION_RULE = f"letters, digits, _ and . (not first), at most {REVISION_MAX} characters (alembic_version's column)"
IDENTIFIER_RULE = f"lower-case letters, digits and _ (not a digit first), at most {IDENTIFIER_MAX} characters"


def revision_problem(revision: object) -> str | None:
    """Why `revision` cannot be a revision id in a bundle, or None when it can."""
    if not isinstance(revision, str) or not _REVISION.fullmatch(revision):
        return f"revision id {revision!r} may only use {REVISION_RULE}"
    if len(revision) > REVISION_MAX:
        return f"revision id {revision!r} is longer than {REVISION_MAX} characters (alembic_version's column)"
    return None


def identifier_problem(what: str, name: object, dialects=()) -> str | None:
    """Why `name` cannot be written unquoted as `what` (e.g. "version_table"), or None.

    A word one of `dialects` reserves (`order`, `user`) would need quoting there.
    """
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name) or len(name) > IDENTIFIER_MAX:
        return f"{what} {name!r} may only use {IDENTIFIER_RULE}"
    reserved = [d for d in dialects if name in _reserved_words(d)]
    if reserved:
        return f"{what} {name!r} is a reserved word in {', '.join(reserved)}"
    return None


def _reserved_words(dialect: str) -> frozenset[str]:
    # SQLAlchemy's own lists, the ones it quotes by; imported here only, when a name is checked.
    from sqlalchemy.dialects import registry

    try:
        preparer = registry.load(dialect)().identifier_preparer
    except Exception:  # a dialect SQLAlchemy cannot load here has no list to check against
        return frozenset()
    return frozenset(preparer.reserved_words)
