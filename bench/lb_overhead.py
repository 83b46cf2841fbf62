"""Requests/s and latency through a Dockyard load balancer (HAProxy) against the same task
straight on its published host port, same load loop, same run: the data plane's overhead.

One busybox httpd task behind an HTTP listener; N keep-alive connections for D seconds per
measurement, alternating direct / LB twice, medians reported. Goal: throughput ratio ≥ 0.9 and
≤ 1 ms added p50. Run: ``python3 bench/lb_overhead.py [--connections 8] [--seconds 8]``.
"""

from __future__ import annotations

import argparse
import statistics

from lb_common import LoadResult, live_tasks, load, stack


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with stack(tasks=1) as s:
        task = live_tasks(s.ecs)[0]
        direct_port = task["containers"][0]["networkBindings"][0]["hostPort"]
        load(direct_port, connections=args.connections, seconds=1.5)  # warm up both paths
        load(s.port, connections=args.connections, seconds=1.5)
        direct: list[LoadResult] = []
        through: list[LoadResult] = []
        for _ in range(2):
            direct.append(load(direct_port, connections=args.connections, seconds=args.seconds))
            through.append(load(s.port, connections=args.connections, seconds=args.seconds))
    report(direct, through, args.connections, args.seconds)


def report(direct: list[LoadResult], through: list[LoadResult], connections: int, seconds: float) -> None:
    def med(results: list[LoadResult], attr: str) -> float:
        return statistics.median(getattr(r, attr) if attr != "p99" else r.percentile(0.99) for r in results)

    d_rps, l_rps = med(direct, "rps"), med(through, "rps")
    d50, l50 = med(direct, "p50"), med(through, "p50")
    d99, l99 = med(direct, "p99"), med(through, "p99")
    errors = sum(r.errors for r in direct + through)
    print(f"lb_overhead: 1 busybox httpd task, {connections} keep-alive connections, {seconds:.0f} s per run, "
          "direct/LB alternated twice (medians); same Python load loop for both")
    print(f"{'':34}{'direct':>12}{'through LB':>12}")
    print(f"{'requests/s':34}{d_rps:>12.0f}{l_rps:>12.0f}")
    print(f"{'p50 latency (ms)':34}{d50:>12.2f}{l50:>12.2f}")
    print(f"{'p99 latency (ms)':34}{d99:>12.2f}{l99:>12.2f}")
    print(f"{'failed requests':34}{errors:>12}")
    print(f"throughput ratio LB/direct: {l_rps / d_rps:.2f} (goal >= 0.9); added p50: {l50 - d50:+.2f} ms "
          "(goal <= 1 ms)")
    print("note: busybox httpd closes each connection, so both paths open one TCP connection per "
          "request to the task; the load loop's own CPU shares the 2 cores with HAProxy and httpd")


if __name__ == "__main__":
    main()
