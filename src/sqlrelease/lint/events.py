"""What a statement does, as the reader of a release tells it to the rules.

The reader (reader.py) walks a release's statements for one dialect, keeps
track of what the release has done so far (tables created, columns backfilled,
definitions stated) and turns each statement into these facts. The rules decide
which facts are risky. Every fact carries where it was read: the migration, the
statement's 1-based index and its text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class At:
    revision: str
    index: int | None
    statement: str


@dataclass(frozen=True)
class IndexCreated(At):
    table: str
    unique: bool
    concurrently: bool
    existing: bool  # on a table not created earlier in the release
    outside_transaction: bool = False  # after the migration's COMMIT (an autocommit_block())


@dataclass(frozen=True)
class IndexDroppedConcurrently(At):
    outside_transaction: bool = False


@dataclass(frozen=True)
class TableDropped(At):
    table: str


@dataclass(frozen=True)
class TableRenamed(At):
    old: str
    new: str
    existing: bool


@dataclass(frozen=True)
class ColumnRenamed(At):
    table: str
    old: str
    new: str
    existing: bool


@dataclass(frozen=True)
class ColumnDropped(At):
    table: str
    column: str


@dataclass(frozen=True)
class TableRebuilt(At):
    """A batch-mode copy of `table` begins (CREATE TABLE _alembic_tmp_...)."""

    table: str


@dataclass(frozen=True)
class ColumnLeftOutOfCopy(At):
    """A table rebuild copies the table without one of the columns it has before the migration."""

    table: str
    column: str
    missed_by_copy_from: bool  # the migration's copy_from does not list it: it was never meant to go


@dataclass(frozen=True)
class ColumnAdded(At):
    table: str
    column: str
    definition: str
    existing: bool
    copied: bool = False  # a column a table rebuild's new definition adds


@dataclass(frozen=True)
class ColumnMadeNotNull(At):
    table: str
    column: str
    backfilled: bool  # an earlier UPDATE of the release sets it, or it was added with a default


@dataclass(frozen=True)
class ColumnTypeChanged(At):
    table: str
    column: str
    before: str | None = None  # types, where both are known
    after: str | None = None
    restated_as: str | None = None  # a restatement whose earlier type is unknown


@dataclass(frozen=True)
class UniqueConstraintAdded(At):
    table: str
    constraint: str | None  # its name, where a table rebuild's definition gives one
    existing: bool


@dataclass(frozen=True)
class RowsUpdated(At):
    table: str
    where: bool


@dataclass(frozen=True)
class RowsDeleted(At):
    table: str
    where: bool  # TRUNCATE: never


@dataclass(frozen=True)
class MigrationRead:
    """One migration's statements in one dialect, read to the end."""

    revision: str
    statements: tuple[str, ...]
    ddl: int  # DDL statements
    data: int  # data statements (batch copies excepted)
    first_data: tuple[int, str] | None
    data_dependent: bool  # rehearsed upgrade SQL that rows of the scratch database decided
    downgrade_dependent: tuple[str, ...] | None  # the same of its downgrade: its statements, or None
    volatile: tuple[str, ...] = ()  # upgrade values that differed between two runs (a few; rehearsed or offline)


@dataclass(frozen=True)
class ReleaseRead:
    """Every migration of the release read, in one dialect."""

    dropped: tuple[TableDropped, ...]
    created: dict  # table -> {column: definition} of tables created in the release


@dataclass(frozen=True)
class StepIrreversible(At):
    """A migration of the release whose downgrade does not undo it (told once, for every dialect)."""

    reason: str
    accepted: bool  # the plan accepts that its changes stay
