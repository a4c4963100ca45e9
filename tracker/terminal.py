"""Text shown on a terminal: control characters made visible, never obeyed.

A reading file, a note or a file name can carry escape sequences (ESC [2J clears the
screen, ESC ]0; retitles the window) or bidirectional overrides that reorder what is
shown. Stored data keeps them as they are; whatever tracker prints for a person goes
through `visible`, which writes each such character as a Python-style escape:

    >>> visible("Hà Anh\\x1b[2J")
    'Hà Anh\\\\x1b[2J'

Line breaks and tabs pass (messages are several lines); everything else of Unicode
category Cc, and the bidi controls of category Cf, is escaped.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL (except \t and \n), and the bidi embeddings, overrides and
# isolates (U+202A-202E, U+2066-2069) plus the marks U+200E/U+200F and U+061C.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character written as an escape (\\x1b, \\u202e)."""
    return _HIDDEN.sub(_escape, text)
