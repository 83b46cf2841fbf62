"""Clusters. ``get_many`` and ``list_page`` are the read paths; ``save`` is version-checked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dockyard.domain.cluster import (
    CapacityProviderStrategyItem,
    Cluster,
    ClusterSetting,
    ClusterStatus,
)
from dockyard.store.repositories import require_version
from dockyard.store.schema import ClusterRow

_TABLE = ClusterRow.__table__
_BY_NAMES = select(_TABLE).where(
    _TABLE.c.region == bindparam("region"),
    _TABLE.c.name.in_(bindparam("names", expanding=True)),
)
"""Reads go through prebuilt Core statements on the session's connection: building a query
and loading ORM objects cost more than the SQLite query itself on these hot paths."""


class ClusterRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, region: str, name: str) -> Cluster | None:
        return self.get_many(region, [name]).get(name)

    def get_many(self, region: str, names: Iterable[str]) -> dict[str, Cluster]:
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        rows = self._session.connection().execute(_BY_NAMES, {"region": region, "names": wanted})
        return {row.name: _to_domain(row) for row in rows}

    def list_page(self, region: str, *, after: str | None, limit: int) -> list[Cluster]:
        """ACTIVE clusters ordered by name, starting after ``after``."""
        query = select(ClusterRow).where(
            ClusterRow.region == region, ClusterRow.status != ClusterStatus.INACTIVE.value
        )
        if after is not None:
            query = query.where(ClusterRow.name > after)
        rows = self._session.scalars(query.order_by(ClusterRow.name).limit(limit))
        return [_to_domain(row) for row in rows]

    def add(self, cluster: Cluster) -> Cluster:
        """Insert a cluster, or revive an INACTIVE one of the same name in place."""
        row = self._row(cluster.region, cluster.name)
        if row is None:
            row = ClusterRow(region=cluster.region, name=cluster.name)
            self._session.add(row)
        _fill(row, cluster)
        self._session.flush()
        return _to_domain(row)

    def save(self, cluster: Cluster) -> Cluster:
        """Update an existing cluster; a concurrent change raises StaleDataError (retried)."""
        row = self._row(cluster.region, cluster.name)
        if row is None:
            raise LookupError(cluster.name)
        require_version(row.version, cluster.version, f"cluster {cluster.name}")
        _fill(row, cluster)
        self._session.flush()
        return _to_domain(row)

    def _row(self, region: str, name: str) -> ClusterRow | None:
        return self._session.scalars(
            select(ClusterRow).where(ClusterRow.region == region, ClusterRow.name == name)
        ).first()


def _fill(row: ClusterRow, cluster: Cluster) -> None:
    row.status = cluster.status.value
    row.created_at = cluster.created_at  # type: ignore[assignment]
    row.document = {
        "settings": [{"name": s.name, "value": s.value} for s in cluster.settings],
        "configuration": cluster.configuration,
        "serviceConnectDefaults": cluster.service_connect_defaults,
        "capacityProviders": list(cluster.capacity_providers),
        "defaultCapacityProviderStrategy": [
            {"capacityProvider": i.capacity_provider, "weight": i.weight, "base": i.base}
            for i in cluster.default_capacity_provider_strategy
        ],
    }


def _to_domain(row: Any) -> Cluster:
    """A cluster from an ORM row or a Core row of the clusters table."""
    doc: dict[str, Any] = row.document or {}
    return Cluster(
        name=row.name,
        region=row.region,
        status=ClusterStatus(row.status),
        settings=tuple(ClusterSetting(s["name"], s["value"]) for s in doc.get("settings", [])),
        configuration=doc.get("configuration"),
        service_connect_defaults=doc.get("serviceConnectDefaults"),
        capacity_providers=tuple(doc.get("capacityProviders", [])),
        default_capacity_provider_strategy=tuple(
            CapacityProviderStrategyItem(
                i["capacityProvider"], i.get("weight", 0), i.get("base", 0)
            )
            for i in doc.get("defaultCapacityProviderStrategy", [])
        ),
        created_at=row.created_at,
        version=row.version,
    )
