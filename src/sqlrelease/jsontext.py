"""Indented JSON text, fast: the manifest of every bundle is written this way.

`json.dumps(value, indent=2)` runs the standard library's pure-Python encoder (its C
encoder has no indent): a generator per nesting level, every piece of text passed up
through all of them. The manifest of a long release holds tens of thousands of pieces
(each migration, file and expected table), so that cost about 4 ms a bundle.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C function json.dumps uses for strings (ensure_ascii=False)


class _Unusual(Exception):
    """A value the fast path does not write: json.dumps writes the whole value instead."""


def indented(value) -> str:
    """Exactly `json.dumps(value, indent=2, ensure_ascii=False)`.

    Plain dicts with string keys, lists, tuples, strings, ints, booleans and None are
    written here; anything else (floats, subclasses, other keys) goes to json.dumps whole,
    so the text is the same either way.
    """
    parts: list[str] = []
    try:
        _write(value, "", parts.append)
    except _Unusual:
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(parts)


def _write(value, indent: str, append) -> None:
    kind = type(value)
    if kind is str:
        append(encode_basestring(value))
    elif kind is dict:
        if not value:
            append("{}")
            return
        inner = indent + "  "
        opening = "{\n" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual  # json.dumps turns int, float, bool and None keys into strings its own way
            append(opening + encode_basestring(key) + ": ")
            opening = ",\n" + inner
            _write(item, inner, append)
        append("\n" + indent + "}")
    elif kind is list or kind is tuple:
        if not value:
            append("[]")
            return
        inner = indent + "  "
        opening = "[\n" + inner
        for item in value:
            append(opening)
            opening = ",\n" + inner
            _write(item, inner, append)
        append("\n" + indent + "]")
    elif value is None:
        append("null")
    elif value is True:
        append("true")
    elif value is False:
        append("false")
    elif kind is int:
        append(int.__repr__(value))
    else:
        raise _Unusual
