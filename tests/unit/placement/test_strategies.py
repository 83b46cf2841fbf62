"""Strategy arithmetic per instance: binpack least remaining, spread counts, ECS's examples."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.unit.placement.placement_support import SeededRandom, instance

from dockyard.placement import (
    DEFAULT_SERVICE_STRATEGIES,
    PlacementStrategy,
    TaskDemand,
    place_tasks,
)

BINPACK_MEMORY = PlacementStrategy("binpack", "memory")
BINPACK_CPU = PlacementStrategy("binpack", "cpu")
SPREAD_AZ = PlacementStrategy("spread", "attribute:ecs.availability-zone")
SPREAD_INSTANCE = PlacementStrategy("spread", "instanceId")


def test_binpack_memory_picks_least_remaining_after_placement() -> None:
    # memory 4096, task 512: remaining after = 4096 - used - 512
    #   a: used 1024 -> 2560    b: used 3000 -> 584    c: used 3584 -> 0 (exact fit)
    pool = [instance("a", memory=4096, used_memory=1024), instance("b", memory=4096, used_memory=3000),
            instance("c", memory=4096, used_memory=3584)]
    result = place_tasks(TaskDemand(0, 512), pool, count=4, rng=SeededRandom(1), strategies=[BINPACK_MEMORY])
    # 1: c (0 left; c is now full)  2: b (584)  3: b again (584 - 512 = 72; full)  4: a (2560)
    assert result.placements == ("c", "b", "b", "a")


def test_binpack_cpu_ignores_memory() -> None:
    pool = [instance("a", cpu=2048, used_cpu=0, used_memory=900), instance("b", cpu=2048, used_cpu=1024)]
    # cpu remaining after a 512-unit task: a 1536, b 512 -> b
    result = place_tasks(TaskDemand(512, 10), pool, count=1, rng=SeededRandom(1), strategies=[BINPACK_CPU])
    assert result.placements == ("b",)


def test_spread_az_then_instance_id() -> None:
    # AZ counts of family:web: a = 1 (on a1), b = 0, c = 0.
    # 1st, 2nd: b1 and c1 (AZ count 0, order by rng); 3rd: all AZs at 1, so the instance with
    # the fewest tasks of the group: a2 (0) beats a1, b1, c1 (1 each).
    pool = [instance("a1", az="a", groups={"family:web": 1}), instance("a2", az="a"),
            instance("b1", az="b"), instance("c1", az="c")]
    for seed in range(20):
        result = place_tasks(TaskDemand(1, 1), pool, count=3, rng=SeededRandom(seed), group="family:web",
                             strategies=[SPREAD_AZ, SPREAD_INSTANCE])
        assert sorted(result.placements[:2]) == ["b1", "c1"]
        assert result.placements[2] == "a2"


def test_spread_az_then_binpack_memory_ecs_example() -> None:
    # remaining memory before: a1 2048, a2 1024 (AZ a); b1 4096, b2 3072 (AZ b); task 512.
    # 1: AZ tie 0/0 -> least remaining after: a2 (512)            -> a=1 b=0
    # 2: AZ b -> b2 (2560) over b1 (3584)                          -> a=1 b=1
    # 3: tie -> a2 (0)                                             -> a=2 b=1
    # 4: AZ b -> b2 (2048)                                         -> a=2 b=2
    # 5: tie -> a1 (1536) is the least of a1 1536, b2 1536? tie -> b1 3584; a1 vs b2 both 1536 -> rng
    pool = [instance("a1", az="a", memory=2048), instance("a2", az="a", memory=1024),
            instance("b1", az="b", memory=4096), instance("b2", az="b", memory=3072)]
    result = place_tasks(TaskDemand(1, 512), pool, count=4, rng=SeededRandom(3), group="service:api",
                         strategies=[SPREAD_AZ, BINPACK_MEMORY])
    assert result.placements == ("a2", "b2", "a2", "b2")


def test_default_service_strategies_are_spread_az_then_instance() -> None:
    assert DEFAULT_SERVICE_STRATEGIES == (SPREAD_AZ, SPREAD_INSTANCE)


def test_spread_counts_tasks_on_ineligible_instances_of_the_zone() -> None:
    # AZ a holds 3 tasks of the group on a draining instance: the zone is already the fullest.
    pool = [instance("a0", az="a", active=False, groups={"g": 3}), instance("a1", az="a"), instance("b1", az="b")]
    result = place_tasks(TaskDemand(1, 1), pool, count=3, rng=SeededRandom(1), group="g", strategies=[SPREAD_AZ])
    assert result.placements == ("b1", "b1", "b1")


def test_instances_without_the_attribute_form_their_own_bucket() -> None:
    pool = [instance("a1", az="a"), instance("n1"), instance("n2")]
    result = place_tasks(TaskDemand(1, 1), pool, count=4, rng=SeededRandom(5), group="g", strategies=[SPREAD_AZ])
    by_bucket = Counter("a" if p == "a1" else "none" for p in result.placements)
    assert by_bucket == {"a": 2, "none": 2}


def test_spread_instance_id_with_host_alias_balances_instances() -> None:
    pool = [instance(f"i{n}", groups={"g": n}) for n in range(3)]  # 0, 1, 2 tasks
    result = place_tasks(TaskDemand(1, 1), pool, count=3, rng=SeededRandom(2), group="g",
                         strategies=[PlacementStrategy("spread", "host")])
    assert result.placements[0] == "i0"
    assert sorted(result.placements) == ["i0", "i0", "i1"]


def test_strategy_order_matters_binpack_first() -> None:
    pool = [instance("a1", az="a", memory=1024), instance("b1", az="b", memory=4096)]
    result = place_tasks(TaskDemand(1, 512), pool, count=2, rng=SeededRandom(1), group="g",
                         strategies=[BINPACK_MEMORY, SPREAD_AZ])
    assert result.placements == ("a1", "a1")


def test_rng_breaks_remaining_ties_and_replays() -> None:
    pool = [instance(f"i{n}") for n in range(6)]
    firsts = {place_tasks(TaskDemand(1, 1), pool, count=1, rng=SeededRandom(s), strategies=[BINPACK_MEMORY]).placements
              for s in range(30)}
    assert len(firsts) > 1
    again = place_tasks(TaskDemand(1, 1), pool, count=5, rng=SeededRandom(9), strategies=[SPREAD_INSTANCE])
    assert again == place_tasks(TaskDemand(1, 1), pool[::-1], count=5, rng=SeededRandom(9), strategies=[SPREAD_INSTANCE])


@pytest.mark.parametrize("strategies", [[], [PlacementStrategy("random")]], ids=["default", "explicit"])
def test_random_is_uniform_at_every_pick(strategies: list[PlacementStrategy]) -> None:
    # Two picks over 3 instances, 3,000 seeds: each (first, second) pair ~ 1/9 (333 expected).
    pool = [instance(n, memory=10_000) for n in "abc"]
    pairs = Counter(place_tasks(TaskDemand(1, 1), pool, count=2, rng=SeededRandom(s), strategies=strategies).placements
                    for s in range(3000))
    assert len(pairs) == 9
    assert all(250 < n < 420 for n in pairs.values()), pairs
