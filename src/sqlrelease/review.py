"""The reviewer's side of a release: the REVIEW.md of a bundle, lint over a project, waivers.

Waivers live in the project (default `review/waivers.toml`, version controlled).
Each accepts one finding: rule id + revision + sha256 of the statement. When the
statement changes, its sha256 does too and the waiver no longer applies.
Approvals of built bundles are in approval.py; the `lint`, `waive` and `approve`
verbs in commands/review.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from . import templates, tomlfile
from .errors import ConfigError

if TYPE_CHECKING:
    from . import lint

# lint (its rules) is imported by the functions that use it: reading the waivers (which a
# check of recorded inputs does) needs only their data, not the rules.

WAIVERS_HEADER = (
    "# sqlrelease waivers: findings a reviewer accepted, each bound to the rule and the\n"
    "# sha256 of the statement it was found in. Edit with `sqlrelease waive`.\n"
)
SHOWN_STATEMENTS = 25  # per migration and dialect in REVIEW.md; the SQL files hold them all
SHOWN_CHARS = 1500
BACKTICKS = re.compile(r"`+")


# -- REVIEW.md ------------------------------------------------------------------


def review_document(release_sql, history, findings: list[lint.Finding]) -> str:
    """The bundle's REVIEW.md: per migration, its findings and its statements per dialect."""
    from . import lint

    release = release_sql.release
    migrations = []
    for revision in release.revisions:
        own = [f for f in findings if f.revision == revision]
        migrations.append(
            _Migration(
                revision=revision,
                message=history.revisions[revision].message,
                source=history.source_path(revision),
                findings=grouped(own),
                statements=_statements(release_sql.upgrade, revision),
                downgrade=_statements(release_sql.downgrade, revision),
            )
        )
    counted = counts(findings)
    return templates.render(
        "REVIEW.md.j2",
        release=release.name,
        migrations=migrations,
        counts=counted,
        waived=counted["waived"],
        summary=grouped(findings),
        rules=lint.RULES,
    )


# What REVIEW.md.j2 reads, as attributes: jinja looks a name up as an attribute first, and on a
# dict that failed (an exception) for every field of every migration and dialect.
@dataclass(frozen=True)
class _Shown:
    """A migration's statements in one dialect as REVIEW.md shows them."""

    shown: list[str]  # the first ones, long ones cut
    more: int  # how many are not shown
    fence: str  # the Markdown code fence around them


@dataclass(frozen=True)
class _Migration:
    revision: str
    message: str
    source: str
    findings: list[dict]  # grouped()
    statements: dict[str, _Shown]  # per dialect, upgrade
    downgrade: dict[str, _Shown]


def _statements(by_dialect: dict, revision: str) -> dict[str, _Shown]:
    """Per dialect, the migration's statements as REVIEW.md shows them (the first ones, long ones cut)."""
    statements = {}
    for dialect in sorted(by_dialect):
        migration = by_dialect[dialect].get(revision)
        sql = migration.statements if migration else ()
        shown = [s if len(s) <= SHOWN_CHARS else s[:SHOWN_CHARS] + "\n-- … (cut; see the SQL file)" for s in sql[:SHOWN_STATEMENTS]]
        statements[dialect] = _Shown(shown, max(0, len(sql) - SHOWN_STATEMENTS), _fence(shown))
    return statements


def _fence(texts) -> str:
    """A Markdown code fence longer than any run of backticks in the statements."""
    longest = max((len(run) for text in texts for run in BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def counts(findings: list[lint.Finding]) -> dict[str, int]:
    """Open findings per severity, and waived ones, as listed: one per entry of `grouped`
    (the same finding on several dialects is listed, and counted, once)."""
    from . import lint

    entries = grouped(findings)
    result = {s: sum(1 for g in entries if g["finding"].severity == s and not g["waiver"]) for s in lint.SEVERITIES}
    result["waived"] = sum(1 for g in entries if g["waiver"])
    return result


def grouped(findings: list[lint.Finding]) -> list[dict]:
    """Findings grouped for reading: the same finding on several dialects is one entry naming them all."""
    groups: dict[tuple, dict] = {}
    for f in findings:
        waiver = f.waiver
        key = (f.revision, f.direction, f.rule, f.detail, f.statement, f.waived)
        group = groups.setdefault(
            key,
            {"finding": f, "dialects": [], "waiver": waiver},
        )
        if f.dialect:
            group["dialects"].append(f.dialect)
    return list(groups.values())


# -- waivers ----------------------------------------------------------------------


def waivers_path(config) -> Path:
    return config.root / (getattr(config, "waivers", None) or "review/waivers.toml")


def load_waivers(config) -> list[lint.Waiver]:
    path = waivers_path(config)
    if not path.exists():
        return []
    from . import lint  # here, after the check: without waivers, `check` and `plan` need no lint
    shown = config.relative(path)
    data, _ = tomlfile.load(path, ConfigError, shown)
    result = []
    for number, entry in enumerate(data.get("waiver", []), start=1):
        try:
            result.append(
                lint.Waiver(
                    rule=entry["rule"],
                    revision=entry["revision"],
                    sha256=entry["statement_sha256"],
                    reason=entry["reason"],
                    by=entry.get("by", ""),
                    dialect=entry.get("dialect"),
                    direction=entry.get("direction", "upgrade"),
                )
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"waiver #{number} lacks {exc}", path=shown, hint="each [[waiver]] needs rule, revision, statement_sha256, reason") from None
    return result


def add_waivers(
    config, release: str, findings: Iterable[lint.Finding], reason: str, by: str, every_dialect: bool = True
) -> list[lint.Waiver]:
    """Append a waiver for each finding to the project's waivers file (tomlkit: comments kept, values quoted).

    With `every_dialect` a waiver records no dialect and covers the statement on every
    dialect (one waiver per statement); without, it records and covers its finding's dialect."""
    from . import lint

    path = waivers_path(config)
    existing = {(w.rule, w.revision, w.sha256, w.direction, w.dialect) for w in load_waivers(config)}
    added: list[tuple[lint.Waiver, dict]] = []
    for f in findings:
        dialect = None if every_dialect else f.dialect
        key = (f.rule, f.revision, f.sha256, f.direction)
        if {(*key, dialect), (*key, None)} & existing:
            continue
        existing.add((*key, dialect))
        entry = {"release": release, "rule": f.rule, "revision": f.revision}
        if dialect:
            entry["dialect"] = dialect
        if f.direction != "upgrade":
            entry["direction"] = f.direction
        if f.statement:
            entry["statement"] = f.statement
        entry.update(statement_sha256=f.sha256, excerpt=f.excerpt, reason=reason, by=by)
        added.append((lint.Waiver(f.rule, f.revision, f.sha256, reason, by, dialect, f.direction), entry))
    if added:

        def append(document) -> None:
            for _, entry in added:
                tomlfile.append_table(document, "waiver", entry)

        tomlfile.edit(path, append, header=WAIVERS_HEADER, error=ConfigError, shown=config.relative(path))
    return [waiver for waiver, _ in added]
