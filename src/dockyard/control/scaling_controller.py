"""The scaling controller: applies scaling policies and scheduled actions to ECS services.

::

    CloudWatch alarm action ─▶ fire(PolicyTrigger) ─┐
    tick every INTERVAL: due scheduled actions ─────┼─▶ plan (domain/autoscaling_plan, pure)
                         targets to clamp ──────────┘      │
        store: target bounds / cooldown clock + activity ◀─┤ one transaction with
        DesiredCountWriter.set_desired(uow, ...)  ◀────────┘ the desired count;
        DesiredCountWriter.committed(...)  after it commits (wakes the service scheduler)

All work runs under one lock, so decisions for a target are serial (a scale-in never races a
scheduled action). The service's counts come from :class:`ServiceState`; the desired count is
only ever changed through :class:`DesiredCountWriter` (the ECS side owns the service row).
Target-tracking scale-in votes are kept in memory: after a restart, scale-in waits until every
target-tracking policy's low alarm has fired again (the safe direction).

Wiring (CloudWatch's alarm-action sink)::

    if is_policy_arn(action_arn):      # dockyard.domain.autoscaling
        controller.fire(PolicyTrigger(action_arn, alarm.name, new_state,
                                      metric_value, alarm.threshold, now))

The direction of a target-tracking alarm is read from its name (``-AlarmHigh-`` /
``-AlarmLow-``, as ``autoscaling_alarms.alarm_specs`` names them).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol, TypeVar

from dockyard.domain.autoscaling import (
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    ScheduledAction,
    desired_count_description,
)
from dockyard.domain.autoscaling_alarms import is_high_alarm
from dockyard.domain.autoscaling_plan import (
    PolicyTrigger,
    ScalingDecision,
    ServiceCounts,
    clamp_desired,
    plan_policy,
    plan_schedule,
    raw_capacity,
)
from dockyard.domain.autoscaling_schedule import action_due_after
from dockyard.domain.service import RolloutState, ServiceStatus
from dockyard.infra.clock import Clock
from dockyard.store import Store
from dockyard.store.repositories.autoscaling import AutoScalingRepository
from dockyard.store.uow import UnitOfWork

log = logging.getLogger("dockyard.autoscaling")

T = TypeVar("T")

INTERVAL_SECONDS = 1.0
"""How often due scheduled actions and changed bounds are looked at (AWS: 1-minute resolution;
a second keeps tests and demos quick at the cost of one indexed query)."""


class DesiredCountWriter(Protocol):
    """Sets a service's desired count (as UpdateService would), noting ``cause`` (e.g. in the
    service's events), inside the caller's transaction, so a reader never sees the new count
    without the activity that explains it (or the reverse)."""

    def set_desired(
        self, uow: UnitOfWork, region: str, cluster: str, service: str, desired: int, cause: str
    ) -> None:
        """Write the count in ``uow``. Raises LookupError, having written nothing, when the
        service is missing or not ACTIVE."""
        ...

    def committed(self, region: str, cluster: str, service: str) -> None:
        """Called once the transaction holding a :meth:`set_desired` has committed."""
        ...


class ServiceState(Protocol):
    """A service's (desired count, running count, deployment in progress)."""

    def read(self, region: str, cluster: str, service: str) -> tuple[int, int, bool]: ...


class StoreServiceState:
    """:class:`ServiceState` from the store: the service's ``desiredCount``, its RUNNING tasks,
    and "deployment in progress" = more than one deployment or a primary still rolling out.
    Raises LookupError for a missing or inactive service."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def read(self, region: str, cluster: str, service: str) -> tuple[int, int, bool]:
        def read(uow: UnitOfWork) -> tuple[int, int, bool]:
            found = uow.services.get(region, cluster, service)
            if found is None or found.status is not ServiceStatus.ACTIVE:
                raise LookupError(f"service {cluster}/{service} is not active in {region}")
            per = uow.tasks.service_counts(region, cluster, [service]).get(service, {})
            running = sum(r for r, _ in per.values())
            rolling = bool(found.deployments) and (
                len(found.deployments) > 1
                or found.primary.rollout_state is RolloutState.IN_PROGRESS
            )
            return found.desired_count, running, rolling

        return self._store.read(read)


VoteKey = tuple[str, str]
"""(region, resource id) of a target."""


class UnknownScalingPolicy(LookupError):
    """An alarm action names a scaling policy that does not exist."""


class ScalingController:
    """Fires scheduled actions, clamps re-registered targets, and runs policies on alarms."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        writer: DesiredCountWriter,
        services: ServiceState,
        interval: float = INTERVAL_SECONDS,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._clock = clock
        self._writer = writer
        self._services = services
        self._interval = interval
        self._new_id = new_id
        self._lock = threading.RLock()
        self._votes: dict[VoteKey, dict[str, int]] = {}
        self._wants_out: dict[VoteKey, set[str]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scaling-controller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.tick()
            except Exception:  # the loop must survive one bad tick; the next retries
                log.exception("scaling tick failed")

    # --- scheduled actions and bounds -------------------------------------------------------

    def tick(self) -> int:
        """Fire every due scheduled action and clamp targets whose bounds changed; returns how
        many scheduled actions fired."""
        with self._lock:
            now = self._clock.now()
            targets = self._store.read(lambda uow: _repo(uow).targets_to_clamp())
            for target in targets:
                _guarded(self._clamp, target, now)
            due = self._store.read(lambda uow: _repo(uow).due_actions(now))
            for action in due:
                _guarded(self._fire_schedule, action, now)
            return len(due)

    def _clamp(self, target: ScalableTarget, now: datetime) -> None:
        desired, _, _ = self._read(target)
        moved = clamp_desired(target, desired)
        cause = "scalable target bounds changed (RegisterScalableTarget)"
        self._commit(target, _settled, moved, cause, now)

    def _fire_schedule(self, action: ScheduledAction, now: datetime) -> None:
        following = replace(action, next_fire=action_due_after(action, now))
        if not self._store.write(lambda uow: _repo(uow).claim_action(action, following)):
            return
        target = self._store.read(
            lambda uow: _repo(uow).get_target(action.region, action.resource_id)
        )
        if target is None or target.suspended.scheduled:
            return
        desired, _, _ = self._read(target)
        outcome = plan_schedule(action, target, desired)
        bounds = (outcome.min_capacity, outcome.max_capacity)

        def bound(current: ScalableTarget) -> ScalableTarget:
            return replace(current, min_capacity=bounds[0], max_capacity=bounds[1])

        cause = f"scheduled action name {action.name} was triggered"
        self._commit(target, bound, outcome.desired, cause, now, bounds_changed=bounds)

    # --- alarms -------------------------------------------------------------------------------

    def fire(self, trigger: PolicyTrigger) -> ScalingActivity | None:
        """Run the policy an alarm action names; returns the activity it recorded, if any.

        Raises :class:`UnknownScalingPolicy` when the ARN names no policy (deleted since the
        alarm was made): the alarm records the action as failed, as CloudWatch does.
        """
        with self._lock:
            found = self._store.read(lambda uow: _policy_and_target(uow, trigger.policy_arn))
            if found is None:
                raise UnknownScalingPolicy(f"No scaling policy found for {trigger.policy_arn}")
            policy, target = found
            counts = ServiceCounts(*self._read(target))
            votes = self._vote(policy, target, trigger, counts)
            if trigger.alarm_state != "ALARM":
                return None
            decision = plan_policy(
                policy,
                target,
                alarm_name=trigger.alarm_name,
                metric=trigger.metric_value,
                threshold=trigger.threshold,
                counts=counts,
                now=trigger.at,
                low_votes=votes,
            )
            log.debug("policy %s: %s", policy.name, decision.reason)
            return self._apply(policy, target, decision, trigger)

    def _vote(
        self,
        policy: ScalingPolicy,
        target: ScalableTarget,
        trigger: PolicyTrigger,
        counts: ServiceCounts,
    ) -> dict[str, int] | None:
        """Record a target-tracking policy's scale-in wish; the votes if all policies agree."""
        if policy.target is None:
            return None
        key = (target.region, target.resource_id)
        votes = self._votes.setdefault(key, {})
        votes.pop(policy.name, None)
        if is_high_alarm(trigger.alarm_name):
            wanting = self._wants_out.setdefault(key, set())
            (wanting.add if trigger.alarm_state == "ALARM" else wanting.discard)(policy.name)
        low = not is_high_alarm(trigger.alarm_name) and trigger.alarm_state == "ALARM"
        if not low or policy.target.disable_scale_in:
            return None
        wish = raw_capacity(
            policy, trigger.alarm_name, trigger.metric_value, trigger.threshold, counts.running
        )
        if wish is not None:
            votes[policy.name] = wish
        voters = self._store.read(lambda uow: _tracking_voters(uow, target))
        return dict(votes) if voters <= votes.keys() else None

    def _apply(
        self,
        policy: ScalingPolicy,
        target: ScalableTarget,
        decision: ScalingDecision,
        trigger: PolicyTrigger,
    ) -> ScalingActivity | None:
        if decision.capacity is None:
            return None
        wanting = self._wants_out.get((target.region, target.resource_id), set())
        if decision.reason == "scale-in" and wanting - {policy.name}:
            # The largest capacity wins across policies: a target-tracking policy whose
            # high alarm is still in ALARM outvotes any scale-in.
            return None
        cause = f"monitor alarm {trigger.alarm_name} in state ALARM triggered policy {policy.name}"
        state = decision.state

        def clocked(current: ScalableTarget) -> ScalableTarget:
            pending = current.state.clamp_pending
            return replace(current, state=replace(state, clamp_pending=pending))

        return self._commit(target, clocked, decision.capacity, cause, trigger.at)

    # --- shared -------------------------------------------------------------------------------

    def _read(self, target: ScalableTarget) -> tuple[int, int, bool]:
        return self._services.read(target.region, target.cluster, target.service)

    def _commit(
        self,
        target: ScalableTarget,
        change: Callable[[ScalableTarget], ScalableTarget],
        desired: int | None,
        cause: str,
        now: datetime,
        *,
        bounds_changed: tuple[int, int] | None = None,
    ) -> ScalingActivity | None:
        """In one transaction: apply ``change`` to the target as stored now (a concurrent
        re-registration is kept), set the desired count, and record the activity."""
        planned = None
        if desired is not None or bounds_changed is not None:
            planned = self._activity(target, desired, cause, now, bounds_changed)

        def write(uow: UnitOfWork) -> ScalingActivity | None:
            activity = planned
            if desired is not None and activity is not None:
                activity = self._set_desired(uow, target, desired, cause, activity)
            r = _repo(uow)
            current = r.get_target(target.region, target.resource_id)
            if current is not None:
                r.put_target(change(current))
            if activity is not None:
                r.add_activity(activity)
            return activity

        activity = self._store.write(write)
        if desired is not None and activity is not None and activity.status != "Failed":
            self._writer.committed(target.region, target.cluster, target.service)
        return activity

    def _set_desired(
        self,
        uow: UnitOfWork,
        target: ScalableTarget,
        desired: int,
        cause: str,
        activity: ScalingActivity,
    ) -> ScalingActivity:
        """Set the count in ``uow``; the activity is Failed (with the reason) when the service
        refuses it (missing or not ACTIVE). Store errors propagate: the transaction fails."""
        try:
            self._writer.set_desired(
                uow, target.region, target.cluster, target.service, desired, cause
            )
        except LookupError as exc:
            log.warning("setting desired count of %s failed: %s", target.resource_id, exc)
            return replace(
                activity,
                status="Failed",
                status_message=f"Failed to set desired count on the ECS service: {exc}",
            )
        return activity

    def _activity(
        self,
        target: ScalableTarget,
        desired: int | None,
        cause: str,
        now: datetime,
        bounds: tuple[int, int] | None,
    ) -> ScalingActivity:
        parts = []
        if bounds is not None:
            parts.append(f"Setting min capacity to {bounds[0]} and max capacity to {bounds[1]}")
        if desired is not None:
            parts.append(desired_count_description(desired))
        description = ". ".join(p.rstrip(".") for p in parts) + "."
        return ScalingActivity(
            region=target.region,
            resource_id=target.resource_id,
            activity_id=self._new_id(),
            description=description,
            cause=cause,
            start=now,
            status="Successful",
            end=now,
        )


def _guarded(step: Callable[[T, datetime], None], item: T, now: datetime) -> None:
    """Run one item's step; a failure (e.g. its service was deleted) is logged and does not
    hold up the others. The item stays due, so the next tick retries it."""
    try:
        step(item, now)
    except Exception:
        log.exception("scaling step for %s failed", item)


def _settled(target: ScalableTarget) -> ScalableTarget:
    return replace(target, state=replace(target.state, clamp_pending=False))


def _repo(uow: UnitOfWork) -> AutoScalingRepository:
    return AutoScalingRepository(uow.session)


def _policy_and_target(uow: UnitOfWork, arn: str) -> tuple[ScalingPolicy, ScalableTarget] | None:
    r = _repo(uow)
    policy = r.get_policy_by_arn(arn)
    if policy is None:
        return None
    target = r.get_target(policy.region, policy.resource_id)
    return None if target is None else (policy, target)


def _tracking_voters(uow: UnitOfWork, target: ScalableTarget) -> set[str]:
    """Names of the target's target-tracking policies that may scale in."""
    policies = _repo(uow).list_policies(target.region, resource_id=target.resource_id, limit=10_000)
    return {p.name for p in policies if p.target is not None and not p.target.disable_scale_in}


__all__ = [
    "DesiredCountWriter",
    "PolicyTrigger",
    "ScalingController",
    "ServiceState",
    "StoreServiceState",
]
