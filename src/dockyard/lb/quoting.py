"""Writing arbitrary strings as HAProxy configuration words. Pure.

HAProxy 2.6 cuts a line into words, honouring backslash escapes, weak ``"…"`` and strong
``'…'`` quotes (configuration manual §2.2). Inside double quotes a ``$`` starts an environment
variable and ``\\`` starts an escape. :func:`word` leaves plainly safe words bare, puts the rest
in single quotes (where nothing is interpreted: the readable way to write a regex), and falls
back to double quotes, escaping ``\\``, ``"``, ``$`` and control characters (``\\xNN``), for a
string holding a ``'`` or a control character. The result reads back as exactly the input.

Log-format arguments (``http-request redirect location …``) have a second level: a literal
``%`` is written ``%%`` (:func:`log_format_literal`).
"""

from __future__ import annotations

import re

__all__ = ["log_format_literal", "word"]

SAFE_WORD = re.compile(r"^[A-Za-z0-9_./:@+=,^-]+$")
"""Words written unquoted: no space, quote, backslash, ``#``, ``$`` or control character."""

ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in ESCAPES:
        return ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\x{ord(char):02x}"
    return char


def word(text: str) -> str:
    """``text`` as one configuration word, quoted only when it has to be."""
    if SAFE_WORD.match(text):
        return text
    if "'" not in text and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return "'" + text + "'"
    return '"' + "".join(_escape(char) for char in text) + '"'


def log_format_literal(text: str) -> str:
    """``text`` as literal characters of a log-format string (before :func:`word`)."""
    return text.replace("%", "%%")
