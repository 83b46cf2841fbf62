"""Sends task state to the control plane: coalesced, batched, retried, in order per task.

A worker hands over its task's whole current state (:meth:`Reporter.submit`); if an older
state of the same task is still waiting, the newer one replaces it — the control plane folds
reports forward, so the latest state says everything the skipped one did. One sender thread
ships what is waiting in batches of up to :data:`MAX_BATCH`, one request per cluster, and puts
a failed batch back (unless newer state arrived meanwhile), retrying with back-off: reports
survive a control-plane restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from dockyard.agent.client import ControlPlane, ControlPlaneError

log = logging.getLogger("dockyard.agent")

__all__ = ["MAX_BATCH", "Reporter"]

MAX_BATCH = 500
"""Reports per request: one write transaction on the control plane; big enough for a burst of
a simulated agent's thousands of tasks, small enough to commit in well under a second."""

RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)
"""Back-off after consecutive failures (the last repeats)."""


class Reporter:
    def __init__(
        self,
        client: ControlPlane,
        *,
        on_acknowledged: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._client = client
        self._on_ack = on_acknowledged
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}  # task id → (cluster, report)
        self._cond = threading.Condition()
        self._in_flight = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="reporter", daemon=True)

    def start(self) -> Reporter:
        self._thread.start()
        return self

    def submit(self, task_id: str, cluster: str, report: dict[str, Any]) -> None:
        with self._cond:
            self._pending[task_id] = (cluster, report)
            self._cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Wait until nothing is pending or in flight; False if ``timeout`` ran out."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._in_flight, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self.flush(timeout)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                if self._stopping and not self._pending:
                    return
                batch = dict(list(self._pending.items())[:MAX_BATCH])
                for task_id in batch:
                    del self._pending[task_id]
                self._in_flight = len(batch)
            ok = self._send(batch)
            with self._cond:
                self._in_flight = 0
                if not ok:
                    for task_id, item in batch.items():
                        self._pending.setdefault(task_id, item)
                self._cond.notify_all()
            failures = 0 if ok else failures + 1
            if failures:
                with self._cond:
                    delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
                    self._cond.wait_for(lambda: self._stopping, delay)

    def _send(self, batch: dict[str, tuple[str, dict[str, Any]]]) -> bool:
        by_cluster: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for task_id, (cluster, report) in batch.items():
            by_cluster.setdefault(cluster, []).append((task_id, report))
        for cluster, items in by_cluster.items():
            try:
                self._client.report(cluster, [r for _, r in items])
            except ControlPlaneError as exc:
                log.warning("reporting %d task states failed: %s", len(items), exc)
                return False
            if self._on_ack is not None:
                for task_id, report in items:
                    self._on_ack(task_id, report)
        return True
