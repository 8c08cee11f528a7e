"""Risk analysis of a release's rendered statements (pure functions).

The reader (reader.py) walks a release's statements per dialect and tells the
rules what each statement does; each rule (rules/, one module per rule or small
family) decides what is risky. A finding names its rule, severity, release,
migration, dialect and statement, says why the statement is risky and how to
make it safe, and carries the sha256 that a waiver binds to. The rules document
themselves: `explain` and `rules_markdown` (docs/rules.md) are made from them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from . import rules as _rules  # noqa: F401  (registers every rule)
from .events import StepIrreversible
from .reader import Reader
from .rule import RULES, SEVERITIES, Example, Finding, Rule, Waiver, excerpt, statement_sha256

__all__ = [
    "RULES",
    "SEVERITIES",
    "Example",
    "Finding",
    "Rule",
    "Waiver",
    "apply_waivers",
    "at_or_above",
    "excerpt",
    "explain",
    "failing",
    "lint_release",
    "rules_markdown",
    "statement_sha256",
]


def lint_release(release_sql, dialects: Iterable[str] | None = None, waivers: Iterable[Waiver] = ()) -> list[Finding]:
    """Findings for one release (a rendered.ReleaseSQL), in migration order, waivers applied."""
    chosen = [d for d in (dialects or sorted(release_sql.upgrade)) if d in release_sql.upgrade]
    order = {revision: i for i, revision in enumerate(release_sql.release.revisions)}
    findings: list[Finding] = []
    for dialect in chosen:
        parsed: dict = {}  # the statements the two readers both parse (Reader.parsed)
        findings += Reader(release_sql, dialect, parsed=parsed).run()
        # What the release's downgrade loses or fails on: a DBA runs it too.
        findings += Reader(release_sql, dialect, "downgrade", parsed).run()
    # Irreversible steps are decided by the rendering, once for every dialect.
    every_dialect = Reader(release_sql, None)
    for item in release_sql.irreversible:
        sample = next(iter(release_sql.upgrade.values()), {}).get(item.revision)
        statements = sample.statements if sample else ()
        every_dialect.emit(StepIrreversible(item.revision, None, statements[0] if statements else "", item.reason, item.accepted))
    findings += every_dialect.findings
    findings.sort(key=lambda f: (order.get(f.revision, 0), f.direction != "upgrade", f.dialect or "", f.statement or 0, f.rule))
    return apply_waivers(findings, waivers)


def apply_waivers(findings: list[Finding], waivers: Iterable[Waiver]) -> list[Finding]:
    """Each finding with the waiver that covers it: same rule, revision and statement, and the
    waiver's dialect (a waiver that names none covers the finding on every dialect)."""
    index = {(w.rule, w.revision, w.sha256, w.direction, w.dialect): w for w in waivers}

    def covering(f: Finding) -> Waiver | None:
        key = (f.rule, f.revision, f.sha256, f.direction)
        return index.get((*key, f.dialect)) or index.get((*key, None))

    # A finding is frozen: one that keeps its waiver (most keep none) is itself, not a copy of it.
    return [f if (w := covering(f)) is f.waiver else replace(f, waiver=w) for f in findings]


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


def failing(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """Unwaived findings at or above `threshold`."""
    return [f for f in findings if not f.waived and at_or_above(f.severity, threshold)]


def explain(rule_id: str) -> str:
    """One rule's documentation, as `sqlrelease lint --explain RULE` prints it (Markdown)."""
    rule = RULES[rule_id]
    lines = [f"## `{rule.id}` ({rule.severity})", "", f"A migration that {rule.title}.", "",
             f"**Why it is risky:** {rule.why}.", "", f"**How to make it safe:** {rule.fix}.", ""]
    for title, fires in (("Found in", True), ("Not found in", False)):
        examples = [e for e in rule.examples if e.fires is fires]
        if examples:
            lines += [f"**{title}:**", ""]
        for example in examples:
            note = f" ({example.note})" if example.note else ""
            lines += [f"- {example.dialect}{note}:", "", "  ```sql"]
            lines += [f"  {statement}" for statement in example.upgrade]
            if example.downgrade:
                lines += ["  -- its downgrade:"] + [f"  {statement}" for statement in example.downgrade]
            lines += ["  ```", ""]
    return "\n".join(lines)


def rules_markdown() -> str:
    """docs/rules.md: every rule, made from the rules themselves (a test keeps the file current)."""
    lines = [
        "# Lint rules",
        "",
        "<!-- Generated from src/sqlrelease/lint/rules/ by `sqlrelease lint --explain all`; do not edit. -->",
        "",
        "`sqlrelease lint` reads each release's rendered SQL per dialect. Every finding names one of these rules;",
        "`sqlrelease waive RELEASE RULE --revision REV --reason TEXT` accepts one after review.",
        "",
        "| rule | severity | finds a migration that |",
        "|---|---|---|",
    ]
    lines += [f"| [`{r.id}`](#{r.id}) | {r.severity} | {r.title} |" for r in RULES.values()]
    lines.append("")
    for rule in RULES.values():
        lines += [f'<a id="{rule.id}"></a>', "", explain(rule.id)]
    return "\n".join(lines).rstrip() + "\n"
