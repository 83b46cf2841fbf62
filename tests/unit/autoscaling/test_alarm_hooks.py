"""PutScalingPolicy / DeleteScalingPolicy / DeregisterScalableTarget drive the injected
AlarmManager (handlers called in-process on a SQLite store)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dockyard.api.autoscaling import alarm_hooks, policies, targets
from dockyard.api.context import Dependencies, RequestContext
from dockyard.domain.autoscaling import ScalableTarget
from dockyard.domain.autoscaling_alarms import AlarmSpec
from dockyard.domain.identity import Principal
from dockyard.infra.clock import FakeClock
from dockyard.infra.ids import SecureRandom
from dockyard.infra.settings import Settings
from dockyard.store import Store
from dockyard.store.repositories.autoscaling import AutoScalingRepository

T0 = datetime(2026, 1, 1, tzinfo=UTC)
RID = "service/c1/web"
COMMON = {
    "ServiceNamespace": "ecs",
    "ResourceId": RID,
    "ScalableDimension": "ecs:service:DesiredCount",
}


class RecordingAlarms:
    def __init__(self) -> None:
        self.put: list[tuple[str, AlarmSpec]] = []
        self.deleted: list[str] = []

    def put_alarm(self, region: str, spec: AlarmSpec) -> None:
        self.put.append((region, spec))

    def delete_alarms(self, region: str, names: Sequence[str]) -> None:
        self.deleted.extend(names)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[RequestContext]:
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    store.write(
        lambda uow: AutoScalingRepository(uow.session).put_target(
            ScalableTarget("us-east-1", RID, 1, 10, "arn:t", T0)
        )
    )
    deps = Dependencies(
        settings=Settings(data_dir=tmp_path), store=store, clock=FakeClock(T0), rng=SecureRandom()
    )
    principal = Principal("arn:aws:iam::123456789012:root", "123456789012", "root", "AKIA")
    yield RequestContext(
        "req", principal, "us-east-1", "application-autoscaling", "PutScalingPolicy", T0, deps
    )
    store.dispose()


@pytest.fixture
def alarms() -> Iterator[RecordingAlarms]:
    recorder = RecordingAlarms()
    alarm_hooks.configure(recorder, profile="fast")
    yield recorder
    alarm_hooks.configure(alarm_hooks.NoAlarmManager())


def tracking(value: float, **extra: object) -> dict[str, object]:
    return {
        **COMMON,
        "PolicyName": "cpu",
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": value,
            **extra,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"
            },
        },
    }


def test_policy_lifecycle_creates_replaces_and_deletes_alarms(
    ctx: RequestContext, alarms: RecordingAlarms
) -> None:
    out = policies.put_scaling_policy(ctx, tracking(70.0))
    high, low = (spec for _, spec in alarms.put)
    assert [a["AlarmName"] for a in out["Alarms"]] == [high.name, low.name]
    assert (
        out["Alarms"][0]["AlarmARN"]
        == f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{high.name}"
    )
    assert (high.period, high.metric_name, high.threshold, low.threshold) == (
        10,
        "MemoryUtilization",
        70.0,
        63.0,
    )
    assert high.alarm_actions == (out["PolicyARN"],)
    alarms.put.clear()
    policies.put_scaling_policy(ctx, tracking(80.0, DisableScaleIn=True))
    assert [s.name for _, s in alarms.put] == [high.name]
    assert alarms.deleted == [low.name]
    policies.delete_scaling_policy(ctx, {**COMMON, "PolicyName": "cpu"})
    assert alarms.deleted == [low.name, high.name]


def test_deregister_deletes_tracking_alarms(ctx: RequestContext, alarms: RecordingAlarms) -> None:
    policies.put_scaling_policy(ctx, tracking(50.0))
    targets.deregister_scalable_target(ctx, COMMON)
    assert sorted(alarms.deleted) == sorted(s.name for _, s in alarms.put)


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="profile"):
        alarm_hooks.configure(alarm_hooks.NoAlarmManager(), profile="slow")
