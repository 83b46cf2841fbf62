"""Resource-fit placement: every shortfall reported, a batch sees its own proposals."""

from __future__ import annotations

import random

import pytest

from dockyard.placement import InstanceSnapshot, TaskDemand, place_tasks


class SeededRandom:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


def instance(name: str, **kw: object) -> InstanceSnapshot:
    base: dict[str, object] = {"instance_id": name, "active": True, "connected": True, "cpu": 1024, "memory": 1000}
    base.update(kw)
    return InstanceSnapshot(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("snapshot", "demand", "reasons"),
    [
        (instance("a"), TaskDemand(1024, 1000), ()),
        (instance("a"), TaskDemand(1025, 10), ("RESOURCE:CPU",)),
        (instance("a", used_memory=900), TaskDemand(10, 101), ("RESOURCE:MEMORY",)),
        (instance("a"), TaskDemand(2000, 2000), ("RESOURCE:CPU", "RESOURCE:MEMORY")),
        (instance("a", reserved_ports=frozenset({(22, "tcp")})), TaskDemand(1, 1, frozenset({(22, "tcp")})), ("RESOURCE:PORTS",)),
        (instance("a", used_ports=frozenset({(53, "udp")})), TaskDemand(1, 1, frozenset({(53, "udp")})), ("RESOURCE:PORTS_UDP",)),
        (instance("a", used_ports=frozenset({(53, "udp")})), TaskDemand(1, 1, frozenset({(53, "tcp")})), ()),
    ],
    ids=["exact-fit", "cpu", "memory", "cpu-and-memory", "reserved-port", "udp-port", "tcp-vs-udp"],
)
def test_shortfalls(snapshot: InstanceSnapshot, demand: TaskDemand, reasons: tuple[str, ...]) -> None:
    assert snapshot.shortfalls(demand) == reasons


def test_batch_sees_its_own_proposals() -> None:
    result = place_tasks(TaskDemand(0, 400), [instance("a"), instance("b")], count=5, rng=SeededRandom(1))
    assert sorted(result.placements) == ["a", "a", "b", "b"]
    assert {f.instance_id: f.reasons for f in result.failures} == {
        "a": ("RESOURCE:MEMORY",), "b": ("RESOURCE:MEMORY",)
    }


def test_static_port_takes_one_task_per_instance() -> None:
    demand = TaskDemand(1, 1, frozenset({(8080, "tcp")}))
    result = place_tasks(demand, [instance("a"), instance("b")], count=3, rng=SeededRandom(2))
    assert sorted(result.placements) == ["a", "b"]


def test_disconnected_and_draining_instances_get_no_tasks() -> None:
    result = place_tasks(
        TaskDemand(1, 1),
        [instance("a", connected=False), instance("b", active=False)],
        count=1,
        rng=SeededRandom(3),
    )
    assert result.placements == ()
    assert {f.instance_id: f.reasons for f in result.failures} == {"a": ("AGENT",), "b": ("INACTIVE",)}


def test_seeded_rng_replays_the_same_decision() -> None:
    pool = [instance(f"i{n}") for n in range(10)]
    first = place_tasks(TaskDemand(1, 1), pool, count=5, rng=SeededRandom(7))
    again = place_tasks(TaskDemand(1, 1), list(reversed(pool)), count=5, rng=SeededRandom(7))
    assert first == again


def test_never_overcommits_random_batches() -> None:
    rng = random.Random(11)
    for _ in range(200):
        pool = [instance(f"i{n}", cpu=rng.randint(0, 2048), memory=rng.randint(0, 2048)) for n in range(rng.randint(1, 5))]
        demand = TaskDemand(rng.randint(0, 600), rng.randint(0, 600))
        result = place_tasks(demand, pool, count=rng.randint(1, 10), rng=SeededRandom(rng.randint(0, 99)))
        for snapshot in pool:
            n = result.placements.count(snapshot.instance_id)
            assert n * demand.cpu <= snapshot.cpu and n * demand.memory <= snapshot.memory
