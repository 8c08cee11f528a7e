"""Every lint rule is a small documented unit: its examples are run, and docs/rules.md is made from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sqlrelease import lint
from sqlrelease.cli import main
from sqlrelease.plan import Release
from sqlrelease.rendered import MigrationSQL, ReleaseSQL, VersionTable

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"

# Rules whose input is more than statements (rehearsal flags, rebuild records, the
# plan's irreversible steps): each is proven by the tests named here instead.
PROVEN_ELSEWHERE = {
    "data-dependent": "test_lint.py::test_a_data_dependent_downgrade_is_named_too and the rehearsed histories above it",
    "volatile-values": "test_real_histories.py::test_values_a_migration_computes_while_it_runs_are_named",
    "copy-from-incomplete": "test_lint.py::test_a_copy_from_that_misses_a_column_is_an_error_not_a_drop",
    "irreversible": "test_lint.py::test_lowercasing_every_email_is_an_update_without_where_and_irreversible",
}


def release_of(example: lint.Example) -> ReleaseSQL:
    """A one-migration release whose upgrade (and downgrade) are the example's statements."""
    revision = "aaaaaaaaaaaa"
    release = Release("1.0.0", None, (), (revision,), (revision,), frozenset())
    return ReleaseSQL(
        release=release,
        upgrade={example.dialect: {revision: MigrationSQL(revision, tuple(example.upgrade))}},
        downgrade={example.dialect: {revision: MigrationSQL(revision, tuple(example.downgrade))}},
        version_table=VersionTable(),
        irreversible=(),
    )


EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.id}-{number}-{'fires' if example.fires else 'quiet'}")
    for rule in lint.RULES.values()
    for number, example in enumerate(rule.examples, start=1)
]


@pytest.mark.parametrize("rule, example", EXAMPLES)
def test_each_rule_finds_exactly_what_its_examples_say(rule, example):
    # The examples are upgrade statements (their downgrades only say what a table was before).
    found = [f for f in lint.lint_release(release_of(example)) if f.rule == rule.id and f.direction == "upgrade"]
    assert bool(found) is example.fires, (rule.id, example.upgrade, found)
    for finding in found:
        assert finding.severity == rule.severity and finding.why == rule.why and finding.fix == rule.fix


@pytest.mark.parametrize("rule", list(lint.RULES.values()), ids=list(lint.RULES))
def test_every_rule_says_what_it_finds_why_and_how_to_make_it_safe(rule):
    assert rule.severity in lint.SEVERITIES
    assert rule.title and rule.why and rule.fix
    if rule.id in PROVEN_ELSEWHERE:
        return
    assert any(e.fires for e in rule.examples), f"{rule.id}: no example it fires on"
    assert any(not e.fires for e in rule.examples), f"{rule.id}: no example it stays quiet on"


def test_docs_rules_md_is_made_from_the_rules():
    assert DOCS.read_text(encoding="utf-8") == lint.rules_markdown(), (
        "docs/rules.md is out of date: regenerate it with `sqlrelease lint --explain all > docs/rules.md`"
    )
    for rule in lint.RULES:
        assert f'<a id="{rule}"></a>' in DOCS.read_text(encoding="utf-8")


def test_lint_explain_prints_one_rule_and_refuses_an_unknown_one():
    result = CliRunner().invoke(main, ["lint", "--explain", "not-null-no-backfill"])
    assert result.exit_code == 0
    assert result.output.startswith("## `not-null-no-backfill` (error)")
    assert "How to make it safe" in result.output
    result = CliRunner().invoke(main, ["lint", "--explain", "no-such-rule"])
    assert result.exit_code == 2
    assert "no such rule" in result.output
