"""A DBA applies the sample's first releases with the real client; guards refuse wrong versions."""

import pytest

from dbtools import alembic_version, apply_sql, full_dump
from projects import make_project, sql
from sqlrelease import build


@pytest.mark.parametrize("db", ["postgresql", "mysql", "sqlite"], indirect=True)
def test_guard_refuses_wrong_versions_and_changes_nothing(tmp_path, db):
    root = make_project(tmp_path)
    build(root)
    refused = apply_sql(db, sql(root, "1.1.0", db.dialect, "upgrade"))
    assert refused.returncode != 0
    assert "this server is at no release (no alembic_version rows); upgrade.sql of release 1.1.0 needs release 1.0.0 (8d41e6a0c2f9)" in refused.stderr
    done = apply_sql(db, sql(root, "1.0.0", db.dialect, "upgrade"))
    assert done.returncode == 0, done.stderr
    # One line at the end says where the server is now.
    assert "sqlrelease: upgrade.sql of release 1.0.0 done: this server is at release 1.0.0 (8d41e6a0c2f9)" in done.stdout
    assert alembic_version(db.url) == {"8d41e6a0c2f9"}
    before = full_dump(db.url)
    again = apply_sql(db, sql(root, "1.0.0", db.dialect, "upgrade"))
    assert again.returncode != 0
    # Run again: distinct from a refusal, by its words (and on PostgreSQL by SQLSTATE SR001).
    assert "sqlrelease: nothing to do: release 1.0.0 is applied already: this server is at release 1.0.0 (8d41e6a0c2f9)" in again.stderr
    assert "sqlrelease guard:" not in again.stderr
    assert full_dump(db.url) == before
    for release in ("1.1.0", "1.2.0", "1.3.0"):
        result = apply_sql(db, sql(root, release, db.dialect, "upgrade"))
        assert result.returncode == 0, result.stderr
    assert alembic_version(db.url) == {"74c2b9e5f3d0"}
    for release in ("1.3.0", "1.2.0", "1.1.0", "1.0.0"):
        result = apply_sql(db, sql(root, release, db.dialect, "downgrade"))
        assert result.returncode == 0, result.stderr
    assert alembic_version(db.url) is None
    assert full_dump(db.url)["tables"] == {}


def test_nothing_to_do_has_its_own_sqlstate_on_postgresql(tmp_path, pg_db):
    root = make_project(tmp_path, dialects=("postgresql",))
    build(root)
    upgrade = sql(root, "1.0.0", "postgresql", "upgrade").read_text()
    assert apply_sql(pg_db, upgrade).returncode == 0
    verbose = "\\set VERBOSITY verbose\n"
    again = apply_sql(pg_db, verbose + upgrade)
    assert again.returncode != 0 and "ERROR:  SR001: sqlrelease: nothing to do:" in again.stderr
    wrong = apply_sql(pg_db, verbose + sql(root, "1.2.0", "postgresql", "upgrade").read_text())
    assert wrong.returncode != 0 and "ERROR:  SR002: sqlrelease guard: this server is at release 1.0.0" in wrong.stderr
