"""Repository contract: SQLite and PostgreSQL behave the same (every test runs on both)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from dockyard.domain.account_settings import AccountSetting
from dockyard.domain.cluster import Cluster, ClusterSetting, ClusterStatus
from dockyard.domain.errors import ClusterNotFoundException
from dockyard.domain.identity import StoredAccessKey
from dockyard.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)



def test_migrations_are_idempotent(db_url: str) -> None:
    Store(db_url).dispose()
    again = Store(db_url)  # second start on the same database must not fail
    assert again.read(lambda uow: uow.access_keys.count()) == 0
    again.dispose()


def test_cluster_round_trip_keeps_every_field(store: Store) -> None:
    cluster = Cluster(
        name="prod",
        region="eu-west-1",
        settings=(ClusterSetting("containerInsights", "enabled"),),
        configuration={"executeCommandConfiguration": {"logging": "DEFAULT"}},
        capacity_providers=("FARGATE",),
        created_at=NOW,
    )
    store.write(lambda uow: uow.clusters.add(cluster))
    loaded = store.read(lambda uow: uow.clusters.get("eu-west-1", "prod"))
    assert loaded is not None
    assert loaded == cluster
    assert loaded.created_at == NOW
    assert store.read(lambda uow: uow.clusters.get("us-east-1", "prod")) is None


def test_cluster_list_pages_by_name(store: Store) -> None:
    for name in ["c", "a", "b", "d"]:
        store.write(lambda uow, n=name: uow.clusters.add(Cluster(n, "r", created_at=NOW)))
    first = store.read(lambda uow: uow.clusters.list_page("r", after=None, limit=3))
    rest = store.read(lambda uow: uow.clusters.list_page("r", after="c", limit=3))
    assert [c.name for c in first] == ["a", "b", "c"]
    assert [c.name for c in rest] == ["d"]


def test_stale_cluster_save_is_retried_then_refused(store: Store) -> None:
    store.write(lambda uow: uow.clusters.add(Cluster("x", "r", created_at=NOW)))
    stale = store.read(lambda uow: uow.clusters.get("r", "x"))
    assert stale is not None
    store.write(
        lambda uow: uow.clusters.save(
            stale.with_settings((ClusterSetting("containerInsights", "enabled"),))
        )
    )
    from dockyard.domain.errors import ConcurrentModificationError

    with pytest.raises(ConcurrentModificationError):
        store.write(lambda uow: uow.clusters.save(stale), retries=1)
    current = store.read(lambda uow: uow.clusters.get("r", "x"))
    assert current is not None and current.settings[0].value == "enabled"


def test_failed_transaction_writes_nothing(store: Store) -> None:
    def half_then_fail(uow):
        uow.clusters.add(Cluster("half", "r", created_at=NOW))
        uow.tags.replace("arn:x", {"k": "v"})
        raise ClusterNotFoundException()

    with pytest.raises(ClusterNotFoundException):
        store.write(half_then_fail)
    assert store.read(lambda uow: uow.clusters.get("r", "half")) is None
    assert store.read(lambda uow: uow.tags.get("arn:x")) == {}


def test_concurrent_read_modify_write_loses_no_update(store: Store) -> None:
    """Eight threads each add one distinct tag via read-modify-write of a cluster's settings
    document; version columns plus retries must keep all eight."""
    store.write(lambda uow: uow.clusters.add(Cluster("hot", "r", created_at=NOW)))
    names = [f"k{i}" for i in range(8)]
    errors: list[BaseException] = []

    def bump(key: str) -> None:
        def change(uow):
            cluster = uow.clusters.get("r", "hot")
            config = dict(cluster.configuration or {})
            config[key] = True
            from dataclasses import replace

            uow.clusters.save(replace(cluster, configuration=config))

        try:
            store.write(change, retries=50)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bump, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = store.read(lambda uow: uow.clusters.get("r", "hot"))
    assert final is not None and sorted((final.configuration or {}).keys()) == names


def test_tags_replace_and_batch_read(store: Store) -> None:
    store.write(lambda uow: uow.tags.replace("arn:a", {"b": "2", "a": "1"}))
    store.write(lambda uow: uow.tags.replace("arn:b", {"z": ""}))
    assert store.read(lambda uow: uow.tags.get("arn:a")) == {"a": "1", "b": "2"}
    assert store.read(lambda uow: uow.tags.get_many(["arn:a", "arn:b", "arn:c"])) == {
        "arn:a": {"a": "1", "b": "2"},
        "arn:b": {"z": ""},
        "arn:c": {},
    }
    store.write(lambda uow: uow.tags.replace("arn:a", {}))
    assert store.read(lambda uow: uow.tags.get("arn:a")) == {}


def test_account_settings_upsert(store: Store) -> None:
    store.write(
        lambda uow: uow.account_settings.put("r", AccountSetting("awsvpcTrunking", "enabled", "p"))
    )
    store.write(
        lambda uow: uow.account_settings.put("r", AccountSetting("awsvpcTrunking", "disabled", "p"))
    )
    assert store.read(lambda uow: uow.account_settings.list("r")) == [
        AccountSetting("awsvpcTrunking", "disabled", "p")
    ]


def test_access_keys_keep_ciphertext_bytes(store: Store) -> None:
    key = StoredAccessKey(
        "AKIAEXAMPLE", b"\x00cipher\xff", "arn:aws:iam::1:user/u", "u", "Active", NOW
    )
    store.write(lambda uow: uow.access_keys.add(key))
    assert store.read(lambda uow: uow.access_keys.get("AKIAEXAMPLE")) == key
    assert store.read(lambda uow: uow.access_keys.for_user("u")) == [key]
    assert store.read(lambda uow: uow.access_keys.count()) == 1


def test_inactive_cluster_is_revived_by_add(store: Store) -> None:
    from dataclasses import replace

    store.write(lambda uow: uow.clusters.add(Cluster("c", "r", created_at=NOW)))
    gone = store.read(lambda uow: uow.clusters.get("r", "c"))
    store.write(lambda uow: uow.clusters.save(replace(gone, status=ClusterStatus.INACTIVE)))
    assert store.read(lambda uow: uow.clusters.list_page("r", after=None, limit=10)) == []
    store.write(lambda uow: uow.clusters.add(Cluster("c", "r", created_at=NOW)))
    revived = store.read(lambda uow: uow.clusters.get("r", "c"))
    assert revived is not None and revived.status is ClusterStatus.ACTIVE
