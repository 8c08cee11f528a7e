"""A script applied to a server at the wrong version refuses and changes nothing.

The DBA runs the sample's release 1.2.0 (c4b8e1f3a906 -> e61a7c9d0b58) with the
real client against servers that are not where it expects: at an older
release, at a newer one, without a version table, with a revision nobody
knows.  Every SQL file of the bundle (upgrade, downgrade, stamp; inline and
separate stamp mode) must exit non-zero, name the expected and the found
revision, and leave every table and row as it was.
"""

from __future__ import annotations

import pytest

from dbtools import DIALECTS, alembic_version, apply_sql, full_dump, schema_snapshot
from projects import make_project, sql
from sqlrelease import build

RELEASE = "1.2.0"
EXPECTS = {"upgrade": "c4b8e1f3a906", "stamp": "c4b8e1f3a906", "downgrade": "e61a7c9d0b58"}
KINDS = ("upgrade", "downgrade", "stamp")


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    """The sample built twice: stamp = inline and stamp = separate."""
    tmp = tmp_path_factory.mktemp("guards")
    built = {}
    for stamp in ("inline", "separate"):
        root = make_project(tmp, stamp=stamp, folder=stamp)
        build(root)
        built[stamp] = root
    return built


def _run(db, script) -> None:
    result = apply_sql(db, script)
    assert result.returncode == 0, f"{script}:\n{result.stderr}"


def _upgrade_to(db, root, *releases) -> None:
    for release in releases:
        _run(db, sql(root, release, db.dialect, "upgrade"))


def _older(db, root) -> str:
    _upgrade_to(db, root, "1.0.0")
    return "8d41e6a0c2f9"


def _newer(db, root) -> str:
    _upgrade_to(db, root, "1.0.0", "1.1.0", "1.2.0", "1.3.0")
    return "74c2b9e5f3d0"


def _no_version_table(db, root) -> str:
    # A server someone set up by hand: data, but nothing stamped.
    _run(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(50) NOT NULL)")
    _run(db, "INSERT INTO notes (id, body) VALUES (1, 'keep me')")
    return "none"


def _unknown_revision(db, root) -> str:
    _upgrade_to(db, root, "1.0.0", "1.1.0")
    _run(db, "INSERT INTO recruits (first_name, surname, id_number) VALUES ('Grace', 'Hopper', 'ID-1')")
    _run(db, "UPDATE alembic_version SET version_num = '0badc0ffee00'")
    return "0badc0ffee00"


WRONG_VERSIONS = {
    "older release": _older,
    "newer release": _newer,
    "no version table": _no_version_table,
    "unknown revision": _unknown_revision,
}


@pytest.mark.parametrize("state", list(WRONG_VERSIONS))
@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_every_script_refuses_a_server_at_the_wrong_version(projects, db, state):
    found = WRONG_VERSIONS[state](db, projects["inline"])
    before = full_dump(db.url)
    for stamp, root in projects.items():
        for kind in KINDS:
            script = sql(root, RELEASE, db.dialect, kind)
            result = apply_sql(db, script)
            where = f"{stamp} {kind}.sql on a server at {state}"
            assert result.returncode != 0, f"{where} ran:\n{result.stdout}"
            assert f"{kind}.sql of release {RELEASE} expects alembic_version = {EXPECTS[kind]}" in result.stderr, (
                f"{where}: {result.stderr}"
            )
            assert f"found {found}" in result.stderr, f"{where}: {result.stderr}"
            assert full_dump(db.url) == before, f"{where} changed the database"


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_guards_name_every_head_of_a_branched_history(tmp_path, db):
    root = make_project(tmp_path, "branched", dialects=(db.dialect,))
    build(root)
    _upgrade_to(db, root, "1.0.0")
    before = full_dump(db.url)
    result = apply_sql(db, sql(root, "1.2.0", db.dialect, "upgrade"))
    assert result.returncode != 0
    assert "expects alembic_version = 6b3d9f2a0e84,a9e15c7d3f60, found 0c4e8a1f5b27" in result.stderr
    assert full_dump(db.url) == before

    _upgrade_to(db, root, "1.1.0")
    before = full_dump(db.url)
    result = apply_sql(db, sql(root, "1.3.0", db.dialect, "upgrade"))
    assert result.returncode != 0
    assert "expects alembic_version = f27b6d0c9e31, found 6b3d9f2a0e84,a9e15c7d3f60" in result.stderr
    assert full_dump(db.url) == before


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_separate_stamp_mode_moves_the_version_only_with_stamp_sql(projects, db, make_db):
    separate, inline = projects["separate"], projects["inline"]
    reference = make_db(db.dialect)
    for release, before, after in (("1.0.0", None, "8d41e6a0c2f9"), ("1.1.0", "8d41e6a0c2f9", "c4b8e1f3a906")):
        _run(db, sql(separate, release, db.dialect, "upgrade"))
        assert (alembic_version(db.url) or None) == ({before} if before else None), (
            f"{release} upgrade.sql moved the version table in separate stamp mode"
        )
        _run(db, sql(separate, release, db.dialect, "stamp"))
        assert alembic_version(db.url) == {after}
        # Stamping twice is refused like any other script at the wrong version.
        again = apply_sql(db, sql(separate, release, db.dialect, "stamp"))
        assert again.returncode != 0 and f"found {after}" in again.stderr
        _run(reference, sql(inline, release, db.dialect, "upgrade"))
        assert schema_snapshot(db.url) == schema_snapshot(reference.url)
    _run(db, sql(separate, "1.1.0", db.dialect, "downgrade"))
    _run(reference, sql(inline, "1.1.0", db.dialect, "downgrade"))
    assert alembic_version(db.url) == {"8d41e6a0c2f9"}
    assert schema_snapshot(db.url) == schema_snapshot(reference.url)
