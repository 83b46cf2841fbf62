"""Services: rows ↔ :class:`dockyard.domain.service.Service`, and the per-service lock the
controller takes (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises
writers already)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dockyard.domain.service import (
    CircuitBreaker,
    Deployment,
    DeploymentConfiguration,
    DeploymentStatus,
    LoadBalancer,
    RolloutState,
    SchedulingStrategy,
    Service,
    ServiceEvent,
    ServiceStatus,
    TaskDefinitionRef,
)
from dockyard.store.schema import ServiceRow
from dockyard.store.versioned_cache import VersionedCache

ServiceKey = tuple[str, str, str]
"""(region, cluster, name)."""


class ServiceRepository:
    def __init__(self, session: Session, cache: VersionedCache[Service] | None = None) -> None:
        self._session = session
        self._cache: VersionedCache[Service] = cache if cache is not None else VersionedCache()

    def get(self, region: str, cluster: str, name: str) -> Service | None:
        row = self._row(region, cluster, name)
        return None if row is None else _to_domain(row)

    def get_cached(self, region: str, cluster: str, name: str) -> Service | None:
        """:meth:`get`, decoding the document only when the row changed since this process
        last decoded it (one narrow query otherwise)."""
        s = ServiceRow
        found = self._session.execute(
            select(s.id, s.version).where(s.region == region, s.cluster == cluster, s.name == name)
        ).first()
        if found is None:
            return None
        key = (region, cluster, name, found.id)
        cached = self._cache.get(key, found.version)
        if cached is None:
            cached = self.get(region, cluster, name)
            if cached is not None:
                self._cache.put(key, cached.version, cached)
        return cached

    def get_many(self, region: str, cluster: str, names: Iterable[str]) -> dict[str, Service]:
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        s = ServiceRow
        scope = (s.region == region, s.cluster == cluster)
        found: dict[str, Service] = {}
        missing = []
        for name, row_id, version in self._session.execute(
            select(s.name, s.id, s.version).where(*scope, s.name.in_(wanted))
        ):
            cached = self._cache.get((region, cluster, name, row_id), version)
            if cached is None:
                missing.append(name)
            else:
                found[name] = cached
        if missing:  # decoded only when changed since this process last decoded them
            for row in self._session.scalars(select(s).where(*scope, s.name.in_(missing))):
                service = _to_domain(row)
                self._cache.put((region, cluster, row.name, row.id), service.version, service)
                found[row.name] = service
        return found

    def lock(self, key: ServiceKey) -> Service | None:
        """The service, locked for this transaction; None if missing or locked by another
        control plane (PostgreSQL ``SKIP LOCKED``: the other one is acting on it)."""
        region, cluster, name = key
        query = select(ServiceRow).where(
            ServiceRow.region == region, ServiceRow.cluster == cluster, ServiceRow.name == name
        )
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = self._session.scalars(query).first()
        return None if row is None else _to_domain(row)

    def list_page(
        self,
        region: str,
        cluster: str,
        *,
        launch_type: str | None,
        scheduling_strategy: str | None,
        after: str | None,
        limit: int,
    ) -> list[str]:
        """Names of ACTIVE services (ListServices hides DRAINING and INACTIVE ones), by name."""
        s = ServiceRow
        query = select(s.name).where(
            s.region == region, s.cluster == cluster, s.status == ServiceStatus.ACTIVE.value
        )
        if launch_type:
            query = query.where(s.launch_type == launch_type)
        if scheduling_strategy:
            query = query.where(s.scheduling_strategy == scheduling_strategy)
        if after is not None:
            query = query.where(s.name > after)
        return list(self._session.scalars(query.order_by(s.name).limit(limit)))

    def keys_to_reconcile(self) -> list[ServiceKey]:
        """Every service the scheduler still has work for (ACTIVE or DRAINING)."""
        s = ServiceRow
        rows = self._session.execute(
            select(s.region, s.cluster, s.name).where(s.status != ServiceStatus.INACTIVE.value)
        )
        return [(str(r), str(c), str(n)) for r, c, n in rows]

    def count_active(
        self, region: str, clusters: Iterable[str], *, include_draining: bool = False
    ) -> dict[str, int]:
        """ACTIVE (and with ``include_draining`` DRAINING) services per cluster name."""
        names = list(clusters)
        statuses = [ServiceStatus.ACTIVE.value]
        if include_draining:
            statuses.append(ServiceStatus.DRAINING.value)
        s = ServiceRow
        rows = self._session.execute(
            select(s.cluster, func.count())
            .where(s.region == region, s.cluster.in_(names), s.status.in_(statuses))
            .group_by(s.cluster)
        )
        return {str(c): int(n) for c, n in rows}

    def add(self, service: Service) -> Service:
        """Insert; an INACTIVE service of the same name is replaced (ECS allows the reuse)."""
        old = self._row(service.region, service.cluster, service.name)
        if old is not None:
            self._session.delete(old)
            self._session.flush()
        row = ServiceRow(region=service.region, cluster=service.cluster, name=service.name)
        _fill(row, service)
        self._session.add(row)
        self._session.flush()
        return replace(service, version=row.version)

    def save(self, service: Service) -> Service:
        """Update; a change by someone else since ``service`` was read raises StaleDataError."""
        row = self._row(service.region, service.cluster, service.name)
        if row is None:
            raise LookupError(service.name)
        if row.version != service.version:
            raise StaleDataError(f"service {service.name} changed since read")
        _fill(row, service)
        self._session.flush()
        return replace(service, version=row.version)

    def _row(self, region: str, cluster: str, name: str) -> ServiceRow | None:
        return self._session.scalars(
            select(ServiceRow).where(
                ServiceRow.region == region, ServiceRow.cluster == cluster, ServiceRow.name == name
            )
        ).first()


def _fill(row: ServiceRow, service: Service) -> None:
    row.status = service.status.value
    row.scheduling_strategy = service.scheduling_strategy.value
    row.launch_type = service.launch_type
    row.created_at = service.created_at
    row.document = _document(service)


def _document(s: Service) -> dict[str, Any]:
    config = s.deployment_configuration
    return {
        "taskDefinition": [s.task_definition.family, s.task_definition.revision],
        "createdBy": s.created_by,
        "desiredCount": s.desired_count,
        "placementConstraints": [list(c) for c in s.placement_constraints],
        "placementStrategy": [list(c) for c in s.placement_strategy],
        "deploymentConfiguration": [
            config.minimum_healthy_percent,
            config.maximum_percent,
            config.circuit_breaker.enable,
            config.circuit_breaker.rollback,
        ],
        "healthCheckGracePeriodSeconds": s.health_check_grace_period_seconds,
        "propagateTags": s.propagate_tags,
        "enableECSManagedTags": s.enable_ecs_managed_tags,
        "enableExecuteCommand": s.enable_execute_command,
        "loadBalancers": [
            [lb.target_group_arn, lb.load_balancer_name, lb.container_name, lb.container_port]
            for lb in s.load_balancers
        ],
        "deployments": [_deployment_doc(d) for d in s.deployments],
        "events": [[e.event_id, e.created_at.isoformat(), e.message] for e in s.events],
        "clientToken": s.client_token,
        "lastCompleted": _deployment_doc(s.last_completed) if s.last_completed else None,
        "startFailures": s.start_failures,
        "nextStartAt": s.next_start_at.isoformat() if s.next_start_at else None,
        "accountedStopped": sorted(s.accounted_stopped),
        "steady": s.steady,
    }


def _deployment_doc(d: Deployment) -> dict[str, Any]:
    return {
        "id": d.deployment_id,
        "taskDefinition": [d.task_definition.family, d.task_definition.revision],
        "status": d.status.value,
        "rolloutState": d.rollout_state.value,
        "rolloutStateReason": d.rollout_state_reason,
        "createdAt": d.created_at.isoformat(),
        "updatedAt": d.updated_at.isoformat(),
        "desiredCount": d.desired_count,
        "failedTasks": d.failed_tasks,
        "launchType": d.launch_type,
        "adopted": list(d.adopted),
    }


def _deployment(doc: dict[str, Any]) -> Deployment:
    return Deployment(
        deployment_id=doc["id"],
        task_definition=TaskDefinitionRef(*doc["taskDefinition"]),
        status=DeploymentStatus(doc["status"]),
        rollout_state=RolloutState(doc["rolloutState"]),
        rollout_state_reason=doc["rolloutStateReason"],
        created_at=datetime.fromisoformat(doc["createdAt"]),
        updated_at=datetime.fromisoformat(doc["updatedAt"]),
        desired_count=doc["desiredCount"],
        failed_tasks=doc["failedTasks"],
        launch_type=doc["launchType"],
        adopted=tuple(doc.get("adopted") or ()),
    )


def _to_domain(row: ServiceRow) -> Service:
    d = row.document
    minimum, maximum, enable, rollback = d["deploymentConfiguration"]
    return Service(
        name=row.name,
        region=row.region,
        cluster=row.cluster,
        task_definition=TaskDefinitionRef(*d["taskDefinition"]),
        created_at=row.created_at,
        created_by=d["createdBy"],
        status=ServiceStatus(row.status),
        scheduling_strategy=SchedulingStrategy(row.scheduling_strategy),
        desired_count=d["desiredCount"],
        launch_type=row.launch_type,
        placement_constraints=tuple((t, e) for t, e in d["placementConstraints"]),
        placement_strategy=tuple((t, f) for t, f in d["placementStrategy"]),
        deployment_configuration=DeploymentConfiguration(
            minimum, maximum, CircuitBreaker(enable, rollback)
        ),
        health_check_grace_period_seconds=d["healthCheckGracePeriodSeconds"],
        propagate_tags=d["propagateTags"],
        enable_ecs_managed_tags=d["enableECSManagedTags"],
        enable_execute_command=d["enableExecuteCommand"],
        load_balancers=tuple(LoadBalancer(*lb) for lb in d["loadBalancers"]),
        deployments=tuple(_deployment(x) for x in d["deployments"]),
        events=tuple(ServiceEvent(i, datetime.fromisoformat(t), m) for i, t, m in d["events"]),
        client_token=d["clientToken"],
        last_completed=_deployment(d["lastCompleted"]) if d["lastCompleted"] else None,
        start_failures=d["startFailures"],
        next_start_at=datetime.fromisoformat(d["nextStartAt"]) if d["nextStartAt"] else None,
        accounted_stopped=frozenset(d["accountedStopped"]),
        steady=d["steady"],
        version=row.version,
    )
