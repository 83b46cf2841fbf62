"""How fast the load balancer follows tasks: (a) from a task reaching RUNNING to the first
request it serves through the listener, (b) from StopTask to the task leaving rotation.

Target group health checks every 5 s (ELBv2's minimum interval), healthy threshold 2 — so a
new target takes no traffic until two checks have passed, as on ELBv2 (it is ``initial`` until
then). HAProxy runs a new server's first check one interval after it is added, so the floor for
(a) is two intervals; the bench prints Dockyard's time above that floor. Deregistration delay 0
for (b). Goal: ≤ 1 health-check interval + 200 ms. Run: ``python3 bench/target_convergence.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from lb_common import get, live_tasks, stack, wait_for

INTERVAL = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    joins, leaves = [], []
    with stack(tasks=1, interval=INTERVAL, healthy=2, delay=0) as s:
        for _ in range(args.rounds):
            joins.append(join_time(s))
            leaves.append(leave_time(s))
    print(f"target_convergence: health checks every {INTERVAL} s, healthy threshold 2, "
          f"deregistration delay 0, {args.rounds} rounds")
    print(f"RUNNING -> first request served through the LB (s): median {statistics.median(joins):.2f}, "
          f"max {max(joins):.2f}  (goal <= {INTERVAL + 0.2:.1f}; two passing checks needed, the "
          f"first one interval after registration: floor {2 * INTERVAL} s; above the floor: "
          f"median {statistics.median(joins) - 2 * INTERVAL:+.2f} s)")
    print(f"StopTask -> out of rotation (s): median {statistics.median(leaves):.3f}, max {max(leaves):.3f} "
          f"(goal <= {INTERVAL + 0.2:.1f})")
    print(f"ratio join/goal {statistics.median(joins) / (INTERVAL + 0.2):.2f}x, "
          f"leave/goal {statistics.median(leaves) / (INTERVAL + 0.2):.2f}x")


def join_time(s) -> float:  # type: ignore[no-untyped-def]
    before = {t["taskArn"] for t in live_tasks(s.ecs)}
    s.ecs.update_service(cluster="default", service="bench", desiredCount=2)
    new = wait_for(lambda: [t for t in live_tasks(s.ecs) if t["taskArn"] not in before
                            and t["lastStatus"] == "RUNNING"] or None)[0]
    running_at = time.monotonic()
    runtime = new["containers"][0]["runtimeId"][:12]
    wait_for(lambda: get(s.port)[1] == runtime, timeout=60, interval=0.02)
    elapsed = time.monotonic() - running_at
    s.ecs.update_service(cluster="default", service="bench", desiredCount=1)
    wait_for(lambda: len(live_tasks(s.ecs)) == 1 and _one_target(s))
    return elapsed


def leave_time(s) -> float:  # type: ignore[no-untyped-def]
    s.ecs.update_service(cluster="default", service="bench", desiredCount=2)
    wait_for(lambda: len([t for t in live_tasks(s.ecs) if t["lastStatus"] == "RUNNING"]) == 2 and _two_healthy(s))
    victim = live_tasks(s.ecs)[0]
    runtime = victim["containers"][0]["runtimeId"][:12]
    s.ecs.update_service(cluster="default", service="bench", desiredCount=1)
    start = time.monotonic()
    s.ecs.stop_task(cluster="default", task=victim["taskArn"])
    last_seen = start
    deadline = start + 30
    quiet_since = None
    while time.monotonic() < deadline:
        body = get(s.port)[1]
        now = time.monotonic()
        if body == runtime:
            last_seen, quiet_since = now, None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since > 2:
            break
        time.sleep(0.02)
    wait_for(lambda: len(live_tasks(s.ecs)) == 1)
    return last_seen - start


def _two_healthy(s) -> bool:  # type: ignore[no-untyped-def]
    described = s.elb.describe_target_health(TargetGroupArn=s.tg)["TargetHealthDescriptions"]
    return sum(1 for d in described if d["TargetHealth"]["State"] == "healthy") == 2


def _one_target(s) -> bool:  # type: ignore[no-untyped-def]
    described = s.elb.describe_target_health(TargetGroupArn=s.tg)["TargetHealthDescriptions"]
    return sum(1 for d in described if d["TargetHealth"]["State"] != "draining") == 1


if __name__ == "__main__":
    main()
