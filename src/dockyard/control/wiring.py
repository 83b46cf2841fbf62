"""Composes the control-plane background parts from the shell's dependencies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from dockyard.control.service_applier import ServiceStepApplier
from dockyard.control.service_controller import ServiceController
from dockyard.control.service_targets import HealthSource
from dockyard.infra.clock import Clock
from dockyard.infra.ids import RandomSource
from dockyard.store import Store

__all__ = ["build_service_controller"]


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
