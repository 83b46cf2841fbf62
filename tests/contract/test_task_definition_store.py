"""Task-definition repository contract on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

from dockyard.domain.task_definition import (
    TaskDefinitionStatus,
    build_task_definition,
    registration_from_request,
)
from dockyard.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)



def register(store: Store, family: str, region: str = "r") -> int:
    registration = registration_from_request({
        "family": family,
        "containerDefinitions": [{"name": "a", "image": "busybox", "memory": 32,
                                  "portMappings": [{"containerPort": 80}]}],
    })

    def write(uow) -> int:
        revision = uow.task_definitions.next_revision(region, family)
        td = build_task_definition(registration, revision=revision, registered_at=NOW,
                                   registered_by="arn:aws:iam::1:user/u")
        uow.task_definitions.add(region, td)
        return revision

    return store.write(write)


def set_status(store: Store, family: str, revision: int, status: TaskDefinitionStatus) -> None:
    def write(uow) -> None:
        td = uow.task_definitions.get("r", family, revision)
        uow.task_definitions.save("r", replace(td, status=status, deregistered_at=NOW))

    store.write(write)


def test_round_trip_is_lossless(store: Store) -> None:
    register(store, "web")
    td = store.read(lambda uow: uow.task_definitions.get("r", "web", 1))
    assert td is not None
    assert td.family == "web" and td.revision == 1 and td.registered_at == NOW
    assert td.container_definitions[0].port_mappings[0].container_port == 80
    assert store.read(lambda uow: uow.task_definitions.get("other", "web", 1)) is None


def test_revisions_are_per_family_and_region(store: Store) -> None:
    assert [register(store, "a") for _ in range(3)] == [1, 2, 3]
    assert register(store, "b") == 1
    assert register(store, "a", region="r2") == 1


def test_concurrent_registrations_never_share_a_revision(store: Store) -> None:
    results: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            revision = register(store, "racy")
            with lock:
                results.append(revision)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 31))


def test_latest_active_skips_inactive(store: Store) -> None:
    for _ in range(3):
        register(store, "f")
    set_status(store, "f", 3, TaskDefinitionStatus.INACTIVE)
    latest = store.read(lambda uow: uow.task_definitions.latest_active("r", "f"))
    assert latest is not None and latest.revision == 2
    inactive = store.read(lambda uow: uow.task_definitions.get("r", "f", 3))
    assert inactive is not None and inactive.status is TaskDefinitionStatus.INACTIVE
    assert inactive.deregistered_at == NOW


def test_list_page_orders_filters_and_resumes(store: Store) -> None:
    for family in ["b", "a", "b", "c"]:
        register(store, family)
    set_status(store, "b", 1, TaskDefinitionStatus.INACTIVE)

    def page(**kw):
        args = {"family": None, "family_prefix": None, "status": "ACTIVE",
                "descending": False, "after": None, "limit": 10} | kw
        return store.read(lambda uow: uow.task_definitions.list_page("r", **args))

    assert page() == [("a", 1), ("b", 2), ("c", 1)]
    assert page(descending=True) == [("c", 1), ("b", 2), ("a", 1)]
    assert page(status=None) == [("a", 1), ("b", 1), ("b", 2), ("c", 1)]
    assert page(status=None, after=("b", 1)) == [("b", 2), ("c", 1)]
    assert page(status=None, descending=True, after=("b", 2)) == [("b", 1), ("a", 1)]
    assert page(family="b", status=None) == [("b", 1), ("b", 2)]
    assert page(family_prefix="b_%", status=None) == []  # LIKE wildcards are escaped


def test_list_families_by_status(store: Store) -> None:
    for family in ["x-live", "x-dead", "x-mixed", "x-mixed"]:
        register(store, family)
    set_status(store, "x-dead", 1, TaskDefinitionStatus.INACTIVE)
    set_status(store, "x-mixed", 1, TaskDefinitionStatus.INACTIVE)

    def families(status: str, after: str | None = None) -> list[str]:
        return store.read(lambda uow: uow.task_definitions.list_families_page(
            "r", family_prefix="x-", status=status, after=after, limit=10))

    assert families("ACTIVE") == ["x-live", "x-mixed"]
    assert families("INACTIVE") == ["x-dead"]
    assert families("ALL") == ["x-dead", "x-live", "x-mixed"]
    assert families("ALL", after="x-live") == ["x-mixed"]
