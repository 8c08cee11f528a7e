"""Rendering in worker processes (--jobs): the same bytes, warnings and errors as in one process."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from projects import make_project
from sqlrelease import api, render
from sqlrelease.commands import build as build_command
from sqlrelease.errors import RenderError

ALL_DIALECTS = ("postgresql", "mysql", "sqlite", "mssql", "oracle")


@pytest.fixture
def always_parallel(monkeypatch):
    """Small test histories render in workers too, each pass cut into chunks of one revision."""
    monkeypatch.setattr(render, "MIN_PARALLEL", 0)
    monkeypatch.setattr(render, "MIN_CHUNK", 1)
    monkeypatch.setattr(build_command, "MIN_PARALLEL_ASSEMBLY", 0)


def bundle_bytes(root: Path) -> dict[str, bytes]:
    folder = root / "releases"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("history", ["sample", "branched", "expand_contract", "table_rebuild", "constraints", "irreversible"])
def test_any_number_of_jobs_gives_the_same_bytes(tmp_path, always_parallel, history):
    one = make_project(tmp_path, history, dialects=ALL_DIALECTS, folder="one")
    three = make_project(tmp_path, history, dialects=ALL_DIALECTS, folder="three")
    api.build(one, jobs=1)
    api.build(three, jobs=3)
    assert bundle_bytes(one) == bundle_bytes(three)
    assert api.check(three, render=True, jobs=3).exit_code == 0


def test_a_warning_raised_in_a_worker_is_shown_once_at_the_migration_line(tmp_path, always_parallel):
    root = make_project(tmp_path, "constraints", dialects=("postgresql", "mysql", "sqlite"))
    (path,) = (root / "migrations" / "versions").glob("0003_*.py")
    anchor = '    op.create_index("ix_players_nickname", "players", ["nickname"])\n'
    added = '    op.alter_column("players", "score", existing_type=sa.Integer(), autoincrement=True)\n'
    path.write_text(path.read_text().replace(anchor, anchor + added))
    line = path.read_text().splitlines().index(added.rstrip("\n")) + 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        api.build(root, jobs=3)
    shown = [w for w in caught if "revision 93b0d7e5a1c6: autoincrement" in str(w.message)]
    assert [(Path(w.filename).name, w.lineno) for w in shown] == [(path.name, line)]


def test_a_migration_that_fails_in_a_worker_is_the_same_error(tmp_path, always_parallel):
    errors = []
    for jobs, folder in ((1, "one"), (3, "three")):
        root = make_project(tmp_path, "plain_error", dialects=("postgresql", "sqlite"), folder=folder)
        with pytest.raises(RenderError) as raised:
            api.build(root, jobs=jobs)
        errors.append(str(raised.value))
    assert errors[0] == errors[1]
