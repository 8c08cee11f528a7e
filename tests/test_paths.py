"""Files and paths: bundles stay in their folder, release names stay names, a bundle is plain files.

Issue 11, section 4: what configuration, plan and a copied bundle folder can do to the file system.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqlrelease import api
from sqlrelease.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result, code: int, *expected: str) -> str:
    """One line, the exit code, no traceback, naming what is expected."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


def set_setting(root: Path, key: str, value: str) -> None:
    text = (root / "pyproject.toml").read_text()
    text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    if f"\n{key} = " not in text:
        text = text.replace("[tool.sqlrelease]\n", f"[tool.sqlrelease]\n{key} = {value}\n")
    (root / "pyproject.toml").write_text(text)


# -- where bundles may go ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ('"/"', "must be a relative path to a folder inside the project"),
        ('"../x"', "must be a relative path to a folder inside the project"),
        ('"."', "must be a relative path to a folder inside the project"),
        ('""', "must be a relative path to a folder inside the project"),
        ('"releases/../.."', "must be a relative path to a folder inside the project"),
        ('"migrations"', "overlaps the Alembic script folder migrations"),
        ('"migrations/versions/out"', "overlaps the Alembic script folder migrations"),
        ('"review"', "holds review/waivers.toml"),
    ],
)
def test_bundles_must_be_a_folder_of_their_own_inside_the_project(project, value, expected):
    set_setting(project, "bundles", value)
    before = sorted(p.name for p in project.parent.iterdir())
    for verb in ("build", "check", "plan"):
        line = refused(run(verb, "-C", project), 2, "pyproject.toml:", "tool.sqlrelease.bundles", expected)
        assert "Traceback" not in line
    assert sorted(p.name for p in project.parent.iterdir()) == before  # nothing written beside the project


def test_an_absolute_bundles_path_and_a_symlink_out_of_the_project_are_refused(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    set_setting(project, "bundles", f'"{outside}"')
    refused(run("build", "-C", project), 2, "tool.sqlrelease.bundles", "inside the project")
    (project / "out").symlink_to(outside)
    set_setting(project, "bundles", '"out"')
    refused(run("build", "-C", project), 2, "tool.sqlrelease.bundles", "through a symlink")
    assert not any(outside.iterdir())


def test_a_file_where_the_bundles_folder_should_be_is_one_line(project):
    shutil.rmtree(project / "releases")
    (project / "releases").write_text("not a folder")
    refused(run("build", "-C", project), 2, "tool.sqlrelease.bundles", "is a file, not a folder")


def test_the_plan_file_must_be_inside_the_project(project, tmp_path):
    shutil.copy(project / "releases.toml", tmp_path / "elsewhere.toml")
    set_setting(project, "plan", '"../elsewhere.toml"')
    refused(run("cut", "9.9.9", "-C", project), 2, "tool.sqlrelease.plan", "inside the project")
    assert "9.9.9" not in (tmp_path / "elsewhere.toml").read_text()


# -- release names -------------------------------------------------------------------------

RULE = "a release name is 1 to 64 characters"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("1.2.0.approvals.json", "ends like a file sqlrelease keeps beside bundles"),
        ("2.0.tmp", "ends like a file sqlrelease keeps beside bundles"),
        ("2.0.OLD", "ends like a file sqlrelease keeps beside bundles"),
        ("2.0.tar.gz", "ends like a file sqlrelease keeps beside bundles"),
        ("2.0.zip", "ends like a file sqlrelease keeps beside bundles"),
        ("x" * 300, "is 300 characters long, more than 64"),
        ("-rf", "is not allowed"),
        ("a/b", "is not allowed"),
        ("two words", "is not allowed"),
    ],
)
def test_cut_and_plan_load_refuse_names_that_cannot_name_a_bundle(project, name, expected):
    plan = (project / "releases.toml").read_text()
    line = refused(run("cut", "-C", project, "--", name), 2, expected, RULE)
    assert len(line) < 600
    assert (project / "releases.toml").read_text() == plan
    (project / "releases.toml").write_text(plan + f'\n[[release]]\nname = "{name}"\ntarget = "heads"\n')
    refused(run("build", "-C", project), 2, "releases.toml:", expected)


def test_names_that_differ_only_in_case_are_one_release_too_many(project):
    plan = (project / "releases.toml").read_text().replace('name = "1.3.0"', 'name = "v1.3.0"')
    (project / "releases.toml").write_text(plan)
    refused(run("cut", "V1.3.0", "-C", project), 2, "differs from release 'v1.3.0' only in case")
    (project / "releases.toml").write_text(plan + '\n[[release]]\nname = "V1.3.0"\ntarget = "heads"\n')
    refused(run("plan", "-C", project), 2, "releases.toml:", "the same name as release 'v1.3.0' ignoring case")


# -- a bundle is plain files ----------------------------------------------------------------


def test_a_file_replaced_by_a_symlink_to_an_identical_copy_fails(project, tmp_path):
    folder = project / "releases" / "1.2.0"
    copy = tmp_path / "copy.sql"
    shutil.copy(folder / "postgresql" / "upgrade.sql", copy)
    (folder / "postgresql" / "upgrade.sql").unlink()
    (folder / "postgresql" / "upgrade.sql").symlink_to(copy)
    result = run("verify", folder)
    assert result.exit_code == 1, result.output
    assert f"not a plain file (symlink): postgresql/upgrade.sql -> {copy}" in result.output


@pytest.mark.parametrize("kind", ["empty folder", "folder symlink", "fifo", "device", "symlink to nowhere"])
def test_anything_but_a_plain_file_in_a_bundle_is_reported(project, tmp_path, kind):
    folder = project / "releases" / "1.1.0"
    if kind == "empty folder":
        (folder / "sqlite" / "nothing").mkdir()
        expected = "empty folder: sqlite/nothing/"
    elif kind == "folder symlink":
        (folder / "more").symlink_to(tmp_path)
        expected = "not a plain file (symlink): more -> "
    elif kind == "fifo":
        os.mkfifo(folder / "pipe")
        expected = "not a plain file (device, pipe or socket): pipe"
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(folder / "null", 0o600 | 0o020000, os.makedev(1, 3))
        expected = "not a plain file (device, pipe or socket): null"
    else:
        (folder / "gone.sql").symlink_to(tmp_path / "nowhere")
        expected = "not a plain file (symlink): gone.sql"
    result = run("verify", folder)
    assert result.exit_code == 1 and expected in result.output, result.output
    data = __import__("json").loads(run("verify", folder, "--json").output)
    assert data["bundles"][0]["not_plain"] and not data["bundles"][0]["ok"]


@pytest.mark.parametrize("line_end", [b"\x0b", b"\r", b"\x0c", b"\x1c", "\u2028".encode()])
def test_sha256sums_with_an_odd_line_end_is_refused(project, line_end):
    folder = project / "releases" / "1.0.0"
    sums = (folder / "SHA256SUMS").read_bytes()
    (folder / "SHA256SUMS").write_bytes(sums.replace(b"\n", line_end + b"\n", 1))
    result = run("verify", folder)
    assert result.exit_code == 1 and "SHA256SUMS:1: not a `sha256sum` line of a bundle file" in result.output


def test_sha256sums_naming_paths_outside_the_bundle_is_refused(project):
    folder = project / "releases" / "1.0.0"
    with (folder / "SHA256SUMS").open("a") as handle:
        handle.write("0" * 64 + "  ../1.1.0/README.md\n")
    result = run("verify", folder)
    assert result.exit_code == 1 and "not a `sha256sum` line" in result.output


# -- what a killed build leaves ------------------------------------------------------------


def test_check_reports_and_build_cleans_what_a_killed_build_left(project):
    releases = project / "releases"
    shutil.copytree(releases / "1.2.0", releases / ".1.2.0.x8k2p1.tmp")
    shutil.copytree(releases / "1.1.0", releases / ".1.1.0.old")
    result = run("check", "-C", project, "-q")
    assert result.exit_code == 0, result.output
    assert "releases/.1.1.0.old was left by an interrupted build" in result.output
    assert "releases/.1.2.0.x8k2p1.tmp was left by an interrupted build" in result.output
    assert run("check", "-C", project, "-q", "--strict").exit_code == 1
    messages = []
    api.build(project, progress=messages.append)
    assert not (releases / ".1.2.0.x8k2p1.tmp").exists() and not (releases / ".1.1.0.old").exists()
    assert any("removed releases/.1.1.0.old" in m for m in messages)
    assert run("check", "-C", project, "-q", "--strict").exit_code == 0


def test_a_build_killed_between_its_two_renames_gets_its_bundle_back(project):
    """The kill came after the old bundle was moved aside and before the new one took its place."""
    releases = project / "releases"
    api.approve_release(project, "1.2.0", "alice")
    (releases / "1.2.0").rename(releases / ".1.2.0.old")
    result = run("check", "-C", project, "-q")
    assert result.exit_code == 1 and "releases/.1.2.0.old" in result.output
    api.build(project, ["1.0.0"])  # any build repairs it, before writing anything
    assert (releases / "1.2.0").is_dir() and not (releases / ".1.2.0.old").exists()
    assert api.review_status(releases / "1.2.0").status == "approved"  # with its approvals
    assert run("check", "-C", project, "-q", "--strict").exit_code == 0
