"""Assembling a bundle's SQL files from rendered migrations (pure functions).

Each file is a header, the client's stop-on-error directive, a guard that
refuses to run unless the version table holds the expected revisions, the
migrations' statements as Alembic emitted them, and guarded version-table
changes. The dialect's template supplies every piece of SQL that is ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import messages, templates
from .dialects import Dialect
from .plan import Release
from .rendered import Bookkeeping, Irreversible, MigrationSQL, VersionTable
from .version import VERSION

if TYPE_CHECKING:
    from .history import History

INLINE = "inline"
SEPARATE = "separate"


@dataclass
class Script:
    """One SQL file being assembled."""

    text: str = ""
    statements: int = 0  # statements of the migrations (guards and version changes not counted)


@dataclass(frozen=True)
class ScriptContext:
    release: Release
    dialect: Dialect
    history: "History"
    version_table: VersionTable
    stamp: str
    irreversible: tuple[Irreversible, ...] = field(default=())
    bookkeeping: Bookkeeping = field(default_factory=Bookkeeping)
    source_digest: str = ""
    # The plan's releases up to and including this one, (name, end): the versions guards name in words.
    releases: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    # known_states of this context, made once: every guard and last line of its files reads them.
    known: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # The blocks every file or migration of the context writes alike, made once (see `_same`).
    same: dict[tuple, str] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Receipt:
    """What one script records when it changes the version table."""

    table: str
    release: str
    script: str  # upgrade, downgrade, stamp, steps/2-abc...
    dialect: str
    start: str  # revisions before, comma-separated ('' for base)
    end: str
    digest: str
    version: str = VERSION


@dataclass(frozen=True)
class Progress:
    """Where a migration's statements record that they ran (dialects whose DDL commits as it goes)."""

    table: str
    release: str
    revision: str
    statements: int


# Statements a MySQL server cannot prepare (routines, triggers, events; several in one text): a step
# script cannot skip them, so it runs them only from the start of their migration.
UNPREPARABLE = re.compile(
    r"^\s*(CREATE\s+(OR\s+REPLACE\s+)?(DEFINER\s*=\s*\S+\s+)?(TRIGGER|PROCEDURE|FUNCTION|EVENT)\b|DELIMITER\b|LOCK\s+TABLES\b)",
    re.IGNORECASE,
)


def records_progress(ctx: ScriptContext) -> bool:
    """Whether this script records statement progress: dialects without transactional DDL, inline stamp."""
    return bool(getattr(_macros(ctx.dialect), "records_progress", False)) and ctx.stamp == INLINE


def _progress_table(ctx: ScriptContext) -> str:
    schema = ctx.version_table.schema
    return f"{schema}.{ctx.bookkeeping.progress}" if schema else ctx.bookkeeping.progress


def _progress(ctx: ScriptContext, migration: MigrationSQL) -> Progress:
    return Progress(_progress_table(ctx), ctx.release.name, migration.revision, len(migration.statements))


def _opening(ctx: ScriptContext, expected, label: str, kind: str, done, words: ScriptContext | None = None) -> list[str]:
    """Begin, take the database's apply lock, check the version, make sure the receipt table exists.

    The guard says "nothing to do" at `done`, and names versions as `words` (default `ctx`) knows them.
    """
    m = _macros(ctx.dialect)
    guard = _guard(words or ctx, expected, label, kind, done)
    blocks = [_same(ctx, "begin"), m.lock(ctx.version_table, ctx.bookkeeping.lock_timeout, label), guard]
    if ctx.bookkeeping.receipts:
        blocks.append(_same(ctx, "create_receipts", _receipts_table(ctx)))
    if getattr(m, "records_progress", False):  # every script's version change clears it
        blocks.append(_same(ctx, "create_progress", _progress_table(ctx)))
    return blocks


def _releases(ctx: ScriptContext):
    return ctx.releases or ((ctx.release.name, ctx.release.end),)


def _states(ctx: ScriptContext) -> dict[str, str]:
    if not ctx.known:
        ctx.known.update(messages.known_states(_releases(ctx), ctx.history, ctx.release))
    return ctx.known


def _guard(ctx: ScriptContext, expected, label: str, kind: str, done) -> str:
    """The guard: refuses unless the version table holds `expected`; says "nothing to do" at `done`."""
    states = _states(ctx)
    already = messages.already(kind, ctx.release.name, messages.done_words(states, done))
    text = messages.guard_text(label, ctx.release.name, expected, done, states, already, _releases(ctx))
    return _macros(ctx.dialect).guard(ctx.version_table, expected, label, text)


def _finish(ctx: ScriptContext, label: str, now, next_step: str | None = None) -> str:
    """The one line a file prints at its end: where the server is now."""
    finished = messages.finished(label, messages.done_words(_states(ctx), now), next_step)
    return _macros(ctx.dialect).done(finished, messages.did_not_complete(label))


def _receipts_table(ctx: ScriptContext) -> str:
    schema = ctx.version_table.schema
    return f"{schema}.{ctx.bookkeeping.receipts}" if schema else ctx.bookkeeping.receipts


def _closing(ctx: ScriptContext, script: str, start, end, last_change: list[str]) -> list[str]:
    """The last version change and the receipt, in one transaction where the dialect allows, then commit."""
    m = _macros(ctx.dialect)
    if not ctx.bookkeeping.receipts:
        return [*_atomic(ctx, last_change), _same(ctx, "commit"), _same(ctx, "unlock", ctx.version_table)]
    receipt = Receipt(
        _receipts_table(ctx), ctx.release.name, script, ctx.dialect.name,
        ",".join(sorted(start)), ",".join(sorted(end)), ctx.source_digest,
    )
    return [
        _same(ctx, "begin_receipt"), *last_change, m.receipt(receipt), _same(ctx, "end_receipt"), _same(ctx, "commit"),
        _same(ctx, "unlock", ctx.version_table),
    ]


def _macros(dialect: Dialect):
    """The dialect's guard and version-table macros."""
    return templates.macros(dialect.template, dialect)


def _same(ctx: ScriptContext, macro: str, *args) -> str:
    """The dialect's `macro` called with `args`, for the blocks each file (or each migration) of a
    release writes alike: begin, commit, the receipts and progress tables, the apply lock's release.

    Made once per context: a macro is a function of its arguments, and calling it again for each of the
    ~1,600 files of a long history's bundles (1,000 MySQL step scripts among them) cost more than the rest
    of their bookkeeping blocks."""
    key = (macro, *args)
    text = ctx.same.get(key)
    if text is None:
        text = ctx.same[key] = getattr(_macros(ctx.dialect), macro)(*args)
    return text


def _common(dialect: Dialect):
    """Comments and statements that read the same in every dialect, written with its filters."""
    return templates.macros("common.sql.j2", dialect)


def version_change(ctx: ScriptContext, before, after, label: str) -> list[str]:
    """Guarded SQL moving the version table from heads `before` to heads `after`."""
    m, common = _macros(ctx.dialect), _common(ctx.dialect)
    vt = ctx.version_table
    removed = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    blocks: list[str] = []
    if not before and not getattr(m, "guard_creates_version_table", False):
        blocks.append(m.create_version_table(vt, True))
    if len(removed) == 1 and len(added) == 1:
        old, new = removed[0], added[0]
        blocks.append(m.change_version(vt, common.update_version(vt, old, new), messages.moving(label, vt.name, old, new)))
    else:
        for old in removed:
            blocks.append(m.change_version(vt, common.delete_version(vt, old), messages.removing(label, vt.name, old)))
        for new in added:
            blocks.append(m.insert_version(vt, new))
    if not after:
        blocks.append(m.drop_version_table(vt))
    if getattr(m, "records_progress", False):
        # A row belongs to the migration after the version table's: none once the version moved.
        blocks.append(_same(ctx, "clear_progress", _progress_table(ctx)))
    return blocks


def _atomic(ctx: ScriptContext, change: list[str]) -> list[str]:
    """A version change between two migrations, in one transaction where it clears progress rows."""
    m = _macros(ctx.dialect)
    if not change or not getattr(m, "records_progress", False):
        return change
    return [_same(ctx, "begin_change"), *change, _same(ctx, "end_change")]


def _statements(ctx: ScriptContext, migration: MigrationSQL, label: str, progress: Progress | None = None,
                skippable: bool = False) -> list[str]:
    """The migration's statements, each table rebuild preceded by a guard on the table's columns.

    A rebuild copies only the columns the migration knows; the guard refuses to
    run when the table has others (added by hand), which the copy would lose.
    With `progress`, each statement records that it ran (and with `skippable`, a
    statement recorded as done is skipped: a step script resuming its migration).
    """
    m = _macros(ctx.dialect)
    guards: dict[int, list[str]] = {}
    for rebuild in migration.rebuilds:
        guards.setdefault(min(rebuild.index, len(migration.statements)), []).append(
            m.rebuild_guard(rebuild, migration.revision, label)
        )
    blocks: list[str] = []
    for index, statement in enumerate(migration.statements):
        blocks.extend(guards.pop(index, []))
        if progress is None:
            blocks.append(m.statement(statement))
            continue
        plain = skippable and _unpreparable(statement)
        if plain:
            blocks.append(m.unskippable(progress, index + 1, messages.cannot_skip(label, migration.revision, index + 1)))
        blocks.append(m.progress_statement(statement, progress, index + 1, skippable and not plain, _delimiter(statement)))
    for remaining in guards.values():
        blocks.extend(remaining)
    return blocks


def _delimiter(statement: str) -> str:
    """A client DELIMITER the statement does not contain (it sends the statement with its progress record)."""
    tag, number = "$sqlrelease$", 0
    while tag in statement:
        number += 1
        tag = f"$sqlrelease{number}$"
    return tag


_GO = re.compile(r"\bGO\b")  # sqlparse splits at the keyword GO as written, in capitals


def _unpreparable(statement: str) -> bool:
    if UNPREPARABLE.match(statement):
        return True
    # sqlparse splits only at ';' and at a GO keyword: without either the statement is one (the
    # split cost a third of assembling MySQL's step scripts). Rendered statements end with their own
    # ';', which splits nothing off; a second one ('...;;') still goes to sqlparse.
    body = statement.rstrip()
    body = body[:-1] if body.endswith(";") else body
    if ";" not in body and not _GO.search(body):
        return False
    import sqlparse  # build time only

    return len([s for s in sqlparse.split(statement) if s.strip()]) > 1


def _migration_comment(ctx: ScriptContext, revision: str, direction: str) -> str:
    message = ctx.history.revisions[revision].message
    return _common(ctx.dialect).migration_comment(direction, revision, message, ctx.history.source_path(revision))


def _document(ctx: ScriptContext, kind: str, expected, blocks: list[str], note: str | None = None) -> str:
    return templates.render(
        "script.sql.j2",
        kind=kind,
        release=ctx.release,
        dialect=ctx.dialect,
        history=ctx.history,
        expected=list(expected),
        version_table=ctx.version_table,
        stamp=ctx.stamp,
        preamble=_same(ctx, "preamble", ctx.bookkeeping),
        blocks=[b for b in blocks if b.strip()],
        note=note,
    )


def upgrade_script(ctx: ScriptContext, rendered: dict[str, MigrationSQL]) -> Script:
    m = _macros(ctx.dialect)
    release = ctx.release
    label = messages.label("upgrade", release.name)
    blocks = _opening(ctx, release.start, label, "upgrade", release.end)
    if ctx.stamp == SEPARATE:  # ran before and not stamped: the version alone cannot tell
        blocks.append(m.refuse_if_table(ctx.version_table, messages.UNSTAMPED, messages.unstamped(label, release.name)))
    progress = records_progress(ctx) and release.revisions
    if progress:  # killed in its first migration: the version table alone cannot tell
        first = _progress(ctx, rendered[release.revisions[0]])
        blocks.append(m.refuse_if_started(first, messages.started(ctx.release.name, ctx.dialect.name, step_name(ctx, 1))))
    rows = ctx.history.heads_along(release.start, release.revisions)
    count = 0
    last_change: list[str] = []
    for number, revision in enumerate(release.revisions):
        before, after = rows[number], rows[number + 1]
        count += len(rendered[revision].statements)
        blocks.extend(_atomic(ctx, last_change))
        blocks.append(_migration_comment(ctx, revision, "upgrade"))
        blocks.extend(_statements(ctx, rendered[revision], label, _progress(ctx, rendered[revision]) if progress else None))
        last_change = version_change(ctx, before, after, label) if ctx.stamp == INLINE else []
    if ctx.stamp == SEPARATE:  # stamp.sql removes it
        common = _common(ctx.dialect)
        last_change = [
            m.own(common.create_unstamped(ctx.version_table)),
            m.own(common.insert_unstamped(ctx.version_table, release.name)),
        ]
    blocks.extend(_closing(ctx, "upgrade", release.start, release.end, last_change))
    if ctx.stamp == SEPARATE:
        blocks.append(_finish(ctx, label, release.start, messages.stamp_next(release.name)))
    else:
        blocks.append(_finish(ctx, label, release.end))
    note = messages.UNSTAMPED_NOTE if ctx.stamp == SEPARATE else None
    return Script(_document(ctx, "upgrade", release.start, blocks, note), count)


def step_scripts(ctx: ScriptContext, rendered: dict[str, MigrationSQL]) -> list[tuple[str, Script]]:
    """One upgrade script per migration, each with its own guard.

    For dialects whose DDL commits as it goes: after a failure the version table
    names the last migration that completed, and the DBA resumes with the step
    script whose guard expects exactly that.
    """
    m = _macros(ctx.dialect)
    release = ctx.release
    rows = ctx.history.heads_along(release.start, release.revisions)
    steps = []
    for number, revision in enumerate(release.revisions, start=1):
        before, after = rows[number - 1], rows[number]
        name = step_name(ctx, number)
        label = messages.label(f"steps/{name}", release.name)
        statements = rendered[revision].statements
        step_ctx = ScriptContext(
            release=Release(
                name=release.name,
                previous=release.previous,
                start=before,
                end=after,
                revisions=(revision,),
            ),
            dialect=ctx.dialect,
            history=ctx.history,
            version_table=ctx.version_table,
            stamp=INLINE,
            bookkeeping=ctx.bookkeeping,
            source_digest=ctx.source_digest,
            same=ctx.same,  # the same dialect: the release's blocks are the step's
        )
        blocks = [*_opening(step_ctx, before, label, "step", after, words=ctx), _migration_comment(ctx, revision, "upgrade")]
        if records_progress(ctx):
            progress = _progress(ctx, rendered[revision])
            blocks.append(m.read_progress(progress, messages.resuming(label, revision)))
            blocks.extend(_statements(ctx, rendered[revision], label, progress, skippable=True))
        else:
            blocks.extend(_statements(ctx, rendered[revision], label))
        blocks.extend(_closing(step_ctx, f"steps/{name}", before, after, version_change(ctx, before, after, label)))
        blocks.append(_finish(ctx, label, after))
        note = messages.step_note(number, len(release.revisions), revision)
        steps.append((name, Script(_document(step_ctx, f"steps/{name}", before, blocks, note), len(statements))))
    return steps


def step_name(ctx: ScriptContext, number: int) -> str:
    """The name of the release's step script of its migration `number` (1-based), without .sql."""
    revisions = ctx.release.revisions
    return f"{number:0{len(str(len(revisions)))}d}-{revisions[number - 1]}"


def downgrade_script(ctx: ScriptContext, rendered: dict[str, MigrationSQL]) -> Script:
    m = _macros(ctx.dialect)
    release = ctx.release
    label = messages.label("downgrade", release.name)
    refused = [i for i in ctx.irreversible if not i.accepted]
    if refused:
        message = messages.cannot_downgrade(release.name, refused)
        return Script(_document(ctx, "downgrade", release.end, [m.refuse(message)], message), 0)
    accepted = {i.revision: i for i in ctx.irreversible}
    blocks = _opening(ctx, release.end, label, "downgrade", release.start)
    # Undoing the migrations in reverse passes the same rows as applying them, backwards.
    rows = ctx.history.heads_along(release.start, release.revisions)
    count = 0
    last_change: list[str] = []
    for number in reversed(range(len(release.revisions))):
        revision = release.revisions[number]
        before, after = rows[number + 1], rows[number]
        blocks.extend(_atomic(ctx, last_change))
        blocks.append(_migration_comment(ctx, revision, "downgrade"))
        if revision in accepted:
            blocks.append(_common(ctx.dialect).note(messages.accepted_irreversible(accepted[revision])))
        count += len(rendered[revision].statements)
        blocks.extend(_statements(ctx, rendered[revision], label))
        last_change = version_change(ctx, before, after, label)
    blocks.extend(_closing(ctx, "downgrade", release.end, release.start, last_change))
    blocks.append(_finish(ctx, label, release.start))
    return Script(_document(ctx, "downgrade", release.end, blocks), count)


def stamp_script(ctx: ScriptContext) -> Script:
    m = _macros(ctx.dialect)
    release = ctx.release
    label = messages.label("stamp", release.name)
    blocks = _opening(ctx, release.start, label, "stamp", release.end)
    change = version_change(ctx, release.start, release.end, label)
    change.append(m.drop_table_if_exists(_common(ctx.dialect).unstamped_table(ctx.version_table)))
    blocks.extend(_closing(ctx, "stamp", release.start, release.end, change))
    blocks.append(_finish(ctx, label, release.end))
    return Script(_document(ctx, "stamp", release.start, blocks, messages.STAMP_NOTE), 0)


def baseline_script(ctx: ScriptContext) -> Script:
    """Mark a server whose schema is at this release by other means as being at it.

    Flyway's baseline, Liquibase's changelog-sync: refuses unless the version table is
    empty or absent, says "nothing to do" when it holds this release already.
    """
    m = _macros(ctx.dialect)
    release = ctx.release
    label = messages.label("baseline", release.name)
    blocks = _opening(ctx, (), label, "baseline", release.end)
    blocks.extend(_closing(ctx, "baseline", (), release.end, version_change(ctx, (), release.end, label)))
    blocks.append(_finish(ctx, label, release.end))
    return Script(_document(ctx, "baseline", (), blocks, messages.BASELINE_NOTE), 0)
