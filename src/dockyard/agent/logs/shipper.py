"""``LogShipper``: ships one container's log lines to CloudWatch Logs (the imperative shell).

::

    lines (blocking iterator) ──► reader thread ──► bounded buffer ──► sender thread
                                  split long lines   drop oldest       take_batch → put_log_events
                                                     when full         every ≤ 1 s or when a batch
                                                                       is full; back-off on errors

The transport is three callables (:class:`LogsTransport`), so this module imports neither the
Docker SDK nor boto3; time (``clock``) is injected. Invariant: no transport error ends the
threads; events leave the buffer only once CloudWatch accepted (or explicitly rejected) them,
or when the bounded buffer overflows (oldest first, counted in ``dropped``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dockyard.agent.logs.batching import split_message, take_batch
from dockyard.domain.logs import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, InputEvent, event_size

log = logging.getLogger("dockyard.agent.logs")

FLUSH_INTERVAL_SECONDS = 1.0
"""A line waits at most this long in the buffer (when the transport is healthy)."""

MAX_BUFFERED_EVENTS = 100_000
"""Ten full batches by count: enough to ride out a control-plane restart of some seconds at a
busy container's rate, bounded so a long outage cannot exhaust the agent's memory."""

BACKOFF_INITIAL_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 30.0
"""Retry delays double from 0.5 s to at most 30 s: quick after a blip, gentle in an outage."""

CLOSE_TIMEOUT_SECONDS = 30.0
"""After the lines end (container stopped), how long the sender keeps retrying the rest."""


@dataclass(frozen=True, slots=True)
class LogsTransport:
    """The three CloudWatch Logs calls the shipper makes. Any may raise; ``create_*`` failing
    with ResourceAlreadyExistsException counts as success (see :func:`already_exists`)."""

    put_log_events: Callable[[str, str, Sequence[InputEvent]], Mapping[str, Any] | None]
    create_log_group: Callable[[str], object]
    create_log_stream: Callable[[str, str], object]

    @staticmethod
    def for_client(client: Any) -> LogsTransport:
        """Adapt a boto3-style ``logs`` client (duck-typed; nothing is imported)."""
        return LogsTransport(
            put_log_events=lambda group, stream, events: client.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": e.timestamp, "message": e.message} for e in events],
            ),
            create_log_group=lambda group: client.create_log_group(logGroupName=group),
            create_log_stream=lambda group, stream: client.create_log_stream(
                logGroupName=group, logStreamName=stream
            ),
        )


def already_exists(error: BaseException) -> bool:
    """True for a ResourceAlreadyExistsException, told by botocore's ``response`` or by name."""
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code == "ResourceAlreadyExistsException" or type(error).__name__ == (
        "ResourceAlreadyExistsException"
    )


class LogShipper:
    """Ships one container's lines to ``group``/``stream``; see the module docstring."""

    def __init__(
        self,
        *,
        group: str,
        stream: str,
        transport: LogsTransport,
        create_group: bool = False,
        clock: Callable[[], float] = time.monotonic,
        flush_interval: float = FLUSH_INTERVAL_SECONDS,
        max_buffered_events: int = MAX_BUFFERED_EVENTS,
        close_timeout: float = CLOSE_TIMEOUT_SECONDS,
    ) -> None:
        self.group, self.stream = group, stream
        self._transport = transport
        self._create_group = create_group
        self._clock = clock
        self._flush_interval = flush_interval
        self._close_timeout = close_timeout
        self._buffer: deque[InputEvent] = deque()
        self._buffered_bytes = 0
        self._max_buffered = max_buffered_events
        self._cond = threading.Condition()
        self._closed_at: float | None = None
        self._ready = False  # group (if asked) and stream exist
        self._failures = 0
        self._retry_at = 0.0
        self.dropped = 0
        self.rejected = 0
        self.shipped = 0

    # --- feeding ----------------------------------------------------------------------------

    def offer(self, timestamp_ms: int, message: str) -> None:
        """Buffer one line (split if too long); drops the oldest events when full."""
        with self._cond:
            for event in split_message(timestamp_ms, message):
                if len(self._buffer) >= self._max_buffered:
                    self._buffered_bytes -= event_size(self._buffer.popleft().message)
                    self.dropped += 1
                self._buffer.append(event)
                self._buffered_bytes += event_size(event.message)
            if self._full():
                self._cond.notify_all()

    def close(self) -> None:
        """No more lines: the sender ships what is left (retrying up to the close timeout)."""
        with self._cond:
            self._closed_at = self._clock()
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._buffer)

    # --- sending ----------------------------------------------------------------------------

    def ship_once(self) -> bool:
        """Send one batch now if there is one and no back-off is pending. True on progress
        (a batch accepted); False on nothing to do, back-off, or a transport error."""
        if self._clock() < self._retry_at:
            return False
        with self._cond:
            batch = take_batch(self._buffer)
        if not batch:
            return False
        try:
            self._ensure_resources()
            result = self._transport.put_log_events(self.group, self.stream, batch)
        except Exception as error:  # any transport failure is retried, never raised
            self._on_failure(error)
            return False
        self._on_success(batch, result)
        return True

    def run(self, lines: Iterable[tuple[int, str]]) -> None:
        """Read ``lines`` to their end on this thread while a sender thread ships; returns
        once everything is shipped or the close timeout is spent. Never raises for transport
        errors; an error reading ``lines`` is logged and ends the input."""
        sender = threading.Thread(target=self.send_loop, name=f"logs:{self.stream}", daemon=True)
        sender.start()
        try:
            for timestamp_ms, message in lines:
                self.offer(timestamp_ms, message)
        except Exception:
            log.exception("reading the log lines of %s failed", self.stream)
        finally:
            self.close()
            sender.join()

    def send_loop(self) -> None:
        """Ship batches until closed and drained (or the close timeout is spent)."""
        while True:
            while self.ship_once():
                pass
            with self._cond:
                if self._closed_at is not None and (
                    not self._buffer or self._clock() - self._closed_at > self._close_timeout
                ):
                    if self._buffer:
                        log.warning(
                            "giving up on %d log events of %s", len(self._buffer), self.stream
                        )
                    return
                if not self._full() or self._clock() < self._retry_at:
                    self._cond.wait(timeout=self._wait_seconds())

    # --- internals ---------------------------------------------------------------------------

    def _full(self) -> bool:
        return len(self._buffer) >= MAX_BATCH_EVENTS or self._buffered_bytes >= MAX_BATCH_BYTES

    def _wait_seconds(self) -> float:
        backoff = self._retry_at - self._clock()
        return max(0.001, backoff if backoff > 0 else self._flush_interval)

    def _ensure_resources(self) -> None:
        if self._ready:
            return
        if self._create_group:
            _create(lambda: self._transport.create_log_group(self.group))
        _create(lambda: self._transport.create_log_stream(self.group, self.stream))
        self._ready = True

    def _on_success(self, batch: list[InputEvent], result: Mapping[str, Any] | None) -> None:
        with self._cond:
            for _ in batch:
                self._buffered_bytes -= event_size(self._buffer.popleft().message)
        self.shipped += len(batch)
        self._failures = 0
        self._retry_at = 0.0
        info = (result or {}).get("rejectedLogEventsInfo")
        if info:
            self.rejected += _rejected_count(info, len(batch))
            log.warning("CloudWatch rejected events of %s: %s", self.stream, info)

    def _on_failure(self, error: Exception) -> None:
        self._failures += 1
        delay = min(BACKOFF_MAX_SECONDS, BACKOFF_INITIAL_SECONDS * 2 ** (self._failures - 1))
        self._retry_at = self._clock() + delay
        if "ResourceNotFound" in type(error).__name__ or "ResourceNotFound" in str(error):
            self._ready = False  # group or stream gone: create again next time
        log.warning("shipping logs of %s failed (retry in %.1f s): %s", self.stream, delay, error)


def _create(call: Callable[[], object]) -> None:
    try:
        call()
    except Exception as error:
        if not already_exists(error):
            raise


def _rejected_count(info: Mapping[str, int], size: int) -> int:
    old = max(info.get("tooOldLogEventEndIndex", -1), info.get("expiredLogEventEndIndex", -1))
    new = info.get("tooNewLogEventStartIndex", size)
    return (old + 1) + (size - new)
