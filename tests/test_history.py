"""The revision graph: what the version table holds along a release, computed step by step,
is what it holds after each prefix of the release computed from scratch."""

import pytest

from projects import NAMES, make_project
from sqlrelease.config import load_config
from sqlrelease.errors import PlanError
from sqlrelease.history import History
from sqlrelease.plan import load_plan, resolve


@pytest.mark.parametrize("name", NAMES)
def test_rows_along_each_release_match_the_rows_of_each_applied_prefix(tmp_path, name):
    # branched has merges and several heads, expand_contract has depends_on.
    config = load_config(make_project(tmp_path, name))
    history = History.load(config)
    applied: set[str] = set()
    for release in resolve(load_plan(config.plan), history):
        assert release.start == history.heads_of(applied)
        rows = history.heads_along(release.start, release.revisions)
        assert rows[0] == release.start and rows[-1] == release.end
        for number, revision in enumerate(release.revisions, start=1):
            applied.add(revision)
            assert rows[number] == history.heads_of(applied), (release.name, revision)
        assert release.end == history.heads_of(applied)


def test_a_release_that_does_not_build_on_the_one_before_names_what_it_misses(tmp_path):
    config = load_config(make_project(tmp_path, "branched"))
    history = History.load(config)
    # The audit branch, then the billing branch: billing does not descend from audit.
    config.plan.write_text(
        '[[release]]\nname = "1.0.0"\ntarget = "a9e15c7d3f60"\n'
        '[[release]]\nname = "1.1.0"\ntarget = "6b3d9f2a0e84"\n'
    )
    with pytest.raises(PlanError, match=r"release 1.1.0: target does not descend from release 1.0.0's target \(misses a9e15c7d3f60\)"):
        resolve(load_plan(config.plan), history)
