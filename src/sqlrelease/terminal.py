"""What may reach a terminal: text from users and files, with control characters made visible.

A file name, release name, reviewer name or message can hold a newline, a
carriage return, an escape sequence or a bidirectional override. Printed as is,
it could start a fake `OK` line, recolour or hide what follows. Every line the
command line prints goes through `printable`, which writes such characters as
escapes (`\\n`, `\\x1b`, `\\u202e`); a tab stays a tab.
"""

from __future__ import annotations

import re

# C0 controls but tab, DEL and C1 controls, line/paragraph separators, and the
# bidirectional marks, embeddings, overrides and isolates, and the lone surrogates
# a file name that is not UTF-8 decodes to.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r"}


def printable(text: object) -> str:
    """`text` (made a string) with every control character written as a visible escape."""
    return _UNPRINTABLE.sub(_escape, str(text))


def _escape(match: re.Match) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Inside JSON strings these are legal as they are, yet reorder or hide text in a terminal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_text(data: object) -> str:
    """`data` as indented JSON whose strings cannot reorder or control a terminal (they stay valid JSON)."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
