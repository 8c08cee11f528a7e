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
NEEDS = {"upgrade": "release 1.1.0 (c4b8e1f3a906)", "stamp": "release 1.1.0 (c4b8e1f3a906)", "downgrade": "release 1.2.0 (e61a7c9d0b58)"}
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
    return "release 1.0.0 (8d41e6a0c2f9)"


def _newer(db, root) -> str:
    _upgrade_to(db, root, "1.0.0", "1.1.0", "1.2.0", "1.3.0")
    return "74c2b9e5f3d0 (no release up to 1.2.0)"  # 1.2.0's bundle cannot know later releases


def _no_version_table(db, root) -> str:
    # A server someone set up by hand: data, but nothing stamped.
    _run(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(50) NOT NULL)")
    _run(db, "INSERT INTO notes (id, body) VALUES (1, 'keep me')")
    return "no release (no alembic_version rows)"


def _unknown_revision(db, root) -> str:
    _upgrade_to(db, root, "1.0.0", "1.1.0")
    _run(db, "INSERT INTO recruits (first_name, surname, id_number) VALUES ('Grace', 'Hopper', 'ID-1')")
    _run(db, "UPDATE alembic_version SET version_num = '0badc0ffee00'")
    return "0badc0ffee00 (no release up to 1.2.0)"


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
            assert f"sqlrelease guard: this server is at {found}; {kind}.sql of release {RELEASE} needs {NEEDS[kind]}; nothing was changed" in result.stderr, (
                f"{where}: {result.stderr}"
            )
            assert full_dump(db.url) == before, f"{where} changed the database"


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_guards_name_every_head_of_a_branched_history(tmp_path, db):
    root = make_project(tmp_path, "branched", dialects=(db.dialect,))
    build(root)
    _upgrade_to(db, root, "1.0.0")
    before = full_dump(db.url)
    result = apply_sql(db, sql(root, "1.2.0", db.dialect, "upgrade"))
    assert result.returncode != 0
    assert "this server is at release 1.0.0 (0c4e8a1f5b27); upgrade.sql of release 1.2.0 needs release 1.1.0 (6b3d9f2a0e84,a9e15c7d3f60)" in result.stderr
    assert full_dump(db.url) == before

    _upgrade_to(db, root, "1.1.0")
    before = full_dump(db.url)
    result = apply_sql(db, sql(root, "1.3.0", db.dialect, "upgrade"))
    assert result.returncode != 0
    assert "this server is at release 1.1.0 (6b3d9f2a0e84,a9e15c7d3f60); upgrade.sql of release 1.3.0 needs release 1.2.0 (f27b6d0c9e31)" in result.stderr
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
        assert again.returncode != 0 and f"sqlrelease: nothing to do: release {release} is stamped already" in again.stderr
        _run(reference, sql(inline, release, db.dialect, "upgrade"))
        assert schema_snapshot(db.url) == schema_snapshot(reference.url)
    _run(db, sql(separate, "1.1.0", db.dialect, "downgrade"))
    _run(reference, sql(inline, "1.1.0", db.dialect, "downgrade"))
    assert alembic_version(db.url) == {"8d41e6a0c2f9"}
    assert schema_snapshot(db.url) == schema_snapshot(reference.url)


# -- MariaDB/MySQL: fail closed however the file is fed ------------------------------------

# `< file` stops at the first error; these go on after it (and exit 0).
FEEDS = ("force", "source", "backslash-dot")


def _mysql_scripts(projects, *releases):
    """Every SQL file of `releases` for mysql, both stamp modes, step scripts included."""
    return [
        path
        for root in projects.values()
        for release in releases
        for path in sorted((root / "releases" / release / "mysql").rglob("*.sql"))
        if path.name != "status.sql"  # the read-only status query
    ]


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("state", ["older release", "newer release"])
def test_a_refused_mysql_guard_changes_nothing_however_the_file_is_fed(projects, mysql_db, state, feed):
    found = WRONG_VERSIONS[state](mysql_db, projects["inline"])
    before = full_dump(mysql_db.url)
    scripts = _mysql_scripts(projects, "1.0.0", RELEASE) if state == "newer release" else _mysql_scripts(projects, RELEASE)
    assert any("steps" in path.parts for path in scripts)
    for script in scripts:
        result = apply_sql(mysql_db, script, feed=feed)
        where = f"{script.relative_to(script.parents[3])} fed by {feed} to a server at {state}"
        output = result.stdout + result.stderr
        words = found if RELEASE in script.parts else found.replace("up to 1.2.0", "up to 1.0.0")
        assert f"sqlrelease guard: this server is at {words};" in output, f"{where}: {output}"
        assert "did not complete" in output or feed == "stdin", f"{where}: no last line says so:\n{output}"
        assert "Cannot execute statement in a READ ONLY transaction" in output or script.name == "stamp.sql" or (
            "downgrade" in script.name
        ), f"{where}: nothing after the guard was tried?\n{output}"
        assert full_dump(mysql_db.url) == before, f"{where} changed the database:\n{output}"


def _duplicate_emails(db, root) -> None:
    """A server at 1.1.0 whose rows make 1.2.0's unique constraint fail, after its NOT NULL."""
    _upgrade_to(db, root, "1.0.0", "1.1.0")
    for first in ("Ada", "Grace"):
        _run(db, f"INSERT INTO recruits (first_name, surname, id_number, github_name) VALUES ('{first}', 'X', '{first}', 'same')")


@pytest.mark.parametrize("feed", FEEDS)
def test_a_failed_mysql_statement_stops_the_file_however_it_is_fed(projects, make_db, feed):
    """With --force or source the client goes on after the failed ALTER; the session does not."""
    root = projects["inline"]
    stops, goes_on = make_db("mysql"), make_db("mysql")
    for db in (stops, goes_on):
        _duplicate_emails(db, root)
    script = sql(root, RELEASE, "mysql", "upgrade")
    assert apply_sql(stops, script).returncode != 0
    apply_sql(goes_on, script, feed=feed)
    # Both stopped after the NOT NULL: alembic_version names the last migration that completed.
    assert alembic_version(stops.url) == alembic_version(goes_on.url) == {"2d5f8a4c1b73"}
    assert full_dump(goes_on.url) == full_dump(stops.url)


def test_a_mysql_session_refused_once_is_writable_again_only_through_a_passing_guard(projects, mysql_db, tmp_path):
    root = projects["inline"]
    _upgrade_to(mysql_db, root, "1.0.0", "1.1.0")
    wrong, right = sql(root, "1.3.0", "mysql", "upgrade"), sql(root, RELEASE, "mysql", "upgrade")
    # One session going on after errors: the wrong file is refused, a change typed by hand
    # then fails too, and the right file's guard passes and makes the session writable again.
    session = tmp_path / "session.sql"
    session.write_text(f"source {wrong}\nCREATE TABLE typed_by_hand (id INTEGER);\nsource {right}\n")
    result = apply_sql(mysql_db, session, feed="force")
    output = result.stdout + result.stderr
    assert "upgrade.sql of release 1.3.0 needs" in output and "READ ONLY" in output
    assert "typed_by_hand" not in schema_snapshot(mysql_db.url)["tables"]
    assert alembic_version(mysql_db.url) == {"e61a7c9d0b58"}


# -- baseline: a server made by other means ------------------------------------------------------


def _made_by_other_means(db, root, *releases) -> None:
    """The schema of `releases` with no version table, as db.create_all() leaves a server."""
    _upgrade_to(db, root, *releases)
    _run(db, "DROP TABLE alembic_version")


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_baseline_marks_a_server_made_by_other_means_and_refuses_any_other(projects, db, make_db):
    root = projects["inline"]
    _made_by_other_means(db, root, "1.0.0", "1.1.0")
    before = full_dump(db.url)
    done = apply_sql(db, sql(root, "1.1.0", db.dialect, "baseline"))
    assert done.returncode == 0, done.stderr
    assert "sqlrelease: baseline.sql of release 1.1.0 done: this server is at release 1.1.0 (c4b8e1f3a906)" in done.stdout
    assert alembic_version(db.url) == {"c4b8e1f3a906"}
    assert {k: v for k, v in full_dump(db.url)["tables"].items() if k != "alembic_version"} == {
        k: v for k, v in before["tables"].items()
    }
    # Run again: nothing to do. Another release's baseline: refused, unchanged.
    stamped = full_dump(db.url)
    again = apply_sql(db, sql(root, "1.1.0", db.dialect, "baseline"))
    assert again.returncode != 0 and "sqlrelease: nothing to do: release 1.1.0 is recorded already" in again.stderr
    other = apply_sql(db, sql(root, "1.3.0", db.dialect, "baseline"))
    assert other.returncode != 0
    assert "sqlrelease guard: this server is at release 1.1.0 (c4b8e1f3a906); baseline.sql of release 1.3.0 needs an empty database" in other.stderr
    assert full_dump(db.url) == stamped
    # From there the releases apply as on any other server.
    _upgrade_to(db, root, "1.2.0", "1.3.0")
    reference = make_db(db.dialect)
    _upgrade_to(reference, root, "1.0.0", "1.1.0", "1.2.0", "1.3.0")
    assert full_dump(db.url) == full_dump(reference.url)


# -- separate stamp mode: a forgotten stamp.sql ------------------------------------------------------


@pytest.mark.parametrize("db", DIALECTS, indirect=True)
def test_separate_mode_upgrade_refuses_to_run_twice_when_stamp_sql_was_forgotten(projects, db):
    separate = projects["separate"]
    _run(db, sql(separate, "1.0.0", db.dialect, "upgrade"))
    _run(db, sql(separate, "1.0.0", db.dialect, "stamp"))
    _run(db, sql(separate, "1.1.0", db.dialect, "upgrade"))
    before = full_dump(db.url)
    feeds = ("stdin", "force", "source") if db.dialect == "mysql" else ("stdin",)
    for feed in feeds:
        again = apply_sql(db, sql(separate, "1.1.0", db.dialect, "upgrade"), feed=feed)
        output = again.stdout + again.stderr
        assert "upgrade.sql of release 1.1.0 ran here already and stamp.sql did not follow" in output, output
        assert "run stamp.sql of release 1.1.0" in output
        assert full_dump(db.url) == before, f"{feed}: the second run changed the database"
    _run(db, sql(separate, "1.1.0", db.dialect, "stamp"))
    assert alembic_version(db.url) == {"c4b8e1f3a906"}
    assert "sqlrelease_unstamped" not in schema_snapshot(db.url)["tables"]


def test_mysql_downgrade_advice_is_true(projects):
    """mysql/steps/ resumes an upgrade only; downgrade.sql says what to do instead of pointing there."""
    folder = projects["inline"] / "releases" / RELEASE / "mysql"
    text = (folder / "downgrade.sql").read_text()
    assert "there are no downgrade steps" in text and "after a failed downgrade, alembic_version names" in text
    steps = sorted(path.name for path in (folder / "steps").iterdir())
    assert steps == ["1-9e07d3b5c8a1.sql", "2-2d5f8a4c1b73.sql", "3-e61a7c9d0b58.sql"]
    assert all("-- sqlrelease steps/" in (folder / "steps" / name).read_text().splitlines()[0] for name in steps)
