"""Oracle, applied with SQL*Plus."""

import re
from functools import partial

from .base import Dialect, comment_text, standard_string

# The file turns substitution variables off (SET DEFINE OFF), so `&` in a string is text;
# a line `/` or `.` inside a string would still end it for SQL*Plus.
string_literal = partial(standard_string, "oracle", one_line=True)


def comment(text: object) -> str:
    # The header comes before SET DEFINE OFF: keep `&name` from reading as a substitution variable.
    return re.sub(r"&(?=\w)", "& ", comment_text(text))


DIALECT = Dialect(
    name="oracle",
    title="Oracle",
    url="oracle://",
    transactional_ddl=False,
    steps=True,
    client="SQL*Plus",
    apply_command="sqlplus -L -S USER@DATABASE @{file} < /dev/null",
    string_literal=string_literal,
    comment=comment,
    separator="/",
    notes=(
        "Oracle commits every DDL statement at once: a failure leaves the migrations before it applied.",
        "The file starts with WHENEVER SQLERROR EXIT, so SQL*Plus stops at the first error.",
    ),
    steps_notes=(
        "upgrade.sql moves alembic_version after every migration, so after a failure it names the last migration"
        " that completed; resume with the script in oracle/steps/ that follows it (each step refuses to run at"
        " any other version).",
        "downgrade.sql moves alembic_version after every migration it undoes, but there are no downgrade steps:"
        " after a failed downgrade, alembic_version names the last migration still applied; finish by hand from"
        " the failed statement (the comment above it names the migration) or restore from a backup.",
    ),
    no_steps_notes=(
        "In separate stamp mode upgrade.sql leaves alembic_version alone, so after a failure it does not show"
        " how far the file got: the error names the line, the comment above it names the migration that failed,"
        " and the ones before it are applied. There are no step scripts in this mode;"
        ' build with stamp = "inline" for bundles that can be resumed.',
    ),
    # Alembic's offline INSERT can keep an unusable bind for returned keys.
    strip_patterns=(r"\s+RETURNING\s+[\w.,\s]+\s+INTO\s+:ret_\d+",),
)
