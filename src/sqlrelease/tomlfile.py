"""Reading TOML files so that errors can name the line they come from."""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import SqlreleaseError

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def load(path: Path, error: type[SqlreleaseError], shown: str) -> tuple[dict, str]:
    """Parse `path`; a syntax error becomes `error` naming `shown:line`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{shown} does not exist", path=shown) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {shown}: {exc}", path=shown) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = _AT_LINE.search(str(exc))
        message = _AT_LINE.sub("", str(exc)).strip()
        raise error(
            f"not valid TOML: {message}",
            path=shown,
            line=int(match.group(1)) if match else None,
            hint="fix the syntax",
        ) from None


def line_of(text: str, pattern: str, *, after: int = 0) -> int | None:
    """1-based number of the first line at or after line `after` matching `pattern`."""
    regex = re.compile(pattern)
    start = max(after, 1)
    for number, line in enumerate(_lines(text)[start - 1 :], start=start):
        if regex.search(line):
            return number
    return None


@lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    # A fleet file names the line of every target: split once, not once per target (200 targets: ~60 ms).
    return tuple(text.splitlines())


def key_line(text: str, key: str, *, after: int = 0) -> int | None:
    """Line of `key = ...` at or after line `after`."""
    return line_of(text, rf"^\s*{re.escape(key)}\s*=", after=after)


def edit(path: Path, change, *, header: str, error: type[SqlreleaseError], shown: str) -> None:
    """Change the TOML file at `path` (a new one starts as `header`) and replace it whole.

    tomlkit keeps the file's comments and layout and quotes every value it writes, so
    no value (quotes, newlines, brackets) can break or rewrite the file; the result is
    read back before it replaces the file, so a file the tool could not read again is
    never written.
    """
    import tomlkit
    from tomlkit.exceptions import ParseError

    text = path.read_text(encoding="utf-8") if path.exists() else header
    try:
        document = tomlkit.parse(text)
    except ParseError as exc:
        raise error(f"not valid TOML: {exc}", path=shown, line=getattr(exc, "line", None), hint="fix the syntax") from None
    change(document)
    new = tomlkit.dumps(document)
    try:
        data = new.encode("utf-8")
        tomllib.loads(new)
    except (UnicodeEncodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"cannot write {shown}: a value is not valid text ({exc})", path=shown) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def append_table(document, key: str, values: dict) -> None:
    """Append `values` as one more `[[key]]` table, a blank line before it as people write them."""
    import tomlkit

    tables = document.get(key)
    if tables is None:
        if document.body and not tomlkit.dumps(document).endswith("\n\n"):
            document.add(tomlkit.nl())
        tables = tomlkit.aot()
        document.append(key, tables)
    elif len(tables):
        tables[-1].add(tomlkit.nl())
    table = tomlkit.table()
    for name, value in values.items():
        table[name] = value
    tables.append(table)
