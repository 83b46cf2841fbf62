"""The service controller: runs reconcile steps, one serial worker per service, parallel
across services.

::

    wake(keys) ──┐   (API writes, agent reports, instance changes)
    sweep ───────┼─▶ due-time heap ─▶ N worker threads ─▶ ServiceStepApplier.step(key)
    next check ──┘                      (a key is never stepped by two threads at once)

A service is stepped again when something wakes it, when its plan names a time (40-second
rule, grace period, restart throttle), soon after a step that acted, and at least every
:data:`SWEEP_SECONDS` (the safety net for other control planes' changes and lost wakes). The
sweep lists every service but schedules only those neither running nor due within the next
:data:`SWEEP_SECONDS`: a service this controller is already looking after costs it
nothing (during a fleet-wide redeploy, sweeping all of them made a probe per service per
sweep on top of their own schedule).
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from dockyard.control.service_applier import ServiceStepApplier, StepOutcome
from dockyard.infra.clock import Clock
from dockyard.store.repositories.services import ServiceKey

log = logging.getLogger("dockyard.services")

SWEEP_SECONDS = 15.0
"""Every service is looked at this often even when nothing wakes it."""
ACTED_RECHECK_SECONDS = 1.0
"""After a step that started or stopped tasks, look again this soon (placement retries)."""
UNSETTLED_RECHECK_SECONDS = 10.0
"""A service not yet steady is looked at this often even without wakes (a safety net: clock
driven changes come with the plan's own next check, task changes with agent reports)."""
WAKE_DELAY_SECONDS = 0.25
"""Wakes are coalesced for this long, so a burst of agent reports (a deployment's tasks all
reaching RUNNING) makes one step, not one per report."""
ERROR_RETRY_SECONDS = 5.0


class ServiceController:
    """Schedules and runs :class:`ServiceStepApplier` steps on worker threads."""

    def __init__(
        self,
        applier: ServiceStepApplier,
        *,
        clock: Clock,
        list_keys: Callable[[], list[ServiceKey]],
        on_woken: Callable[[frozenset[str]], None],
        workers: int = 2,
    ) -> None:
        self._applier = applier
        self._clock = clock
        self._list_keys = list_keys
        self._on_woken = on_woken
        self._workers = workers
        self._cond = threading.Condition()
        self._heap: list[tuple[float, ServiceKey]] = []
        self._due: dict[ServiceKey, float] = {}
        self._running: set[ServiceKey] = set()
        self._known: set[ServiceKey] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        for n in range(self._workers):
            self._spawn(self._work, f"service-worker-{n}")
        self._spawn(self._sweep, "service-sweeper")

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def wake(self, keys: Iterable[ServiceKey]) -> None:
        at = time.monotonic() + WAKE_DELAY_SECONDS
        with self._cond:
            for key in keys:
                self._known.add(key)
                self._schedule(key, at)
            self._cond.notify_all()

    def wake_all(self) -> None:
        """Every known service (load-balancer health changed somewhere)."""
        with self._cond:
            keys = list(self._known)
        self.wake(keys)

    def wake_cluster(self, region: str, cluster: str) -> None:
        with self._cond:
            keys = [k for k in self._known if k[0] == region and k[1] == cluster]
        self.wake(keys)

    def run_step(self, key: ServiceKey) -> StepOutcome:
        """One step now, on the calling thread (tests, the crash harness)."""
        return self._applier.step(key)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _schedule(self, key: ServiceKey, at: float) -> None:
        """Caller holds the lock. Keeps the earliest due time of a key."""
        if key in self._due and self._due[key] <= at:
            return
        self._due[key] = at
        heapq.heappush(self._heap, (at, key))

    def _next(self) -> ServiceKey | None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                key = self._pop_due(now)
                if key is not None:
                    self._running.add(key)
                    return key
                wait = self._heap[0][0] - now if self._heap else 1.0
                self._cond.wait(timeout=max(0.005, min(wait, 1.0)))
            return None

    def _pop_due(self, now: float) -> ServiceKey | None:
        deferred = []
        found = None
        while self._heap and self._heap[0][0] <= now:
            at, key = heapq.heappop(self._heap)
            if self._due.get(key) != at:
                continue  # superseded by an earlier schedule
            if key in self._running:
                deferred.append((at, key))
                continue
            del self._due[key]
            found = key
            break
        for item in deferred:
            heapq.heappush(self._heap, item)
        if found is None and deferred:
            # only busy keys are due: look again shortly, not in a tight loop
            return None
        return found

    def _work(self) -> None:
        while True:
            key = self._next()
            if key is None:
                return
            delay = self._step(key)
            with self._cond:
                self._running.discard(key)
                if delay is not None:
                    self._schedule(key, time.monotonic() + delay)
                else:
                    self._known.discard(key)
                self._cond.notify_all()

    def _step(self, key: ServiceKey) -> float | None:
        """Run one step; the delay until the next one (None: the service is done)."""
        try:
            outcome = self._applier.step(key)
        except Exception:
            log.exception("service %s: reconcile step failed", key[2])
            return ERROR_RETRY_SECONDS
        if outcome.woken:
            self._on_woken(outcome.woken)
        if not outcome.pending:
            return None
        return _delay(outcome, self._clock.now())

    def _sweep(self) -> None:
        while True:
            try:
                keys = self._list_keys()
            except Exception:
                log.exception("listing services failed")
                keys = []
            at = time.monotonic()
            with self._cond:
                for key in keys:
                    self._known.add(key)
                    if not self._looked_after(key, at):
                        self._schedule(key, at)
                self._cond.notify_all()
                self._cond.wait_for(lambda: self._stopping, timeout=SWEEP_SECONDS)
                if self._stopping:
                    return

    def _looked_after(self, key: ServiceKey, now: float) -> bool:
        """Caller holds the lock. Running, or due within the next sweep interval (a step always
        schedules the next within it, see :func:`_delay`): the sweep need not add a step."""
        if key in self._running:
            return True
        due = self._due.get(key)
        return due is not None and due - now <= SWEEP_SECONDS


def _delay(outcome: StepOutcome, now: datetime) -> float:
    delay = SWEEP_SECONDS
    if not outcome.steady:
        delay = UNSETTLED_RECHECK_SECONDS
    if outcome.acted:
        delay = ACTED_RECHECK_SECONDS
    if outcome.next_check_at is not None:
        delay = min(delay, max(0.0, (outcome.next_check_at - now).total_seconds()) + 0.01)
    return delay
