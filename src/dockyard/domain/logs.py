"""CloudWatch Logs: log groups, streams and events; names, PutLogEvents batch rules, read
positions and unstructured-text filter patterns.

All times are epoch milliseconds (the Logs wire sends ``long``s, not timestamps). Pure: the
caller passes ``now_ms``.

Glossary: an event's *position* is ``(timestamp, seq)``; ``seq`` is the store's insertion
counter, so positions order every event of a group totally and never change.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dockyard.domain.errors import ApiError, InvalidParameterException

__all__ = [
    "EVENT_OVERHEAD_BYTES",
    "MAX_AGE_MS",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_EVENTS",
    "MAX_BATCH_SPAN_MS",
    "MAX_FUTURE_MS",
    "RETENTION_DAYS",
    "BatchScreen",
    "FilterPattern",
    "InputEvent",
    "LogEvent",
    "LogGroup",
    "LogStream",
    "Position",
    "ResourceAlreadyExistsException",
    "event_size",
    "group_arn",
    "screen_batch",
    "stream_arn",
    "validate_group_name",
    "validate_retention",
    "validate_stream_name",
]


class ResourceAlreadyExistsException(ApiError):
    code = "ResourceAlreadyExistsException"


GROUP_NOT_FOUND = "The specified log group does not exist."
STREAM_NOT_FOUND = "The specified log stream does not exist."

MAX_NAME_LENGTH = 512
_GROUP_NAME = re.compile(r"[\.\-_/#A-Za-z0-9]+")

EVENT_OVERHEAD_BYTES = 26
"""PutLogEvents counts each event as its UTF-8 message plus 26 bytes."""
MAX_BATCH_BYTES = 1_048_576
MAX_BATCH_EVENTS = 10_000
_HOUR_MS = 3_600_000
MAX_BATCH_SPAN_MS = 24 * _HOUR_MS
MAX_FUTURE_MS = 2 * _HOUR_MS
"""Events more than 2 h ahead of the service clock are rejected (tooNewLogEventStartIndex)."""
MAX_AGE_MS = 14 * 24 * _HOUR_MS
"""Events more than 14 days old are rejected (tooOldLogEventEndIndex)."""
_DAY_MS = 24 * _HOUR_MS

RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
"""The values PutRetentionPolicy accepts."""


def validate_group_name(name: str) -> None:
    """1–512 characters of ``[.-_/#A-Za-z0-9]`` (the model's pattern, which the protocol layer
    does not enforce)."""
    if not 1 <= len(name) <= MAX_NAME_LENGTH or not _GROUP_NAME.fullmatch(name):
        raise InvalidParameterException(
            f"1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
        )


def validate_stream_name(name: str) -> None:
    """1–512 characters, none of them ``:`` or ``*``."""
    if not 1 <= len(name) <= MAX_NAME_LENGTH or ":" in name or "*" in name:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: [^:*]*"
        )


def validate_retention(days: int) -> None:
    if days not in RETENTION_DAYS:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
            f"constraint: Member must satisfy enum value set: {list(RETENTION_DAYS)}"
        )


def group_arn(region: str, account_id: str, name: str) -> str:
    """``arn:aws:logs:R:A:log-group:NAME`` (DescribeLogGroups' ``arn`` appends ``:*``)."""
    return f"arn:aws:logs:{region}:{account_id}:log-group:{name}"


def stream_arn(region: str, account_id: str, group: str, stream: str) -> str:
    return f"{group_arn(region, account_id, group)}:log-stream:{stream}"


@dataclass(frozen=True, slots=True)
class LogGroup:
    name: str
    region: str
    creation_time: int
    retention_in_days: int | None = None
    kms_key_id: str | None = None
    log_group_class: str = "STANDARD"
    stored_bytes: int = 0


@dataclass(frozen=True, slots=True)
class LogStream:
    group: str
    name: str
    creation_time: int
    first_event_timestamp: int | None = None
    last_event_timestamp: int | None = None
    last_ingestion_time: int | None = None
    stored_bytes: int = 0


@dataclass(frozen=True, slots=True)
class InputEvent:
    timestamp: int
    message: str


@dataclass(frozen=True, slots=True)
class LogEvent:
    """A stored event; ``seq`` orders events that share a timestamp."""

    stream: str
    timestamp: int
    message: str
    ingestion_time: int
    seq: int

    @property
    def position(self) -> Position:
        return Position(self.timestamp, self.seq)

    @property
    def event_id(self) -> str:
        return f"{self.timestamp:020d}{self.seq:020d}"


def event_size(message: str) -> int:
    """What one event counts toward the batch limit."""
    return len(message.encode("utf-8")) + EVENT_OVERHEAD_BYTES


# --- PutLogEvents ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchScreen:
    """What PutLogEvents keeps: ``events[start:end]``; indexes of the rejected ends as AWS
    reports them (None when nothing was rejected for that reason)."""

    start: int
    end: int
    too_old_end_index: int | None = None
    expired_end_index: int | None = None
    too_new_start_index: int | None = None

    @property
    def rejected(self) -> bool:
        return (
            self.too_old_end_index is not None
            or self.expired_end_index is not None
            or self.too_new_start_index is not None
        )


def screen_batch(
    events: Sequence[InputEvent], *, now_ms: int, retention_days: int | None = None
) -> BatchScreen:
    """Apply AWS's batch rules: a broken batch raises InvalidParameterException; events too
    old (> 14 days), older than the retention period, or too new (> 2 h ahead) are skipped.

    Invariant: since the batch is chronological, rejected events form a prefix (old, expired)
    and a suffix (new), so what is kept is one slice.
    """
    _check_batch(events)
    too_old = _last_index(events, lambda e: e.timestamp < now_ms - MAX_AGE_MS)
    expired = None
    if retention_days is not None:
        expired = _last_index(events, lambda e: e.timestamp < now_ms - retention_days * _DAY_MS)
        if expired is not None and too_old is not None and expired <= too_old:
            expired = None
    too_new = next((i for i, e in enumerate(events) if e.timestamp > now_ms + MAX_FUTURE_MS), None)
    start = max(-1 if too_old is None else too_old, -1 if expired is None else expired) + 1
    end = len(events) if too_new is None else too_new
    return BatchScreen(start, max(start, end), too_old, expired, too_new)


def _check_batch(events: Sequence[InputEvent]) -> None:
    if not 1 <= len(events) <= MAX_BATCH_EVENTS:
        raise InvalidParameterException(
            f"A batch of log events must hold between 1 and {MAX_BATCH_EVENTS} events."
        )
    if any(later.timestamp < earlier.timestamp for earlier, later in itertools.pairwise(events)):
        raise InvalidParameterException(
            "Log events in a single PutLogEvents request must be in chronological order."
        )
    if events[-1].timestamp - events[0].timestamp > MAX_BATCH_SPAN_MS:
        raise InvalidParameterException(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    total = sum(event_size(e.message) for e in events)
    if total > MAX_BATCH_BYTES:
        raise InvalidParameterException(
            f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}"
        )


def _last_index(events: Sequence[InputEvent], old: Callable[[InputEvent], bool]) -> int | None:
    """The index of the last event of the prefix for which ``old`` holds, if any."""
    found = None
    for i, event in enumerate(events):
        if not old(event):
            break
        found = i
    return found


# --- read positions (GetLogEvents tokens) ---------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A point between events: forward reads return events after it, backward reads before.

    Tokens look like AWS's: ``f/`` or ``b/`` and digits (timestamp, then seq, zero-padded).
    """

    timestamp: int
    seq: int

    def forward_token(self) -> str:
        return f"f/{self.timestamp:020d}{self.seq:020d}"

    def backward_token(self) -> str:
        return f"b/{self.timestamp:020d}{self.seq:020d}"

    @staticmethod
    def parse_token(token: str) -> tuple[bool, Position]:
        """``(forward, position)``; InvalidParameterException for anything not ours."""
        direction, _, digits = token.partition("/")
        if direction not in ("f", "b") or len(digits) != 40 or not digits.isdigit():
            raise InvalidParameterException("The specified nextToken is invalid.")
        return direction == "f", Position(int(digits[:20]), int(digits[20:]))


# --- filter patterns -------------------------------------------------------------------------

_TERM = re.compile(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')


@dataclass(frozen=True, slots=True)
class FilterPattern:
    """CloudWatch's filter pattern for unstructured text, case-sensitive substring terms:

    * ``ERROR Exception``: every term appears;
    * ``"Failed to connect"``: the quoted phrase appears as written;
    * ``?ERROR ?WARN``: at least one ``?`` term appears;
    * ``ERROR -Exiting``: ``-`` terms must not appear.

    The empty pattern (or ``""``) matches every event. JSON (``{...}``), space-delimited
    (``[...]``) and regex (``%...%``) patterns are refused with InvalidParameterException.
    """

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @staticmethod
    def parse(text: str | None) -> FilterPattern:
        text = (text or "").strip()
        if text[:1] in ("{", "[", "%"):
            raise InvalidParameterException(
                "Dockyard supports unstructured-text filter patterns only (terms, quoted "
                "phrases, ?terms and -terms)."
            )
        groups: dict[str, list[str]] = {"": [], "?": [], "-": []}
        for match in _TERM.finditer(text):
            prefix, quoted, bare = match.groups()
            term = bare if quoted is None else re.sub(r"\\(.)", r"\1", quoted)
            if term:
                groups[prefix].append(term)
        return FilterPattern(tuple(groups[""]), tuple(groups["?"]), tuple(groups["-"]))

    def matches(self, message: str) -> bool:
        return (
            all(term in message for term in self.required)
            and (not self.optional or any(term in message for term in self.optional))
            and not any(term in message for term in self.excluded)
        )
