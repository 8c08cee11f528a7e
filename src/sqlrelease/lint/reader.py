"""The reader of a release: walks its statements for one dialect, keeps track of what the
release has done so far, and tells the rules what each statement does (events.py).

"Existing table" means a table not created earlier in the same release: the
release's SQL is all we read, so anything else may hold rows on a server.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import events as ev
from . import sql
from .rule import RULES, VISITORS, Finding, excerpt, statement_sha256
from .sql import BATCH_PREFIX, bare, name


@dataclass
class State:
    """What the statements before the current one did, within one release and dialect."""

    created: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> columns (created in this release)
    dropped: list[ev.TableDropped] = field(default_factory=list)
    backfilled: dict[str, list[str]] = field(default_factory=dict)  # table -> UPDATE statements
    set_columns: dict[str, tuple[int, set[str]]] = field(default_factory=dict)  # table -> (updates read, columns set)
    # (bare table, column) added with a default: ADD COLUMN writes the default into every existing row.
    # (SET DEFAULT, MODIFY ... DEFAULT and ADD DEFAULT ... FOR never touch existing rows.)
    filled: set[tuple[str, str]] = field(default_factory=set)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)  # (bare table, column) -> definition, as last stated


class Reader:
    """Reads one release in one dialect; the rules add findings to it."""

    def __init__(self, release_sql, dialect: str, direction: str = "upgrade", parsed: dict | None = None) -> None:
        self.release_sql = release_sql
        # What `columns` and `copy_renames` read of a statement, shared by the readers of a release: the
        # readers of both directions parse the same tables (a rebuild's CREATE TABLE and copy are read
        # by the direction that runs them, and by the other one to learn what the table was before).
        self.parsed = {} if parsed is None else parsed
        self.release = release_sql.release.name
        self.dialect = dialect
        self.direction = direction
        # What is read, and its counterpart: the other direction tells what a table was before.
        self.read, self.other = (
            (release_sql.upgrade, release_sql.downgrade) if direction == "upgrade" else (release_sql.downgrade, release_sql.upgrade)
        )
        self.state = State()
        self.rebuilds = ()  # of the migration being read
        self.statements: tuple[str, ...] = ()  # of the migration being read
        self.findings: list[Finding] = []
        self.outside_transaction = False  # of the migration being read

    # -- what rules call ---------------------------------------------------------

    def add(self, rule: str, at, detail: str, digest: str | None = None, *, index=..., statement: str | None = None) -> None:
        """A finding of `rule` at the statement the event `at` was read from."""
        if self.direction == "downgrade" and not RULES[rule].downgrades:
            return
        statement = at.statement if statement is None else statement
        self.findings.append(
            Finding(
                direction=self.direction,
                rule=rule,
                severity=self.severity(rule),
                release=self.release,
                revision=at.revision,
                dialect=self.dialect,
                statement=at.index if index is ... else index,
                detail=sql.TERMINATOR.sub("", detail),  # a definition taken to the statement's end
                excerpt=excerpt(statement),
                sha256=digest or statement_sha256(statement),
            )
        )

    def severity(self, rule: str) -> str:
        """The rule's severity; in a downgrade at most a warning: a rollback runs by exception,
        and `lint --fail-on error` stays about what every server runs."""
        severity = RULES[rule].severity
        return "warning" if self.direction == "downgrade" and severity == "error" else severity

    def restored(self, revision: str, table: str) -> dict[str, str] | None:
        """The table's columns before `revision`, from the CREATE TABLE its downgrade runs."""
        for statement in self.downgrade_statements(revision):
            match = sql.CREATE_TABLE.match(statement, sql.start_of(statement))
            if match and (name(match.group(1)) in (table, BATCH_PREFIX + table) or bare(name(match.group(1))) in (table, BATCH_PREFIX + table)):
                return self.columns(statement, match.end())
        return None

    def columns(self, statement: str, start: int) -> dict[str, str]:
        """`sql.columns_of`, parsed once per release (see `parsed`); the caller does not change it."""
        key = ("columns", statement, start)
        if key not in self.parsed:
            self.parsed[key] = sql.columns_of(statement, start)
        return self.parsed[key]

    # -- reading -----------------------------------------------------------------------

    def emit(self, event) -> None:
        for visitor in VISITORS.get(type(event), ()):
            visitor(event, self)

    def existing(self, table: str) -> bool:
        return table not in self.state.created and bare(table) not in self.state.created

    def downgrade_statements(self, revision: str) -> tuple[str, ...]:
        """The statements of the other direction (the downgrade, when reading the upgrade): what they
        create is what the table was before the statements being read."""
        other = self.other.get(self.dialect, {}).get(revision)
        return other.statements if other else ()

    def run(self) -> list[Finding]:
        """Read every migration of the release in the order it runs; the findings of every rule."""
        migrations = list(self.read.get(self.dialect, {}).items())
        if self.direction == "downgrade":
            order = {revision: i for i, revision in enumerate(self.release_sql.release.revisions)}
            migrations.sort(key=lambda item: -order.get(item[0], 0))
        for revision, migration in migrations:
            self.migration(revision, migration.statements, migration.rebuilds, migration.data_dependent, migration.volatile)
        self.emit(ev.ReleaseRead(tuple(self.state.dropped), self.state.created))
        return self.findings

    def migration(self, revision: str, statements, rebuilds=(), data_dependent=False, volatile=()) -> None:
        self.rebuilds, self.statements = rebuilds, tuple(statements)
        ddl = data = 0
        first_data = None
        rebuilt: set[str] = set()
        # Alembic's autocommit_block() writes COMMIT ... BEGIN around its statements.
        self.outside_transaction = False
        for index, statement in enumerate(statements, start=1):
            start = sql.start_of(statement)
            word = sql.keyword(statement, start)
            if word in ("COMMIT", "BEGIN"):
                self.outside_transaction = word == "COMMIT"
            if word in sql.DDL:
                ddl += 1
            if word in sql.DATA and not sql.is_batch_copy(statement, start):
                data += 1
                first_data = first_data or (index, statement)
            handler = HANDLERS.get(word)
            if handler is not None:
                handler(self, revision, index, statement, start, rebuilt)
        downgrade = self.other.get(self.dialect, {}).get(revision)
        dependent = tuple(downgrade.statements) if getattr(downgrade, "data_dependent", False) else None
        self.emit(ev.MigrationRead(revision, tuple(statements), ddl, data, first_data, data_dependent, dependent,
                                   tuple(volatile)))

    def create(self, revision, index, statement, start, rebuilt) -> None:
        match = sql.CREATE_TABLE.match(statement, start)
        if match:
            table = name(match.group(1))
            columns = self.columns(statement, match.end())
            if bare(table).startswith(BATCH_PREFIX):
                original = bare(table)[len(BATCH_PREFIX):]
                rebuilt.add(original)
                self.rebuild(revision, index, statement, original, columns)
            else:
                self.state.created[bare(table)] = dict(columns)  # a copy: later statements change it
            return
        match = sql.CREATE_INDEX.match(statement, start)
        if match:
            table = name(match.group(3))
            self.emit(ev.IndexCreated(revision, index, statement, table, bool(match.group(1)), bool(match.group(2)),
                                      self.existing(table), self.outside_transaction))

    def rebuild(self, revision, index, statement, table, columns) -> None:
        """A batch-mode copy: compare the new definition with the one the downgrade restores."""
        at = (revision, index, statement)
        self.emit(ev.TableRebuilt(*at, table))
        before = self.state.created.get(table) or self.restored(revision, table)
        # The columns the copy knows (copy_from), as the renderer saw them; statement indexes here count from 1.
        known = [r for r in self.rebuilds if bare(r.table) == table and r.index < index]
        known = {c.lower() for c in known[-1].columns} if known else None

        def left_out(column: str) -> None:
            missed = known is not None and column.lower() not in known
            self.emit(ev.ColumnLeftOutOfCopy(*at, table, column, missed))

        renamed = self.copy_renames(index, table)  # {old: new}: the copy reads old into new
        if before is None:
            # The downgrade re-adds with ALTER what the copy left out (SQLite can add, not drop, columns).
            for column in self.readded(revision, table):
                if column not in renamed:
                    left_out(column)
            return
        for old_name, new_name in renamed.items():
            if old_name in before and new_name in columns:
                self.emit(ev.ColumnRenamed(*at, table, old_name, new_name, True))
        sources = {new: old for old, new in renamed.items()}
        for column, definition in columns.items():
            if not column:
                continue
            old = before.get(sources.get(column, column))
            if old is None:
                # A column the copy adds: the INSERT ... SELECT leaves it out, so its default fills every row.
                if sql.has_default(definition):
                    self.state.filled.add((bare(table), column))
                self.emit(ev.ColumnAdded(*at, table, column, definition, existing=True, copied=True))
                continue
            if sql.not_null(definition) and not sql.not_null(old):
                # The INSERT ... SELECT copies each NULL as NULL: the new column's DEFAULT does not apply.
                self.made_not_null(at, table, column)
            if sql.type_of(definition) != sql.type_of(old):
                self.emit(ev.ColumnTypeChanged(*at, table, column, sql.type_of(old), sql.type_of(definition)))
        for column in before:
            if column and column not in columns and column not in renamed:
                left_out(column)
        old_unique = set(sql.UNIQUE_CONSTRAINT.findall(before.get("", "")))
        for constraint in sql.UNIQUE_CONSTRAINT.findall(columns.get("", "")):
            if constraint not in old_unique:
                self.emit(ev.UniqueConstraintAdded(*at, table, constraint, self.existing(table)))

    def copy_renames(self, index: int, table: str) -> dict[str, str]:
        """Columns the rebuild's copy (the INSERT ... SELECT after statement `index`) reads under another name."""
        for statement in self.statements[index:]:
            if sql.is_batch_copy(statement, sql.start_of(statement)):
                target = sql.INSERT.match(statement, sql.start_of(statement))
                if bare(name(target.group(1))) == BATCH_PREFIX + table:
                    key = ("copy", statement)
                    if key not in self.parsed:
                        self.parsed[key] = sql.copy_renames(statement)
                    return self.parsed[key]
                return {}
        return {}

    def readded(self, revision: str, table: str) -> list[str]:
        """Columns of `table` that the downgrade of `revision` adds back with ALTER TABLE ... ADD."""
        columns = []
        for statement in self.downgrade_statements(revision):
            match = sql.ALTER_TABLE.match(statement, sql.start_of(statement))
            if match and bare(name(match.group(1))) == table:
                add = sql.ADD_COLUMN.match(statement, match.end())
                if add:
                    columns.append(name(add.group(1)))
        return columns

    def made_not_null(self, at, table, column) -> None:
        """An existing column becomes NOT NULL: only an earlier UPDATE, or adding it with a default, filled its NULLs.

        A DEFAULT in the same statement (MySQL MODIFY, a batch copy) or set before it (SET DEFAULT,
        ADD DEFAULT ... FOR) applies to rows inserted later, never to the NULLs already there.
        """
        backfill = column in self.set_columns(table) or column in self.set_columns(bare(table))
        self.emit(ev.ColumnMadeNotNull(*at, table, column, backfill or (bare(table), column) in self.state.filled))

    def known(self, revision: str, table: str, column: str) -> str | None:
        """The column's definition before this statement: as stated earlier in the release, or as the downgrade restores it."""
        table = bare(table)
        if (table, column) in self.state.columns:
            return self.state.columns[(table, column)]
        created = self.state.created.get(table)
        if created and column in created:
            return created[column]
        found = None
        for statement in self.downgrade_statements(revision):
            match = sql.ALTER_TABLE.match(statement, sql.start_of(statement))
            if not match or bare(name(match.group(1))) != table:
                continue
            pos = match.end()
            if sql.PG_TYPE.match(statement, pos) or sql.PG_OTHER.match(statement, pos):
                continue
            change = sql.CHANGE.match(statement, pos)
            restate = None if change else sql.RESTATE.match(statement, pos)
            if change and name(change.group(2)) == column:
                definition = change.group(3)
            elif restate and name(restate.group(1)) == column:
                definition = restate.group(2)
            else:
                continue
            definition = sql.TERMINATOR.sub("", definition)
            if not sql.NO_TYPE.match(definition):
                found = definition  # the last one: what the downgrade leaves, so what the upgrade found
        return found

    def restate(self, at, table, column, definition, new=None) -> None:
        """MySQL MODIFY / CHANGE, MSSQL ALTER COLUMN, Oracle MODIFY: a column stated again, whole or in part.

        The statement says what the column becomes, not what it was: compare it with what is known
        of the column before (see `known`). Unknown, a NOT NULL restatement counts as making the
        column NOT NULL (CHANGE excepted: that is a rename), and any other one as a type change.
        """
        definition = sql.TERMINATOR.sub("", definition)
        words = sql.words(definition)
        old = self.known(at[0], table, column)
        not_null = sql.NOT_NULL.search(words) is not None
        was_nullable = not sql.NOT_NULL.search(sql.words(old)) if old is not None else new is None
        if not_null and was_nullable:
            self.made_not_null(at, table, new or column)
        if sql.NO_TYPE.match(words):
            return  # Oracle: nullability or default only
        if old is not None:
            if sql.type_of(old) != sql.type_of(definition):
                self.emit(ev.ColumnTypeChanged(*at, table, column, sql.type_of(old), sql.type_of(definition)))
        elif new is None and not not_null:
            self.emit(ev.ColumnTypeChanged(*at, table, column, restated_as=excerpt(definition, 60)))
        self.state.columns[(bare(table), new or column)] = definition

    def set_columns(self, table: str) -> set[str]:
        """Columns that UPDATEs so far in the release assign; each UPDATE is read once."""
        updates = self.state.backfilled.get(table, [])
        done, columns = self.state.set_columns.get(table, (0, set()))
        for update in updates[done:]:
            columns.update(name(target) for target in sql.SET_TARGETS.findall(update))
        self.state.set_columns[table] = (len(updates), columns)
        return columns

    def drop(self, revision, index, statement, start, rebuilt) -> None:
        if sql.DROP_INDEX_CONCURRENTLY.match(statement, start) and self.dialect == "postgresql":
            self.emit(ev.IndexDroppedConcurrently(revision, index, statement, self.outside_transaction))
            return
        match = sql.DROP_TABLE.match(statement, start)
        if match:
            table = name(match.group(1))
            if bare(table) in rebuilt:
                return  # the batch copy replaces it
            event = ev.TableDropped(revision, index, statement, table)
            self.emit(event)
            self.state.dropped.append(event)

    def alter(self, revision, index, statement, start, rebuilt) -> None:
        match = sql.ALTER_TABLE.match(statement, start)
        if not match:
            return
        at = (revision, index, statement)
        table, pos = name(match.group(1)), match.end()
        existing = self.existing(table)
        rename = sql.RENAME_TABLE.match(statement, pos)
        if rename:
            new = name(rename.group(1))
            if bare(table).startswith(BATCH_PREFIX):
                return
            if not existing:
                self.state.created[bare(new)] = self.state.created.get(bare(table), {})
            self.emit(ev.TableRenamed(*at, table, new, existing))
            return
        rename = sql.RENAME_COLUMN.match(statement, pos)
        if rename:
            self.emit(ev.ColumnRenamed(*at, table, name(rename.group(1)), name(rename.group(2)), existing))
            return
        drop = sql.DROP_COLUMN.match(statement, pos)
        if drop:
            self.state.created.get(bare(table), {}).pop(name(drop.group(1)), None)
            self.emit(ev.ColumnDropped(*at, table, name(drop.group(1))))
            return
        if sql.ADD_CONSTRAINT_UNIQUE.match(statement, pos):
            self.emit(ev.UniqueConstraintAdded(*at, table, None, existing))
            return
        add = sql.ADD_COLUMN.match(statement, pos)
        if add:
            self.add_column(at, table, name(add.group(1)), sql.TERMINATOR.sub("", add.group(2)), existing)
            return
        if existing:
            self.alter_existing(at, table, statement, pos)

    def add_column(self, at, table, column, definition, existing) -> None:
        self.state.columns[(bare(table), column)] = definition
        if bare(table) in self.state.created:  # a later rebuild compares with the table as it is now
            self.state.created[bare(table)][column] = definition
        words = sql.words(definition)
        # SQL Server fills existing rows of a nullable new column only WITH VALUES.
        if sql.DEFAULT.search(words) and (self.dialect != "mssql" or sql.NOT_NULL.search(words) or sql.WITH_VALUES.search(words)):
            self.state.filled.add((bare(table), column))
        self.emit(ev.ColumnAdded(*at, table, column, definition, existing))

    def alter_existing(self, at, table, statement, pos) -> None:
        """ALTER TABLE of a table that may hold rows: NOT NULL, type changes, restated columns."""
        pg = sql.PG_NOT_NULL.match(statement, pos)
        if pg:
            self.made_not_null(at, table, name(pg.group(1)))
            return
        pg = sql.PG_TYPE.match(statement, pos)
        if pg:
            self.emit(ev.ColumnTypeChanged(*at, table, name(pg.group(1))))
            return
        if sql.PG_OTHER.match(statement, pos):
            return  # SET DEFAULT among them: it fills no existing row
        change = sql.CHANGE.match(statement, pos)
        if change:
            old, new = name(change.group(1)), name(change.group(2))
            if old != new:
                self.emit(ev.ColumnRenamed(*at, table, old, new, True))
            self.restate(at, table, old, change.group(3), new)
            return
        restate = sql.RESTATE.match(statement, pos)
        if restate:
            self.restate(at, table, name(restate.group(1)), restate.group(2))

    def rename(self, revision, index, statement, start, rebuilt) -> None:
        match = sql.MYSQL_RENAME.match(statement, start)
        if match:
            old = name(match.group(1))
            self.emit(ev.TableRenamed(revision, index, statement, old, name(match.group(2)), self.existing(old)))

    def execute(self, revision, index, statement, start, rebuilt) -> None:
        match = sql.SP_RENAME.match(statement, start)
        if not match:
            return
        old, new, column = name(match.group(1)), name(match.group(2)), match.group(3)
        if column:
            table, _, old_column = old.rpartition(".")
            self.emit(ev.ColumnRenamed(revision, index, statement, table, old_column, new, self.existing(table)))
        else:
            self.emit(ev.TableRenamed(revision, index, statement, old, new, self.existing(old)))

    def update(self, revision, index, statement, start, rebuilt) -> None:
        match = sql.UPDATE.match(statement, start)
        if match:
            self.state.backfilled.setdefault(name(match.group(1)), []).append(statement)
        self.emit(ev.RowsUpdated(revision, index, statement, name(match.group(1)) if match else "", sql.has_where(statement)))

    def delete(self, revision, index, statement, start, rebuilt) -> None:
        match = sql.DELETE.match(statement, start)
        self.emit(ev.RowsDeleted(revision, index, statement, name(match.group(1)) if match else "", sql.has_where(statement)))

    def truncate(self, revision, index, statement, start, rebuilt) -> None:
        match = sql.TRUNCATE.match(statement, start)
        self.emit(ev.RowsDeleted(revision, index, statement, name(match.group(1)) if match else "", False))


HANDLERS = {
    "CREATE": Reader.create,
    "DROP": Reader.drop,
    "ALTER": Reader.alter,
    "RENAME": Reader.rename,
    "EXEC": Reader.execute,
    "EXECUTE": Reader.execute,
    "UPDATE": Reader.update,
    "DELETE": Reader.delete,
    "TRUNCATE": Reader.truncate,
}
