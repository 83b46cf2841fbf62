"""The scaling controller on a real SQLite store with fake ECS ports and a fake clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from tests.unit.reconcile.reconcile_support import service

from dockyard.control.scaling_controller import (
    PolicyTrigger,
    ScalingController,
    StoreServiceState,
    UnknownScalingPolicy,
)
from dockyard.domain.autoscaling import (
    ScalableTarget,
    ScalingPolicy,
    ScalingState,
    ScheduledAction,
    StepAdjustment,
    StepScalingConfig,
    SuspendedState,
    TargetTrackingConfig,
)
from dockyard.domain.autoscaling_alarms import predefined_metric
from dockyard.domain.service import RolloutState
from dockyard.infra.clock import FakeClock
from dockyard.store import Store
from dockyard.store.repositories.autoscaling import AutoScalingRepository

T0 = datetime(2026, 1, 1, tzinfo=UTC)
R = "us-east-1"
RID = "service/c1/web"


class FakeEcs:
    """ServiceState + DesiredCountWriter over one in-memory service."""

    def __init__(self, desired: int, running: int | None = None) -> None:
        self.desired = desired
        self.running = desired if running is None else running
        self.deploying = False
        self.calls: list[tuple[int, str]] = []
        self.woken: tuple[str, str, str] | None = None

    def read(self, region: str, cluster: str, service: str) -> tuple[int, int, bool]:
        assert (region, cluster, service) == (R, "c1", "web")
        return self.desired, self.running, self.deploying

    def set_desired(
        self, uow: object, region: str, cluster: str, service: str, desired: int, cause: str
    ) -> None:
        self.desired = self.running = desired
        self.calls.append((desired, cause))

    def committed(self, region: str, cluster: str, service: str) -> None:
        self.woken = (region, cluster, service)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'as.db'}")
    yield s
    s.dispose()


def setup(store: Store, ecs: FakeEcs, clock: FakeClock, *items: object) -> ScalingController:
    def write(uow):  # type: ignore[no-untyped-def]
        r = AutoScalingRepository(uow.session)
        r.put_target(ScalableTarget(R, RID, 1, 10, "arn:target", T0))
        for item in items:
            if isinstance(item, ScalingPolicy):
                r.put_policy(item)
            elif isinstance(item, ScheduledAction):
                r.put_action(item)

    store.write(write)
    ids = count(1)
    return ScalingController(
        store, clock=clock, writer=ecs, services=ecs, new_id=lambda: f"act-{next(ids)}"
    )


CPU = ScalingPolicy(
    R,
    RID,
    "cpu",
    "arn:cpu",
    "TargetTrackingScaling",
    T0,
    target=TargetTrackingConfig(
        50.0, predefined_metric("ECSServiceAverageCPUUtilization", None, "c1", "web")
    ),
)
MEM = ScalingPolicy(
    R,
    RID,
    "mem",
    "arn:mem",
    "TargetTrackingScaling",
    T0,
    target=TargetTrackingConfig(
        60.0, predefined_metric("ECSServiceAverageMemoryUtilization", None, "c1", "web")
    ),
)
STEP = ScalingPolicy(
    R,
    RID,
    "step",
    "arn:step",
    "StepScaling",
    T0,
    step=StepScalingConfig(
        "PercentChangeInCapacity",
        (StepAdjustment(0, 10, 0), StepAdjustment(10, 20, 10), StepAdjustment(20, None, 30)),
        cooldown=0,
    ),
)


def trig(
    arn: str, alarm: str, value: float, threshold: float, at: datetime, state: str = "ALARM"
) -> PolicyTrigger:
    return PolicyTrigger(arn, alarm, state, value, threshold, at)


def activities(store: Store) -> list:
    return store.read(lambda uow: AutoScalingRepository(uow.session).list_activities(R))


def test_target_tracking_scale_out_records_activity(store: Store) -> None:
    ecs, clock = FakeEcs(2), FakeClock(T0)
    ctl = setup(store, ecs, clock, CPU)
    act = ctl.fire(trig("arn:cpu", "TargetTracking-service/c1/web-AlarmHigh-x", 100, 50, T0))
    assert ecs.desired == 4
    assert act is not None and act.description == "Setting desired count to 4."
    assert act.cause == (
        "monitor alarm TargetTracking-service/c1/web-AlarmHigh-x in state ALARM "
        "triggered policy cpu"
    )
    assert [a.activity_id for a in activities(store)] == ["act-1"]
    assert ecs.woken == (R, "c1", "web")  # after the commit


def test_step_worked_example_through_controller(store: Store) -> None:
    ecs, clock = FakeEcs(10), FakeClock(T0)
    ctl = setup(store, ecs, clock, STEP)
    ctl.fire(trig("arn:step", "my-alarm", 60, 50, T0))
    assert ecs.desired == 10  # clamped to max 10 would hide the example; max is 10
    store.write(
        lambda uow: AutoScalingRepository(uow.session).put_target(
            ScalableTarget(R, RID, 1, 100, "arn:target", T0)
        )
    )
    ctl.fire(trig("arn:step", "my-alarm", 60, 50, T0 + timedelta(seconds=1)))
    ctl.fire(trig("arn:step", "my-alarm", 70, 50, T0 + timedelta(seconds=2)))
    assert [d for d, _ in ecs.calls] == [11, 14]


def test_target_tracking_scale_in_needs_every_policy(store: Store) -> None:
    ecs, clock = FakeEcs(8), FakeClock(T0)
    ctl = setup(store, ecs, clock, CPU, MEM)
    low_cpu = "TargetTracking-service/c1/web-AlarmLow-c"
    low_mem = "TargetTracking-service/c1/web-AlarmLow-m"
    assert ctl.fire(trig("arn:cpu", low_cpu, 20, 45, T0)) is None
    assert ecs.desired == 8
    ctl.fire(trig("arn:mem", low_mem, 30, 54, T0 + timedelta(seconds=1)))
    assert ecs.desired == 4  # cpu wants ceil(8*20/50)=4, mem ceil(8*30/60)=4
    ctl.fire(trig("arn:mem", low_mem, 30, 54, T0, state="OK"))
    assert ctl.fire(trig("arn:cpu", low_cpu, 10, 45, T0 + timedelta(seconds=900))) is None


def test_scale_in_waits_for_deployment(store: Store) -> None:
    ecs, clock = FakeEcs(8), FakeClock(T0)
    ctl = setup(store, ecs, clock, CPU)
    ecs.deploying = True
    assert ctl.fire(trig("arn:cpu", "TargetTracking-x-AlarmLow-c", 20, 45, T0)) is None
    ecs.deploying = False
    assert ctl.fire(trig("arn:cpu", "TargetTracking-x-AlarmLow-c", 20, 45, T0)) is not None


def test_unknown_policy_and_non_alarm_states_are_ignored(store: Store) -> None:
    ecs, clock = FakeEcs(2), FakeClock(T0)
    ctl = setup(store, ecs, clock, CPU)
    with pytest.raises(UnknownScalingPolicy, match="arn:gone"):
        ctl.fire(trig("arn:gone", "a", 100, 50, T0))
    assert ctl.fire(trig("arn:cpu", "x-AlarmHigh-y", 100, 50, T0, state="OK")) is None
    assert ecs.calls == []


def test_scheduled_action_fires_on_time_and_repeats(store: Store) -> None:
    ecs, clock = FakeEcs(2), FakeClock(T0)
    action = ScheduledAction(
        R,
        RID,
        "morning",
        "arn:sa",
        "rate(1 hour)",
        T0,
        min_capacity=5,
        next_fire=T0 + timedelta(hours=1),
    )
    ctl = setup(store, ecs, clock, action)
    assert ctl.tick() == 0
    clock.advance(3600)
    assert ctl.tick() == 1
    assert ecs.desired == 5
    target = store.read(lambda uow: AutoScalingRepository(uow.session).get_target(R, RID))
    assert target is not None and (target.min_capacity, target.max_capacity) == (5, 10)
    saved = store.read(lambda uow: AutoScalingRepository(uow.session).get_action(R, RID, "morning"))
    assert saved is not None and saved.next_fire == T0 + timedelta(hours=2)
    act = activities(store)[0]
    assert (
        act.description
        == "Setting min capacity to 5 and max capacity to 10. Setting desired count to 5."
    )
    assert act.cause == "scheduled action name morning was triggered"


def test_clamp_after_reregistration(store: Store) -> None:
    ecs, clock = FakeEcs(12), FakeClock(T0)
    ctl = setup(store, ecs, clock)
    store.write(
        lambda uow: AutoScalingRepository(uow.session).put_target(
            ScalableTarget(R, RID, 1, 10, "arn:target", T0, state=ScalingState(clamp_pending=True))
        )
    )
    ctl.tick()
    assert ecs.desired == 10
    ctl.tick()
    assert len(ecs.calls) == 1


def test_start_stop_runs_ticks(store: Store) -> None:
    ecs, clock = FakeEcs(1), FakeClock(T0)
    action = ScheduledAction(
        R, RID, "now", "arn:sa", "at(2026-01-01T00:00:00)", T0, min_capacity=3, next_fire=T0
    )
    ctl = setup(store, ecs, clock, action)
    ctl._interval = 0.01
    ctl.start()
    try:
        deadline = time.monotonic() + 5
        while ecs.desired != 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        ctl.stop()
    assert ecs.desired == 3


class BrokenWriter(FakeEcs):
    def set_desired(
        self, uow: object, region: str, cluster: str, service: str, desired: int, cause: str
    ) -> None:
        raise LookupError("service c1/web is not active")


def test_failed_write_records_failed_activity(store: Store) -> None:
    ecs, clock = BrokenWriter(2), FakeClock(T0)
    ctl = setup(store, ecs, clock, CPU)
    act = ctl.fire(trig("arn:cpu", "x-AlarmHigh-y", 100, 50, T0))
    assert act is not None and act.status == "Failed"
    assert "service c1/web is not active" in (act.status_message or "")
    assert activities(store)[0].status == "Failed"
    assert ecs.woken is None  # nothing changed: the service scheduler is not woken


def test_two_controllers_fire_a_scheduled_action_once(store: Store) -> None:
    ecs, clock = FakeEcs(2), FakeClock(T0)
    action = ScheduledAction(
        R, RID, "once", "arn:sa", "rate(1 hour)", T0, min_capacity=4, next_fire=T0
    )
    first = setup(store, ecs, clock, action)
    second = ScalingController(store, clock=clock, writer=ecs, services=ecs)
    first.tick()
    second.tick()
    assert [d for d, _ in ecs.calls] == [4]
    assert len(activities(store)) == 1


def test_suspended_scheduled_scaling_skips_but_advances(store: Store) -> None:
    ecs, clock = FakeEcs(2), FakeClock(T0)
    action = ScheduledAction(
        R, RID, "s", "arn:sa", "rate(1 hour)", T0, min_capacity=4, next_fire=T0
    )
    ctl = setup(store, ecs, clock, action)
    store.write(
        lambda uow: AutoScalingRepository(uow.session).put_target(
            ScalableTarget(
                R, RID, 1, 10, "arn:target", T0, suspended=SuspendedState(scheduled=True)
            )
        )
    )
    ctl.tick()
    assert ecs.calls == []
    saved = store.read(lambda uow: AutoScalingRepository(uow.session).get_action(R, RID, "s"))
    assert saved is not None and saved.next_fire == T0 + timedelta(hours=1)


class GoneService(FakeEcs):
    def read(self, region: str, cluster: str, service: str) -> tuple[int, int, bool]:
        if service == "gone":
            raise LookupError("service not found")
        return super().read(region, cluster, service)


def test_a_failing_target_does_not_hold_up_others(store: Store) -> None:
    ecs, clock = GoneService(2), FakeClock(T0)
    store.write(
        lambda uow: AutoScalingRepository(uow.session).put_target(
            ScalableTarget(
                R, "service/c1/gone", 5, 10, "arn:gone", T0, state=ScalingState(clamp_pending=True)
            )
        )
    )
    ctl = setup(store, ecs, clock)
    store.write(
        lambda uow: AutoScalingRepository(uow.session).put_target(
            ScalableTarget(R, RID, 5, 10, "arn:target", T0, state=ScalingState(clamp_pending=True))
        )
    )
    ctl.tick()
    assert ecs.desired == 5


def test_store_service_state(store: Store) -> None:
    rolling = service(desired=3, rolling=True)
    store.write(lambda uow: uow.services.add(rolling))
    state = StoreServiceState(store)
    assert state.read("us-east-1", "c", "api") == (3, 0, True)
    steady = replace(service(desired=2, rolling=False), name="steady")
    steady = replace(
        steady, deployments=(replace(steady.primary, rollout_state=RolloutState.COMPLETED),)
    )
    store.write(lambda uow: uow.services.add(steady))
    assert state.read("us-east-1", "c", "steady") == (2, 0, False)
    with pytest.raises(LookupError):
        state.read("us-east-1", "c", "nope")


def test_step_scale_in_is_outvoted_by_a_tracking_policy_wanting_out(store: Store) -> None:
    down = ScalingPolicy(
        R,
        RID,
        "down",
        "arn:down",
        "StepScaling",
        T0,
        step=StepScalingConfig("ChangeInCapacity", (StepAdjustment(None, 0, -1),), cooldown=0),
    )
    ecs, clock = FakeEcs(5), FakeClock(T0)
    ctl = setup(store, ecs, clock, CPU, down)
    high = "TargetTracking-service/c1/web-AlarmHigh-c"
    ctl.fire(trig("arn:cpu", high, 55, 50, T0))
    assert ecs.desired == 6
    assert ctl.fire(trig("arn:down", "low-traffic", 10, 20, T0 + timedelta(seconds=400))) is None
    ctl.fire(trig("arn:cpu", high, 40, 50, T0 + timedelta(seconds=401), state="OK"))
    assert (
        ctl.fire(trig("arn:down", "low-traffic", 10, 20, T0 + timedelta(seconds=402))) is not None
    )
    assert ecs.desired == 5
