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
    assert "expects alembic_version = 8d41e6a0c2f9, found none" in refused.stderr
    done = apply_sql(db, sql(root, "1.0.0", db.dialect, "upgrade"))
    assert done.returncode == 0, done.stderr
    assert alembic_version(db.url) == {"8d41e6a0c2f9"}
    before = full_dump(db.url)
    again = apply_sql(db, sql(root, "1.0.0", db.dialect, "upgrade"))
    assert again.returncode != 0
    assert "expects alembic_version = none" in again.stderr and "found 8d41e6a0c2f9" in again.stderr
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
