"""A release engineer builds bundles; a DBA checks them anywhere; a reviewer can trust the bytes."""

import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from projects import make_project, run_cli
from sqlrelease import build

ALL_DIALECTS = ("postgresql", "mysql", "sqlite", "mssql", "oracle")


def bundle_bytes(root: Path) -> dict[str, bytes]:
    folder = root / "releases"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rebuilding_gives_the_same_bytes_and_rewrites_nothing(tmp_path):
    root = make_project(tmp_path, "sample")
    build(root)
    first = bundle_bytes(root)
    again = run_cli("build", "-q", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "unchanged  releases/1.0.0" in again.stdout and "wrote" not in again.stdout
    assert bundle_bytes(root) == first


def test_two_folders_give_identical_bytes_without_paths_hosts_or_times(tmp_path):
    one = make_project(tmp_path, "branched", dialects=ALL_DIALECTS, folder="one")
    two = make_project(tmp_path / "elsewhere" / "deeper", "branched", dialects=ALL_DIALECTS, folder="two")
    build(one)
    build(two)
    assert bundle_bytes(one) == bundle_bytes(two)
    hostname = socket.gethostname().encode()
    for path, data in bundle_bytes(one).items():
        assert str(tmp_path).encode() not in data, path
        assert b"/tmp/" not in data and b"/work/" not in data, path
        assert hostname not in data, path
        assert not re.search(rb"20\d\d-\d\d-\d\d[T ]\d\d:\d\d", data), path


def test_sha256sum_accepts_every_bundle(tmp_path):
    root = make_project(tmp_path, "sample", dialects=ALL_DIALECTS)
    build(root)
    bundles = sorted(p for p in (root / "releases").iterdir() if p.is_dir())
    assert [b.name for b in bundles] == ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]
    for bundle in bundles:
        result = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=bundle, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        listed = {line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text().splitlines()}
        on_disk = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
        assert listed == on_disk - {"SHA256SUMS"}


@pytest.fixture
def built(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("postgresql", "sqlite"))
    build(root)
    return root


def verify_cli(bundle: Path, cwd: Path):
    return run_cli("verify", str(bundle), cwd=cwd)


def test_verify_passes_on_a_fresh_bundle(built):
    result = verify_cli(built / "releases" / "1.1.0", built)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda b: _flip_byte(b / "sqlite" / "upgrade.sql"), "altered: sqlite/upgrade.sql"),
        (lambda b: _flip_byte(b / "README.md"), "altered: README.md"),
        (lambda b: (b / "postgresql" / "downgrade.sql").unlink(), "missing: postgresql/downgrade.sql"),
        (lambda b: (b / "sqlite" / "notes.sql").write_text("-- hi\n"), "extra:   sqlite/notes.sql"),
        (lambda b: _flip_byte(b / "manifest.json"), "altered: manifest.json"),
    ],
    ids=["sql-byte", "readme-byte", "deleted", "extra", "manifest-byte"],
)
def test_verify_names_every_damaged_file(built, tmp_path, damage, expected):
    bundle = built / "releases" / "1.1.0"
    damage(bundle)
    result = verify_cli(bundle, built)
    assert result.returncode == 1, result.stdout
    assert "FAILED" in result.stdout and expected in result.stdout
    assert "Traceback" not in result.stderr


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def test_verify_works_on_a_bundle_copied_away_from_the_project(built, tmp_path):
    away = tmp_path / "dba-laptop" / "1.1.0"
    shutil.copytree(built / "releases" / "1.1.0", away)
    assert verify_cli(away, tmp_path / "dba-laptop").returncode == 0
    assert verify_cli(Path("1.1.0"), tmp_path / "dba-laptop").returncode == 0
    _flip_byte(away / "sqlite" / "downgrade.sql")
    result = verify_cli(away, tmp_path / "dba-laptop")
    assert result.returncode == 1 and "altered: sqlite/downgrade.sql" in result.stdout


def test_a_failed_build_names_the_cause_and_keeps_the_old_bundles(built):
    before = bundle_bytes(built)
    migration = next((built / "migrations" / "versions").glob("0004_*.py"))
    text = migration.read_text()
    marker = "def upgrade() -> None:\n"
    assert marker in text
    text = text.replace(marker, marker + '    raise RuntimeError("prices come from the ERP")\n', 1)
    migration.write_text(text)
    line = text.splitlines().index('    raise RuntimeError("prices come from the ERP")') + 1

    result = run_cli("build", "-q", cwd=built)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    message = lines[0]
    for expected in (
        "release 1.1.0",
        "revision 71e0a5d3c8b6",
        f"migrations/versions/{migration.name}:{line}",
        "dialect postgresql",
        "RuntimeError: prices come from the ERP",
    ):
        assert expected in message, (expected, message)
    assert bundle_bytes(built) == before
    assert sorted(p.name for p in (built / "releases").iterdir()) == ["1.0.0", "1.1.0"]


def test_every_sql_file_opens_with_its_header_and_a_guard(tmp_path):
    root = make_project(tmp_path, "branched", dialects=ALL_DIALECTS)
    build(root)
    # status.sql is the read-only status query (tests/test_fleet.py runs it), not a script that changes anything.
    sql_files = sorted(p for p in (root / "releases").rglob("*.sql") if p.name != "status.sql")
    assert len(sql_files) >= 5 * 5 * 3
    for path in sql_files:
        text = path.read_text()
        release, dialect = path.relative_to(root / "releases").parts[:2]
        head = text[: text.index("\n\n")]
        assert head.startswith("-- sqlrelease "), path
        assert f"-- release:    {release}" in head and f"-- dialect:    {dialect}" in head, path
        assert "-- range:" in head and "-- migrations" in head, path
        assert "sqlrelease guard:" in text, path
        guard_at = text.index("sqlrelease guard:")
        first_change = min(
            # Creating an absent version table so the guard can read it changes nothing that matters.
            (
                m.start()
                for m in re.finditer(r"^(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE)\b(?! TABLE IF NOT EXISTS alembic_version)", text, re.M)
            ),
            default=len(text),
        )
        assert guard_at < first_change, path


def test_mssql_and_oracle_scripts_suit_their_clients(tmp_path):
    root = make_project(tmp_path, "sample", dialects=("mssql", "oracle"))
    build(root)
    for path in (root / "releases").rglob("mssql/*.sql"):
        text = path.read_text()
        assert ":on error exit" in text, path
        assert re.search(r"^GO$", text, re.M), path
    for path in (root / "releases").rglob("oracle/*.sql"):
        text = path.read_text()
        assert "WHENEVER SQLERROR EXIT" in text, path
        assert ":ret_0" not in text and "RETURNING" not in text.upper().replace("-- ", ""), path


def test_separate_stamp_mode_leaves_the_version_table_to_stamp_sql(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("postgresql", "mysql", "sqlite"), stamp="separate")
    build(root)
    writes = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|DROP TABLE)\s+alembic_version\b", re.I | re.M)
    for release in ("1.0.0", "1.1.0"):
        for dialect in ("postgresql", "mysql", "sqlite"):
            upgrade = (root / "releases" / release / dialect / "upgrade.sql").read_text()
            assert not writes.search(upgrade), (release, dialect)
            stamp = (root / "releases" / release / dialect / "stamp.sql").read_text()
            assert writes.search(stamp), (release, dialect)
            assert f"stamp.sql of release {release}" in stamp, (release, dialect)


@pytest.mark.parametrize("stamp", ["inline", "separate"])
def test_resume_advice_matches_what_the_bundle_holds(tmp_path, stamp):
    # Step scripts exist only in inline mode, so only there may the bundle send a DBA to them.
    root = make_project(tmp_path, "data_migration", dialects=("mysql", "oracle"), stamp=stamp)
    build(root)
    bundle = root / "releases" / "1.1.0"
    for dialect in ("mysql", "oracle"):
        has_steps = (bundle / dialect / "steps").is_dir()
        assert has_steps == (stamp == "inline")
        for text in ((bundle / dialect / "upgrade.sql").read_text(), (bundle / "README.md").read_text()):
            assert (f"{dialect}/steps/" in text) == has_steps, (dialect, stamp)
            assert ("There are no step scripts in this mode" in text) == (not has_steps), (dialect, stamp)


@pytest.mark.parametrize("name", ["alembic", "sqlalchemy", "SQLAlchemy", "click", "Jinja2", "sqlrelease", "no-such-package-here"])
def test_versions_read_from_dist_info_are_those_importlib_metadata_gives(name):
    """The manifest's generator versions come from the dist-info folders without importlib.metadata;
    they must be what it reads (and an unknown package fails the same way)."""
    from importlib import metadata

    from sqlrelease.bundle import installed_version

    try:
        expected = metadata.version(name)
    except metadata.PackageNotFoundError:
        with pytest.raises(metadata.PackageNotFoundError):
            installed_version(name)
    else:
        assert installed_version(name) == expected


@pytest.mark.parametrize("size", [0, 1, 4096, (1 << 20) + 3])
def test_read_bytes_reads_what_path_read_bytes_reads(tmp_path, size):
    """check and verify read every bundle and revision file with read_bytes: whole, empty included."""
    import os

    from sqlrelease.bundle import read_bytes

    path = tmp_path / "file"
    path.write_bytes(os.urandom(size))
    assert read_bytes(str(path)) == path.read_bytes()


class _Named(str):
    pass


class _Count(int):
    pass


@pytest.mark.parametrize("value", [
    {},
    [],
    "",
    {"release": "1.0.0", "files": {"a/upgrade.sql": {"sha256": "ab" * 32, "bytes": 10, "statements": 0}}},
    {"nested": [[], {}, [[]], [{"x": None, "y": True, "z": False}]], "tuple": (1, -2, 3), "big": 10 ** 30},
    {"text": "é ü 名前 \u2028 \x00 \x1f \x7f \"quoted\" back\\slash\nnew line\ttab", "emoji": "\U0001f600"},
    {"float": 1.5},  # not written by the fast path: json.dumps writes the whole value
    {"nan": float("nan"), "inf": [float("inf"), -float("inf")]},
    {1: "int key", None: "none key", True: "bool key"},
    {"subclasses": [_Named("a"), _Count(3)], "str key": {_Named("k"): 1}},
])
def test_manifest_json_is_what_json_dumps_writes(value):
    """Manifests are written by jsontext.indented for speed; its text must be json.dumps' own, for any value."""
    import json

    from sqlrelease.jsontext import indented

    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
