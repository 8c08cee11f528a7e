"""Steps that cannot be undone: the release's downgrade does not restore what they changed."""

from __future__ import annotations

from ..events import StepIrreversible
from ..rule import Rule, register, statement_sha256, visits

IRREVERSIBLE = Rule(
    "irreversible", "warning", "cannot be undone",
    "the step has no downgrade: rolling the release back does not restore what it changed",
    "back up the affected data before applying, or write a downgrade",
    downgrades=False,
)
register(IRREVERSIBLE)


@visits(StepIrreversible)
def irreversible(event: StepIrreversible, report) -> None:
    """Once per migration, for every dialect (the rendering decided it, not one dialect's SQL)."""
    detail = event.reason + (" (accepted in the plan)" if event.accepted else "")
    report.add(IRREVERSIBLE.id, event, detail, statement_sha256(event.revision + "\n" + event.reason))
