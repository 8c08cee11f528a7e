from .base import Dialect

DIALECT = Dialect(
    name="mssql",
    title="SQL Server",
    url="mssql://",
    transactional_ddl=True,
    client="sqlcmd",
    apply_command="sqlcmd -b -S SERVER -d DBNAME -i {file}",
    separator="GO",
    notes=(
        "Statements are separated by GO batches; XACT_ABORT and one transaction make a failure roll everything back.",
        "Run with sqlcmd -b (or SSMS in SQLCMD mode): the file starts with `:on error exit`.",
    ),
)
