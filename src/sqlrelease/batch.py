"""Alembic's batch mode ("move and copy"), made fit to ship as reviewed SQL.

Batch mode rebuilds a table: CREATE a temporary copy with the new shape, INSERT
... SELECT the old rows into it, DROP the old table, RENAME the copy. Two things
about that need help before the SQL goes into a bundle.

Order. Alembic gathers the constraints and indexes of the table from
SQLAlchemy's `Table.constraints` and `Table.indexes`, which are sets hashed by
memory address, so the same migration rendered twice gives different bytes.
After Alembic gathers them, constraints go back in the order the migration
declared them and indexes in name order. While the table is rebuilt, its
constraints are also read in that order: PostgreSQL drops the old table's
named constraints first (`prep_table_for_batch`), straight from the set, and
the order then followed the memory layout of the process (a worker process
rendering the same migration wrote them in another order).

The same holds for `op.create_table` outside batch mode: Alembic creates the
table's indexes (`index=True` columns) by iterating `Table.indexes`, so a table
with several came out in another order on another run; they are created in
name order.

Lost columns. The copy knows only the columns of the table object it was given
(`copy_from` offline, a reflection online). A column a DBA added by hand after
the migration was written is not copied and disappears with the old table,
silently. Every rebuild is reported, with the columns it copies, to whoever
listens while a migration renders, so the bundle can refuse to run on a table
that has others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from alembic.ddl.impl import DefaultImpl
from alembic.operations.batch import ApplyBatchImpl

from .rendered import Rebuild

Listener = Callable[[str, "str | None", tuple[str, ...]], None]
_listener: ContextVar[Listener | None] = ContextVar("sqlrelease_batch_listener", default=None)

_original_grab = ApplyBatchImpl._grab_table_elements
_original_create = ApplyBatchImpl._create
_original_create_table = DefaultImpl.create_table


def _declared(const) -> tuple[int, str]:
    return getattr(const, "_creation_order", 0), str(const.name or "")


class _InDeclaredOrder(set):
    """A table's set of constraints that iterates in the order they were declared."""

    def __iter__(self):
        return iter(sorted(set.__iter__(self), key=_declared))


class _InNameOrder(set):
    """A table's set of indexes that iterates in name order."""

    def __iter__(self):
        return iter(sorted(set.__iter__(self), key=lambda index: (str(index.name or ""), _declared(index))))


def _create_table_in_order(self, table, **kw) -> None:
    indexes = table.indexes
    table.indexes = _InNameOrder(indexes)
    try:
        _original_create_table(self, table, **kw)
    finally:
        table.indexes = indexes


def _grab_table_elements_in_order(self) -> None:
    _original_grab(self)
    self.named_constraints = dict(sorted(self.named_constraints.items(), key=lambda item: _declared(item[1])))
    self.unnamed_constraints.sort(key=_declared)
    self.indexes = dict(sorted(self.indexes.items(), key=lambda item: str(item[0])))


def _create_reported(self, op_impl) -> None:
    table = self.table
    listener = _listener.get()
    if listener is not None:
        listener(str(table.name), table.schema, tuple(str(column.name) for column in table.c))
    constraints = table.constraints
    table.constraints = _InDeclaredOrder(constraints)
    try:
        _original_create(self, op_impl)
    finally:
        table.constraints = constraints


def install() -> None:
    """Make batch mode and create_table deterministic, and rebuilds visible, in this process (idempotent)."""
    ApplyBatchImpl._grab_table_elements = _grab_table_elements_in_order
    ApplyBatchImpl._create = _create_reported
    DefaultImpl.create_table = _create_table_in_order


@contextmanager
def recording(position: Callable[[], int]) -> Iterator[list[Rebuild]]:
    """Collect the table rebuilds of the code run inside, each at `position()`: how many
    statements had been captured when it began, so that it points at its first one."""
    rebuilds: list[Rebuild] = []

    def rebuilt(table: str, schema: str | None, columns: tuple[str, ...]) -> None:
        rebuilds.append(Rebuild(position(), table, schema, columns))

    token = _listener.set(rebuilt)
    try:
        yield rebuilds
    finally:
        _listener.reset(token)
