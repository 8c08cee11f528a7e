"""Values a migration computes while it runs: ids from uuid4(), times from now(), random picks.

Written into a bundle, such a value is the build's own: every server gets the same "unique" id
and the build's time, and each build writes new values. They are found by running the migration
twice and comparing the literals of otherwise identical statements (`volatile_values`).
Rehearsal runs a release's upgrades twice (rehearse.py). An upgrade rendered offline is rendered
a second time only when its source calls such a function (`run_time_calls`, a cheap look at the
file's text): a build does not pay a second offline pass.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections import Counter
from pathlib import Path

from .dialects import DIALECTS
from .rendered import UPGRADE, MigrationSQL

AGAIN_AFTER = 1.05  # seconds between the two runs of an upgrade: times to the second differ too
_LITERAL = re.compile(r"('(?:[^']|'')*'|X'[0-9A-Fa-f]*'|\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b)")

# Functions whose every call gives a new value. A call through `func` (sa.func.now()) is SQL the
# database evaluates, not a value computed here, and is left alone. Words first (cheap `in` tests
# settle most files), then the calls themselves.
_WORDS = ("uuid", "now", "today", "time", "random", "secrets", "token_", "rand", "choice", "shuffle")
_CALLS = re.compile(
    r"(?<!func\.)\b(uuid[1467]|now|utcnow|today|time|time_ns|urandom|token_hex|token_bytes|token_urlsafe|"
    r"getrandbits|randbytes|randint|randrange|choice|choices|shuffle|uniform)\s*\("
    r"|\b(random|secrets)\.\w+\s*\("
    r"|\bdefault\s*=\s*[\w.]*\b(uuid[1467]|now|utcnow|today)\b")
_CLOCKS = frozenset({"now", "utcnow", "today", "time", "time_ns"})


def volatile_values(first, second, at_most: int = 3) -> tuple[str, ...]:
    """The first run's literals that the second run wrote differently (a few), in statements that
    are otherwise the same: the values a migration computed while it ran. Empty when the runs agree.

    Statements that differ in more than literals, or only in order (SQLAlchemy creates a table's
    indexes in set order), are not values: the downgrade gave back a slightly different schema, or
    the same DDL came out in another order.
    """
    def skeleton(statement: str) -> tuple[str, ...]:
        return tuple(_LITERAL.split(statement)[0::2])

    extra, missing = Counter(first) - Counter(second), Counter(second) - Counter(first)
    theirs: dict[tuple[str, ...], list[str]] = {}
    for statement in second:
        if missing[statement]:
            theirs.setdefault(skeleton(statement), []).append(statement)
            missing[statement] -= 1
    values: list[str] = []
    for statement in first:
        if not extra[statement]:
            continue
        extra[statement] -= 1
        counterpart = theirs.get(skeleton(statement))
        if counterpart:
            other = counterpart.pop(0)
            values += [x for x, y in zip(_LITERAL.split(statement)[1::2], _LITERAL.split(other)[1::2])
                       if x != y and x not in values]
    return tuple(values[:at_most])


def flag(recorded: dict, revisions, second: dict) -> None:
    """Name, in `volatile`, the literals of each revision's upgrade in `recorded` ({(revision,
    direction): MigrationSQL}) that its second run (`second[revision]`, its statements) wrote
    differently; a revision the second run missed is not flagged."""
    for revision in revisions:
        first, again = recorded[(revision, UPGRADE)], second.get(revision)
        if again is None:
            continue
        differing = volatile_values(first.statements, again)
        if differing:
            recorded[(revision, UPGRADE)] = dataclasses.replace(first, volatile=differing)


def run_time_calls(path: Path) -> str | None:
    """`_run_time_calls`, read once per file version (a build asks once per dialect)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _run_time_calls(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _run_time_calls(path: Path, mtime_ns: int, size: int) -> str | None:
    """Whether a migration file calls something that gives a new value on every call: "time" (now(),
    today(), time.time(): the second render must start a second later), "value" (uuid4(), random,
    secrets), or None. A column `default=` naming one counts too. A look at the text, not a parse:
    a call in a comment, or at module level (run once per process), only costs a render that
    comes out the same, which flags nothing."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    present = [word for word in _WORDS if word in text]
    if not present:
        return None
    # The regular expression only on the lines that hold one of the words: on whole files it costs
    # more than reading them.
    lines = "\n".join(line for line in text.splitlines() if any(word in line for word in present))
    kinds = {"time" if (m.group(1) or m.group(3)) in _CLOCKS else "value" for m in _CALLS.finditer(lines)}
    return "time" if "time" in kinds else "value" if kinds else None


def recheck_offline(config, history, dialect: str, migrations: dict[str, MigrationSQL], revisions,
                    rendered_at: float) -> None:
    """Render once more, offline, the upgrades among `revisions` whose source calls a function that
    gives a new value on every call, and flag (in place, in `migrations`) those whose literals differ.

    `rendered_at` (time.monotonic()) is when the first render started: a migration that reads a
    clock is rendered again at least AGAIN_AFTER later, so that times to the second differ too.
    Only offline SQL is looked at: rehearsed SQL was run twice by rehearsal, overrides are reviewed.
    """
    from .render import render  # imports Alembic: only when there is something to render again

    suspects = {}
    for revision in revisions:
        sql = migrations.get(revision)
        if sql is None or sql.origin != "offline" or sql.failure is not None or not sql.statements:
            continue
        kind = run_time_calls(history.revisions[revision].path)
        if kind:
            suspects[revision] = kind
    if not suspects:
        return
    if "time" in suspects.values():
        time.sleep(max(0.0, AGAIN_AFTER - (time.monotonic() - rendered_at)))
    again = render(config, history, DIALECTS[dialect], UPGRADE, tuple(suspects)).migrations
    second = {r: again[r].statements for r in suspects if r in again and again[r].failure is None}
    recorded = {(r, UPGRADE): migrations[r] for r in suspects}
    flag(recorded, suspects, second)
    for (revision, _), sql in recorded.items():
        migrations[revision] = sql
