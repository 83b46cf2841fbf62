"""The alarm loop on a real SQLite store with a fake clock: transitions, history, actions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dockyard.api.cloudwatch import state_hooks
from dockyard.control.alarm_controller import AlarmController, seconds_to_next_evaluation
from dockyard.domain.alarms import Alarm, AlarmEvaluation
from dockyard.domain.metrics import dimensions_key
from dockyard.infra.clock import FakeClock
from dockyard.store import Store
from dockyard.store.repositories.alarms import AlarmRepository
from dockyard.store.repositories.metrics import MetricRepository, StoredPoint

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:resource/ecs/service/d/w:policyName/p"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops"
DIMS = (("ServiceName", "web"),)
ALARM = Alarm(
    name="high",
    namespace="AWS/ECS",
    metric_name="CPUUtilization",
    dimensions=DIMS,
    statistic="Average",
    period=10,
    evaluation_periods=3,
    datapoints_to_alarm=3,
    threshold=50.0,
    comparison="GreaterThanThreshold",
    alarm_actions=(POLICY, TOPIC),
    ok_actions=(TOPIC,),
)


@dataclass
class RecordingSink:
    calls: list[tuple[str, str, float | None]] = field(default_factory=list)

    def fire(
        self, action_arn: str, alarm: Alarm, new_state: str, evaluation: AlarmEvaluation
    ) -> None:
        if action_arn == TOPIC and new_state == "OK":
            raise RuntimeError("topic is down")
        self.calls.append((action_arn, new_state, evaluation.latest_value))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'd.db'}")
    s.write(lambda uow: AlarmRepository(uow.session).put("us-east-1", ALARM, T0))
    yield s
    s.dispose()


def put(store: Store, at: datetime, value: float) -> None:
    p = StoredPoint(
        "AWS/ECS", "CPUUtilization", dimensions_key(DIMS), at, "Percent", value, 1, value, value
    )
    store.write(lambda uow: MetricRepository(uow.session).put_many("us-east-1", [p]))


def test_transitions_history_and_repeated_policy_actions(store: Store) -> None:
    clock, sink = FakeClock(T0), RecordingSink()
    controller = AlarmController(store, sink, clock=clock, evaluation_interval=10)
    [first] = controller.tick()
    assert first.state == "INSUFFICIENT_DATA" and not first.changed and sink.calls == []
    for i in range(4):
        put(store, T0 + timedelta(seconds=10 * i + 1), 80.0 + i)
    clock.advance(40)
    [ev] = controller.tick()
    assert ev.state == "ALARM" and ev.changed and ev.values == (81.0, 82.0, 83.0)
    assert sink.calls == [(POLICY, "ALARM", 83.0), (TOPIC, "ALARM", 83.0)]
    put(store, T0 + timedelta(seconds=41), 90.0)
    clock.advance(10)
    controller.tick()
    assert sink.calls[-1] == (POLICY, "ALARM", 90.0) and len(sink.calls) == 3  # policy only
    for i in range(3):
        put(store, T0 + timedelta(seconds=51 + 10 * i), 1.0)
    clock.advance(30)
    [ok] = controller.tick()
    assert ok.state == "OK" and len(sink.calls) == 3  # the OK action failed
    stored = store.read(lambda uow: AlarmRepository(uow.session).get("us-east-1", "high"))
    assert stored is not None and stored.state == "OK"
    assert stored.state_reason.startswith("Threshold Crossed: 0 out of the last 3")
    history = store.read(lambda uow: AlarmRepository(uow.session).history("us-east-1", name="high"))
    kinds = [h.kind for h in history]
    assert kinds.count("StateUpdate") == 2 and kinds.count("Action") == 4
    assert history[0].summary.startswith("Failed to execute action") or history[
        1
    ].summary.startswith("Failed to execute action")


def test_disabled_actions_change_state_without_firing(store: Store) -> None:
    store.write(
        lambda uow: AlarmRepository(uow.session).set_actions_enabled("us-east-1", ["high"], False)
    )
    for i in range(3):
        put(store, T0 + timedelta(seconds=10 * i), 99.0)
    sink = RecordingSink()
    [ev] = AlarmController(store, sink, clock=FakeClock(T0 + timedelta(seconds=30))).tick()
    assert ev.state == "ALARM" and sink.calls == []


def test_start_stop_runs_ticks_in_the_background(store: Store) -> None:
    controller = AlarmController(
        store, RecordingSink(), clock=FakeClock(T0), evaluation_interval=0.01
    )
    controller.start()
    controller.stop()


def test_a_state_set_through_the_api_fires_its_actions_on_the_next_tick(store: Store) -> None:
    clock, sink = FakeClock(T0), RecordingSink()
    controller = AlarmController(store, sink, clock=clock)
    controller.tick()  # INSUFFICIENT_DATA, no data
    store.write(
        lambda uow: AlarmRepository(uow.session).set_state(
            "us-east-1", "high", "ALARM", "manual", None, T0
        )
    )
    clock.advance(10)
    controller.tick()  # fires ALARM's actions, then evaluates back to INSUFFICIENT_DATA
    assert sink.calls == [(POLICY, "ALARM", None), (TOPIC, "ALARM", None)]
    stored = store.read(lambda uow: AlarmRepository(uow.session).get("us-east-1", "high"))
    assert stored is not None and stored.state == "INSUFFICIENT_DATA"


def _set(store: Store, state: str) -> None:
    store.write(
        lambda uow: AlarmRepository(uow.session).set_state(
            "us-east-1", "high", state, "manual", None, T0
        )
    )


def test_a_state_set_through_the_hook_fires_at_once_between_evaluations(store: Store) -> None:
    sink = RecordingSink()
    controller = AlarmController(store, sink, clock=FakeClock(T0), evaluation_interval=3600)
    controller.start()
    try:
        _set(store, "ALARM")
        controller.state_set("us-east-1", "high", "INSUFFICIENT_DATA", "ALARM")
        deadline = time.monotonic() + 5
        while len(sink.calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        controller.stop()
    assert sink.calls == [(POLICY, "ALARM", None), (TOPIC, "ALARM", None)]
    history = store.read(
        lambda uow: AlarmRepository(uow.session).history("us-east-1", name="high", kind="Action")
    )
    assert len(history) == 2
    controller.tick()  # the loop already fired this state: the evaluation does not fire it again
    assert len(sink.calls) == 2


def test_a_state_already_replaced_by_an_evaluation_fires_nothing(store: Store) -> None:
    sink = RecordingSink()
    controller = AlarmController(store, sink, clock=FakeClock(T0))
    _set(store, "OK")
    controller.state_set("us-east-1", "high", "INSUFFICIENT_DATA", "ALARM")
    controller.state_set("us-east-1", "gone", "OK", "ALARM")
    assert controller.fire_state_changes() == 0 and sink.calls == []


def test_state_hooks_reach_the_listener_only_on_a_change() -> None:
    calls: list[tuple[str, str, str, str]] = []

    class Listener:
        def state_set(self, region: str, name: str, previous: str, state: str) -> None:
            calls.append((region, name, previous, state))
            if name == "boom":
                raise RuntimeError("listener failed")

    state_hooks.configure(Listener())
    try:
        state_hooks.state_set("r", "a", "OK", "ALARM")
        state_hooks.state_set("r", "a", "ALARM", "ALARM")  # no transition: no actions on AWS
        state_hooks.state_set("r", "boom", "OK", "ALARM")  # logged, not raised
    finally:
        state_hooks.configure(None)
    state_hooks.state_set("r", "b", "OK", "ALARM")  # nobody listens
    assert calls == [("r", "a", "OK", "ALARM"), ("r", "boom", "OK", "ALARM")]


@pytest.mark.parametrize(
    ("now_s", "interval", "expected"),
    [
        (100.0, 5.0, 5.5),  # on a boundary: the next one, not this one
        (101.0, 5.0, 4.5),
        (104.9, 5.0, 0.6),
        (119.5, 60.0, 1.0),
    ],
)
def test_evaluations_follow_period_boundaries(
    now_s: float, interval: float, expected: float
) -> None:
    now = datetime.fromtimestamp(now_s, tz=UTC)
    assert seconds_to_next_evaluation(now, interval) == pytest.approx(expected)
