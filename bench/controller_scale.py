"""Service controller at scale: 500 services × 10 tasks redeployed at once on simulated instances.

A ``dockyard server`` (SQLite in a temp dir, or ``--db URL``) and one ``dockyard agent
--runtime simulated --count N`` process (hollow instances; tasks run until stopped). The bench
creates ``--services`` services of ``--tasks`` tasks each (ECS's default deployment
configuration, minimumHealthyPercent 100 / maximumPercent 200; a task definition without
health checks), waits until every one is steady, then calls ``UpdateService
forceNewDeployment=True`` on all of them at once from ``--threads`` threads and times how long
until every service is steady again: one deployment, a new one, ``rolloutState`` COMPLETED,
``runningCount`` = desired. ``DescribeServices`` (10 services a call, the API's limit) sweeps
the services not yet steady every ``--sweep`` s; "seen" times are when a sweep saw it, and the
deployment's own ``updatedAt`` is given beside them.

The floor: without health checks ECS counts a task healthy 40 s after it is RUNNING, and with
minimumHealthyPercent 100 no old task may stop before its replacement is healthy, so no
deployment completes in less than 40 s after its new tasks are RUNNING. The bench keeps ECS's
40 s and says so; ``--task-healthy-after S`` passes the server's own setting of that name
(for looking at the controller without the wait; the header then says it is shortened, and the
60 s goal no longer means anything).

Control-plane CPU is the server process's user+system time (``/proc/<pid>/stat``) over the
redeploy phase, including the cost of answering the sweep.

    python3 bench/controller_scale.py [--services 500] [--tasks 10] [--instances 50]
    python3 bench/controller_scale.py --services 20 --tasks 5      # quick check

Goal: all services steady again ≤ 60 s after the redeploy starts.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botocore.config import Config
from tests.support.server import ServerProcess

FAMILY = "controller-scale"
DESCRIBE_BATCH = 10
"""DescribeServices takes at most 10 services."""
ECS_HEALTHY_AFTER_SECONDS = 40.0
"""ECS's rule for tasks without health checks; the server's default, which the bench keeps."""
GOAL_SECONDS = 60.0
PROGRESS_SECONDS = 30.0
"""How often a waiting phase says how far it got (on stderr)."""
T = TypeVar("T")


@dataclass
class Phase:
    """One wait for every service to be steady."""

    issued: float = 0.0
    """Seconds until the last CreateService / UpdateService call returned."""
    seen: dict[str, float] = field(default_factory=dict)
    """Service name → seconds from the phase start until a sweep saw it steady."""
    updated: dict[str, float] = field(default_factory=dict)
    """Service name → the COMPLETED deployment's ``updatedAt``, seconds from the phase start."""
    call_ms: list[float] = field(default_factory=list)
    """Latency of each CreateService / UpdateService call."""
    sweeps: int = 0
    describe_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0
    agent_cpu: float = 0.0

    @property
    def wall(self) -> float:
        return max(self.seen.values()) if self.seen else float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


class Fleet:
    """The server, the simulated agent, and one boto3 client per thread."""

    def __init__(self, server: ServerProcess, args: argparse.Namespace, tmp: Path) -> None:
        self.server = server
        self.args = args
        self.cluster = f"ctl-{secrets.token_hex(4)}"
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=120)
        self.clients = [server.client("ecs", config=config) for _ in range(args.threads)]
        self.ecs = self.clients[0]
        self.names = [f"svc-{i:04d}" for i in range(args.services)]
        self.deployments: dict[str, str] = {}
        """Service name → its deployment id when last seen steady."""
        self.ecs.create_cluster(clusterName=self.cluster)
        self.ecs.register_task_definition(
            family=FAMILY,
            containerDefinitions=[
                {"name": "sim", "image": "busybox", "cpu": 16, "memory": 32, "essential": True}
            ],
        )
        cmd = [
            sys.executable,
            "-m",
            "dockyard.cli",
            "agent",
            "--endpoint",
            server.endpoint,
            "--cluster",
            self.cluster,
            "--runtime",
            "simulated",
            "--count",
            str(args.instances),
            "--cpu-units",
            str(args.cpu_units),
            "--memory-mib",
            str(args.memory_mib),
            "--log-level",
            "warning",
        ]
        with open(tmp / "agent.log", "ab") as log:
            self.agent = subprocess.Popen(
                cmd, env=server.env(), stdout=log, stderr=subprocess.STDOUT
            )
        assert server.proc is not None
        self.server_pid = server.proc.pid

    def wait_registered(self) -> float:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < self.args.timeout:
            if self.agent.poll() is not None:
                raise RuntimeError(f"the simulated agent exited with {self.agent.returncode}")
            cluster = self.ecs.describe_clusters(clusters=[self.cluster])["clusters"][0]
            if cluster["registeredContainerInstancesCount"] >= self.args.instances:
                return time.perf_counter() - t0
            time.sleep(0.25)
        raise RuntimeError(f"{self.args.instances} instances did not register in time")

    def parallel(self, fn: Callable[[Any, T], Any], items: Sequence[T]) -> list[str]:
        """``fn(client, item)`` for every item, one client per thread; the errors' texts."""
        chunks = [items[k :: len(self.clients)] for k in range(len(self.clients))]

        def one(k: int) -> list[str]:
            errors = []
            for item in chunks[k]:
                try:
                    fn(self.clients[k], item)
                except Exception as exc:
                    errors.append(f"{item}: {exc}")
            return errors

        with ThreadPoolExecutor(len(self.clients)) as pool:
            return [e for errs in pool.map(one, range(len(self.clients))) for e in errs]

    def create_all(self) -> Phase:
        def create(ecs: Any, name: str) -> None:
            ecs.create_service(
                cluster=self.cluster,
                serviceName=name,
                taskDefinition=FAMILY,
                desiredCount=self.args.tasks,
                launchType="EC2",
            )

        return self._phase("create", create, old_deployments={})

    def redeploy_all(self, old_deployments: dict[str, str]) -> Phase:
        def update(ecs: Any, name: str) -> None:
            ecs.update_service(cluster=self.cluster, service=name, forceNewDeployment=True)

        return self._phase("redeploy", update, old_deployments=old_deployments)

    def _phase(
        self, label: str, call: Callable[[Any, str], None], old_deployments: dict[str, str]
    ) -> Phase:
        phase = Phase()
        cpu0, agent0 = cpu_seconds(self.server_pid), cpu_seconds(self.agent.pid)
        wall0, t0 = time.time(), time.perf_counter()

        def timed(ecs: Any, name: str) -> None:
            start = time.perf_counter()
            call(ecs, name)
            phase.call_ms.append((time.perf_counter() - start) * 1000)

        phase.errors += self.parallel(timed, self.names)
        phase.issued = time.perf_counter() - t0
        self._wait_steady(label, phase, old_deployments, t0, wall0)
        phase.server_cpu = cpu_seconds(self.server_pid) - cpu0
        phase.agent_cpu = cpu_seconds(self.agent.pid) - agent0
        return phase

    def _wait_steady(
        self, label: str, phase: Phase, old_deployments: dict[str, str], t0: float, wall0: float
    ) -> None:
        """Sweep the services not yet seen steady until none is left (or the timeout)."""
        self.deployments = {}
        pending, shown = list(self.names), t0
        while pending:
            if time.perf_counter() - shown >= PROGRESS_SECONDS:
                shown = time.perf_counter()
                print(
                    f"  {label}: {len(phase.seen)}/{len(self.names)} steady after {shown - t0:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
            if time.perf_counter() - t0 > self.args.timeout:
                phase.errors.append(f"{len(pending)} services not steady after the timeout")
                break
            sweep0 = time.perf_counter()
            batches = [
                pending[i : i + DESCRIBE_BATCH] for i in range(0, len(pending), DESCRIBE_BATCH)
            ]
            phase.errors += self.parallel(
                lambda ecs, b: self._look(ecs, b, phase, old_deployments, t0, wall0), batches
            )
            phase.sweeps += 1
            pending = [n for n in pending if n not in phase.seen]
            time.sleep(max(0.0, self.args.sweep - (time.perf_counter() - sweep0)))

    def _look(
        self, ecs: Any, names: list[str], phase: Phase, old: dict[str, str], t0: float, wall0: float
    ) -> None:
        start = time.perf_counter()
        described = ecs.describe_services(cluster=self.cluster, services=names)
        seen_at = time.perf_counter() - t0
        phase.describe_ms.append((time.perf_counter() - start) * 1000)
        for svc in described["services"]:
            deployments = svc["deployments"]
            if (
                len(deployments) == 1
                and deployments[0]["id"] != old.get(svc["serviceName"])
                and deployments[0].get("rolloutState") == "COMPLETED"
                and deployments[0]["runningCount"] == self.args.tasks
                and svc["runningCount"] == self.args.tasks
            ):
                phase.seen[svc["serviceName"]] = seen_at
                phase.updated[svc["serviceName"]] = deployments[0]["updatedAt"].timestamp() - wall0
                self.deployments[svc["serviceName"]] = deployments[0]["id"]

    def close(self) -> None:
        if self.agent.poll() is None:
            self.agent.send_signal(signal.SIGINT)
            try:
                self.agent.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait()


def report(
    args: argparse.Namespace, reg_s: float, create: Phase, redeploy: Phase, fleet: Fleet
) -> None:
    db = "PostgreSQL" if args.db else "SQLite"
    n = args.services
    floor = args.task_healthy_after
    shortened = (
        "ECS's default, not shortened"
        if floor == ECS_HEALTHY_AFTER_SECONDS
        else f"SHORTENED by --task-healthy-after; ECS's is {ECS_HEALTHY_AFTER_SECONDS:g} s"
    )
    print(
        f"controller_scale: {n} services x {args.tasks} tasks (100/200, no health checks) on "
        f"{args.instances} simulated instances ({args.cpu_units} CPU units / {args.memory_mib} "
        f"MiB each), {db}, {args.threads} client threads, DescribeServices sweep every "
        f"{args.sweep:g} s; healthy {floor:g} s after RUNNING ({shortened})"
    )
    print(f"{'measure':<48}{'create':>14}{'redeploy':>14}")
    rows: list[tuple[str, Callable[[Phase], str]]] = [
        ("API calls issued (s)", lambda p: f"{p.issued:.1f}"),
        (
            "Create/UpdateService p50 / p99 (ms)",
            lambda p: f"{pct(p.call_ms, 0.5):.0f} / {pct(p.call_ms, 0.99):.0f}",
        ),
        ("services steady (seen by a sweep)", lambda p: f"{len(p.seen)}/{n}"),
        ("wall: all steady, seen (s)", lambda p: f"{p.wall:.1f}"),
        (
            "wall: all steady, deployment updatedAt (s)",
            lambda p: f"{max(p.updated.values()):.1f}" if p.updated else "n/a",
        ),
        (
            "per service steady, p50 / p99 seen (s)",
            lambda p: (
                f"{pct(list(p.seen.values()), 0.5):.1f} / {pct(list(p.seen.values()), 0.99):.1f}"
            ),
        ),
        (
            "first service steady, seen (s)",
            lambda p: f"{min(p.seen.values()):.1f}" if p.seen else "n/a",
        ),
        (
            "sweeps / DescribeServices p50 (ms)",
            lambda p: (
                f"{p.sweeps} / {statistics.median(p.describe_ms):.0f}" if p.describe_ms else "n/a"
            ),
        ),
        ("API errors", lambda p: f"{len(p.errors)}"),
        ("CPU s: server / agent", lambda p: f"{p.server_cpu:.1f} / {p.agent_cpu:.1f}"),
    ]
    for name, cell in rows:
        print(f"{name:<48}{cell(create):>14}{cell(redeploy):>14}")
    print(f"{'register instances (s)':<48}{reg_s:>14.1f}")
    print(f"{'control-plane peak RSS (MB)':<48}{peak_rss_mb(fleet.server_pid):>14.0f}")
    for phase, label in ((create, "create"), (redeploy, "redeploy")):
        for error in phase.errors[:3]:
            print(f"{label} error: {error}")
    wall = redeploy.wall
    print(
        f"ratio redeploy all-steady / {GOAL_SECONDS:g} s goal: {wall / GOAL_SECONDS:.2f}x "
        f"(goal <= 1.0); over the {floor:g} s health floor: {wall / floor:.2f}x "
        f"(+{wall - floor:.1f} s); "
        f"control-plane CPU {redeploy.server_cpu / wall:.2f} cores over the redeploy; "
        f"{os.cpu_count()} cores shared by server, agent and clients (load average "
        f"{os.getloadavg()[0]:.1f} at the end)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=10, help="desiredCount of each service")
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--cpu-units", type=int, default=16384)
    parser.add_argument("--memory-mib", type=int, default=65536)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--sweep", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--db", default=None, help="SQLAlchemy URL, e.g. $DOCKYARD_TEST_PG_URL (default: SQLite)"
    )
    parser.add_argument(
        "--task-healthy-after",
        type=float,
        default=ECS_HEALTHY_AFTER_SECONDS,
        help="the server's setting; anything but 40 s is not ECS's behaviour",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        extra: tuple[str, ...] = ()
        if args.task_healthy_after != ECS_HEALTHY_AFTER_SECONDS:
            extra = ("--task-healthy-after", f"{args.task_healthy_after:g}")
        server = ServerProcess(data_dir=Path(tmp) / "data", db_url=args.db, extra_args=extra)
        server.start()
        fleet: Fleet | None = None
        try:
            fleet = Fleet(server, args, Path(tmp))
            reg_s = fleet.wait_registered()
            create = fleet.create_all()
            redeploy = fleet.redeploy_all(dict(fleet.deployments))
            report(args, reg_s, create, redeploy, fleet)
        finally:
            if fleet is not None:
                fleet.close()
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
