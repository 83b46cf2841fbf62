"""The audit trail's writer: every call is recorded without slowing the call down.

::

    request thread ──record()──► bounded in-memory queue ──(flusher thread, every
    FLUSH_SECONDS)──► one INSERT … VALUES batch per flush ──► audit_events
                                                  └── daily: prune events older than RETENTION

``record`` only appends to a deque (no I/O on the request path). A crash loses at most the last
:data:`FLUSH_SECONDS` of events; ``stop`` flushes what is queued. When the queue is full (the
store is unreachable for long) the oldest unwritten events are dropped and counted, rather than
holding memory without bound. Retention is CloudTrail's event history: 90 days.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from datetime import datetime, timedelta

from dockyard.domain.audit import AuditEvent
from dockyard.infra.clock import Clock
from dockyard.store import Store
from dockyard.store.repositories.audit import AuditRepository

log = logging.getLogger("dockyard.audit")

FLUSH_SECONDS = 0.5
MAX_QUEUED = 100_000
RETENTION = timedelta(days=90)
PRUNE_EVERY = timedelta(hours=6)


class AuditTrail:
    """Queues audit events and writes them in batches on its own thread."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._queue: deque[AuditEvent] = deque(maxlen=MAX_QUEUED)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._last_prune: datetime | None = None
        self.dropped = 0

    def record(self, event: AuditEvent) -> None:
        if len(self._queue) == MAX_QUEUED:
            self.dropped += 1
        self._queue.append(event)
        if self._thread is None:
            self.start()

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._run, name="dockyard-audit", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=10)
        self.flush()

    def flush(self) -> int:
        """Write everything queued now; returns how many events were written."""
        batch: list[AuditEvent] = []
        while self._queue:
            try:
                batch.append(self._queue.popleft())
            except IndexError:
                break
        if batch:
            try:
                self._store.write(lambda uow: AuditRepository(uow.session).append(batch))
            except Exception:
                log.exception("could not write %d audit events; kept for retry", len(batch))
                self._queue.extendleft(reversed(batch))
                return 0
        return len(batch)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            self.flush()
            self._prune_now_and_then()

    def _prune_now_and_then(self) -> None:
        now = self._clock.now()
        if self._last_prune is not None and now - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = now
        try:
            removed = self._store.write(
                lambda uow: AuditRepository(uow.session).prune(now - RETENTION)
            )
        except Exception:
            log.exception("pruning the audit trail failed")
            return
        if removed:
            log.info("pruned %d audit events older than %s", removed, RETENTION)
