"""AutoScalingRepository on SQLite and PostgreSQL: round trips, uniqueness, cascades, order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.autoscaling import (
    AlarmRef,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    ScalingState,
    ScheduledAction,
    StepAdjustment,
    StepScalingConfig,
    SuspendedState,
    TargetTrackingConfig,
)
from dockyard.domain.autoscaling_alarms import predefined_metric
from dockyard.store import Store
from dockyard.store.repositories.autoscaling import AutoScalingRepository
from dockyard.store.uow import UnitOfWork

T0 = datetime(2026, 1, 1, tzinfo=UTC)
R = "us-east-1"
RID = "service/c1/web"

TARGET = ScalableTarget(
    R,
    RID,
    1,
    10,
    "arn:t1",
    T0,
    role_arn="arn:role",
    suspended=SuspendedState(dynamic_in=True),
    state=ScalingState(T0, None, 2, True),
)
TT = ScalingPolicy(
    R,
    RID,
    "cpu",
    "arn:p:cpu",
    "TargetTrackingScaling",
    T0,
    target=TargetTrackingConfig(
        50.0,
        predefined_metric("ECSServiceAverageCPUUtilization", None, "c1", "web"),
        scale_in_cooldown=60,
        disable_scale_in=True,
    ),
    alarms=(AlarmRef("hi", "arn:cw:hi"), AlarmRef("lo", "arn:cw:lo")),
)
STEP = ScalingPolicy(
    R,
    RID,
    "step",
    "arn:p:step",
    "StepScaling",
    T0,
    step=StepScalingConfig(
        "PercentChangeInCapacity",
        (StepAdjustment(None, 0, -10), StepAdjustment(0, None, 10)),
        min_adjustment_magnitude=2,
        cooldown=30,
        aggregation="Maximum",
    ),
)
ACTION = ScheduledAction(
    R,
    RID,
    "nightly",
    "arn:a:nightly",
    "cron(0 22 * * ? *)",
    T0,
    timezone="Europe/Paris",
    start=T0,
    end=T0 + timedelta(days=30),
    min_capacity=0,
    max_capacity=2,
    next_fire=T0 + timedelta(hours=21),
)


def repo(uow: UnitOfWork) -> AutoScalingRepository:
    return AutoScalingRepository(uow.session)


def seed(store: Store) -> None:
    def write(uow: UnitOfWork) -> None:
        r = repo(uow)
        r.put_target(TARGET)
        r.put_policy(TT)
        r.put_policy(STEP)
        r.put_action(ACTION)

    store.write(write)


def test_round_trips(store: Store) -> None:
    seed(store)
    target, policies, actions = store.read(
        lambda uow: (
            repo(uow).get_target(R, RID),
            repo(uow).list_policies(R, resource_id=RID),
            repo(uow).list_actions(R),
        )
    )
    assert target == TARGET
    assert sorted(policies, key=lambda p: p.name) == [TT, STEP]
    assert actions == [ACTION]
    assert store.read(lambda uow: repo(uow).get_policy_by_arn("arn:p:step")) == STEP


def test_put_replaces_and_keeps_arn(store: Store) -> None:
    seed(store)
    changed = ScalingPolicy(R, RID, "cpu", "arn:new", "StepScaling", T0, step=STEP.step)
    store.write(lambda uow: repo(uow).put_policy(changed))
    got = store.read(lambda uow: repo(uow).get_policy(R, RID, "cpu"))
    assert got is not None and got.arn == "arn:p:cpu" and got.policy_type == "StepScaling"
    assert store.read(lambda uow: repo(uow).count_policies(R, RID)) == 2


def test_due_actions_and_clamp_list(store: Store) -> None:
    seed(store)
    due = store.read(lambda uow: repo(uow).due_actions(T0 + timedelta(hours=21)))
    assert [a.name for a in due] == ["nightly"]
    assert store.read(lambda uow: repo(uow).due_actions(T0 + timedelta(hours=20))) == []
    assert [t.resource_id for t in store.read(lambda uow: repo(uow).targets_to_clamp())] == [RID]


def test_deregister_cascades(store: Store) -> None:
    seed(store)
    assert store.write(lambda uow: repo(uow).delete_target(R, RID))
    assert store.read(lambda uow: (repo(uow).list_policies(R), repo(uow).list_actions(R))) == (
        [],
        [],
    )
    assert not store.write(lambda uow: repo(uow).delete_target(R, RID))


def test_activities_newest_first_and_paged(store: Store) -> None:
    def write(uow: UnitOfWork) -> None:
        for i in range(5):
            repo(uow).add_activity(
                ScalingActivity(
                    R,
                    RID,
                    f"id-{i}",
                    f"Setting desired count to {i}.",
                    "cause",
                    T0 + timedelta(minutes=i),
                    end=T0 + timedelta(minutes=i),
                )
            )

    store.write(write)
    first = store.read(lambda uow: repo(uow).list_activities(R, resource_id=RID, limit=2))
    rest = store.read(lambda uow: repo(uow).list_activities(R, offset=2, limit=10))
    assert [a.activity_id for a in first + rest] == [f"id-{i}" for i in (4, 3, 2, 1, 0)]
    assert first[0].end == T0 + timedelta(minutes=4)


def test_targets_listed_by_resource_id_with_paging(store: Store) -> None:
    def write(uow: UnitOfWork) -> None:
        for name in ("b", "a", "c"):
            repo(uow).put_target(ScalableTarget(R, f"service/c1/{name}", 0, 1, f"arn:{name}", T0))
        repo(uow).put_target(ScalableTarget("eu-west-1", "service/c1/z", 0, 1, "arn:z", T0))

    store.write(write)
    ids = store.read(
        lambda uow: [t.resource_id for t in repo(uow).list_targets(R, after="service/c1/a")]
    )
    assert ids == ["service/c1/b", "service/c1/c"]
    assert store.read(lambda uow: repo(uow).count_targets(R)) == 3


@pytest.mark.parametrize("names", [["cpu"], ["cpu", "step"], ["missing"]])
def test_policy_name_filter(store: Store, names: list[str]) -> None:
    seed(store)
    got = store.read(lambda uow: repo(uow).list_policies(R, names=names))
    assert sorted(p.name for p in got) == sorted(n for n in names if n != "missing")


def test_claim_action_only_once(store: Store) -> None:
    seed(store)
    assert ACTION.next_fire is not None
    following = replace(ACTION, next_fire=ACTION.next_fire + timedelta(days=1))
    assert store.write(lambda uow: repo(uow).claim_action(ACTION, following))
    assert not store.write(lambda uow: repo(uow).claim_action(ACTION, following))
    got = store.read(lambda uow: repo(uow).get_action(R, RID, "nightly"))
    assert got is not None and got.next_fire == following.next_fire


def test_clamp_flag_is_a_column(store: Store) -> None:
    seed(store)
    store.write(lambda uow: repo(uow).put_target(replace(TARGET, state=ScalingState())))
    assert store.read(lambda uow: repo(uow).targets_to_clamp()) == []
