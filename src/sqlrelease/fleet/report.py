"""How status and apply reports read in a terminal: rich renderables built from plain data.

Every text that comes from a fleet file, a database or a client goes through
`_text`: passwords masked, control characters made visible, never read as
markup, so a label or an error message cannot restyle or forge a line.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .. import urls
from ..terminal import printable

if TYPE_CHECKING:  # rich is imported where a table is drawn: --json and --ndjson runs never need it
    from rich.table import Table
    from rich.text import Text

    from .apply import ApplyReport
    from .status import StatusReport

STATE_STYLE = {
    "current": "green",
    "behind": "yellow",
    "partial": "bold red",
    "ahead": "bold red",
    "unmanaged": "bold red",
    "failed": "bold red",
    "drifted": "bold red",
    "locked": "magenta",
    "unreachable": "magenta",
}
OUTCOME_STYLE = {
    "applied": "green",
    "skipped": "dim",
    "would apply": "cyan",
    "not started": "yellow",
    "refused": "bold red",
    "failed": "bold red",
    "unreachable": "magenta",
    "locked": "magenta",
}
LISTED_BEHIND = 8  # names shown per group of behind targets in the compact summary


def _safe(value: object) -> str:
    return printable(urls.mask(str(value)))


def _text(value: object = "", style: str = "") -> Text:
    from rich.text import Text

    return Text(_safe(value), style=style)


def _counts(counts: dict[str, int], styles: dict[str, str]) -> Text:
    line = _text()
    for state, number in counts.items():
        if line:
            line.append("  ")
        line.append(f"{state} {number}", style=styles.get(state, ""))
    return line


def status_summary(report: StatusReport) -> list[Text]:
    """Counts per state, then only the exceptions: behind targets grouped by release, others one per line."""
    lines = [_text(f"goal {report.goal}: {len(report.targets)} target(s), bundles in {report.bundles}"), _counts(report.counts, STATE_STYLE)]
    groups: dict[str, list[str]] = {}
    for status in report.targets:
        if status.state == "behind":
            groups.setdefault(status.release or "an empty database", []).append(status.target.name)
    for release, names in groups.items():
        shown = ", ".join(names[:LISTED_BEHIND]) + (f" and {len(names) - LISTED_BEHIND} more" if len(names) > LISTED_BEHIND else "")
        line = _text("behind", style=STATE_STYLE["behind"])
        at = f"at {release}" if release != "an empty database" else release
        line.append(_safe(f"       {at} ({len(names)}): {shown}"))
        lines.append(line)
    for status in report.targets:
        if status.state in ("current", "behind"):
            continue
        line = _text(f"{status.state:<12} ", style=STATE_STYLE[status.state])
        line.append(_safe(f"{status.target.name}  "))
        line.append(_safe(status.detail))
        lines.append(line)
    return lines


def status_table(report: StatusReport) -> Table:
    from rich.table import Table

    table = Table(title=f"goal {report.goal}", title_justify="left")
    for column in ("target", "dialect", "state", "release", "next", "behind", "detail"):
        table.add_column(column, overflow="fold")
    for status in report.targets:
        table.add_row(
            _text(status.target.name),
            status.target.dialect,
            _text(status.state, style=STATE_STYLE[status.state]),
            _text(status.release or "-"),
            _text(status.next or "-"),
            str(status.behind) if status.behind else "",
            _text(status.detail),
        )
    return table


def ndjson(rows) -> str:
    """One JSON object per line (ASCII: no character in it can control a terminal), passwords masked."""
    return "".join(urls.mask(json.dumps(row, ensure_ascii=True)) + "\n" for row in rows)


def dry_run_lines(report: ApplyReport) -> list[Text]:
    """Per target, exactly which files would run and how."""
    lines = [_text(f"dry run: nothing is changed; goal {report.goal}, bundles in {report.bundles}")]
    for run in report.targets:
        head = _text(f"{run.target.name}", style="bold")
        head.append(_safe(f"  ({run.wave}) "), style="dim")
        head.append(run.outcome, style=OUTCOME_STYLE.get(run.outcome, ""))
        if run.detail:
            head.append(_safe(f": {run.detail}"))
        lines.append(head)
        for step in run.steps:
            lines.append(_text(f"    {step.shown}", style="cyan"))
        for command in run.commands:  # one client session runs them all, in order
            lines.append(_text(f"      {command}", style="dim"))
    return lines


def apply_table(report: ApplyReport) -> Table:
    from rich.table import Table

    """One row per target that had work or a problem (targets already at the goal are counted only)."""
    table = Table(title=f"run {report.run}: goal {report.goal}", title_justify="left")
    for column in ("target", "wave", "outcome", "from", "now", "seconds", "detail"):
        table.add_column(column, overflow="fold")
    for run in report.targets:
        if run.outcome == "skipped":
            continue
        table.add_row(
            _text(run.target.name),
            _text(run.wave),
            _text(run.outcome, style=OUTCOME_STYLE.get(run.outcome, "")),
            _text(run.before.release or "-"),
            _text(run.release_after or "-"),
            f"{run.seconds:.1f}" if run.files else "",
            _text(run.detail),
        )
    return table


def apply_footer(report: ApplyReport) -> list[Text]:
    lines = [_counts(report.counts, OUTCOME_STYLE)]
    for wave in report.waves:
        if wave.stopped:
            lines.append(_text(
                f"wave {wave.name} stopped: {wave.failures} failure(s), failure budget {wave.budget}; later waves did not start",
                style="bold red",
            ))
    return lines

