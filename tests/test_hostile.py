"""Nothing from a history, plan or config can change the meaning of the SQL around it.

An attacker (or a careless author) puts newlines, quotes, backslashes, dollar
quotes, comment markers, NUL, control characters and unicode into revision ids,
messages, release names, version table names and error texts. Either the build
refuses with exit 2 and one line naming the file and line, or the bundle still
works: its guards refuse a wrong server, and the right server gets exactly what
the same history with harmless texts gives it (proven with psql, mariadb and sqlite3).
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from dbtools import DIALECTS, alembic_version, apply_sql, dump_diff, full_dump
from projects import add_migration, add_release, make_project, sql
from sqlrelease import build
from sqlrelease.cli import main
from sqlrelease.dialects import DIALECTS as SQL_DIALECTS

CORPUS = (
    "nl\nDROP TABLE products;",
    "q'uote",
    "b\\",
    "\\'; DROP TABLE products; --",
    "$$ $sqlrelease$ $sqlrelease1$ end",
    "*/ DROP TABLE products; /*",
    "-- not a comment",
    "semi;colon",
    "nul\x00byte",
    "esc\x1b[31mred\x1b[0m",
    "bidi\u202eevil",
    "line\u2028separator",
    "unicode café ✓ 日本",
    "`backtick`",
    '"double"',
    "%s %(x)s %I {}",
    ":psqlvar :'psqlvar' \\set ON_ERROR_STOP off",
    "\r\ncrlf",
    "@{{ jinja }}{% raw %}",
)
LAST = "71e0a5d3c8b6"  # the data_migration history's head, release 1.1.0


def cli(root, *args):
    return CliRunner().invoke(main, [*args, "-C", str(root)])


def refused_with_one_line(result, *expected: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()  # progress lines ("rendering ...") may come first
    assert lines and lines[-1].startswith("error: "), result.stderr
    assert sum(line.startswith("error") for line in lines) == 1, result.stderr
    for text in expected:
        assert text in lines[-1], (text, lines[-1])
    return lines[-1]


# -- refused at build: identifiers ---------------------------------------------------


@pytest.mark.parametrize(
    "revision",
    [*CORPUS, "a" * 33, "", " space", ".dot"],
    ids=lambda value: repr(value)[:24],
)
def test_a_revision_id_that_could_change_the_sql_is_refused_with_its_file_and_line(tmp_path, revision):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    path = add_migration(root, revision, LAST, "pass", "pass", "hostile id")
    line = path.read_text().splitlines().index(f"revision = {revision!r}") + 1
    shown = f"migrations/versions/{path.name}:{line}:"
    for verb in ("build", "check", "lint", "doctor"):
        refused_with_one_line(cli(root, verb), shown, "revision id")
    assert not (root / "releases").exists()


def test_a_released_revision_id_reused_by_a_new_file_is_refused_naming_both_files(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    assert build(root)
    before = {p: p.read_bytes() for p in (root / "releases").rglob("*") if p.is_file()}
    released = next((root / "migrations" / "versions").glob("0003_*.py"))
    copy = add_migration(root, "d26c9b4f7e13", LAST, 'op.execute("DELETE FROM products")', "pass", "again")
    line = refused_with_one_line(cli(root, "build"), "'d26c9b4f7e13'", released.name, copy.name)
    assert line.index(copy.name) < line.index(released.name)  # the file named first is the new one
    refused_with_one_line(cli(root, "check"), released.name, copy.name)
    assert before == {p: p.read_bytes() for p in (root / "releases").rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("version_table", "av'x", "may only use lower-case letters"),
        ("version_table", "alembic_version; DROP TABLE products", "may only use"),
        ("version_table", "Alembic_Version", "may only use lower-case"),
        ("version_table", "order", "reserved word in"),
        ("version_table_schema", 'app"; DROP TABLE products; --', "may only use"),
    ],
    ids=["quote", "statement", "upper-case", "reserved", "schema"],
)
def test_a_version_table_that_could_change_the_sql_is_refused_in_pyproject(tmp_path, key, value, expected):
    import json

    root = make_project(tmp_path, "data_migration", dialects=("postgresql", "mysql", "sqlite"))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"{key} = {json.dumps(value)}\n")
    line = len(pyproject.read_text().splitlines())
    refused_with_one_line(cli(root, "build"), f"pyproject.toml:{line}:", key, expected)


def test_a_version_table_from_env_py_is_refused_with_the_env_py_line(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    env_py = root / "migrations" / "env.py"
    text = env_py.read_text()
    assert text.count("context.configure(") >= 1
    env_py.write_text(text.replace("context.configure(", 'context.configure(version_table="v; DROP TABLE x", ', 1))
    line = next(n for n, row in enumerate(env_py.read_text().splitlines(), 1) if "DROP TABLE x" in row)
    refused_with_one_line(cli(root, "build"), f"migrations/env.py:{line}:", "version_table")


# -- refused at build: release names --------------------------------------------------


@pytest.mark.parametrize("name", CORPUS, ids=lambda value: repr(value)[:24])
def test_a_release_name_that_could_change_the_sql_is_refused_in_the_plan(tmp_path, name):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    add_migration(root, "ab00000000c1", LAST, "pass", "pass", "more")
    add_release(root, name, "ab00000000c1")
    refused_with_one_line(cli(root, "build"), "releases.toml:", "release name")


# -- one escaping function per dialect, proven with the real client -------------------


def _stored(db, literals: list[str], prelude: str = "", wrap=lambda statement: statement) -> list:
    """Each literal INSERTed by the real client, then read back with the driver, in order."""
    from sqlalchemy import create_engine, text

    rows = "".join(
        wrap(f"INSERT INTO literals (id, v) VALUES ({number}, {literal});") + "\n"
        for number, literal in enumerate([*literals, "'end-marker'"])
    )
    script = f"{prelude}CREATE TABLE literals (id INTEGER PRIMARY KEY, v VARCHAR(200));\n{rows}"
    result = apply_sql(db, script)
    assert result.returncode == 0, result.stderr
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text("SELECT v FROM literals ORDER BY id"))]
    finally:
        engine.dispose()


def _writable(dialect) -> list[str]:
    """The corpus values `dialect` writes as literals; the others it must refuse, and only for NUL or CR."""
    from sqlrelease.dialects.base import UnsafeText

    values = []
    for value in CORPUS:
        try:
            dialect.string_literal(value)
        except UnsafeText as exc:
            assert "\x00" in value or "\r" in value, (value, exc)
            continue
        values.append(value)
    return values


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_every_string_literal_reads_back_exactly_on_the_real_server(db):
    dialect = SQL_DIALECTS[db.dialect]
    values = _writable(dialect)
    assert _stored(db, [dialect.string_literal(v) for v in values]) == [*values, "end-marker"]
    assert len(values) >= len(CORPUS) - 2


def test_postgresql_literals_hold_in_dollar_quoted_bodies_and_with_old_string_settings(pg_db):
    from sqlrelease.dialects.postgresql import dollar_quote

    dialect = SQL_DIALECTS["postgresql"]
    values = _writable(dialect)
    stored = _stored(
        pg_db,
        [dialect.string_literal(v) for v in values],
        prelude="SET standard_conforming_strings = off;\n",
        wrap=lambda statement: f"DO {dollar_quote(f'BEGIN {statement} END')};",
    )
    assert stored == [*values, "end-marker"]


def test_mysql_literals_cannot_be_escaped_from_even_with_no_backslash_escapes(mysql_db):
    dialect = SQL_DIALECTS["mysql"]
    values = _writable(dialect)
    stored = _stored(mysql_db, [dialect.string_literal(v) for v in values], prelude="SET sql_mode = 'NO_BACKSLASH_ESCAPES';\n")
    # The value keeps its doubled backslashes there, but every statement stays whole.
    assert stored == [*(v.replace("\\", "\\\\") for v in values), "end-marker"]


# -- built and applied: messages, release names and error texts ------------------------


MESSAGES = list(CORPUS)
# Rows Alembic renders as data: PostgreSQL text cannot hold NUL, and sqlite3 and mariadb drop a CR
# before a line end inside a string (Alembic writes it raw; see the report of issue 11).
ROWS = [c for c in CORPUS if "\x00" not in c and "\r" not in c]


def _hostile_history(root, hostile: bool) -> None:
    """Release `2.0--rc+1_x` (odd but valid name): a notes table filled with the corpus, each
    migration with a hostile message; release 3.0.0: a step whose downgrade raises a hostile text."""
    text = (lambda i: MESSAGES[i % len(MESSAGES)]) if hostile else (lambda i: f"step {i}")
    add_migration(
        root, "ab00000000c1", LAST,
        'op.create_table("notes", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),'
        ' sa.Column("body", sa.String(200), nullable=False))',
        'op.drop_table("notes")',
        text(0),
    )
    add_migration(
        root, "ab00000000c2", "ab00000000c1",
        f'notes = sa.table("notes", sa.column("id", sa.Integer()), sa.column("body", sa.String()))\n'
        f"op.bulk_insert(notes, [{{'id': i, 'body': body}} for i, body in enumerate({ROWS!r})])",
        'op.execute("DELETE FROM notes")',
        text(1),
    )
    previous = "ab00000000c2"
    for number in range(2, len(MESSAGES)):
        revision = f"ac{number:010d}"
        touch = f'op.execute("UPDATE notes SET id = id WHERE id = {number}")'
        add_migration(root, revision, previous, touch, touch, text(number))
        previous = revision
    add_release(root, "2.0--rc+1_x" if hostile else "2.0.0", previous)
    # A backslash before a quote, then statements that would undo the read-only session and drop a table.
    reason = (
        "x\\'; SET SESSION TRANSACTION READ WRITE; DROP TABLE products; -- $sqlrelease$ \x1b[2J \u202e"
        if hostile
        else "no way back"
    )
    add_migration(
        root, "ad0000000001", previous,
        'op.execute("UPDATE notes SET body = body")',
        f"raise NotImplementedError({reason!r})",
        text(len(MESSAGES)),
    )
    add_release(root, "3.0.0", "ad0000000001")


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    """The same history twice: with hostile texts, and with harmless ones; both built."""
    built = {}
    for hostile in (True, False):
        root = make_project(tmp_path_factory.mktemp("hostile"), "data_migration", folder="hostile" if hostile else "plain")
        _hostile_history(root, hostile)
        assert build(root)
        built[hostile] = root
    return built


def test_hostile_texts_reach_bundles_only_as_printable_one_line_comments_and_literals(twins):
    from sqlrelease.terminal import printable

    root = twins[True]
    for path in (root / "releases").rglob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert "\x00" not in text, path
        comments = [line for line in text.splitlines() if line.startswith("--")]
        assert not any(ch in line for line in comments for ch in "\x1b\u202e\u2028\r"), path
        if path.name == "upgrade.sql" and path.parent.parent.name == "2.0--rc+1_x":
            for message in MESSAGES[:-1]:  # a message is the first line of its docstring
                shown = printable(message.strip().splitlines()[0]).replace("*/", "* /")
                assert any(shown in line for line in comments), (path, shown)


def _apply(db, root, release, kind="upgrade"):
    result = apply_sql(db, sql(root, release, db.dialect, kind))
    assert result.returncode == 0, f"{release} {kind}: {result.stderr}"
    return result


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_hostile_texts_change_nothing_on_the_real_servers(twins, db, make_db):
    hostile, plain = twins[True], twins[False]
    reference = make_db(db.dialect)
    for target in (db, reference):
        _apply(target, hostile if target is db else plain, "1.0.0")
        _apply(target, hostile if target is db else plain, "1.1.0")

    # A wrong server is still refused: 3.0.0 on a server at 1.1.0.
    before = full_dump(db.url)
    refused = apply_sql(db, sql(hostile, "3.0.0", db.dialect, "upgrade"))
    assert refused.returncode != 0 and "sqlrelease guard: this server is at release 1.1.0 (71e0a5d3c8b6)" in refused.stderr
    assert full_dump(db.url) == before

    # The right server gets exactly what the harmless twin gives.
    _apply(db, hostile, "2.0--rc+1_x")
    _apply(reference, plain, "2.0.0")
    assert full_dump(db.url) == full_dump(reference.url), dump_diff(full_dump(reference.url), full_dump(db.url))
    bodies = [row["body"] for row in sorted(full_dump(db.url)["rows"]["notes"], key=lambda r: r["id"])]
    assert bodies == ROWS

    # Its downgrade undoes it, and the upgrade runs again.
    _apply(db, hostile, "2.0--rc+1_x", "downgrade")
    assert full_dump(db.url) == before
    _apply(db, hostile, "2.0--rc+1_x")
    _apply(db, hostile, "3.0.0")
    assert alembic_version(db.url) == {"ad0000000001"}

    # An irreversible step whose reason is hostile: the downgrade refuses and changes nothing.
    before = full_dump(db.url)
    for feed in ("stdin", "force", "source") if db.dialect == "mysql" else ("stdin",):
        result = apply_sql(db, sql(hostile, "3.0.0", db.dialect, "downgrade"), feed=feed)
        assert feed != "stdin" or result.returncode != 0
        assert "cannot be downgraded" in result.stderr + result.stdout and "\x1b" not in result.stderr, feed
        assert full_dump(db.url) == before, feed


# -- TOML the tool writes: plan, waivers, init ----------------------------------------------

TOML_HOSTILE = (
    'quote " and \\ backslash',
    "newline\n[[waiver]]\nrule = \"forged\"",
    "]] [tool.sqlrelease] plan = \"elsewhere.toml\"",
    '""" triple',
    "del \x7f esc \x1b bell \x07",
    "unicode café ✓ \u202e",
)


def test_waivers_keep_the_file_and_quote_every_value(tmp_path):
    from sqlrelease import api, review
    from sqlrelease.config import load_config

    root = make_project(tmp_path, dialects=("postgresql",))
    waivers = root / "review" / "waivers.toml"
    waivers.parent.mkdir()
    waivers.write_text("# our waivers: reviewed every quarter\n\n# (none yet)\n")
    for number, text in enumerate(TOML_HOSTILE):
        reason = f"{number}: {text}"
        if number:  # each waiver needs a new finding: undo the previous one first
            waivers.write_text(waivers.read_text().replace('rule = "update-without-where"', 'rule = "update-without-where-was"'))
        assert api.waive(root, "1.3.0", "update-without-where", "74c2b9e5f3d0", reason, by=text)
    loaded = review.load_waivers(load_config(root))
    assert [(w.reason, w.by) for w in loaded] == [(f"{n}: {t}", t) for n, t in enumerate(TOML_HOSTILE)]
    assert all(w.rule.startswith("update-without-where") for w in loaded)  # no forged [[waiver]]
    assert waivers.read_text().startswith("# our waivers: reviewed every quarter\n\n# (none yet)\n")


def test_a_surrogate_in_a_waiver_is_refused_and_the_file_is_kept(tmp_path):
    from sqlrelease import api

    root = make_project(tmp_path, dialects=("postgresql",))
    result = cli(root, "waive", "1.3.0", "update-without-where", "--revision", "74c2b9e5f3d0", "--reason", "bad \udcff byte")
    assert result.exit_code == 2 and "waivers.toml" in result.stderr, result.output
    assert not (root / "review" / "waivers.toml").exists()
    assert api.lint_project(root, ["1.3.0"])  # the project still reads


def test_cut_appends_to_the_plan_keeping_its_comments_and_layout(tmp_path):
    from sqlrelease import api
    from sqlrelease.plan import load_plan

    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    plan = root / "releases.toml"
    before = plan.read_text() + "# next: the tea price release  \n"
    plan.write_text(before)
    add_migration(root, "ab00000000c1", LAST, "pass", "pass", "more")
    api.cut(root, "1.2.0+build.7")
    assert plan.read_text() == before + '\n[[release]]\nname = "1.2.0+build.7"\ntarget = "ab00000000c1"\n'
    assert [r.name for r in load_plan(plan).releases][-1] == "1.2.0+build.7"


def test_init_adds_its_table_to_a_pyproject_keeping_everything_else(tmp_path):
    import tomllib

    from sqlrelease import api

    root = tmp_path / "app"
    shutil.copytree(make_project(tmp_path, "data_migration") / "migrations", root / 'mig"rations ]]')
    original = '# the app\n[project]\nname = "app"  # keep me\n\n[tool.black]\nline-length = 100\n'
    (root / "pyproject.toml").write_text(original)
    api.init(root, script_location='mig"rations ]]')
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(original)
    table = tomllib.loads(text)["tool"]["sqlrelease"]
    assert table["script_location"] == 'mig"rations ]]' and table["stamp"] == "inline"
    assert tomllib.loads(text)["tool"]["black"] == {"line-length": 100}
    assert "# or \"separate\"" in text


def test_a_statement_that_ends_with_its_own_semicolon_applies_on_mariadb_whole_and_by_steps(tmp_path, make_db):
    """`op.execute("...;")` reaches the bundle as "...;;": each MySQL statement travels in one packet
    with its progress record, where the empty statement after it failed the file (a real history,
    OpenStack Octavia, does this)."""
    root = make_project(tmp_path, "data_migration", dialects=("mysql",))
    add_migration(root, "5e111c010a01", LAST, 'op.execute("UPDATE products SET name = name;")', "pass", "own semicolon")
    add_release(root, "1.2.0", "5e111c010a01")
    assert build(root)
    for whole in (True, False):
        db = make_db("mysql")
        for release in ("1.0.0", "1.1.0"):
            assert apply_sql(db, sql(root, release, "mysql", "upgrade")).returncode == 0
        if whole:
            result = apply_sql(db, sql(root, "1.2.0", "mysql", "upgrade"))
        else:
            (step,) = (root / "releases" / "1.2.0" / "mysql" / "steps").glob("*.sql")
            result = apply_sql(db, step)
        assert result.returncode == 0, result.stderr
        assert alembic_version(db.url) == {"5e111c010a01"}
