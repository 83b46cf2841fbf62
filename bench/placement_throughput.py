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


E2E_GOAL = 500.0


def run_e2e(instances: int, tasks: int, clients: int) -> None:
    """RunTask count=10 through a real `dockyard server` (SQLite) onto a simulated fleet of
    ``instances`` over 3 zones and 4 types, same constraint and strategies as the engine run.
    The simulated agent starts the placed tasks (they keep running)."""
    import subprocess
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.server import ServerProcess

    data = Path(tempfile.mkdtemp()) / "data"
    data.parent.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(data_dir=data).start()
    ecs = server.client("ecs")
    ecs.create_cluster(clusterName="bench")
    family_containers = [{"name": "a", "image": "x", "cpu": DEMAND.cpu, "memory": DEMAND.memory}]
    ecs.register_task_definition(family="web", containerDefinitions=family_containers)
    agent = subprocess.Popen(
        [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint,
         "--cluster", "bench", "--runtime", "simulated", "--count", str(instances),
         "--cpu-units", str(16 * 1024), "--memory-mib", str(32 * 1024),
         "--availability-zone", ",".join(ZONES), "--instance-type", ",".join(TYPES),
         "--log-level", "warning"],
        env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while len(_instance_arns(ecs)) < instances:
            time.sleep(0.5)
        calls = tasks // 10
        constraints = [{"type": c.type, "expression": c.expression} for c in CONSTRAINTS]
        strategies = [{"type": s.type, "field": s.field} for s in STRATEGIES]

        def call(_: int) -> tuple[int, float]:
            client = server.client("ecs")
            start = time.perf_counter()
            run = client.run_task(cluster="bench", taskDefinition="web", count=10, group=GROUP,
                                  placementConstraints=constraints, placementStrategy=strategies)
            return len(run["tasks"]), time.perf_counter() - start

        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(call, range(calls)))
        wall = time.perf_counter() - start
    finally:
        agent.terminate()
        agent.wait(30)
        server.stop()
    placed = sum(n for n, _ in results)
    latencies = sorted(seconds * 1000 for _, seconds in results)
    rate = placed / wall
    print(f"e2e: {instances} simulated instances, {placed} tasks placed by {calls} RunTask calls "
          f"from {clients} clients in {wall:.1f} s")
    print(f"RunTask p50 {latencies[len(latencies) // 2]:.0f} ms, p99 "
          f"{latencies[int(len(latencies) * 0.99) - 1]:.0f} ms")
    print(f"placements/s end to end: {rate:,.0f} ({rate / E2E_GOAL:.2f}x the {E2E_GOAL:.0f}/s goal)")


def _instance_arns(ecs: object) -> list[str]:
    arns: list[str] = []
    for page in ecs.get_paginator("list_container_instances").paginate(cluster="bench"):  # type: ignore[attr-defined]
        arns += page["containerInstanceArns"]
    return arns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--mode", choices=["engine", "e2e"], default="engine")
    parser.add_argument("--clients", type=int, default=4, help="e2e: concurrent RunTask callers")
    args = parser.parse_args()
    if args.mode == "e2e":
        run_e2e(args.instances, args.tasks, args.clients)
        return
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
