"""Overrides: reviewed SQL a release engineer supplies by hand for one revision, dialect and direction.

An override lives in the project as `overrides/<revision>.<dialect>.<upgrade|downgrade>.sql`.
Its first line binds it to the migration source it was written for:

    -- sqlrelease override: source sha256 <sha256 of the revision file>

Editing the migration changes that hash and voids the override: `build` then
stops with an error naming the file instead of shipping SQL written for other
code. A valid override replaces whatever offline rendering or rehearsal would
produce for that revision; the manifest records the file and its sha256.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import RenderError

FOLDER = "overrides"
DIRECTIONS = ("upgrade", "downgrade")
HEADER = "-- sqlrelease override: source sha256 "
_NAME = re.compile(r"^(?P<revision>[0-9A-Za-z_]+)\.(?P<dialect>[a-z]+)\.(?P<direction>upgrade|downgrade)\.sql$")


@dataclass(frozen=True)
class Override:
    """One override file and whether it still fits its migration."""

    file: str  # relative to the project root
    revision: str
    dialect: str
    direction: str
    sha256: str  # of the override file's bytes
    statements: tuple[str, ...]
    status: str  # valid | void (migration edited) | unknown (no such revision) | malformed
    problem: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.revision, self.dialect, self.direction)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "revision": self.revision,
            "dialect": self.dialect,
            "direction": self.direction,
            "sha256": self.sha256,
            "status": self.status,
            "problem": self.problem,
        }


def header(source_sha256: str) -> str:
    """The first line an override for a migration with this source hash must start with."""
    return f"{HEADER}{source_sha256}\n"


def load(config, history) -> list[Override]:
    """Every override file of the project, checked against the current migration sources."""
    folder = config.root / FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.sql")):
        found.append(_read(path, config.relative(path), history))
    return found


def files_for(config, revisions) -> dict[str, str]:
    """The override files for any of `revisions` (valid or not), relative path -> sha256 of the bytes."""
    folder = config.root / FOLDER
    if not folder.is_dir():
        return {}
    wanted = set(revisions)
    found = {}
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if match and match.group("revision") in wanted:
            found[config.relative(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _read(path: Path, shown: str, history) -> Override:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    match = _NAME.match(path.name)
    if not match:
        return Override(shown, "", "", "", digest, (), "malformed", "name it <revision>.<dialect>.<upgrade|downgrade>.sql")
    revision, dialect, direction = match["revision"], match["dialect"], match["direction"]

    def made(status: str, problem: str | None = None, statements=()) -> Override:
        return Override(shown, revision, dialect, direction, digest, tuple(statements), status, problem)

    text = data.decode("utf-8", errors="replace")
    first, _, body = text.partition("\n")
    if not first.startswith(HEADER.rstrip()):
        return made("malformed", f"the first line must be `{HEADER}<sha256 of the migration file>`")
    bound = first[len(HEADER):].strip()
    if revision not in history.revisions:
        return made("unknown", f"there is no revision {revision} in the history")
    current = history.source_sha256(revision)
    if bound != current:
        return made(
            "void",
            f"{history.source_path(revision)} changed after this override was written "
            f"(override is for sha256 {bound[:12]}, the file is now {current[:12]}); review the SQL again "
            f"and put `{HEADER}{current}` on its first line",
        )
    import sqlparse  # here: checking bundles by their recorded inputs lists overrides without reading them

    statements = [s.strip() for s in sqlparse.split(body) if sqlparse.format(s, strip_comments=True).strip()]
    return made("valid", statements=statements)


def status(project) -> list[Override]:
    """Every override of `project` (commands.Project) with its status, for `check` and `doctor`."""
    return load(project.config, project.history)


def apply(project, dialect: str, direction: str, migrations: dict, revisions) -> dict:
    """`migrations` (revision -> MigrationSQL) with valid overrides in place; a void one is an error."""
    wanted = set(revisions)
    result = dict(migrations)
    for override in status(project):
        if override.revision not in wanted or (override.dialect, override.direction) != (dialect, direction):
            continue
        if override.status != "valid":
            raise RenderError(
                f"override {override.file} is {override.status}: {override.problem}",
                path=override.file,
                line=1,
                revision=override.revision,
                dialect=dialect,
                hint="fix or delete the override; `sqlrelease doctor` shows what the migration renders to now",
            )
        result[override.revision] = replace(
            migrations[override.revision],
            statements=override.statements,
            failure=None,
            origin="override",
            source=override.file,
            source_sha256=override.sha256,
        )
    return result
