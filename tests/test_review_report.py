"""What a reviewer reads and accepts says exactly what it covers.

REVIEW.md's counts agree with the findings it lists; a waiver covers exactly the
dialects it records; `waive` says what is wrong with its arguments (exit 2); the
bundle README's irreversibility note is its own paragraph and list.
"""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from projects import make_project
from sqlrelease import api
from sqlrelease.cli import main


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_review_md_counts_the_findings_it_lists(built):
    text = (built / "releases" / "1.2.0" / "REVIEW.md").read_text()
    errors, warnings, infos = map(int, re.search(r"\*\*(\d+) error\(s\), (\d+) warning\(s\), (\d+) info\*\*", text).groups())
    listed = re.findall(r"^- \*\*(error|warning|info)\*\*", text, re.M)
    assert (errors, warnings, infos) == (listed.count("error"), listed.count("warning"), listed.count("info"))
    assert warnings + infos > 0
    summary = cli("lint", "1.2.0", "-C", str(built)).output.strip().splitlines()[-1]
    assert summary.startswith(f"{errors} error(s), {warnings} warning(s), {infos} info, 0 waived")


def _waived(root) -> set[tuple[str, str]]:
    return {(f.rule, f.dialect) for f in api.lint_project(root, ["1.1.0"]) if f.waived}


def test_a_waiver_covers_exactly_the_dialects_it_records(tmp_path):
    root = make_project(tmp_path)
    # The rename is the same statement text on PostgreSQL and SQLite: the sha256 alone would cover both.
    result = cli("waive", "1.1.0", "rename-table", "-r", "b7c03e5d9a12", "--reason", "ok", "-d", "postgres", "-C", str(root))
    assert result.exit_code == 0, result.output
    assert "(postgresql)" in result.output
    assert _waived(root) == {("rename-table", "postgresql")}

    # Without --dialect: a waiver that records no dialect, and covers every dialect's finding.
    result = cli("waive", "1.1.0", "rename-column", "-r", "1e9f4a7b6c35", "--reason", "ok", "-C", str(root))
    assert result.exit_code == 0, result.output
    assert "(all dialects)" in result.output
    text = (root / "review" / "waivers.toml").read_text()
    entries = text.split("[[waiver]]")[1:]
    assert [('dialect = "postgresql"' in e) for e in entries] == [True] + [False] * (len(entries) - 1)
    assert {d for rule, d in _waived(root) if rule == "rename-column"} == {"postgresql", "mysql", "sqlite"}


def test_waive_names_what_is_wrong_with_its_arguments(tmp_path):
    root = make_project(tmp_path)
    unknown = cli("waive", "1.1.0", "no-such-rule", "-r", "b7c03e5d9a12", "--reason", "x", "-C", str(root))
    assert unknown.exit_code == 2 and "unknown rule 'no-such-rule'" in unknown.output
    elsewhere = cli("waive", "1.2.0", "rename-table", "-r", "b7c03e5d9a12", "--reason", "x", "-C", str(root))
    assert elsewhere.exit_code == 2
    assert "revision b7c03e5d9a12 is not in release 1.2.0: it is in release 1.1.0" in elsewhere.output
    assert "sqlrelease waive 1.1.0 rename-table --revision b7c03e5d9a12" in elsewhere.output
    assert not (root / "review" / "waivers.toml").exists()


def test_the_readme_says_a_release_cannot_be_downgraded_in_its_own_paragraph(tmp_path):
    root = make_project(tmp_path, "irreversible", dialects=("sqlite",))
    api.build(root)
    text = (root / "releases" / "1.1.0" / "README.md").read_text()
    assert "|\n\n**This release cannot be downgraded.** Its `downgrade.sql` files refuse to run because of:\n\n- `" in text
    assert "\n\nTake a backup before applying it" in text
    assert "\n\n\n" not in text


def test_downgrades_are_reviewed_too(built, tmp_path):
    """A first release's downgrade drops every table; a 'reversible' downgrade drops a column with its data."""
    first = [f for f in api.lint_project(built, ["1.0.0"]) if f.direction == "downgrade"]
    assert {(f.rule, f.detail) for f in first} == {("drop-table", "employees"), ("drop-table", "department")}
    assert {f.severity for f in first} == {"warning"}  # a rollback runs by exception: never an error
    column = [f for f in api.lint_project(built, ["1.2.0"]) if f.direction == "downgrade" and f.rule == "drop-column"]
    assert {(f.revision, f.detail) for f in column} == {("9e07d3b5c8a1", "recruits.personal_email_address")}

    review = (built / "releases" / "1.0.0" / "REVIEW.md").read_text()
    assert "### Downgrade statements" in review and "DROP TABLE employees;" in review
    assert "`drop-table` (mysql, postgresql, sqlite; **downgrade**; statement 1)" in review

    root = make_project(tmp_path)
    assert cli("waive", "1.0.0", "drop-table", "-r", "3f2a9c1e7b40", "--reason", "rollback of 1.0.0 = empty db",
               "-C", str(root)).exit_code == 0
    assert 'direction = "downgrade"' in (root / "review" / "waivers.toml").read_text()
    assert all(f.waived for f in api.lint_project(root, ["1.0.0"]) if f.revision == "3f2a9c1e7b40")


def test_build_names_the_hand_edits_it_discards_and_the_approvals_it_voids(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    api.build(root)
    api.approve_release(root, "1.0.0", "Alice")
    upgrade = root / "releases" / "1.0.0" / "sqlite" / "upgrade.sql"
    upgrade.write_text(upgrade.read_text() + "DROP TABLE products;\n")

    result = cli("build", "1.0.0", "-C", str(root))
    assert result.exit_code == 0, result.output
    assert "discarded hand edits: sqlite/upgrade.sql" in result.output
    assert "voided" not in result.output  # the same checksums: Alice's approval covers the rebuilt bytes
    assert "DROP TABLE products;\n" not in upgrade.read_text()

    first = sorted((root / "migrations" / "versions").glob("*.py"))[0]
    first.write_text(first.read_text() + "\n# reworded\n")
    result = cli("build", "1.0.0", "--json", "-C", str(root))
    bundle = json.loads(result.output[: result.output.rindex("}") + 1])["bundles"][0]
    assert (bundle["discarded"], bundle["voided"]) == ([], ["Alice"])
    api.approve_release(root, "1.0.0", "Bob")
    first.write_text(first.read_text() + "# reworded again\n")
    result = cli("build", "1.0.0", "-C", str(root))
    assert "voided the approval(s) of Bob: the bundle's bytes changed; approve it again" in result.output


def test_approve_refuses_a_bundle_check_calls_stale_unless_forced(tmp_path):
    root = make_project(tmp_path, "data_migration", dialects=("sqlite",))
    api.build(root)
    # Edited after the build, in the last release: an edit in an earlier release that changes the
    # schema makes the later ones stale too (their manifests record the schema expected after them).
    last = sorted((root / "migrations" / "versions").glob("*.py"))[-1]
    last.write_text(last.read_text().replace("+ 50", "+ 60", 1))
    refused = cli("approve", "1.1.0", "--by", "Alice", "-C", str(root))
    assert refused.exit_code == 1
    assert "releases/1.1.0 is stale" in refused.output and "--force" in refused.output
    assert not (root / "releases" / "1.1.0" / "APPROVALS.json").exists()
    forced = cli("approve", "1.1.0", "--by", "Alice", "--force", "-C", str(root))
    assert forced.exit_code == 0, forced.output
    assert cli("approve", "1.0.0", "--by", "Alice", "-C", str(root)).exit_code == 0  # current: no force needed
