"""rebalance: binpack drains the emptiest instances, spread evens groups out, never breaking fit
or constraints."""

from __future__ import annotations

from tests.unit.placement.placement_support import instance

from dockyard.placement import (
    InstanceSnapshot,
    Move,
    PlacementConstraint,
    PlacementStrategy,
    RunningTask,
    rebalance,
)

BINPACK = PlacementStrategy("binpack", "memory")


def hosts(*loads: list[tuple[str, int]], memory: int = 1000, az: str | None = None) -> tuple[list[InstanceSnapshot], list[RunningTask]]:
    pool, tasks = [], []
    for n, load in enumerate(loads):
        name = f"i{n}"
        pool.append(instance(name, memory=memory, used_memory=sum(m for _, m in load), az=az,
                             groups={"g": len(load)} if load else {}))
        tasks += [RunningTask(t, name, "g", 0, m) for t, m in load]
    return pool, tasks


def test_binpack_drains_the_emptiest_into_best_fit() -> None:
    # i0 uses 200 (t1), i1 uses 700 (t2), i2 uses 500 (t3 300, t4 200).
    # i0 first: t1 (200) best fit -> i1 (1000-700-200 = 100 left). i2 next: t3 300 -> i1? 100 left: no;
    # -> i0 drained, skip; nothing else -> i2 stays.
    pool, tasks = hosts([("t1", 200)], [("t2", 700)], [("t3", 300), ("t4", 200)])
    plan = rebalance(tasks, pool, strategy=BINPACK)
    assert plan.moves == (Move("t1", "i0", "i1"),)
    assert (plan.instances_before, plan.instances_after) == (3, 2)


def test_binpack_moves_all_or_nothing_and_never_over_commits() -> None:
    pool, tasks = hosts([("t1", 600)], [("t2", 600)], [("t3", 600)])
    plan = rebalance(tasks, pool, strategy=BINPACK)
    assert plan.moves == () and plan.instances_after == 3


def test_binpack_skips_instances_running_other_tasks() -> None:
    pool, tasks = hosts([("t1", 100)], [("t2", 100)])
    pool[0] = instance("i0", memory=1000, used_memory=300, running_tasks_count=2, groups={"g": 1})
    plan = rebalance(tasks, pool, strategy=BINPACK)
    assert plan.moves == (Move("t2", "i1", "i0"),)


def test_binpack_respects_constraints_and_eligibility() -> None:
    pool, tasks = hosts([("t1", 100)], [("t2", 100)], [("t3", 100)])
    pool[1] = instance("i1", memory=1000, used_memory=100, connected=False, groups={"g": 1})
    plan = rebalance(tasks, pool, strategy=BINPACK, constraints=[PlacementConstraint("distinctInstance")])
    assert plan.moves == ()


def test_drains_chain_into_the_fullest_instance() -> None:
    # i0 (100) drains into i1 (150 used -> best fit among i1 (850 left) and i2 (700 used)): i2.
    pool, tasks = hosts([("t1", 100)], [("t2", 150)], [("t3", 700)])
    plan = rebalance(tasks, pool, strategy=BINPACK)
    assert {m.task_id: (m.from_instance, m.to_instance) for m in plan.moves} == {"t1": ("i0", "i2"), "t2": ("i1", "i2")}
    assert plan.instances_after == 1


def test_spread_evens_zones_within_one() -> None:
    pool = [instance("a1", az="a", used_memory=400, groups={"g": 4}), instance("b1", az="b"), instance("c1", az="c")]
    tasks = [RunningTask(f"t{n}", "a1", "g", 0, 100) for n in range(4)]
    plan = rebalance(tasks, pool, strategy=PlacementStrategy("spread", "attribute:ecs.availability-zone"))
    targets = sorted(m.to_instance for m in plan.moves)
    assert targets == ["b1", "c1"]


def test_spread_stops_when_the_move_does_not_fit() -> None:
    pool = [instance("a1", az="a", used_memory=400, groups={"g": 4}), instance("b1", az="b", memory=50)]
    tasks = [RunningTask(f"t{n}", "a1", "g", 0, 100) for n in range(4)]
    assert rebalance(tasks, pool, strategy=PlacementStrategy("spread", "attribute:ecs.availability-zone")).moves == ()
