"""Safety properties of the placement engine (Hypothesis).

* never over-commit an instance (CPU, memory, static ports);
* constraints always hold (memberOf, distinctInstance, eligibility, required attributes);
* spread over equal-capacity instances keeps the imbalance ≤ 1 whenever it can;
* the same seed gives the same decision, whatever order the instances come in.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.placement.placement_support import AZ, SeededRandom, instance

from dockyard.placement import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    RunningTask,
    TaskDemand,
    place_tasks,
    rebalance,
)

ZONES = ["a", "b", "c"]
STRATEGY = st.sampled_from([
    PlacementStrategy("random"), PlacementStrategy("binpack", "cpu"), PlacementStrategy("binpack", "memory"),
    PlacementStrategy("spread", "instanceId"), PlacementStrategy("spread", f"attribute:{AZ}"),
])
PORTS = st.frozensets(st.tuples(st.sampled_from([80, 443, 53]), st.sampled_from(["tcp", "udp"])), max_size=2)


@st.composite
def snapshots(draw: st.DrawFn) -> list[InstanceSnapshot]:
    n = draw(st.integers(1, 8))
    pool = []
    for i in range(n):
        cpu, memory = draw(st.integers(0, 4096)), draw(st.integers(0, 8192))
        pool.append(instance(
            f"i{i}", az=draw(st.sampled_from([*ZONES, None])), cpu=cpu, memory=memory,
            used_cpu=draw(st.integers(0, cpu)), used_memory=draw(st.integers(0, memory)),
            used_ports=draw(PORTS), active=draw(st.booleans() | st.just(True)),
            connected=draw(st.booleans() | st.just(True)),
            groups={"g": draw(st.integers(0, 2))},
        ))
    return pool


DEMANDS = st.builds(TaskDemand, st.integers(0, 1024), st.integers(0, 2048), PORTS)


@settings(max_examples=300, deadline=None)
@given(pool=snapshots(), demand=DEMANDS, count=st.integers(1, 12), seed=st.integers(0, 2**16),
       strategies=st.lists(STRATEGY, max_size=3), distinct=st.booleans(), zone=st.sampled_from([None, *ZONES]))
def test_never_over_commits_and_constraints_hold(
    pool: list[InstanceSnapshot], demand: TaskDemand, count: int, seed: int,
    strategies: list[PlacementStrategy], distinct: bool, zone: str | None,
) -> None:
    constraints = [PlacementConstraint("distinctInstance")] if distinct else []
    if zone is not None:
        constraints.append(PlacementConstraint("memberOf", f"attribute:{AZ} == {zone}"))
    result = place_tasks(demand, pool, count=count, rng=SeededRandom(seed), group="g",
                         constraints=constraints, strategies=strategies)
    per_instance = Counter(result.placements)
    by_id = {i.instance_id: i for i in pool}
    for instance_id, n in per_instance.items():
        snap = by_id[instance_id]
        assert snap.active and snap.connected
        assert snap.used_cpu + n * demand.cpu <= snap.cpu
        assert snap.used_memory + n * demand.memory <= snap.memory
        if demand.ports:
            assert n == 1 and not demand.ports & (snap.used_ports | snap.reserved_ports)
        if distinct:
            assert n == 1 and snap.group_count("g") == 0
        if zone is not None:
            assert snap.attributes.get(AZ) == zone
    assert len(result.placements) == count or result.failures
    assert len(result.placements) <= count


@settings(max_examples=200, deadline=None)
@given(zones=st.lists(st.integers(1, 4), min_size=1, max_size=4),
       count=st.integers(1, 30), seed=st.integers(0, 2**16))
def test_spread_keeps_imbalance_within_one(zones: list[int], count: int, seed: int) -> None:
    # Equal-capacity instances with room for every task: balanced placement always exists.
    pool = []
    for z, size in enumerate(zones):
        for k in range(size):
            pool.append(instance(f"z{z}-{k}", az=f"z{z}", cpu=10**6, memory=10**6))
    result = place_tasks(TaskDemand(1, 1), pool, count=count, rng=SeededRandom(seed), group="g",
                         strategies=[PlacementStrategy("spread", f"attribute:{AZ}"), PlacementStrategy("spread", "instanceId")])
    by_zone = Counter(p.split("-")[0] for p in result.placements)
    counts = [by_zone.get(f"z{z}", 0) for z in range(len(zones))]
    assert max(counts) - min(counts) <= 1
    for z, size in enumerate(zones):
        per_instance = [result.placements.count(f"z{z}-{k}") for k in range(size)]
        assert max(per_instance) - min(per_instance) <= 1


@settings(max_examples=150, deadline=None)
@given(pool=snapshots(), demand=DEMANDS, count=st.integers(1, 10), seed=st.integers(0, 2**16),
       strategies=st.lists(STRATEGY, max_size=3), shuffle=st.randoms(use_true_random=False))
def test_same_seed_same_decision(pool: list[InstanceSnapshot], demand: TaskDemand, count: int, seed: int,
                                 strategies: list[PlacementStrategy], shuffle: object) -> None:
    first = place_tasks(demand, pool, count=count, rng=SeededRandom(seed), group="g", strategies=strategies)
    reordered = list(pool)
    shuffle.shuffle(reordered)  # type: ignore[attr-defined]
    assert first == place_tasks(demand, reordered, count=count, rng=SeededRandom(seed), group="g", strategies=strategies)


@settings(max_examples=150, deadline=None)
@given(loads=st.lists(st.lists(st.integers(1, 600), max_size=4), min_size=1, max_size=6))
def test_rebalance_never_over_commits(loads: list[list[int]]) -> None:
    pool, tasks = [], []
    for n, load in enumerate(loads):
        name = f"i{n}"
        pool.append(instance(name, memory=max(1000, sum(load)), used_memory=sum(load), groups={"g": len(load)}))
        tasks += [RunningTask(f"{name}-{k}", name, "g", 0, m) for k, m in enumerate(load)]
    plan = rebalance(tasks, pool, strategy=PlacementStrategy("binpack", "memory"))
    final = {t.task_id: t for t in tasks}
    for move in plan.moves:
        final[move.task_id] = RunningTask(move.task_id, move.to_instance, "g", 0, final[move.task_id].memory)
    for snap in pool:
        assert sum(t.memory for t in final.values() if t.instance_id == snap.instance_id) <= snap.memory
    assert plan.instances_after <= plan.instances_before
