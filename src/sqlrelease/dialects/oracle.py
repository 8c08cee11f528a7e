from .base import Dialect

DIALECT = Dialect(
    name="oracle",
    title="Oracle",
    url="oracle://",
    transactional_ddl=False,
    steps=True,
    client="SQL*Plus",
    apply_command="sqlplus -L -S USER@DATABASE @{file} < /dev/null",
    separator="/",
    notes=(
        "Oracle commits every DDL statement at once: a failure leaves the migrations before it applied,"
        " and alembic_version names the last one that completed; resume with the next script in oracle/steps/.",
        "The file starts with WHENEVER SQLERROR EXIT, so SQL*Plus stops at the first error.",
    ),
    # Alembic's offline INSERT can keep an unusable bind for returned keys.
    strip_patterns=(r"\s+RETURNING\s+[\w.,\s]+\s+INTO\s+:ret_\d+",),
)
