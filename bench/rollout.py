"""Rolling update on real Docker: UpdateService → new deployment COMPLETED, against raw Docker.

A ``dockyard server`` and one ``dockyard agent --runtime docker`` (this host, in a fresh
cluster) run a service of ``--tasks`` (20) busybox httpd tasks whose container health check is
``wget`` of the page (interval 5 s, ECS's minimum; timeout 2 s; retries 1; startPeriod 0),
with minimumHealthyPercent 50 / maximumPercent 200. Once it is steady, each of ``--rollouts``
rounds registers a new revision (only an environment variable differs) and calls
``UpdateService``; the time runs until ``DescribeServices`` (polled every ``--poll-ms``) shows
one deployment, of the new revision, ``rolloutState`` COMPLETED with every task running.

Baseline, same run: Docker's own health check with the same options (``docker run
--health-cmd ... --health-interval 5s ...``) timed from ``docker run`` until ``docker inspect``
says healthy, once per container (the per-task figure, median of ``--single-runs``) and for
``--tasks`` containers started concurrently until the last one is healthy (median of one run
before each rollout, interleaved). Docker runs a container's first check one interval after it
starts, so a healthy start costs ~5 s on either side.

Lower bound: with maximumPercent 200 every new task can start at once and the old ones stop
only once the new are healthy, so a rollout is one wave of "start and pass the first health
check" plus the stop of the old tasks; the bound is ``waves`` × the concurrent raw-Docker time
(waves = ⌈D / (hi − lo)⌉, hi = ⌊D·max/100⌋, lo = ⌈D·min/100⌉; 1 at D=20, 50/200).

    python3 bench/rollout.py [--tasks 20] [--rollouts 3] [--poll-ms 100]

Goal: rollout / lower bound ≤ 1.3.
"""

from __future__ import annotations

import argparse
import math
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server import ServerProcess

BENCH_LABEL = ("dockyard-bench", "rollout")
CLUSTER_LABEL = "com.amazonaws.ecs.cluster"
PORT = 8080
SERVE = (
    f"mkdir -p /www; echo hi > /www/index.html; "
    f"trap 'exit 0' TERM; httpd -f -p {PORT} -h /www & wait"
)
"""busybox httpd that exits on SIGTERM, so stopping the old tasks costs no stop timeout."""
HEALTH_CMD = f"wget -q -O /dev/null http://127.0.0.1:{PORT}/ || exit 1"
HEALTH = {"interval": 5, "timeout": 2, "retries": 1, "startPeriod": 0}
"""ECS's ranges: interval 5–300 s, timeout 2–60 s, retries 1–10, startPeriod 0–300 s."""
DOCKER_HEALTH_ARGS = [
    "--health-cmd",
    HEALTH_CMD,
    "--health-interval",
    f"{HEALTH['interval']}s",
    "--health-timeout",
    f"{HEALTH['timeout']}s",
    "--health-retries",
    str(HEALTH["retries"]),
    "--health-start-period",
    f"{HEALTH['startPeriod']}s",
]
SERVICE = "web"
DOCKER_POLL_SECONDS = 0.05


def build_image() -> str:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        ["scripts/build-test-image.sh"], cwd=root, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def waves(desired: int, minimum: int, maximum: int) -> int:
    """Start waves when each keeps ``lo`` tasks healthy and fills the rest of ``hi``."""
    hi = desired * maximum // 100
    lo = math.ceil(desired * minimum / 100)
    return math.ceil(desired / max(1, hi - lo))


class RawDocker:
    """Containers started with ``docker run`` and Docker's own healthcheck, nothing else."""

    def __init__(self, image: str) -> None:
        import docker

        self.api = docker.from_env().api
        self.image = image

    def _one(self) -> tuple[str, float]:
        t0 = time.perf_counter()
        out = subprocess.run(
            [
                "docker",
                "run",
                "-d",
                "--label",
                "=".join(BENCH_LABEL),
                *DOCKER_HEALTH_ARGS,
                self.image,
                "sh",
                "-c",
                SERVE,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        cid = out.stdout.strip()
        while True:
            state = self.api.inspect_container(cid)["State"]
            status = (state.get("Health") or {}).get("Status")
            if status == "healthy":
                return cid, time.perf_counter() - t0
            if status == "unhealthy" or not state["Running"]:
                raise RuntimeError(f"raw container {cid[:12]} is {status or state['Status']}")
            time.sleep(DOCKER_POLL_SECONDS)

    def healthy(self, count: int) -> tuple[float, float]:
        """Start ``count`` at once; (seconds until the last is healthy, seconds to stop all)."""
        t0 = time.perf_counter()
        with ThreadPoolExecutor(count) as pool:
            results = list(pool.map(lambda _: self._one(), range(count)))
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        with ThreadPoolExecutor(count) as pool:
            list(pool.map(lambda r: self.api.stop(r[0], timeout=2), results))
        stop = time.perf_counter() - t1
        for cid, _ in results:
            self.api.remove_container(cid, force=True)
        return elapsed, stop

    def remove_all(self) -> None:
        for c in self.api.containers(all=True, filters={"label": "=".join(BENCH_LABEL)}):
            self.api.remove_container(c["Id"], force=True)


@dataclass
class Rollout:
    seconds: float
    created: float
    """Seconds from UpdateService to the last new task's createdAt (control-plane clock)."""
    started: float
    old_stopped: float


class DockyardSide:
    def __init__(self, server: ServerProcess, args: argparse.Namespace, image: str) -> None:
        self.server = server
        self.args = args
        self.image = image
        self.ecs = server.client("ecs")
        self.cluster = f"rollout-{secrets.token_hex(4)}"
        self.family = f"bench-rollout-{secrets.token_hex(3)}"
        self.poll = args.poll_ms / 1000
        self.describe_ms: list[float] = []
        self.agent: subprocess.Popen[bytes] | None = None

    def start_agent(self, tmp: Path) -> None:
        self.ecs.create_cluster(clusterName=self.cluster)
        cmd = [
            sys.executable,
            "-m",
            "dockyard.cli",
            "agent",
            "--endpoint",
            self.server.endpoint,
            "--cluster",
            self.cluster,
            "--runtime",
            "docker",
            "--data-dir",
            str(tmp / "agent"),
            "--pull-behavior",
            self.args.pull_behavior,
            "--log-level",
            "warning",
        ]
        with open(tmp / "agent.log", "ab") as log:
            self.agent = subprocess.Popen(
                cmd, env=self.server.env(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while not self.ecs.list_container_instances(cluster=self.cluster)["containerInstanceArns"]:
            if self.agent.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the docker agent did not register (see {tmp / 'agent.log'})")
            time.sleep(0.1)

    def register(self, revision: int) -> str:
        td = self.ecs.register_task_definition(
            family=self.family,
            containerDefinitions=[
                {
                    "name": "web",
                    "image": self.image,
                    "memory": 32,
                    "essential": True,
                    "command": ["sh", "-c", SERVE],
                    "stopTimeout": 2,
                    "environment": [{"name": "BENCH_REVISION", "value": str(revision)}],
                    "healthCheck": {"command": ["CMD-SHELL", HEALTH_CMD], **HEALTH},
                }
            ],
        )
        return str(td["taskDefinition"]["taskDefinitionArn"])

    def create(self, td_arn: str) -> float:
        t0 = time.perf_counter()
        self.ecs.create_service(
            cluster=self.cluster,
            serviceName=SERVICE,
            taskDefinition=td_arn,
            desiredCount=self.args.tasks,
            launchType="EC2",
            deploymentConfiguration={
                "minimumHealthyPercent": self.args.min_healthy,
                "maximumPercent": self.args.max_percent,
            },
        )
        self.wait_steady(td_arn, t0)
        return time.perf_counter() - t0

    def rollout(self, td_arn: str) -> Rollout:
        old = set(self._task_arns("RUNNING"))
        wall0 = time.time()
        t0 = time.perf_counter()
        self.ecs.update_service(cluster=self.cluster, service=SERVICE, taskDefinition=td_arn)
        self.wait_steady(td_arn, t0)
        seconds = time.perf_counter() - t0
        new = [t for t in self._describe(self._task_arns("RUNNING")) if t["taskArn"] not in old]
        gone = self._describe(list(old))

        def last(tasks: list[dict[str, Any]], key: str) -> float:
            stamps = [t[key].timestamp() for t in tasks if t.get(key)]
            return max(stamps) - wall0 if stamps else float("nan")

        return Rollout(
            seconds, last(new, "createdAt"), last(new, "startedAt"), last(gone, "stoppedAt")
        )

    def wait_steady(self, td_arn: str, t0: float) -> dict[str, Any]:
        """Poll until one deployment, of ``td_arn``, COMPLETED with every task running."""
        while True:
            s = time.perf_counter()
            svc = self.ecs.describe_services(cluster=self.cluster, services=[SERVICE])
            self.describe_ms.append((time.perf_counter() - s) * 1000)
            service = svc["services"][0]
            deployments = service["deployments"]
            if (
                len(deployments) == 1
                and deployments[0]["taskDefinition"] == td_arn
                and deployments[0].get("rolloutState") == "COMPLETED"
                and deployments[0]["runningCount"] == self.args.tasks
                and service["runningCount"] == self.args.tasks
            ):
                return service
            if time.perf_counter() - t0 > self.args.timeout:
                events = [e["message"] for e in service.get("events", [])[:5]]
                raise RuntimeError(
                    f"not steady after {self.args.timeout:.0f} s: {deployments} {events}"
                )
            time.sleep(self.poll)

    def _task_arns(self, status: str) -> list[str]:
        pages = self.ecs.get_paginator("list_tasks").paginate(
            cluster=self.cluster, serviceName=SERVICE, desiredStatus=status
        )
        return [arn for page in pages for arn in page["taskArns"]]

    def _describe(self, arns: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(0, len(arns), 100):
            out += self.ecs.describe_tasks(cluster=self.cluster, tasks=arns[i : i + 100])["tasks"]
        return out

    def close(self) -> None:
        """Scale to 0, delete the service, stop the agent, remove the cluster's containers."""
        try:
            self.ecs.update_service(cluster=self.cluster, service=SERVICE, desiredCount=0)
            self.ecs.delete_service(cluster=self.cluster, service=SERVICE, force=True)
            deadline = time.monotonic() + 30
            while self._task_arns("RUNNING") and time.monotonic() < deadline:
                time.sleep(0.2)
        except Exception as exc:  # never hide the measurement's own error
            print(f"cleanup: service: {exc}", file=sys.stderr)
        if self.agent is not None and self.agent.poll() is None:
            self.agent.send_signal(signal.SIGINT)
            try:
                self.agent.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait()
        import docker

        api = docker.from_env().api
        for c in api.containers(all=True, filters={"label": f"{CLUSTER_LABEL}={self.cluster}"}):
            api.remove_container(c["Id"], force=True)


def run(args: argparse.Namespace, image: str, tmp: Path) -> None:
    raw = RawDocker(image)
    raw.healthy(1)  # warm-up, not measured
    single = [raw.healthy(1)[0] for _ in range(args.single_runs)]
    server = ServerProcess(data_dir=tmp / "data").start()
    ours = DockyardSide(server, args, image)
    try:
        ours.start_agent(tmp)
        create_s = ours.create(ours.register(1))
        concurrent: list[tuple[float, float]] = []
        rollouts: list[Rollout] = []
        for revision in range(2, args.rollouts + 2):
            concurrent.append(raw.healthy(args.tasks))
            rollouts.append(ours.rollout(ours.register(revision)))
    finally:
        ours.close()
        server.stop()
        raw.remove_all()
    report(args, create_s, single, concurrent, rollouts, ours)


def report(
    args: argparse.Namespace,
    create_s: float,
    single: list[float],
    concurrent: list[tuple[float, float]],
    rollouts: list[Rollout],
    ours: DockyardSide,
) -> None:
    import docker

    version = docker.from_env().version()["Version"]
    n = args.tasks
    w = waves(n, args.min_healthy, args.max_percent)
    p50 = statistics.median
    bound = w * p50(c[0] for c in concurrent)
    took = p50(r.seconds for r in rollouts)
    print(
        f"rollout: {n}-task service, healthCheck wget every {HEALTH['interval']} s (timeout "
        f"{HEALTH['timeout']} s, retries {HEALTH['retries']}, startPeriod "
        f"{HEALTH['startPeriod']}), min {args.min_healthy} % / max {args.max_percent} %, "
        f"{len(rollouts)} rollouts, DescribeServices every {args.poll_ms:g} ms (call p50 "
        f"{p50(ours.describe_ms):.1f} ms), pull {args.pull_behavior}; Docker {version}, "
        f"{_cores()} cores"
    )
    print(f"{'measure':<58}{'value':>12}")
    rows = [
        ("CreateService -> steady (s)", f"{create_s:.2f}"),
        (f"docker run -> healthy, 1 container, p50 of {len(single)} (s)", f"{p50(single):.2f}"),
        (
            f"docker run x{n} at once -> all healthy, per round (s)",
            " ".join(f"{c[0]:.2f}" for c in concurrent),
        ),
        (f"docker stop x{n} at once, per round (s)", " ".join(f"{c[1]:.2f}" for c in concurrent)),
        (
            "UpdateService -> COMPLETED, per rollout (s)",
            " ".join(f"{r.seconds:.2f}" for r in rollouts),
        ),
        (
            "  last new task createdAt, p50 (s after update)",
            f"{p50(r.created for r in rollouts):.2f}",
        ),
        (
            "  last new task startedAt, p50 (s after update)",
            f"{p50(r.started for r in rollouts):.2f}",
        ),
        (
            "  last old task stoppedAt, p50 (s after update)",
            f"{p50(r.old_stopped for r in rollouts):.2f}",
        ),
        (f"waves (D={n}, {args.min_healthy}/{args.max_percent})", f"{w}"),
        (f"lower bound: waves x p50 docker x{n} healthy (s)", f"{bound:.2f}"),
        ("rollout p50 (s)", f"{took:.2f}"),
    ]
    for name, value in rows:
        print(f"{name:<58}{value:>12}")
    print(
        f"ratio rollout/lower bound: {took / bound:.2f}x (goal <= 1.3); overhead "
        f"{took - bound:+.2f} s; rollout / (waves x 1-container healthy): "
        f"{took / (w * p50(single)):.2f}x"
    )


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--rollouts", type=int, default=3)
    parser.add_argument("--single-runs", type=int, default=5)
    parser.add_argument("--min-healthy", type=int, default=50)
    parser.add_argument("--max-percent", type=int, default=200)
    parser.add_argument("--poll-ms", type=float, default=100.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--pull-behavior",
        default="prefer-cached",
        help="the agent's; no registry is reachable, so default is 'try, fall "
        "back to the cached image'",
    )
    args = parser.parse_args()
    image = build_image()
    with tempfile.TemporaryDirectory() as tmp:
        run(args, image, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
