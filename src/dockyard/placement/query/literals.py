"""Typed literals: each subject's argument parsed once, at compile time. Pure.

Every parser here raises ``ValueError`` with a human reason; the evaluator turns it into a
:class:`QueryError` at the argument's position.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime

__all__ = ["boolean", "count", "instant", "regex", "version", "version_of"]

_COUNT = re.compile(r"[+-]?[0-9]+")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_VERSION_PREFIX = re.compile(r"v?([0-9]+(?:\.[0-9]+)*)")
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def count(text: str) -> int:
    """``runningTasksCount``'s argument: a decimal integer."""
    if _COUNT.fullmatch(text) is None:
        raise ValueError(f"runningTasksCount compares with integers, not {text!r}")
    return int(text)


def boolean(text: str) -> bool:
    """``agentConnected``'s argument: ``true`` or ``false`` (any case)."""
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError(f"agentConnected is true or false, not {text!r}")
    return lowered == "true"


def version(text: str) -> tuple[int, ...]:
    """``agentVersion``'s argument: dotted numbers, compared per component (1.9.0 < 1.14.5);
    trailing zero components do not count (1.14 == 1.14.0)."""
    if _VERSION.fullmatch(text) is None:
        raise ValueError(f"agentVersion compares with versions like 1.14.5, not {text!r}")
    return _normalised(text)


@functools.lru_cache(maxsize=256)
def version_of(reported: str | None) -> tuple[int, ...] | None:
    """An agent's reported version as :func:`version` reads it, or ``None`` if it has none or
    it is not a dotted version (a leading ``v`` and any suffix such as ``-rc1`` are ignored).
    Cached: a cluster runs few distinct agent versions."""
    match = _VERSION_PREFIX.match(reported) if reported else None
    return _normalised(match.group(1)) if match else None


def _normalised(dotted: str) -> tuple[int, ...]:
    parts = [int(p) for p in dotted.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def instant(text: str) -> datetime:
    """``registeredAt``'s argument, in one of the documented formats ``2018-06-18T22:28:28+00:00``,
    ``2018-06-18T22:28:28Z``, ``2018-06-18T22:28:28``, ``2018-06-18`` (fractional seconds are
    tolerated). No offset means UTC; a date alone is midnight UTC."""
    reason = f"registeredAt compares with dates like 2018-06-18T22:28:28Z, not {text!r}"
    if _INSTANT.fullmatch(text) is None:
        raise ValueError(reason)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:  # e.g. month 13
        raise ValueError(reason) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def regex(text: str) -> re.Pattern[str]:
    """``=~`` / ``!~``'s argument, compiled with Python's ``re`` (ECS documents Java's syntax;
    the common subset is the same — see the README)."""
    try:
        return re.compile(text)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {text!r}: {exc}") from None
