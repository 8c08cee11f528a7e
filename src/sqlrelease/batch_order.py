"""Reproducible batch mode: Alembic's table recreate in a stable order.

Alembic's batch mode (SQLite's "move and copy") gathers the constraints and
indexes of the table it recreates by iterating SQLAlchemy's `Table.constraints`
and `Table.indexes`, which are sets of objects hashed by memory address. The
recreated CREATE TABLE then lists its constraints, and the CREATE INDEX
statements follow, in an order that changes from one process to the next, so the
same migration rendered twice gives different bytes. Bundles must be byte-identical
on any machine: after Alembic gathers those elements, put constraints back in the
order the migration declared them and indexes in name order.
"""

from __future__ import annotations

from alembic.operations.batch import ApplyBatchImpl

_original = ApplyBatchImpl._grab_table_elements


def _grab_table_elements_in_order(self) -> None:
    _original(self)
    declared = lambda const: getattr(const, "_creation_order", 0)  # noqa: E731
    self.named_constraints = dict(sorted(self.named_constraints.items(), key=lambda item: declared(item[1])))
    self.unnamed_constraints.sort(key=declared)
    self.indexes = dict(sorted(self.indexes.items(), key=lambda item: str(item[0])))


def install() -> None:
    """Make Alembic's batch recreate deterministic in this process (idempotent)."""
    ApplyBatchImpl._grab_table_elements = _grab_table_elements_in_order
