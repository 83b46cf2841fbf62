"""ELBv2 wildcard patterns and health-check matchers compiled for HAProxy. Pure.

Each condition kind keeps ELBv2's matching rules:

=====================  ============================================  ====================
kind                   HAProxy sample and regex                       case
=====================  ============================================  ====================
path-pattern           ``path`` (no query); exact ``path`` match       sensitive
                       without wildcards, else ``path_reg ^…$``
host-header            ``hdr(host)``, ``^…(:[0-9]+)?$`` so a           insensitive (``-i``)
                       ``Host: name:port`` header matches too
http-header            ``req.fhdr(<key>)`` (every occurrence,          insensitive
                       commas kept), ``^…$``
query-string           ``query``, one ``key=value`` pair:              insensitive
                       ``(^|&)key=value(&|$)``; ``*``/``?`` stay
                       inside one pair; ``\\*``, ``\\?`` are literal
http-request-method    ``method`` exact                               sensitive
=====================  ============================================  ====================

``*`` is zero or more characters and ``?`` exactly one. The regexes use only syntax that PCRE2
(HAProxy's engine) and Python's :mod:`re` read the same way, so unit tests check them with
:mod:`re`. Quoting for the configuration file is :mod:`dockyard.lb.quoting`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "HOST_PORT_SUFFIX",
    "StatusRange",
    "has_wildcard",
    "header_value_regex",
    "host_regex",
    "parse_matcher",
    "path_regex",
    "query_regex",
    "render_matcher",
    "wildcard_body",
]

REGEX_META = frozenset(".^$|?*+()[]{}\\")
"""Characters escaped with a backslash; every other character is literal in PCRE2 and ``re``."""

HOST_PORT_SUFFIX = "(:[0-9]+)?"
"""ELBv2 matches the host name; a Host header may carry ``:port`` after it."""

QUERY_KEY_CHAR = "[^&=]"
QUERY_VALUE_CHAR = "[^&]"
"""Query wildcards never cross a ``&``: one pattern matches inside one pair. A key never holds
a ``=``, and neither does a value matched without a key (so it cannot swallow ``key=``)."""

MATCHER_RE = re.compile(r"^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$")


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def _literal(char: str) -> str:
    return "\\" + char if char in REGEX_META else char


def wildcard_body(pattern: str, *, any_char: str = ".", backslash_escapes: bool = False) -> str:
    """The unanchored regex for ``pattern``: ``*`` → ``any_char*``, ``?`` → ``any_char``.

    With ``backslash_escapes`` (query strings), ``\\*``, ``\\?`` and ``\\\\`` are literal.
    """
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if backslash_escapes and char == "\\":
            out.append(_literal(next(chars, "\\")))
        elif char == "*":
            out.append(any_char + "*")
        elif char == "?":
            out.append(any_char)
        else:
            out.append(_literal(char))
    return "".join(out)


def path_regex(pattern: str) -> str:
    """Anchored regex of a path pattern (matched case-sensitively against the path)."""
    return "^" + wildcard_body(pattern) + "$"


def host_regex(pattern: str) -> str:
    """Anchored regex of a host pattern (matched with ``-i``), allowing a ``:port`` suffix."""
    return "^" + wildcard_body(pattern) + HOST_PORT_SUFFIX + "$"


def header_value_regex(pattern: str) -> str:
    """Anchored regex of an http-header value pattern (matched with ``-i``)."""
    return "^" + wildcard_body(pattern) + "$"


def query_regex(pair: str) -> str:
    """Regex finding one ``key=value`` (or ``value``, any key) pair in a query string."""
    key, sep, value = _split_pair(pair)
    if sep and key:
        key_re = wildcard_body(key, any_char=QUERY_KEY_CHAR, backslash_escapes=True)
        value_re = wildcard_body(value, any_char=QUERY_VALUE_CHAR, backslash_escapes=True)
        return f"(^|&){key_re}={value_re}(&|$)"
    value_re = wildcard_body(value, any_char=QUERY_KEY_CHAR, backslash_escapes=True)
    return f"(^|&)({QUERY_KEY_CHAR}*=)?{value_re}(&|$)"


def _split_pair(pair: str) -> tuple[str, str, str]:
    """Split at the first ``=`` that is not backslash-escaped."""
    escaped = False
    for index, char in enumerate(pair):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "=":
            return pair[:index], "=", pair[index + 1 :]
    return "", "", pair


@dataclass(frozen=True, slots=True, order=True)
class StatusRange:
    """An inclusive range of HTTP status codes (``low == high`` for a single code)."""

    low: int
    high: int


def parse_matcher(matcher: str) -> tuple[StatusRange, ...]:
    """ELBv2 ``HttpCode`` (``200``, ``200,302``, ``200-299``…) → sorted, merged ranges.

    Raises :class:`ValueError` naming the matcher when it is malformed or a range is reversed.
    """
    text = matcher.replace(" ", "")
    if not MATCHER_RE.match(text):
        raise ValueError(f"health check matcher {matcher!r} is not codes or ranges of codes")
    ranges: list[StatusRange] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        item = StatusRange(int(low), int(high or low))
        if item.low > item.high:
            raise ValueError(f"health check matcher {matcher!r} has a reversed range")
        ranges.append(item)
    return _merge(sorted(ranges))


def _merge(ranges: list[StatusRange]) -> tuple[StatusRange, ...]:
    merged: list[StatusRange] = []
    for item in ranges:
        if merged and item.low <= merged[-1].high + 1:
            last = merged.pop()
            item = StatusRange(last.low, max(last.high, item.high))
        merged.append(item)
    return tuple(merged)


def render_matcher(ranges: tuple[StatusRange, ...]) -> str:
    """The ``http-check expect status`` argument: HAProxy 2.6 reads ELBv2's own syntax."""
    return ",".join(str(r.low) if r.low == r.high else f"{r.low}-{r.high}" for r in ranges)
