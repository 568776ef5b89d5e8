"""Text from the database or a model is shown, never obeyed.

Terminal control sequences (escape, bell, C1 controls) are removed before text reaches a
terminal, so a customer named "\\x1b]0;pwned\\x07" cannot retitle the window or move the cursor.
Rich markup is a separate concern of the UI layer (Text objects, markup=False).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|.)")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with escape sequences and control characters removed (tabs become spaces)."""
    text = _ESCAPE_SEQUENCE.sub("", text).replace("\t", " ")
    if not keep_newlines:
        text = text.replace("\r", " ").replace("\n", " ")
    return _CONTROL.sub("", text)
