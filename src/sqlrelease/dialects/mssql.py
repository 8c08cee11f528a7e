"""SQL Server, applied with sqlcmd -b."""

from .base import Dialect, comment_text, refuse, standard_string


def string_literal(value: object) -> str:
    """N'...': quotes doubled; refused where sqlcmd would read part of it as a command or variable."""
    value = str(value)
    if "$(" in value:
        raise refuse("mssql", value, "sqlcmd replaces $(name) with a scripting variable, even inside a string")
    return standard_string("mssql", value, prefix="N", one_line=True)


def comment(text: object) -> str:
    # sqlcmd substitutes $(name) before it reads comments.
    return comment_text(text).replace("$(", "$ (")


DIALECT = Dialect(
    name="mssql",
    title="SQL Server",
    url="mssql://",
    transactional_ddl=True,
    client="sqlcmd",
    apply_command="sqlcmd -b -S SERVER -d DBNAME -i {file}",
    string_literal=string_literal,
    comment=comment,
    separator="GO",
    notes=(
        "Statements are separated by GO batches; XACT_ABORT and one transaction make a failure roll everything back.",
        "Run with sqlcmd -b (or SSMS in SQLCMD mode): the file starts with `:on error exit`.",
    ),
)
