"""What a lint rule is, what it finds, and how a reviewer waives a finding."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Example:
    """Statements of one migration (upgrade, and optionally its downgrade) that a rule reads.

    `fires` says whether the rule finds something in them: the rule's documentation
    shows the examples, and the test suite runs every one of them.
    """

    upgrade: tuple[str, ...]
    fires: bool
    dialect: str = "postgresql"
    downgrade: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    why: str
    fix: str
    examples: tuple[Example, ...] = field(default=(), compare=False, repr=False)
    # Read in downgrades too: what a downgrade loses or fails on. Rules that describe what the
    # upgrade does (its renames, data changes, rebuilds) would only restate the review of the upgrade.
    downgrades: bool = True


# Every rule by id, in the order of the documentation; the rule modules register theirs.
RULES: dict[str, Rule] = {}


# Event type -> the rule functions that read it, in registration order.
VISITORS: dict[type, list] = {}


def visits(*events: type):
    """Decorator: call this rule function with every event of these types (see events.py)."""

    def decorate(function):
        for event in events:
            VISITORS.setdefault(event, []).append(function)
        return function

    return decorate


def register(*rules: Rule) -> None:
    for rule in rules:
        if rule.id in RULES or rule.severity not in SEVERITIES:
            raise ValueError(f"rule {rule.id}: registered twice, or unknown severity {rule.severity!r}")
        RULES[rule.id] = rule


@dataclass(frozen=True)
class Waiver:
    """A reviewer's acceptance of one finding, bound to the rule and the statement's sha256."""

    rule: str
    revision: str
    sha256: str
    reason: str
    by: str = ""
    dialect: str | None = None
    direction: str = "upgrade"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    release: str
    revision: str
    dialect: str | None  # None: the whole migration, every dialect
    statement: int | None  # 1-based, in the migration's statements; None: the whole migration
    detail: str
    excerpt: str
    sha256: str  # of the statement, or of the migration's statements for migration-wide findings
    waiver: Waiver | None = None
    direction: str = "upgrade"  # or "downgrade": found in the migration's downgrade statements

    @property
    def why(self) -> str:
        return RULES[self.rule].why

    @property
    def fix(self) -> str:
        return RULES[self.rule].fix

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "release": self.release,
            "revision": self.revision,
            "dialect": self.dialect,
            "direction": self.direction,
            "statement": self.statement,
            "detail": self.detail,
            "excerpt": self.excerpt,
            "why": self.why,
            "fix": self.fix,
            "sha256": self.sha256,
            "waived": self.waived,
            "waiver": None if self.waiver is None else {"reason": self.waiver.reason, "by": self.waiver.by},
        }


def statement_sha256(statement: str) -> str:
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()


def excerpt(statement: str, limit: int = 160) -> str:
    text = " ".join(statement[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
