"""AWS's ("Coral") wording for model violations, and the paths it points at.

A path names a value the way AWS's messages do: member names with a lower-case first letter,
joined by dots; a list element is ``<list>.<1-based index>.member`` and a map value is
``<map>.<key>``. Example::

    2 validation errors detected: Value null at 'containerDefinitions.1.member.name' failed to
    satisfy constraint: Member must not be null; Value '0' at 'cpu' failed to ...

Pure functions and one exception; no I/O.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

MAX_LISTED = 10
"""Violations spelled out in one message; the rest are counted and elided as ``...``."""

MAX_VALUE_CHARS = 200
"""A rendered value longer than this is cut, so one huge list cannot bloat the message."""


class ShapeMismatch(Exception):
    """A wire value of the wrong kind; raised at the leaf, path segments added on the way up.

    Collecting the path while unwinding keeps the success path free of string building.
    """

    def __init__(self, expected: str, value: Any, got: str | None = None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.got = got
        self.segments: list[str] = []

    def add(self, segment: str) -> ShapeMismatch:
        """Prepend ``segment`` (we are unwinding from the leaf towards the root)."""
        self.segments.append(segment)
        return self

    @property
    def path(self) -> str:
        return ".".join(reversed(self.segments))


def join(path: str, segment: str) -> str:
    return f"{path}.{segment}" if path else segment


def element(path: str, index: int) -> str:
    """Path of the ``index``-th (0-based) element of the list at ``path``."""
    return f"{path}.{index + 1}.member"


def violation(value: Any, path: str, constraint: str) -> str:
    """One violation: ``Value 'x' at 'path' failed to satisfy constraint: <constraint>``."""
    return f"Value {render(value)} at '{path}' failed to satisfy constraint: {constraint}"


def summary(violations: Sequence[str]) -> str:
    """``N validation error(s) detected: v1; v2; ...`` listing at most :data:`MAX_LISTED`."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    listed = "; ".join(violations[:MAX_LISTED])
    more = "; ..." if count > MAX_LISTED else ""
    return f"{count} validation {noun} detected: {listed}{more}"


def render(value: Any) -> str:
    """A value as AWS quotes it: ``null``, ``'text'``, ``'5'``, ``'[a, b]'``, ``'{k=v}'``."""
    if value is None:
        return "null"
    text = _plain(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + "..."
    return f"'{text}'"


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_plain(k)}={_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if value is None:
        return "null"
    return str(value)
