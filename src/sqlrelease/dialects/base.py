"""What every dialect module provides."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dialect:
    name: str
    title: str
    url: str  # selects the SQLAlchemy dialect; offline rendering never connects
    transactional_ddl: bool
    client: str  # the client DBAs use, as named in the bundle README
    apply_command: str  # `{file}` and placeholders in CAPITALS the DBA fills in
    separator: str | None = None  # a line after every statement (GO, /)
    notes: tuple[str, ...] = ()
    # DDL commits as it goes: bundles add one guarded script per migration to resume from
    # (inline stamp mode; in separate mode the version table does not follow the migrations).
    steps: bool = False
    steps_notes: tuple[str, ...] = ()  # how to resume with steps/, when they are written
    no_steps_notes: tuple[str, ...] = ()  # what a failure leaves when they are not
    strip_patterns: tuple[str, ...] = field(default=())

    @property
    def template(self) -> str:
        return f"{self.name}.sql.j2"

    def clean(self, statement: str) -> str:
        """Remove what Alembic's offline output leaves behind that this client cannot run."""
        for pattern in self.strip_patterns:
            statement = re.sub(pattern, "", statement)
        return statement

    def notes_for(self, stamp: str) -> tuple[str, ...]:
        """What a DBA must know about this client, for bundles in stamp mode `stamp`."""
        if not self.steps:
            return self.notes
        return self.notes + (self.steps_notes if stamp == "inline" else self.no_steps_notes)

    def command(self, file: str) -> str:
        return self.apply_command.format(file=file)
