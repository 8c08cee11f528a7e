"""What rendering produces, as plain data: no Alembic or SQLAlchemy needed to read it.

Rendering (render.py, rehearse.py, overrides.py) fills these; the SQL scripts
(sqlscript.py), the bundle format (bundle.py) and lint read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan import Release

UPGRADE = "upgrade"
DOWNGRADE = "downgrade"


@dataclass(frozen=True)
class Failure:
    """Why a migration did not render, and where in its file."""

    cause: str
    line: int | None = None
    deliberate: bool = False  # raised by the migration file itself (e.g. a downgrade that refuses)
    # Where the raise was: "migration" (its file), "project" (the project's own helper code), "library".
    raised_in: str = "migration"
    plain: bool = False  # a Python built-in error (or a subclass of one): a bug, not offline mode
    full: str = ""  # the whole message (`cause` is cut for display): what diagnosis reads
    context: "Failure | None" = None  # the error being handled when this one was raised (`__context__`)
    # A downgrade not reached on the scratch database: this revision's downgrade failed before it.
    blocked_by: str | None = None


@dataclass(frozen=True)
class Rebuild:
    """One batch-mode table rebuild inside a migration's statements."""

    index: int  # the migration's statement the rebuild starts with
    table: str
    schema: str | None
    columns: tuple[str, ...]  # the columns the copy knows, in table order


@dataclass(frozen=True)
class MigrationSQL:
    """The statements one migration emits in one direction for one dialect."""

    revision: str
    statements: tuple[str, ...] = ()
    failure: Failure | None = None
    # How the statements were made: "offline", "rehearsed" (run on a scratch database) or "override"
    # (reviewed SQL from the project's overrides/ folder, named in `source`).
    origin: str = "offline"
    source: str | None = None  # override file, or what the rehearsal ran on
    source_sha256: str | None = None
    data_dependent: bool = False  # rehearsal read rows of user tables: scratch data decided this SQL
    # Values the migration computed while it ran (uuid4(), now(), random): literals that differed
    # between two runs of it, rehearsed or rendered offline (the first run's, which the statements
    # hold), a few at most.
    volatile: tuple[str, ...] = ()
    rebuilds: tuple[Rebuild, ...] = ()  # batch-mode table copies: bundles guard their columns


@dataclass(frozen=True)
class VersionTable:
    name: str = "alembic_version"
    schema: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def master(self) -> str:  # SQLite's catalog of the schema the table lives in
        return f"{self.schema}.sqlite_master" if self.schema else "sqlite_master"


@dataclass(frozen=True)
class Bookkeeping:
    """What every script does besides moving the version table: hold a lock on the database for
    its whole run, and write a receipt (unless `receipts` is None) with the version change."""

    receipts: str | None = "sqlrelease_receipts"
    lock_timeout: int = 10  # seconds to wait for another apply's lock
    # Where dialects whose DDL commits as it goes (MySQL) record which statement of a migration ran.
    progress: str = "sqlrelease_progress"


@dataclass(frozen=True)
class Irreversible:
    revision: str
    reason: str
    accepted: bool


@dataclass(frozen=True)
class ReleaseSQL:
    """Everything rendered for one release: per dialect, per direction, statements by revision."""

    release: "Release"
    upgrade: dict  # dialect -> {revision: MigrationSQL}
    downgrade: dict
    version_table: VersionTable
    irreversible: tuple[Irreversible, ...] = field(default=())
    bookkeeping: Bookkeeping = field(default_factory=Bookkeeping)
    # The plan's releases up to and including this one, (name, end): guards name these in words.
    known: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
