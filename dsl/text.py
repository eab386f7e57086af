"""Characters a policy file may not contain, and text made safe for a terminal.

Policy files are untrusted input (see docs/security.md). Control characters other than tab
(NUL, ESC, a bare CR, DEL, the C1 controls), the Unicode line and paragraph separators and the
bidirectional embeddings, overrides and isolates have no place in a standard's text: they break
the YAML, CSV and terminal output downstream, or make the text read differently from what it is
("Trojan Source", CVE-2021-42574). `check` refuses them (E004) wherever they are, including
comments, and `\\n` written inside text. Everything printed to a terminal goes through
`terminal()` as a second line of defence, so a file name or a message can never carry an
escape sequence to the user's screen.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab and line feed; a CR not followed by LF; DEL and the C1 controls; the line and
# paragraph separators; the bidirectional embeddings, overrides (U+202A-U+202E) and isolates
# (U+2066-U+2069).
_FORBIDDEN_IN_FILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_FOR_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_NAMES = {"\x00": "NUL", "\x1b": "ESC", "\r": "a carriage return", "\n": "a line break", "\x7f": "DEL"}


def describe(ch: str) -> str:
    """`U+001B (ESC)`: how an error names a forbidden character without printing it."""
    name = _NAMES.get(ch) or unicodedata.name(ch, "control character")
    return f"U+{ord(ch):04X} ({name})"


def forbidden_in_file(text: str, limit: int = 20) -> list[tuple[int, int, str]]:
    """(line, column, character) of the first `limit` forbidden characters in a file's text, 1-based."""
    found: list[tuple[int, int, str]] = []
    for m in _FORBIDDEN_IN_FILE.finditer(text):
        if len(found) == limit:
            break
        start = m.start()
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        found.append((line, column, m.group()))
    return found


def forbidden_in_text(value: str) -> str | None:
    """The first forbidden character in the value of a string (after its escapes), if any."""
    m = _FORBIDDEN_IN_TEXT.search(value)
    return m.group() if m else None


def terminal(text: str) -> str:
    """Text safe to print: each control character (but tab and line feed) and each bidirectional
    control becomes U+FFFD, one character for one, so a caret under a source line still lines up."""
    return _UNSAFE_FOR_TERMINAL.sub("\ufffd", text)
