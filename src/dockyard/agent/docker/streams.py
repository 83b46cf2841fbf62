"""Helpers for Docker's streamed responses (events, logs): closing, cursors, line framing.

Docker's SDK streams have no read timeout (``events`` forces none) and end *silently* on a
transport error (``CancellableStream`` turns it into ``StopIteration``). So the runtime closes a
stream from a :class:`StreamCloser` thread to stop it promptly, and tells a stream that ended
early from one that ended at its ``until`` by the clock.

Pure apart from :class:`StreamCloser`'s thread: :class:`LogLineSplitter` and the time
conversions read no clock.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from dockyard.agent.docker.model import docker_time

__all__ = [
    "CLOSER_POLL_SECONDS",
    "LogLineSplitter",
    "StreamCloser",
    "docker_since",
    "nanos",
]

CLOSER_POLL_SECONDS = 0.1
"""How often a closer looks at its stop event and deadline: the bound on the extra delay
between ``stop`` being set and the stream ending."""

_NANOS = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class StreamCloser:
    """Closes ``stream`` from a daemon thread once ``stop`` is set or ``deadline`` (a
    ``time.monotonic()`` value) passes. Use as a context manager around the reading loop.

    Closing shuts the socket down, which wakes a read blocked in another thread.
    """

    def __init__(
        self, stream: Any, stop: threading.Event | None, deadline: float | None = None
    ) -> None:
        self._stream = stream
        self._stop = stop
        self._deadline = deadline
        self._done = threading.Event()
        self.closed_early = False
        self._thread = threading.Thread(
            target=self._watch, name="docker-stream-closer", daemon=True
        )

    def __enter__(self) -> StreamCloser:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        _close(self._stream)

    def _watch(self) -> None:
        while not self._done.wait(CLOSER_POLL_SECONDS):
            stopped = self._stop is not None and self._stop.is_set()
            late = self._deadline is not None and time.monotonic() > self._deadline
            if stopped or late:
                self.closed_early = True
                _close(self._stream)
                return


def _close(stream: Any) -> None:
    # Closing a half-torn socket may raise; it is closed either way.
    with contextlib.suppress(Exception):
        stream.close()


def nanos(moment: datetime) -> int:
    """An aware datetime → integer nanoseconds since the epoch."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def docker_since(ns: int) -> str:
    """Nanoseconds since the epoch → Docker's ``since``/``until`` form ``<secs>.<nanos>``."""
    return f"{ns // _NANOS}.{ns % _NANOS:09d}"


class LogLineSplitter:
    """Turns Docker's ``timestamps=True`` log chunks into (UTC time, line) pairs.

    A chunk may hold several lines or part of one; lines are ``<RFC 3339 nano time> <text>\\n``
    and the text loses its trailing ``\\n`` (and ``\\r``, as a TTY writes ``\\r\\n``). Bytes that
    are not UTF-8 are replaced. A line without a parsable time is skipped.
    """

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> Iterator[tuple[datetime, str]]:
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        for line in lines:
            parsed = _parse(line)
            if parsed is not None:
                yield parsed

    def flush(self) -> Iterator[tuple[datetime, str]]:
        rest, self._pending = self._pending, b""
        parsed = _parse(rest) if rest else None
        if parsed is not None:
            yield parsed


def _parse(line: bytes) -> tuple[datetime, str] | None:
    stamp, _, text = line.partition(b" ")
    try:
        at = docker_time(stamp.decode("ascii"))
    except ValueError:
        return None
    if at is None:
        return None
    return at, text.decode("utf-8", errors="replace").removesuffix("\r")
