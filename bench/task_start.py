"""Task start latency: RunTask → RUNNING on ``dockyard up`` against ``docker run -d``.

Both sides start the same image with the same command and the same port publishing
(``-p 127.0.0.1::8080``, i.e. ``hostPort: 0``) on this machine, rounds interleaved so a busy
neighbour slows both. Dockyard's time runs from just before ``RunTask`` until
``DescribeTasks`` (polled every ``--poll-ms``) shows every task RUNNING. Docker's time runs
until ``docker run -d`` has returned (CLI: one process per container; SDK: ``containers.run``)
and an inspect shows the container running. ``--count 10`` is one ``RunTask count=10``
against ten concurrent ``docker run -d``. Every round's tasks and containers are removed
before the next one.

    python3 bench/task_start.py [--runs 30] [--poll-ms 5] [--pull-behavior default,prefer-cached]

Goal: median Dockyard/docker ≤ 1.15, i.e. ≤ ~80 ms orchestration overhead per start.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server import ServerProcess

TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn"
BENCH_LABEL = "dockyard-bench=task_start"
SERVE = (
    "mkdir -p /www; echo hi > /www/index.html; "
    "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"
)
"""busybox httpd that exits on SIGTERM, so stopping a round costs no stop timeout."""


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p99 of 30 samples is the maximum)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def build_image() -> str:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        ["scripts/build-test-image.sh"], cwd=root, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


class DockyardSide:
    def __init__(self, server: ServerProcess, image: str, poll: float) -> None:
        self.ecs = server.client("ecs")
        self.poll = poll
        self.describe_ms: list[float] = []
        self.phases: dict[int, dict[str, list[float]]] = {}
        self.arns: set[str] = set()
        deadline = time.monotonic() + 60
        while not self._registered():
            if time.monotonic() > deadline:
                raise RuntimeError("the local agent did not register")
            time.sleep(0.1)
        self.ecs.register_task_definition(
            family="bench-start",
            containerDefinitions=[{
                "name": "web", "image": image, "memory": 32, "essential": True,
                "command": ["sh", "-c", SERVE], "stopTimeout": 2,
                "portMappings": [{"containerPort": 8080, "hostPort": 0}],
            }],
        )

    def _registered(self) -> bool:
        try:
            return bool(self.ecs.list_container_instances(cluster="default")["containerInstanceArns"])
        except self.ecs.exceptions.ClusterNotFoundException:
            return False  # the local agent has not created cluster default yet

    def start(self, count: int) -> float:
        t0 = time.perf_counter()
        wall0 = time.time()
        tasks = self.ecs.run_task(cluster="default", taskDefinition="bench-start", count=count)
        run_return = time.perf_counter() - t0
        arns = [t["taskArn"] for t in tasks["tasks"]]
        self.arns.update(arns)
        if len(arns) != count:
            raise RuntimeError(f"RunTask placed {len(arns)}/{count}: {tasks['failures']}")
        while True:
            s = time.perf_counter()
            described = self.ecs.describe_tasks(cluster="default", tasks=arns)["tasks"]
            self.describe_ms.append((time.perf_counter() - s) * 1000)
            statuses = {t["lastStatus"] for t in described}
            if statuses == {"RUNNING"}:
                elapsed = time.perf_counter() - t0
                break
            if "STOPPED" in statuses:
                raise RuntimeError(f"a task stopped: {described[0].get('stoppedReason')}")
            time.sleep(self.poll)
        self._phases(described, wall0, run_return, elapsed)
        self._cleanup(arns)
        return elapsed

    def _phases(self, tasks: list[dict[str, Any]], wall0: float, run_return: float,
                total: float) -> None:
        """Where a start's time goes, from control-plane, agent and dockerd stamps (one host
        clock); with several tasks each phase ends when the last task got there."""
        import docker

        api = docker.from_env().api
        states = [api.inspect_container(t["containers"][0]["runtimeId"]) for t in tasks]
        stamps = [
            ("RunTask commit", max(t["createdAt"].timestamp() for t in tasks)),
            ("delivery to agent", max(t["pullStartedAt"].timestamp() for t in tasks)),
            ("image check", max(t["pullStoppedAt"].timestamp() for t in tasks)),
            ("docker create", max(_docker_time(s["Created"]) for s in states)),
            ("docker start", max(_docker_time(s["State"]["StartedAt"]) for s in states)),
            ("start return+report", max(t["startedAt"].timestamp() for t in tasks)),
            ("seen by poll", wall0 + total),
        ]
        phases = self.phases.setdefault(len(tasks), {})
        last = wall0
        for name, at in stamps:
            phases.setdefault(name, []).append((at - last) * 1000)
            last = at
        phases.setdefault("(RunTask call)", []).append(run_return * 1000)

    def _cleanup(self, arns: list[str]) -> None:
        for arn in arns:
            self.ecs.stop_task(cluster="default", task=arn, reason="bench round over")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            described = self.ecs.describe_tasks(cluster="default", tasks=arns)["tasks"]
            if all(t["lastStatus"] == "STOPPED" for t in described):
                break
            time.sleep(0.05)
        remove_tasks(set(arns))


def _docker_time(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def remove_tasks(arns: set[str]) -> None:
    """Remove the containers of these tasks only (found by their task-ARN label)."""
    import docker

    client = docker.from_env()
    for c in client.api.containers(all=True, filters={"label": TASK_ARN_LABEL}):
        if c["Labels"].get(TASK_ARN_LABEL) in arns:
            client.api.remove_container(c["Id"], force=True)


class DockerSide:
    def __init__(self, image: str, mode: str) -> None:
        import docker

        self.client = docker.from_env()
        self.image = image
        self.mode = mode

    def _one(self) -> str:
        if self.mode == "cli":
            out = subprocess.run(
                ["docker", "run", "-d", "--label", BENCH_LABEL, "-p", "127.0.0.1::8080",
                 self.image, "sh", "-c", SERVE],
                capture_output=True, text=True, check=True,
            )
            cid = out.stdout.strip()
        else:
            cid = self.client.containers.run(
                self.image, ["sh", "-c", SERVE], detach=True, labels={"dockyard-bench": "task_start"},
                ports={"8080/tcp": ("127.0.0.1", None)},
            ).id
        while not self.client.api.inspect_container(cid)["State"]["Running"]:
            time.sleep(0.001)
        return cid

    def start(self, count: int) -> float:
        t0 = time.perf_counter()
        if count == 1:
            cids = [self._one()]
        else:
            with ThreadPoolExecutor(count) as pool:
                cids = list(pool.map(lambda _: self._one(), range(count)))
        elapsed = time.perf_counter() - t0
        for cid in cids:
            self.client.api.remove_container(cid, force=True)
        return elapsed

    def remove_all(self) -> None:
        for c in self.client.api.containers(all=True, filters={"label": "dockyard-bench"}):
            self.client.api.remove_container(c["Id"], force=True)


def measure(sides: dict[str, Callable[[int], float]], count: int, runs: int) -> dict[str, list[float]]:
    for start in sides.values():
        start(count)  # warm-up, not measured
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(runs):
        for name, start in sides.items():
            times[name].append(start(count) * 1000)
    return times


def run_pull_behavior(args: argparse.Namespace, image: str, behavior: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(
            data_dir=Path(tmp) / "data", command="up",
            extra_args=("--pull-behavior", behavior),
        ).start()
        ours: DockyardSide | None = None
        try:
            ours = DockyardSide(server, image, args.poll_ms / 1000)
            sides: dict[str, Callable[[int], float]] = {
                "dockyard": ours.start,
                "docker run -d (CLI)": DockerSide(image, "cli").start,
                "docker SDK run": DockerSide(image, "sdk").start,
            }
            results = {count: measure(sides, count, args.runs) for count in (1, 10)}
        finally:
            server.stop()
            try:
                remove_tasks(ours.arns if ours else set())
                DockerSide(image, "sdk").remove_all()
            except Exception as exc:  # never hide the measurement's own error
                print(f"cleanup failed: {exc}", file=sys.stderr)
    assert ours is not None
    report(args, behavior, results, ours)


def report(
    args: argparse.Namespace, behavior: str,
    results: dict[int, dict[str, list[float]]], ours: DockyardSide,
) -> None:
    print(f"\ntask_start: dockyard up --pull-behavior {behavior}; {args.runs} runs per row; "
          f"DescribeTasks polled every {args.poll_ms:g} ms "
          f"(call p50 {statistics.median(ours.describe_ms):.1f} ms, so RUNNING is seen "
          f"~{args.poll_ms / 2 + statistics.median(ours.describe_ms) / 2:.0f} ms late on average)")
    print(f"{'tasks':>5}  {'side':<22}{'p50 ms':>9}{'p99 ms':>9}{'min ms':>9}")
    for count, times in results.items():
        for name, values in times.items():
            print(f"{count:>5}  {name:<22}{statistics.median(values):>9.1f}"
                  f"{pct(values, 0.99):>9.1f}{min(values):>9.1f}")
    for count, times in results.items():
        ours_p50 = statistics.median(times["dockyard"])
        for base in ("docker run -d (CLI)", "docker SDK run"):
            theirs = statistics.median(times[base])
            print(f"ratio {count:>2} task(s) dockyard/{base}: p50 {ours_p50 / theirs:.2f}x "
                  f"(goal <= 1.15), overhead {ours_p50 - theirs:+.0f} ms (goal <= 80 ms), "
                  f"p99 {pct(times['dockyard'], 0.99) / pct(times[base], 0.99):.2f}x")
    for count, phases in ours.phases.items():
        print(f"dockyard {count} task(s), median ms per phase (last task to get there; "
              "control-plane, agent and dockerd stamps):")
        print("  " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in phases.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--poll-ms", type=float, default=5.0)
    parser.add_argument("--pull-behavior", default="default,prefer-cached",
                        help="comma-separated; one fresh `dockyard up` per value")
    args = parser.parse_args()
    image = build_image()
    for behavior in args.pull_behavior.split(","):
        run_pull_behavior(args, image, behavior)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
