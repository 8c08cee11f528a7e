"""Migrations that need a database get their SQL by rehearsal on a scratch database, or from a
reviewed override; either way the bundle, applied with the real client, gives what online
`alembic upgrade` gives."""

import json

import pytest

from dbtools import alembic_version, apply_sql, run_alembic_online, schema_snapshot, full_dump
from projects import make_project, script_location, sql
from sqlrelease import build
from sqlrelease.api import doctor
from sqlrelease.project import open_project
from sqlrelease.errors import RenderError
from sqlrelease import overrides

REHEARSABLE = ("reads_rows", "reflects_schema", "batch_without_copy_from", "refuses_offline")
HEADS = {"reads_rows": "2b0000000002", "reflects_schema": "3c0000000003",
         "batch_without_copy_from": "5e0000000005", "refuses_offline": "ad000000000a"}
DATA_DEPENDENT = {"reads_rows", "refuses_offline"}


def _apply_releases(db, root, releases, kind="upgrade"):
    for release in releases:
        result = apply_sql(db, sql(root, release, db.dialect, kind))
        assert result.returncode == 0, result.stderr


def _same_as_online(make_db, root, dialect, head):
    bundled, online = make_db(dialect), make_db(dialect)
    _apply_releases(bundled, root, ["1.0.0", "1.1.0"])
    run_alembic_online(script_location(root), online.url, "upgrade", head)
    assert schema_snapshot(bundled.url) == schema_snapshot(online.url)
    assert full_dump(bundled.url)["tables"] == full_dump(online.url)["tables"]
    assert alembic_version(bundled.url) == {head}
    _apply_releases(bundled, root, ["1.1.0", "1.0.0"], "downgrade")
    assert alembic_version(bundled.url) is None


@pytest.mark.parametrize("history", REHEARSABLE)
def test_sqlite_rehearsal_applies_like_online_alembic(tmp_path, make_db, history):
    root = make_project(tmp_path, history, dialects=("sqlite",))
    build(root)
    manifest = json.loads((root / "releases" / "1.1.0" / "manifest.json").read_text())
    (entry,) = manifest["migrations"]
    # Only what cannot render offline is rehearsed; the label says which direction.
    both = history == "batch_without_copy_from"
    assert entry["rendered"] == {"sqlite/upgrade": "rehearsed", **({"sqlite/downgrade": "rehearsed"} if both else {})}
    assert ("data_dependent" in entry) == (history in DATA_DEPENDENT)
    assert "volatile" not in entry  # run twice, they wrote the same statements
    readme = (root / "releases" / "1.1.0" / "README.md").read_text()
    assert "rehearsed on a scratch database" in readme
    assert ("Review needed" in readme) == (history in DATA_DEPENDENT)
    _same_as_online(make_db, root, "sqlite", HEADS[history])


def test_rehearsal_writes_rows_read_as_literals(tmp_path):
    root = make_project(tmp_path, "reads_rows", dialects=("sqlite",))
    build(root)
    text = sql(root, "1.1.0", "sqlite", "upgrade").read_text()
    assert "INSERT INTO team_slugs (team_id, slug) VALUES (2, 'o''neill-rovers');" in text
    assert "SELECT id, name FROM teams" not in text  # reads run but are not written


def test_rehearsed_table_rebuild_is_guarded_like_an_offline_one(tmp_path, make_db):
    # Batch mode without copy_from reflects the scratch table; the copy still knows only its columns.
    root = make_project(tmp_path, "batch_without_copy_from", dialects=("sqlite",))
    build(root)
    manifest = json.loads((root / "releases" / "1.1.0" / "manifest.json").read_text())
    assert manifest["migrations"][0]["rebuilds"] == {"sqlite/upgrade": ["teams"], "sqlite/downgrade": ["teams"]}
    db = make_db("sqlite")
    _apply_releases(db, root, ["1.0.0"])
    assert apply_sql(db, "ALTER TABLE teams ADD COLUMN mascot VARCHAR(20);").returncode == 0
    before = full_dump(db.url)
    result = apply_sql(db, sql(root, "1.1.0", "sqlite", "upgrade"))
    assert result.returncode != 0
    assert "rebuilds table teams and would drop columns it does not know: mascot;" in result.stderr
    assert full_dump(db.url) == before


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
@pytest.mark.parametrize("history", ["reads_rows", "refuses_offline"])
def test_server_rehearsal_on_a_given_url(tmp_path, make_db, monkeypatch, dialect, history):
    server = make_db(dialect)  # the rehearsal creates and drops its own database on this server
    monkeypatch.setenv(f"SQLRELEASE_REHEARSE_URL_{dialect.upper()}", server.url)
    root = make_project(tmp_path, history, dialects=(dialect,))
    assert {f.status for f in doctor(root).problems()} == {"rehearse"}
    build(root)
    _same_as_online(make_db, root, dialect, HEADS[history])


def test_without_a_server_the_build_names_the_cause(tmp_path, monkeypatch):
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    root = make_project(tmp_path, "reads_rows", dialects=("postgresql",))
    with pytest.raises(RenderError, match=r"\(reads_rows\)"):
        build(root)


SLUGS_PG = """CREATE TABLE team_slugs (team_id SERIAL NOT NULL, slug VARCHAR(50) NOT NULL, PRIMARY KEY (team_id));
INSERT INTO team_slugs (team_id, slug) SELECT id, replace(lower(name), ' ', '-') FROM teams;
"""


def _write_override(root, revision, dialect, direction, body, sha=None):
    project = open_project(root)
    folder = root / "overrides"
    folder.mkdir(exist_ok=True)
    path = folder / f"{revision}.{dialect}.{direction}.sql"
    path.write_text(overrides.header(sha or project.history.source_sha256(revision)) + body)
    return path


def test_override_is_used_checksummed_and_applies_like_online(tmp_path, make_db, monkeypatch):
    monkeypatch.delenv("SQLRELEASE_REHEARSE_URL_POSTGRESQL", raising=False)
    root = make_project(tmp_path, "reads_rows", dialects=("postgresql",))
    _write_override(root, "2b0000000002", "postgresql", "upgrade", SLUGS_PG)
    assert {f.status for f in doctor(root).problems()} == {"override"}
    build(root)
    manifest = json.loads((root / "releases" / "1.1.0" / "manifest.json").read_text())
    (entry,) = manifest["migrations"]
    # Only the upgrade is the override: the downgrade (a DROP TABLE) renders offline.
    assert entry["rendered"] == {"postgresql/upgrade": "override"}
    readme = (root / "releases" / "1.1.0" / "README.md").read_text()
    assert "postgresql/upgrade from the reviewed override `overrides/2b0000000002.postgresql.upgrade.sql`" in readme
    assert entry["overrides"]["postgresql/upgrade"]["file"] == "overrides/2b0000000002.postgresql.upgrade.sql"
    assert len(entry["overrides"]["postgresql/upgrade"]["sha256"]) == 64
    _same_as_online(make_db, root, "postgresql", "2b0000000002")


def test_editing_the_migration_voids_its_override(tmp_path):
    root = make_project(tmp_path, "reads_rows", dialects=("postgresql",))
    path = _write_override(root, "2b0000000002", "postgresql", "upgrade", SLUGS_PG)
    migration = next((root / "migrations" / "versions").glob("0002_*.py"))
    migration.write_text(migration.read_text() + "\n# edited\n")
    (found,) = overrides.status(open_project(root))
    assert (found.status, found.file) == ("void", "overrides/" + path.name)
    with pytest.raises(RenderError) as caught:
        build(root)
    assert caught.value.path == "overrides/" + path.name and "changed after this override" in caught.value.message
    assert any(f.cause == "override_void" for f in doctor(root).findings)


def test_doctor_counts_a_given_server_as_rehearsable(tmp_path, monkeypatch, make_db):
    from click.testing import CliRunner

    from sqlrelease.cli import main

    monkeypatch.setenv("SQLRELEASE_REHEARSE_URL_MYSQL", "")  # restored after the test
    root = make_project(tmp_path, "reflects_schema", dialects=("mysql",))
    result = CliRunner().invoke(main, ["doctor", "-C", str(root), "--json"])
    assert result.exit_code == 1 and json.loads(result.output)["counts"]["fails"] == 1
    url = make_db("mysql").url  # doctor rehearses on it, and the migration runs there
    result = CliRunner().invoke(main, ["doctor", "-C", str(root), "--json", "--rehearse-url", f"mysql={url}"])
    assert result.exit_code == 0 and json.loads(result.output)["counts"]["rehearse"] == 1


def test_a_data_step_rehearsed_on_an_empty_table_is_still_irreversible(tmp_path):
    # On the scratch database the table is empty, so the upgrade writes nothing; on a
    # server with rows it changes them, and the empty downgrade() cannot put them back.
    root = make_project(tmp_path, "reads_rows", dialects=("sqlite",))
    versions = root / "migrations" / "versions"
    (versions / "0003_3c3c3c3c3c3c_notes.py").write_text(
        '"""create notes"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        'revision = "3c3c3c3c3c3c"\ndown_revision = "2b0000000002"\nbranch_labels = None\ndepends_on = None\n\n\n'
        "def upgrade():\n"
        '    op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.String(50)))\n\n\n'
        "def downgrade():\n"
        '    op.drop_table("notes")\n'
    )
    (versions / "0004_4d4d4d4d4d4d_shout.py").write_text(
        '"""upper-case every note"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        'revision = "4d4d4d4d4d4d"\ndown_revision = "3c3c3c3c3c3c"\nbranch_labels = None\ndepends_on = None\n\n'
        'notes = sa.table("notes", sa.column("id", sa.Integer), sa.column("body", sa.String))\n\n\n'
        "def upgrade():\n"
        "    bind = op.get_bind()\n"
        "    for row in bind.execute(notes.select()).all():\n"
        "        bind.execute(notes.update().where(notes.c.id == row.id).values(body=(row.body or '').upper()))\n\n\n"
        "def downgrade():\n"
        "    pass\n"
    )
    with (root / "releases.toml").open("a") as plan:
        plan.write('[[release]]\nname = "1.2.0"\ntarget = "4d4d4d4d4d4d"\n')
    build(root)
    manifest = json.loads((root / "releases" / "1.2.0" / "manifest.json").read_text())
    step = manifest["migrations"][-1]
    assert step["revision"] == "4d4d4d4d4d4d" and step["data_dependent"] == ["sqlite/upgrade"]
    assert step["reversible"] is False and step["irreversible"]["reason"] == "downgrade() does nothing"
    assert manifest["downgrade"] == "refuses"


def test_a_failure_before_the_rehearsed_migration_names_the_failing_one_as_preparation(tmp_path):
    # 1.0.0's migration renders offline but fails when run; rehearsing 1.1.0 runs it first.
    root = make_project(tmp_path, "reads_rows", dialects=("sqlite",))
    (first,) = (root / "migrations" / "versions").glob("0001_*.py")
    first.write_text(first.read_text().replace("    op.bulk_insert(", '    op.execute("SELECT no_such_function()")\n    op.bulk_insert(', 1))
    with pytest.raises(RenderError) as caught:
        build(root)
    error = caught.value
    assert error.revision == "1a0000000001" and str(error.path).endswith(first.name)
    assert "failed while the scratch database was brought to the release's start" in error.message
    assert "(2b0000000002)" in error.message


def test_only_literals_that_differ_between_two_runs_are_volatile():
    from sqlrelease.volatile import volatile_values

    first = ["INSERT INTO roles VALUES ('a1', 'admin', 3);", "INSERT INTO roles VALUES ('g1', 'guest', 3);"]
    second = ["INSERT INTO roles VALUES ('a2', 'admin', 3);", "INSERT INTO roles VALUES ('g2', 'guest', 3);"]
    assert volatile_values(first, second) == ("'a1'", "'g1'")
    assert volatile_values(first, first) == ()
    # The same statements in another order (SQLAlchemy creates a table's indexes in set order): no values.
    assert volatile_values(["CREATE INDEX ix_a ON t (a);", "CREATE INDEX ix_b ON t (b);"],
                           ["CREATE INDEX ix_b ON t (b);", "CREATE INDEX ix_a ON t (a);"]) == ()
    # More than literals differ (a downgrade that gave back another schema): not a value either.
    assert volatile_values(["CREATE TABLE t (a INT);"], ["CREATE TABLE t (a INT, b INT);"]) == ()


def test_sources_that_call_run_time_value_functions_are_found(tmp_path):
    from sqlrelease.volatile import run_time_calls

    def kind(source: str):
        path = tmp_path / "m.py"
        path.write_text(source)
        return run_time_calls(path)

    assert kind("import uuid\ndef upgrade():\n    x = uuid.uuid4().hex\n") == "value"
    assert kind("from uuid import uuid4\ndef upgrade():\n    rows = [{'id': str(uuid4())}]\n") == "value"
    assert kind("import random\ndef upgrade():\n    random.choice('ab')\n") == "value"
    assert kind("import datetime\ndef upgrade():\n    datetime.datetime.now(datetime.timezone.utc)\n") == "time"
    assert kind("from datetime import date\ndef upgrade():\n    date.today()\n") == "time"
    assert kind("import uuid, sqlalchemy as sa\nt = sa.Table('t', sa.MetaData(), sa.Column('id', default=uuid.uuid4))\n") == "value"
    # SQL the database evaluates, fixed values and other calls are not run-time values here.
    assert kind("import sqlalchemy as sa\ndef upgrade():\n    sa.func.now(); sa.func.random()\n") is None
    assert kind("import uuid\ndef upgrade():\n    uuid.UUID('12345678123456781234567812345678')\n") is None
    assert kind("import time, sqlalchemy as sa\ndef upgrade():\n    time.sleep(1); sa.DateTime(timezone=True)\n") is None
