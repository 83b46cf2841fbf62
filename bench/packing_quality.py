"""Packing quality: how many instances binpack uses, online and after a rebalance plan.

A seeded generator draws ``--tasks`` tasks of mixed sizes (CPU 256–4096 units and memory
512–16384 MiB, each uniform in steps of 256 / 512). They are placed one RunTask at a time
(``place_tasks(count=1)``, ``binpack memory``, the batch's proposals folded into the snapshots)
onto a fleet of identical empty instances (``--cpu`` / ``--memory``, default 16 vCPU / 64 GiB),
then :func:`dockyard.placement.rebalance` plans moves with ``binpack memory``. A second phase
stops a random ``--stop-fraction`` (30 %) of the tasks — the holes a scale-in leaves, which ECS
never repacks — and rebalances again. Reported: instances in use against the lower bound
⌈Σdemand / capacity⌉ (the larger of the CPU and memory bounds) of the tasks then running,
online, after scale-in, and after each rebalance plan, with the number of moves.

    python3 bench/packing_quality.py [--tasks 2000] [--seeds 5] [--cpu 16384] [--memory 65536]
                                     [--stop-fraction 0.3]

Goals: online ≤ 1.13 × the lower bound; after rebalance ≤ 1.05 ×.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from tests.unit.placement.placement_support import SeededRandom

from dockyard.placement import (
    InstanceSnapshot,
    PlacementStrategy,
    RunningTask,
    TaskDemand,
    place_tasks,
    rebalance,
)

ONLINE_GOAL, REBALANCE_GOAL = 1.13, 1.05
BINPACK = PlacementStrategy("binpack", "memory")
GROUP = "family:mixed"


def workload(n: int, seed: int) -> list[TaskDemand]:
    rng = random.Random(seed)
    return [TaskDemand(256 * rng.randint(1, 16), 512 * rng.randint(1, 32)) for _ in range(n)]


def lower_bound(demands: list[TaskDemand], cpu: int, memory: int) -> int:
    return max(math.ceil(sum(d.cpu for d in demands) / cpu), math.ceil(sum(d.memory for d in demands) / memory))


def online(demands: list[TaskDemand], fleet: int, cpu: int, memory: int, seed: int
           ) -> tuple[dict[str, InstanceSnapshot], list[RunningTask]]:
    state = {f"i{n:05d}": InstanceSnapshot(instance_id=f"i{n:05d}", active=True, connected=True, cpu=cpu, memory=memory)
             for n in range(fleet)}
    rng, tasks = SeededRandom(seed), []
    for k, demand in enumerate(demands):
        (chosen,) = place_tasks(demand, list(state.values()), count=1, rng=rng, group=GROUP, strategies=[BINPACK]).placements
        state[chosen] = state[chosen].with_task(demand, GROUP)
        tasks.append(RunningTask(f"t{k:05d}", chosen, GROUP, demand.cpu, demand.memory))
    return state, tasks


def used(state: dict[str, InstanceSnapshot]) -> int:
    return sum(1 for s in state.values() if s.running_tasks_count)


def scale_in(state: dict[str, InstanceSnapshot], tasks: list[RunningTask], fraction: float, seed: int
             ) -> tuple[dict[str, InstanceSnapshot], list[RunningTask]]:
    rng = random.Random(seed)
    stopped = set(rng.sample(range(len(tasks)), int(len(tasks) * fraction)))
    state = dict(state)
    for k in stopped:
        state[tasks[k].instance_id] = state[tasks[k].instance_id].without_task(tasks[k])
    return state, [t for k, t in enumerate(tasks) if k not in stopped]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=16 * 1024)
    parser.add_argument("--memory", type=int, default=64 * 1024)
    parser.add_argument("--stop-fraction", type=float, default=0.3)
    args = parser.parse_args()
    print(f"{args.tasks} tasks (cpu 256-4096, memory 512-16384) on {args.cpu} cpu / {args.memory} MiB instances")
    print(f"{'seed':>5}{'bound':>7}{'online':>8}{'ratio':>7}{'rebal.':>8}{'ratio':>7}{'moves':>7}{'plan s':>8}"
          f"  | {'bound':>6}{'scaled':>8}{'ratio':>7}{'rebal.':>8}{'ratio':>7}{'moves':>7}{'plan s':>8}")
    online_ratios, final_ratios, holey_ratios, repacked_ratios = [], [], [], []
    for seed in range(args.seeds):
        demands = workload(args.tasks, seed)
        bound = lower_bound(demands, args.cpu, args.memory)
        state, tasks = online(demands, bound * 2, args.cpu, args.memory, seed)
        start = time.perf_counter()
        plan = rebalance(tasks, list(state.values()), strategy=BINPACK)
        seconds = time.perf_counter() - start
        online_ratios.append(used(state) / bound)
        final_ratios.append(plan.instances_after / bound)
        row = (f"{seed:>5}{bound:>7}{used(state):>8}{online_ratios[-1]:>7.3f}{plan.instances_after:>8}"
               f"{final_ratios[-1]:>7.3f}{len(plan.moves):>7}{seconds:>8.2f}")
        state, tasks = scale_in(state, tasks, args.stop_fraction, seed)
        bound = lower_bound([t.demand for t in tasks], args.cpu, args.memory)
        start = time.perf_counter()
        plan = rebalance(tasks, list(state.values()), strategy=BINPACK)
        seconds = time.perf_counter() - start
        holey_ratios.append(used(state) / bound)
        repacked_ratios.append(plan.instances_after / bound)
        print(row + f"  | {bound:>6}{used(state):>8}{holey_ratios[-1]:>7.3f}{plan.instances_after:>8}"
              f"{repacked_ratios[-1]:>7.3f}{len(plan.moves):>7}{seconds:>8.2f}")
    on, fin = statistics.mean(online_ratios), statistics.mean(final_ratios)
    print(f"online:          {on:.3f} x lower bound (goal <= {ONLINE_GOAL}) -> {'met' if on <= ONLINE_GOAL else 'NOT met'}")
    print(f"after rebalance: {fin:.3f} x lower bound (goal <= {REBALANCE_GOAL}) -> {'met' if fin <= REBALANCE_GOAL else 'NOT met'}")
    holey, repacked = statistics.mean(holey_ratios), statistics.mean(repacked_ratios)
    print(f"after scale-in of {args.stop_fraction:.0%}: {holey:.3f} x lower bound; after rebalance: {repacked:.3f} x "
          f"(goal <= {REBALANCE_GOAL}) -> {'met' if repacked <= REBALANCE_GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()
