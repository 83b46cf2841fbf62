"""The alarm evaluation loop: every ``evaluation_interval`` seconds (aligned to the wall clock,
just after each multiple of it), evaluate every alarm.

::

    every interval ─► tick(): for each (region, alarm) in the store
        read the metric's points of the last N periods ─► period_values + evaluate (pure)
        state changed ─► set_state + StateUpdate history (one transaction per alarm)
        actions_to_fire (pure) ─► sink.fire(action_arn, alarm, new_state, evaluation)
                                   + an Action history item per call

Actions: on a transition, every action of the new state when ActionsEnabled; while an alarm
stays in ALARM, its Auto Scaling policy actions (ARNs containing ``:scalingPolicy:``) are
fired again on every evaluation, as AWS re-invokes scaling policies. SetAlarmState writes the
state and calls :meth:`AlarmController.state_set` (through ``api/cloudwatch/state_hooks``),
which wakes the loop: it fires the new state's actions at once, between evaluations, and the
next evaluation starts from that state. Without the hook (or after a restart), the next tick
sees a state it did not write and fires that state's actions as for a transition, up to one
interval late. A failing sink is logged and recorded in the history as a failed Action; it
never stops the loop.

Wiring::

    controller = AlarmController(store, sink, clock=clock, evaluation_interval=60.0)
    state_hooks.configure(controller)     # SetAlarmState's actions fire at once
    controller.start(); ...; controller.stop()
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from dockyard.domain.alarms import (
    Alarm,
    AlarmEvaluation,
    HistoryItem,
    actions_to_fire,
    evaluate,
    period_starts,
    period_values,
)
from dockyard.domain.metrics import aggregate, dimensions_key
from dockyard.infra.clock import Clock
from dockyard.store import Store
from dockyard.store.repositories.alarms import AlarmRepository
from dockyard.store.repositories.metrics import MetricRepository
from dockyard.store.uow import UnitOfWork

log = logging.getLogger(__name__)

__all__ = ["AlarmActionSink", "AlarmController", "seconds_to_next_evaluation"]

STOP_TIMEOUT = 10.0
"""Seconds stop() waits for a tick in progress (one tick is a few reads and writes)."""


EVALUATION_GRACE_SECONDS = 0.5
"""Evaluations run this long after a period boundary: the agents' last samples of the period
(sent as soon as taken) are in by then."""


def seconds_to_next_evaluation(now: datetime, interval: float) -> float:
    """From ``now`` to the next multiple of ``interval`` since the epoch, plus the grace. Pure."""
    seconds = now.timestamp()
    boundary = (seconds // interval + 1) * interval
    return boundary + EVALUATION_GRACE_SECONDS - seconds


class AlarmActionSink(Protocol):
    """Receives alarm actions (scaling policies; other ARNs may be ignored)."""

    def fire(
        self, action_arn: str, alarm: Alarm, new_state: str, evaluation: AlarmEvaluation
    ) -> None: ...


class AlarmController:
    """Evaluates alarms on a fixed interval with an injected clock; tests call :meth:`tick`."""

    def __init__(
        self,
        store: Store,
        sink: AlarmActionSink,
        *,
        clock: Clock,
        evaluation_interval: float = 60.0,
    ) -> None:
        self._store = store
        self._sink = sink
        self._clock = clock
        self._interval = evaluation_interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: dict[tuple[str, str], str] = {}
        self._set_lock = threading.Lock()
        self._set: list[tuple[str, str, str, str]] = []

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="alarm-controller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_TIMEOUT)
            self._thread = None

    def state_set(self, region: str, name: str, previous: str, state: str) -> None:
        """SetAlarmState moved ``name`` from ``previous`` to ``state`` (committed): queue the
        actions of that transition for the loop and wake it. Returns at once."""
        with self._set_lock:
            self._set.append((region, name, previous, state))
        self._wake.set()

    def _run(self) -> None:
        due = time.monotonic() + self._until_next_evaluation()
        while True:
            self._wake.wait(max(0.0, due - time.monotonic()))
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                self.fire_state_changes()
                if time.monotonic() >= due:
                    self.tick()
                    due = time.monotonic() + self._until_next_evaluation()
            except Exception:  # the loop must survive one bad tick; the next retries
                log.exception("alarm evaluation failed")

    def _until_next_evaluation(self) -> float:
        """Seconds to the next evaluation: just after the next wall-clock multiple of the
        interval, so a period is evaluated as soon as it is complete (periods are aligned to
        the epoch; an unaligned loop would add up to one interval of delay)."""
        return seconds_to_next_evaluation(self._clock.now(), self._interval)

    def fire_state_changes(self) -> int:
        """Fire the actions of the states queued by :meth:`state_set`; returns how many
        transitions fired. One that a later evaluation already replaced is skipped."""
        with self._set_lock:
            queued, self._set = self._set, []
        fired = 0
        for region, name, previous, state in queued:
            alarm = self._store.read(_getter(region, name))
            if alarm is None or alarm.state != state:
                continue
            now = self._clock.now()
            self.fire_actions(region, alarm, _set_evaluation(alarm, previous, now), now)
            self._seen[(region, name)] = state
            fired += 1
        return fired

    def tick(self) -> list[AlarmEvaluation]:
        """Evaluate every alarm once at the clock's now; returns the evaluations."""
        now = self._clock.now()
        alarms = self._store.read(lambda uow: AlarmRepository(uow.session).all())
        results = []
        for region, alarm in alarms:
            try:
                self._fire_if_set_externally(region, alarm, now)
                ev = self.evaluate_one(region, alarm, now)
                self._seen[(region, alarm.name)] = ev.state
                results.append(ev)
            except Exception:
                log.exception("evaluating alarm %s failed", alarm.name)
        live = {(region, alarm.name) for region, alarm in alarms}
        self._seen = {k: v for k, v in self._seen.items() if k in live}
        return results

    def _fire_if_set_externally(self, region: str, alarm: Alarm, now: datetime) -> None:
        seen = self._seen.get((region, alarm.name))
        if seen is None or seen == alarm.state:
            return
        self.fire_actions(region, alarm, _set_evaluation(alarm, seen, now), now)

    def evaluate_one(self, region: str, alarm: Alarm, now: datetime) -> AlarmEvaluation:
        starts = period_starts(alarm, now)
        end = starts[-1] + timedelta(seconds=alarm.period)
        key = dimensions_key(alarm.dimensions)

        def read(uow: UnitOfWork) -> list[float | None]:
            points = MetricRepository(uow.session).points(
                region, alarm.namespace, alarm.metric_name, key, starts[0], end
            )
            return period_values(alarm, aggregate(points, starts[0], alarm.period), starts)

        values = self._store.read(read)
        ev = evaluate(
            alarm, values, current_state=alarm.state, start_date=starts[0], query_date=now
        )
        if ev.changed:
            self._store.write(
                lambda uow: AlarmRepository(uow.session).record_transition(region, alarm, ev, now)
            )
        self.fire_actions(region, alarm, ev, now)
        return ev

    def fire_actions(self, region: str, alarm: Alarm, ev: AlarmEvaluation, now: datetime) -> None:
        """Call the sink for :func:`actions_to_fire` and record an Action history item each."""
        items = []
        for arn in actions_to_fire(alarm, ev):
            try:
                self._sink.fire(arn, alarm, ev.state, ev)
                summary, status = f"Successfully executed action {arn}", "Succeeded"
            except LookupError as exc:  # the action's target is gone: recorded, no traceback
                log.warning("alarm %s action %s failed: %s", alarm.name, arn, exc)
                summary = f"Failed to execute action {arn}. Received error: {exc}"
                status = "Failed"
            except Exception as exc:  # one failing action must not block the others
                log.exception("alarm %s action %s failed", alarm.name, arn)
                summary = f"Failed to execute action {arn}. Received error: {exc}"
                status = "Failed"
            data = json.dumps({"actionState": status, "notificationResource": arn})
            items.append(HistoryItem(alarm.name, now, "Action", summary, data))
        if items:
            self._store.write(lambda uow: _add_history(uow, region, items))


def _getter(region: str, name: str) -> Callable[[UnitOfWork], Alarm | None]:
    return lambda uow: AlarmRepository(uow.session).get(region, name)


def _set_evaluation(alarm: Alarm, previous: str, now: datetime) -> AlarmEvaluation:
    """The transition to a state set from outside (no datapoints behind it)."""
    return AlarmEvaluation(
        state=alarm.state,
        previous_state=previous,
        threshold=alarm.threshold,
        values=(),
        breaching=(),
        start_date=now,
        query_date=now,
        reason=alarm.state_reason,
    )


def _add_history(uow: UnitOfWork, region: str, items: list[HistoryItem]) -> None:
    repo = AlarmRepository(uow.session)
    for item in items:
        repo.add_history(region, item)
