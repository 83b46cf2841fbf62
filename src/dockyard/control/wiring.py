"""Composes the control-plane background parts from the shell's dependencies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import timedelta

from dockyard.control.scaling_controller import ScalingController
from dockyard.control.service_applier import ServiceStepApplier
from dockyard.control.service_controller import ServiceController
from dockyard.control.service_targets import HealthSource
from dockyard.domain.alarms import Alarm, AlarmEvaluation
from dockyard.domain.autoscaling import is_policy_arn
from dockyard.domain.autoscaling_alarms import AlarmSpec
from dockyard.domain.autoscaling_plan import PolicyTrigger
from dockyard.domain.service import ServiceStatus
from dockyard.infra.clock import Clock
from dockyard.infra.ids import RandomSource
from dockyard.store import Store
from dockyard.store.repositories.alarms import AlarmRepository
from dockyard.store.repositories.services import ServiceKey
from dockyard.store.uow import UnitOfWork

__all__ = [
    "ScalingAlarmSink",
    "ServiceDesiredCountWriter",
    "StoreAlarmManager",
    "build_service_controller",
]


def build_service_controller(
    *,
    store: Store,
    clock: Clock,
    rng: RandomSource,
    account_id: str,
    healthy_after_seconds: float,
    notify: Callable[[Iterable[str]], None],
    target_health: HealthSource = lambda _arn: {},
    on_targets_changed: Callable[[], None] = lambda: None,
) -> ServiceController:
    applier = ServiceStepApplier(
        store,
        clock,
        rng,
        account_id=account_id,
        healthy_after=timedelta(seconds=healthy_after_seconds),
        target_health=target_health,
        on_targets_changed=on_targets_changed,
    )
    return ServiceController(
        applier,
        clock=clock,
        list_keys=lambda: store.read(lambda uow: uow.services.keys_to_reconcile()),
        on_woken=notify,
    )


class ServiceDesiredCountWriter:
    """Application Auto Scaling's :class:`~dockyard.control.scaling_controller.DesiredCountWriter`:
    sets a service's desiredCount as UpdateService would (in the caller's transaction), records
    ``cause`` as a service event, and wakes the service scheduler once that commits."""

    def __init__(
        self,
        store: Store,
        rng: RandomSource,
        clock: Clock,
        wake: Callable[[list[ServiceKey]], None],
    ) -> None:
        self._store = store
        self._rng = rng
        self._clock = clock
        self._wake = wake

    def set_desired(
        self, uow: UnitOfWork, region: str, cluster: str, service: str, desired: int, cause: str
    ) -> None:
        found = uow.services.get(region, cluster, service)
        if found is None or found.status is not ServiceStatus.ACTIVE:
            raise LookupError(f"service {cluster}/{service} is not active")
        if found.desired_count == desired:
            return
        updated = replace(found, desired_count=desired, steady=False)
        message = (
            f"(service {service}) desired count set to {desired} by Application Auto "
            f"Scaling: {cause}"
        )
        uow.services.save(updated.with_events([message], self._clock.now(), self._rng))

    def committed(self, region: str, cluster: str, service: str) -> None:
        self._wake([(region, cluster, service)])


class ScalingAlarmSink:
    """CloudWatch alarm actions naming scaling policies go to the scaling controller; other
    actions (SNS topics…) have no receiver in Dockyard and are ignored."""

    def __init__(self, scaling: ScalingController) -> None:
        self._scaling = scaling

    def fire(
        self, action_arn: str, alarm: Alarm, new_state: str, evaluation: AlarmEvaluation
    ) -> None:
        if not is_policy_arn(action_arn):
            return
        value = evaluation.latest_value
        self._scaling.fire(
            PolicyTrigger(
                policy_arn=action_arn,
                alarm_name=alarm.name,
                alarm_state=new_state,
                metric_value=value if value is not None else alarm.threshold,
                threshold=alarm.threshold,
                at=evaluation.query_date,
            )
        )


class StoreAlarmManager:
    """Target-tracking policies' alarms, created and deleted in the alarm store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def put_alarm(self, region: str, spec: AlarmSpec) -> None:
        alarm = Alarm(
            name=spec.name,
            namespace=spec.namespace,
            metric_name=spec.metric_name,
            dimensions=spec.dimensions,
            statistic=spec.statistic,
            period=spec.period,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            threshold=spec.threshold,
            comparison=spec.comparison,
            treat_missing_data=spec.treat_missing_data,
            unit=spec.unit,
            alarm_actions=spec.alarm_actions,
            description=spec.description,
        )
        now = self._clock.now()
        self._store.write(lambda uow: AlarmRepository(uow.session).put(region, alarm, now))

    def delete_alarms(self, region: str, names: Sequence[str]) -> None:
        self._store.write(lambda uow: AlarmRepository(uow.session).delete(region, names))
