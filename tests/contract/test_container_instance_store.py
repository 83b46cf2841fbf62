"""Container-instance repository contract on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.container_instance import (
    Attribute,
    ContainerInstance,
    ContainerInstanceStatus,
    Resource,
    VersionInfo,
)
from dockyard.domain.errors import ConcurrentModificationError
from dockyard.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)



def instance(instance_id: str, cluster: str = "c") -> ContainerInstance:
    return ContainerInstance(
        instance_id=instance_id, cluster=cluster, region="r", ec2_instance_id="i-1",
        status=ContainerInstanceStatus.ACTIVE,
        registered_resources=(Resource("CPU", "INTEGER", 2048),
                              Resource("PORTS", "STRINGSET", string_set_value=("22",))),
        attributes=(Attribute("ecs.os-type", "linux"), Attribute("flag")),
        version_info=VersionInfo("0.1.0", None, "20.10"), registered_at=NOW,
        last_heartbeat_at=NOW,
    )


def test_round_trip_and_connection(store: Store) -> None:
    store.write(lambda uow: uow.container_instances.add(instance("a" * 32)))
    loaded = store.read(lambda uow: uow.container_instances.get("r", "c", "a" * 32))
    assert loaded == instance("a" * 32)
    assert loaded is not None and loaded.agent_connected(NOW + timedelta(seconds=5))
    assert not loaded.agent_connected(NOW + timedelta(minutes=5))
    assert store.read(lambda uow: uow.container_instances.get("r", "other", "a" * 32)) is None


def test_list_and_count_by_status(store: Store) -> None:
    for i, cluster in enumerate(["c", "c", "c", "d"]):
        store.write(lambda uow, i=i, cl=cluster: uow.container_instances.add(
            instance(f"{i:032x}", cl)))
    first = store.read(lambda uow: uow.container_instances.get("r", "c", f"{0:032x}"))
    store.write(lambda uow: uow.container_instances.save(
        replace(first, status=ContainerInstanceStatus.INACTIVE)))
    listed = store.read(lambda uow: uow.container_instances.list_page(
        "r", "c", statuses=("ACTIVE", "DRAINING"), after=None, limit=10))
    assert [i.instance_id for i in listed] == [f"{1:032x}", f"{2:032x}"]
    counts = store.read(lambda uow: uow.container_instances.count_registered("r", ["c", "d", "e"]))
    assert counts == {"c": 2, "d": 1, "e": 0}


def test_stale_save_is_refused(store: Store) -> None:
    store.write(lambda uow: uow.container_instances.add(instance("b" * 32)))
    stale = store.read(lambda uow: uow.container_instances.get("r", "c", "b" * 32))
    store.write(lambda uow: uow.container_instances.save(
        replace(stale, status=ContainerInstanceStatus.DRAINING)))
    with pytest.raises(ConcurrentModificationError):
        store.write(lambda uow: uow.container_instances.save(stale), retries=1)
