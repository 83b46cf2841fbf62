"""Placement throughput: the engine alone, 10,000 tasks onto 1,000 instance snapshots.

Snapshots: ``--instances`` (1,000) instances of 16 vCPU / 32 GiB over 3 availability zones and 4
instance types, some tasks of the group already running. Every placement uses ``memberOf
attribute:ecs.instance-type in [m5.xlarge, m5.2xlarge]`` (half the fleet), ``spread
attribute:ecs.availability-zone`` then ``binpack memory``. Two shapes are timed:

* ``batch``  — one ``place_tasks(count=10,000)``: the engine's own per-placement cost;
* ``runtask`` — RunTask-shaped: ``place_tasks(count=10)`` calls, each on the snapshots left by
  the previous ones (the proposals folded in, as the store would return them), so every call
  re-filters all instances.

    python3 bench/placement_throughput.py [--instances 1000] [--tasks 10000] [--mode engine]

Goal: >= 2,000 placements/s (engine only). ``--mode e2e`` is reserved for an end-to-end variant
(RunTask through the API on a real store); see the marked spot below.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from tests.unit.placement.placement_support import SeededRandom, ensure_query_language

from dockyard.placement import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    TaskDemand,
    place_tasks,
)

GOAL = 2000.0
GROUP = "service:web"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
TYPES = ("m5.large", "m5.xlarge", "m5.2xlarge", "c5.xlarge")
CONSTRAINTS = (
    PlacementConstraint("memberOf", "attribute:ecs.instance-type in [m5.xlarge, m5.2xlarge]"),
)
STRATEGIES = (
    PlacementStrategy("spread", "attribute:ecs.availability-zone"),
    PlacementStrategy("binpack", "memory"),
)
DEMAND = TaskDemand(256, 512)


def fleet(n: int, seed: int) -> list[InstanceSnapshot]:
    rng = random.Random(seed)
    pool = []
    for i in range(n):
        running = rng.randint(0, 3)
        pool.append(
            InstanceSnapshot(
                instance_id=f"{i:032x}",
                active=True,
                connected=True,
                cpu=16 * 1024,
                memory=32 * 1024,
                used_cpu=running * 256,
                used_memory=running * 512,
                ec2_instance_id=f"i-{i:017x}",
                attributes={
                    "ecs.availability-zone": ZONES[i % 3],
                    "ecs.instance-type": TYPES[(i // 3) % 4],
                },
                group_counts={GROUP: running},
                running_tasks_count=running,
            )
        )
    return pool


def run_batch(pool: list[InstanceSnapshot], tasks: int) -> tuple[int, float]:
    start = time.perf_counter()
    result = place_tasks(
        DEMAND,
        pool,
        count=tasks,
        rng=SeededRandom(1),
        group=GROUP,
        constraints=CONSTRAINTS,
        strategies=STRATEGIES,
    )
    return len(result.placements), time.perf_counter() - start


def run_runtask(pool: list[InstanceSnapshot], tasks: int, per_call: int = 10) -> tuple[int, float]:
    by_id = {s.instance_id: s for s in pool}
    rng, placed, elapsed = SeededRandom(2), 0, 0.0
    while placed < tasks:
        snapshots = list(by_id.values())
        start = time.perf_counter()
        result = place_tasks(
            DEMAND,
            snapshots,
            count=per_call,
            rng=rng,
            group=GROUP,
            constraints=CONSTRAINTS,
            strategies=STRATEGIES,
        )
        elapsed += time.perf_counter() - start
        if not result.placements:
            break
        for instance_id in result.placements:  # what the store would return next time
            by_id[instance_id] = by_id[instance_id].with_task(DEMAND, GROUP)
        placed += len(result.placements)
    return placed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--mode", choices=["engine", "e2e"], default="engine")
    args = parser.parse_args()
    if args.mode == "e2e":
        # ---- END-TO-END MODE (to be added by the API wiring): RunTask count=10 through
        # ---- `dockyard server` on a real store with the same constraints and strategies.
        raise SystemExit("--mode e2e is not implemented yet")
    ensure_query_language()  # a stand-in only if dockyard.placement.query has not landed
    import dockyard.placement.query as query

    print(
        f"query language: {'stand-in (tests)' if query.__name__ not in sys.modules or not hasattr(query, '__file__') else 'dockyard.placement.query'}"
    )
    print(f"{args.instances} instances, {args.tasks} tasks; memberOf + spread AZ + binpack memory")
    print(f"{'shape':<10}{'placed':>8}{'seconds':>10}{'placements/s':>15}{'vs goal':>9}")
    for name, run in (("batch", run_batch), ("runtask", run_runtask)):
        placed, seconds = run(fleet(args.instances, seed=7), args.tasks)
        rate = placed / seconds if seconds else float("inf")
        print(f"{name:<10}{placed:>8}{seconds:>10.3f}{rate:>15,.0f}{rate / GOAL:>8.1f}x")


if __name__ == "__main__":
    main()
