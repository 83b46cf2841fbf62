"""Scale-in: which tasks stop, by ECS's rules per strategy."""

from __future__ import annotations

from collections import Counter

from tests.unit.placement.placement_support import SeededRandom, instance

from dockyard.placement import PlacementStrategy, RunningTask, select_tasks_to_stop


def task(task_id: str, on: str, memory: int = 100) -> RunningTask:
    return RunningTask(task_id, on, "service:api", 10, memory)


def test_default_rule_stops_in_the_fullest_zone_then_the_fullest_instance() -> None:
    # AZ a: a1 runs t1, t2; a2 runs t3 -> 3.  AZ b: b1 runs t4 -> 1.
    pool = [instance("a1", az="a", groups={"service:api": 2}), instance("a2", az="a", groups={"service:api": 1}),
            instance("b1", az="b", groups={"service:api": 1})]
    tasks = [task("t1", "a1"), task("t2", "a1"), task("t3", "a2"), task("t4", "b1")]
    for seed in range(10):
        stopped = select_tasks_to_stop(tasks, pool, count=2, rng=SeededRandom(seed))
        # 1st: AZ a (3), instance a1 (2): t1 or t2. Then a = 2 (a1 1, a2 1), b = 1: one of a1/a2.
        assert stopped[0] in {"t1", "t2"}
        assert stopped[1] in {"t1", "t2", "t3"} - {stopped[0]}


def test_spread_az_keeps_zones_balanced() -> None:
    pool = [instance("a1", az="a"), instance("b1", az="b"), instance("c1", az="c")]
    tasks = [task(f"a{n}", "a1") for n in range(4)] + [task(f"b{n}", "b1") for n in range(2)] + [task("c0", "c1")]
    stopped = select_tasks_to_stop(tasks, pool, count=3, rng=SeededRandom(1),
                                   strategies=[PlacementStrategy("spread", "attribute:ecs.availability-zone")])
    # a 4 b 2 c 1 -> a 3 -> a 2 (tie with b) -> a or b
    assert Counter(t[0] for t in stopped[:2]) == {"a": 2}
    assert stopped[2][0] in "ab"


def test_binpack_stops_on_the_instance_left_with_the_most_free() -> None:
    # memory 1000 each. x uses 900 (t1 400, t2 500); y uses 300 (t3 300).
    # stop t3: y has 1000 free after; stop t1: x 500; stop t2: x 600 -> t3 first.
    pool = [instance("x", used_memory=900), instance("y", used_memory=300)]
    tasks = [task("t1", "x", 400), task("t2", "x", 500), task("t3", "y", 300)]
    stopped = select_tasks_to_stop(tasks, pool, count=2, rng=SeededRandom(1),
                                   strategies=[PlacementStrategy("binpack", "memory")])
    # then x: t2 (600 free after) beats t1 (500)
    assert stopped == ("t3", "t2")


def test_tasks_on_unknown_instances_stop_first_and_count_is_capped() -> None:
    pool = [instance("a1", az="a")]
    tasks = [task("t1", "a1"), task("lost", "gone")]
    assert select_tasks_to_stop(tasks, pool, count=5, rng=SeededRandom(1)) == ("lost", "t1")


def test_same_seed_same_victims() -> None:
    pool = [instance(f"i{n}", az="ab"[n % 2]) for n in range(4)]
    tasks = [task(f"t{n}", f"i{n % 4}") for n in range(12)]
    first = select_tasks_to_stop(tasks, pool, count=5, rng=SeededRandom(7), strategies=[PlacementStrategy("random")])
    assert first == select_tasks_to_stop(tasks[::-1], pool, count=5, rng=SeededRandom(7), strategies=[PlacementStrategy("random")])
