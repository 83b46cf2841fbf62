"""Container instances, per region and cluster."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, select, update
from sqlalchemy.orm import Session

from dockyard.domain.container_instance import (
    Attribute,
    ContainerInstance,
    ContainerInstanceStatus,
    Resource,
    VersionInfo,
)
from dockyard.store.repositories import require_version
from dockyard.store.schema import ContainerInstanceRow

_ACTIVE = ContainerInstanceStatus.ACTIVE.value
_REGISTERED = (ContainerInstanceStatus.ACTIVE.value, ContainerInstanceStatus.DRAINING.value)


@dataclass(frozen=True, slots=True)
class InstanceCapacity:
    """What placement needs of an instance: capacity, and what constraints and the cluster
    query language look at (attributes, ids, agent version, registration time)."""

    instance_id: str
    active: bool
    connected: bool
    cpu: int
    memory: int
    reserved_ports: frozenset[tuple[int, str]]
    ec2_instance_id: str = ""
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    agent_version: str | None = None
    registered_at: datetime | None = None


class CapacityCache:
    """Per-store cache of clusters' instance capacities, valid while the cluster's instance
    fingerprint (count, sum of versions, latest registration) is unchanged. Every change to an
    instance bumps its version, so any edit — by this process or another — invalidates it.
    Thread-safe; holds at most :data:`MAX_CACHED_CLUSTERS` clusters."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[tuple[Any, ...], list[InstanceCapacity]]] = {}
        self._lock = threading.Lock()

    def get(
        self, key: tuple[str, str], fingerprint: tuple[Any, ...]
    ) -> list[InstanceCapacity] | None:
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == fingerprint else None

    def put(
        self, key: tuple[str, str], fingerprint: tuple[Any, ...], value: list[InstanceCapacity]
    ) -> None:
        with self._lock:
            if len(self._entries) >= MAX_CACHED_CLUSTERS and key not in self._entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (fingerprint, value)


MAX_CACHED_CLUSTERS = 256


class ContainerInstanceRepository:
    def __init__(self, session: Session, cache: CapacityCache | None = None) -> None:
        self._session = session
        self._cache = cache or CapacityCache()

    def get(self, region: str, cluster: str, instance_id: str) -> ContainerInstance | None:
        row = self._session.get(ContainerInstanceRow, instance_id)
        if row is None or row.region != region or row.cluster != cluster:
            return None
        return _to_domain(row)

    def get_many(
        self, region: str, cluster: str, instance_ids: Iterable[str]
    ) -> dict[str, ContainerInstance]:
        wanted = list(dict.fromkeys(instance_ids))
        if not wanted:
            return {}
        rows = self._session.scalars(
            select(ContainerInstanceRow).where(
                ContainerInstanceRow.region == region,
                ContainerInstanceRow.cluster == cluster,
                ContainerInstanceRow.instance_id.in_(wanted),
            )
        )
        return {row.instance_id: _to_domain(row) for row in rows}

    def list_page(
        self,
        region: str,
        cluster: str,
        *,
        statuses: tuple[str, ...],
        after: str | None,
        limit: int,
    ) -> list[ContainerInstance]:
        """Instances of a cluster with one of ``statuses``, by id, resuming after ``after``."""
        row = ContainerInstanceRow
        query = select(row).where(
            row.region == region, row.cluster == cluster, row.status.in_(statuses)
        )
        if after is not None:
            query = query.where(row.instance_id > after)
        rows = self._session.scalars(query.order_by(row.instance_id).limit(limit))
        return [_to_domain(r) for r in rows]

    def capacities(
        self,
        region: str,
        cluster: str,
        instance_ids: Iterable[str] | None = None,
        *,
        connected_since: datetime,
    ) -> list[InstanceCapacity]:
        """ACTIVE and DRAINING instances of a cluster (or these of them), by id; ``connected``
        means a heartbeat at or after ``connected_since``.

        This runs on every RunTask and reads every instance of the cluster, so the capacity
        part is cached per cluster (:class:`CapacityCache`) and re-read only when the
        cluster's instances changed; connectivity is always read fresh."""
        row = ContainerInstanceRow
        scope = (row.region == region, row.cluster == cluster, row.status.in_(_REGISTERED))
        connection = self._session.connection()
        # one narrow read gives both the cache fingerprint and the connectivity
        heads = connection.execute(
            select(
                row.instance_id,
                row.version,
                cast(row.registered_at, String),  # compared only: no datetime decoding
                row.last_heartbeat_at < connected_since,
            ).where(*scope)
        ).all()
        fingerprint = (
            len(heads),
            sum(version for _, version, _, _ in heads),
            max((str(registered) for _, _, registered, _ in heads), default=""),
        )
        stale = {instance_id for instance_id, _, _, is_stale in heads if is_stale}
        cached = self._cache.get((region, cluster), fingerprint)
        if cached is None:
            result = self._session.execute(
                select(
                    row.instance_id,
                    row.status,
                    row.cpu,
                    row.memory,
                    row.ports,
                    row.registered_at,
                    row.document,
                )
                .where(*scope)
                .order_by(row.instance_id)
            )
            cached = [_capacity(*columns) for columns in result]
            self._cache.put((region, cluster), fingerprint, cached)
        wanted = set(instance_ids) if instance_ids is not None else None
        return [
            replace(c, connected=False) if c.instance_id in stale else c
            for c in cached
            if wanted is None or c.instance_id in wanted
        ]

    def count_registered(self, region: str, clusters: Iterable[str]) -> dict[str, int]:
        """ACTIVE + DRAINING instances per cluster name (absent clusters count 0)."""
        names = list(clusters)
        counts = dict.fromkeys(names, 0)
        if not names:
            return counts
        row = ContainerInstanceRow
        result = self._session.execute(
            select(row.cluster, func.count())
            .where(row.region == region, row.cluster.in_(names), row.status.in_(_REGISTERED))
            .group_by(row.cluster)
        )
        for cluster, count in result:
            counts[cluster] = int(count)
        return counts

    def touch(self, instance_ids: Iterable[str], now: datetime, *, older_than: datetime) -> int:
        """Record a heartbeat for these instances, skipping those heartbeated since
        ``older_than``. A plain UPDATE: it does not bump ``version`` (a heartbeat is not an edit
        another writer must see). Returns how many rows were written."""
        wanted = list(instance_ids)
        if not wanted:
            return 0
        row = ContainerInstanceRow
        result = self._session.execute(
            update(row)
            .where(row.instance_id.in_(wanted), row.last_heartbeat_at < older_than)
            .values(last_heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def placements(self, instance_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(cluster, status) per known instance id, without loading documents."""
        wanted = list(dict.fromkeys(instance_ids))
        if not wanted:
            return {}
        row = ContainerInstanceRow
        result = self._session.execute(
            select(row.instance_id, row.cluster, row.status).where(row.instance_id.in_(wanted))
        )
        return {str(i): (str(c), str(s)) for i, c, s in result}

    def by_ec2_instance_ids(self, ec2_ids: Iterable[str]) -> dict[str, str]:
        """Container instance id → EC2 instance id, for registered instances with those
        EC2 ids (load-balancer instance targets name hosts by EC2 id)."""
        wanted = set(ec2_ids)
        if not wanted:
            return {}
        rows = self._session.scalars(
            select(ContainerInstanceRow).where(ContainerInstanceRow.status != "INACTIVE")
        )
        found = {r.instance_id: (r.document.get("ec2InstanceId") or "") for r in rows}
        return {i: ec2 for i, ec2 in found.items() if ec2 in wanted}

    def add(self, instance: ContainerInstance) -> ContainerInstance:
        row = ContainerInstanceRow(instance_id=instance.instance_id)
        _fill(row, instance)
        self._session.add(row)
        self._session.flush()
        return _to_domain(row)

    def save(self, instance: ContainerInstance) -> ContainerInstance:
        """Update; a change by someone else since ``instance`` was read raises StaleDataError."""
        row = self._session.get(ContainerInstanceRow, instance.instance_id)
        if row is None:
            raise LookupError(instance.instance_id)
        require_version(row.version, instance.version, f"container instance {instance.instance_id}")
        _fill(row, instance)
        self._session.flush()
        return _to_domain(row)


def _fill(row: ContainerInstanceRow, instance: ContainerInstance) -> None:
    resources = {r.name: r for r in instance.registered_resources}
    row.cpu = resources["CPU"].integer_value if "CPU" in resources else 0
    row.memory = resources["MEMORY"].integer_value if "MEMORY" in resources else 0
    row.ports = ",".join(
        f"{port}/{protocol}"
        for name, protocol in (("PORTS", "tcp"), ("PORTS_UDP", "udp"))
        for port in (resources[name].string_set_value if name in resources else ())
        if str(port).isdigit()
    )
    row.region = instance.region
    row.cluster = instance.cluster
    row.status = instance.status.value
    row.registered_at = instance.registered_at
    # A heartbeat written since ``instance`` was read (``touch``) must not be rolled back.
    if row.last_heartbeat_at is None or instance.last_heartbeat_at > row.last_heartbeat_at:
        row.last_heartbeat_at = instance.last_heartbeat_at
    row.document = {
        "ec2InstanceId": instance.ec2_instance_id,
        "statusReason": instance.status_reason,
        "capacityProviderName": instance.capacity_provider_name,
        "registeredResources": [_resource_doc(r) for r in instance.registered_resources],
        "attributes": [{"name": a.name, "value": a.value} for a in instance.attributes],
        "versionInfo": {
            "agentVersion": instance.version_info.agent_version,
            "agentHash": instance.version_info.agent_hash,
            "dockerVersion": instance.version_info.docker_version,
        },
    }


def _capacity(
    instance_id: str,
    status: str,
    cpu: int,
    memory: int,
    ports: str,
    registered_at: datetime,
    doc: dict[str, Any],
) -> InstanceCapacity:
    return InstanceCapacity(
        instance_id=instance_id,
        active=status == _ACTIVE,
        connected=True,
        cpu=cpu,
        memory=memory,
        reserved_ports=_ports(ports),
        ec2_instance_id=doc.get("ec2InstanceId") or "",
        attributes={a["name"]: a.get("value") for a in doc.get("attributes", [])},
        agent_version=(doc.get("versionInfo") or {}).get("agentVersion"),
        registered_at=registered_at,
    )


@functools.lru_cache(maxsize=256)
def _ports(text: str) -> frozenset[tuple[int, str]]:
    """``"22/tcp,53/udp"`` → pairs. Cached: a fleet's agents mostly reserve the same ports."""
    result = set()
    for item in text.split(","):
        port, _, protocol = item.partition("/")
        if port.isdigit():
            result.add((int(port), protocol or "tcp"))
    return frozenset(result)


def _resource_doc(resource: Resource) -> dict[str, Any]:
    return {
        "name": resource.name,
        "type": resource.type,
        "integerValue": resource.integer_value,
        "longValue": resource.long_value,
        "doubleValue": resource.double_value,
        "stringSetValue": list(resource.string_set_value),
    }


def _to_domain(row: ContainerInstanceRow) -> ContainerInstance:
    doc: dict[str, Any] = row.document
    info = doc.get("versionInfo") or {}
    return ContainerInstance(
        instance_id=row.instance_id,
        cluster=row.cluster,
        region=row.region,
        ec2_instance_id=doc.get("ec2InstanceId") or "",
        status=ContainerInstanceStatus(row.status),
        registered_resources=tuple(
            Resource(
                r["name"],
                r["type"],
                r.get("integerValue", 0),
                tuple(r.get("stringSetValue", ())),
                r.get("longValue", 0),
                r.get("doubleValue", 0.0),
            )
            for r in doc.get("registeredResources", [])
        ),
        attributes=tuple(Attribute(a["name"], a.get("value")) for a in doc.get("attributes", [])),
        version_info=VersionInfo(
            info.get("agentVersion"), info.get("agentHash"), info.get("dockerVersion")
        ),
        registered_at=row.registered_at,
        last_heartbeat_at=row.last_heartbeat_at,
        status_reason=doc.get("statusReason"),
        capacity_provider_name=doc.get("capacityProviderName"),
        version=row.version,
    )
