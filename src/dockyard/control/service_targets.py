"""The service scheduler's side of load balancing: target-group views for the planner and
the registrations / deregistrations a plan asks for, written to the target groups in the
step's transaction (the data plane picks them up from the store)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from dockyard.domain.elb import Target
from dockyard.domain.service import Service
from dockyard.reconcile.plan import ServicePlan
from dockyard.reconcile.targets import TargetGroupView, TargetKey
from dockyard.store.uow import UnitOfWork

__all__ = ["HealthSource", "apply_target_changes", "target_group_views"]

HealthSource = Callable[[str], Mapping[TargetKey, str]]
"""Target group ARN → observed state (``healthy`` / ``unhealthy`` / ``initial``) per target."""


def target_group_views(
    uow: UnitOfWork, service: Service, observe: HealthSource
) -> dict[str, TargetGroupView]:
    views = {}
    for lb in service.load_balancers:
        arn = lb.target_group_arn or ""
        tg = uow.elb.target_group(arn)
        if tg is None:
            continue
        views[arn] = TargetGroupView(
            arn=arn,
            target_type=tg.target_type,
            deregistration_delay=timedelta(seconds=tg.deregistration_delay),
            registered=frozenset(
                (t.target_id, t.port) for t in tg.targets if t.deregistered_at is None
            ),
            health=observe(arn),
        )
    return views


def apply_target_changes(uow: UnitOfWork, plan: ServicePlan, now: datetime) -> bool:
    """Register and deregister the plan's targets; True when a target group changed."""
    arns = {r.target_group_arn for r in (*plan.registers, *plan.deregisters)}
    for arn in sorted(arns):
        tg = uow.elb.target_group(arn)
        if tg is None:
            continue
        targets = {(t.target_id, t.port): t for t in tg.targets}
        for ref in plan.registers:
            if ref.target_group_arn == arn:
                targets[ref.key] = Target(ref.key[0], ref.key[1], now)
        for ref in plan.deregisters:
            old = targets.get(ref.key) if ref.target_group_arn == arn else None
            if old is not None and old.deregistered_at is None:
                targets[ref.key] = replace(old, deregistered_at=now)
        ordered = tuple(sorted(targets.values(), key=lambda t: (t.target_id, t.port)))
        uow.elb.put_target_group(arn, replace(tg, targets=ordered), new=False)
    return bool(arns)
