"""Placement's view of a cluster, read in a few queries whatever its size.

Capacity and the attributes the query language looks at come from a per-store cache
validated against the database (``ContainerInstanceRepository.capacities``), usage and task
groups from one aggregate over live tasks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dockyard.domain.container_instance import AGENT_HEARTBEAT_TIMEOUT_SECONDS
from dockyard.placement import InstanceSnapshot
from dockyard.store.repositories.tasks import InstanceUsage
from dockyard.store.uow import UnitOfWork

__all__ = ["cluster_instances", "cluster_snapshots"]


def cluster_snapshots(
    uow: UnitOfWork,
    region: str,
    cluster: str,
    now: datetime,
    ids: list[str] | None = None,
    *,
    only_group: str | None = None,
) -> list[InstanceSnapshot]:
    """The cluster's ACTIVE and DRAINING instances (or those of ``ids``) as of ``now``.
    With ``only_group``, task-group counts cover that group only (see
    ``TaskRepository.usage_by_instance``)."""
    since = now - timedelta(seconds=AGENT_HEARTBEAT_TIMEOUT_SECONDS)
    capacities = uow.container_instances.capacities(region, cluster, ids, connected_since=since)
    if not capacities:
        return []
    usage = uow.tasks.usage_by_instance(
        region,
        cluster,
        [c.instance_id for c in capacities] if ids is not None else None,
        only_group=only_group,
    )
    snapshots = []
    for c in capacities:
        used = usage.get(c.instance_id, InstanceUsage())
        snapshots.append(
            InstanceSnapshot(
                instance_id=c.instance_id,
                active=c.active,
                connected=c.connected,
                cpu=c.cpu,
                memory=c.memory,
                used_cpu=used.cpu,
                used_memory=used.memory,
                reserved_ports=c.reserved_ports,
                used_ports=used.ports,
                ec2_instance_id=c.ec2_instance_id,
                attributes=c.attributes,
                agent_version=c.agent_version,
                registered_at=c.registered_at,
                group_counts=used.group_counts,
                running_tasks_count=used.running_count,
            )
        )
    return snapshots


def cluster_instances(
    uow: UnitOfWork, region: str, cluster: str, now: datetime
) -> list[InstanceSnapshot]:
    """The cluster's ACTIVE and DRAINING instances with capacity and attributes but no usage
    (one cached read): enough to tell draining, lost and eligible instances apart."""
    since = now - timedelta(seconds=AGENT_HEARTBEAT_TIMEOUT_SECONDS)
    return [
        InstanceSnapshot(
            instance_id=c.instance_id,
            active=c.active,
            connected=c.connected,
            cpu=c.cpu,
            memory=c.memory,
            reserved_ports=c.reserved_ports,
            ec2_instance_id=c.ec2_instance_id,
            attributes=c.attributes,
            agent_version=c.agent_version,
            registered_at=c.registered_at,
        )
        for c in uow.container_instances.capacities(region, cluster, None, connected_since=since)
    ]
