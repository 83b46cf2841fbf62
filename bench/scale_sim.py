"""Scale: one control plane, 1,000 simulated instances, 10,000 tasks through their lifecycle.

A ``dockyard server`` (SQLite in a temp dir, or ``--db URL``) and one ``dockyard agent
--runtime simulated --count N`` process (hollow instances: no containers; a started task exits
by itself after ``--task-seconds``). After all instances have registered, ``--clients``
client processes call ``RunTask count=10`` until ``--tasks`` tasks are placed, and sweep
``DescribeTasks`` (100 tasks a call, every ``--sweep`` s) until each of their tasks is STOPPED.
The RUNNING and STOPPED times are the control plane's own ``startedAt`` / ``stoppedAt`` stamps,
so they do not depend on the sweep interval.

    python3 bench/scale_sim.py [--instances 1000] [--tasks 10000] [--clients 4] [--db URL]

Goals: >= 500 task starts/s end to end, control-plane peak RSS <= 500 MB.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3  # imported before the fork, so client processes do not each import it
from botocore.config import Config
from tests.support.server import ServerProcess

FAMILY = "scale"
DESCRIBE_BATCH = 100
"""DescribeTasks takes at most 100 tasks."""


@dataclass(frozen=True)
class Target:
    endpoint: str
    key: str
    secret: str
    cluster: str
    deadline: float
    sweep: float


@dataclass
class WorkerResult:
    run_ms: list[float] = field(default_factory=list)
    describe_ms: list[float] = field(default_factory=list)
    stamps: list[tuple[float, float | None, float]] = field(default_factory=list)
    """(createdAt, startedAt, stoppedAt) of each task seen STOPPED."""
    placement_failures: int = 0
    errors: int = 0
    unfinished: int = 0
    cpu_seconds: float = 0.0


def ecs_client(target: Target):  # type: ignore[no-untyped-def]
    return boto3.session.Session(
        aws_access_key_id=target.key, aws_secret_access_key=target.secret,
        region_name="us-east-1",
    ).client("ecs", endpoint_url=target.endpoint,
             config=Config(retries={"max_attempts": 1}, read_timeout=120))


def worker(target: Target, quota: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    ecs = ecs_client(target)
    result = WorkerResult()
    pending: dict[str, None] = {}
    launched, last_sweep = 0, 0.0
    while (launched < quota or pending) and time.time() < target.deadline:
        if launched < quota:
            start = time.perf_counter()
            try:
                r = ecs.run_task(cluster=target.cluster, taskDefinition=FAMILY,
                                 count=min(10, quota - launched))
            except Exception:
                result.errors += 1
                time.sleep(0.1)
                continue
            result.run_ms.append((time.perf_counter() - start) * 1000)
            pending.update(dict.fromkeys(t["taskArn"] for t in r["tasks"]))
            launched += len(r["tasks"])
            result.placement_failures += len(r["failures"])
            if not r["tasks"]:
                time.sleep(0.05)
        if pending and (launched >= quota or time.perf_counter() - last_sweep >= target.sweep):
            last_sweep = time.perf_counter()
            sweep(ecs, target, pending, result)
            if launched >= quota:
                time.sleep(target.sweep)
    result.unfinished = len(pending) + quota - launched
    result.cpu_seconds = time.process_time()
    out.put(result)


def sweep(ecs: object, target: Target, pending: dict[str, None], result: WorkerResult) -> None:
    arns = list(pending)
    for i in range(0, len(arns), DESCRIBE_BATCH):
        start = time.perf_counter()
        try:
            tasks = ecs.describe_tasks(  # type: ignore[attr-defined]
                cluster=target.cluster, tasks=arns[i : i + DESCRIBE_BATCH])["tasks"]
        except Exception:
            result.errors += 1
            continue
        result.describe_ms.append((time.perf_counter() - start) * 1000)
        for t in tasks:
            if t["lastStatus"] == "STOPPED":
                started = t.get("startedAt")
                result.stamps.append((t["createdAt"].timestamp(),
                                      started.timestamp() if started else None,
                                      t["stoppedAt"].timestamp()))
                del pending[t["taskArn"]]


def proc_status(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` field in kB (VmHWM = peak RSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def start_agent(server: ServerProcess, cluster: str, args: argparse.Namespace,
                log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint,
           "--cluster", cluster, "--runtime", "simulated", "--count", str(args.instances),
           "--sim-exit-after", str(args.task_seconds), "--cpu-units", "4096",
           "--memory-mib", "8192", "--log-level", "warning"]
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, env=server.env(), stdout=out, stderr=subprocess.STDOUT)


def wait_registered(ecs: object, cluster: str, count: int, agent: subprocess.Popen[bytes],
                    timeout: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if agent.poll() is not None:
            raise RuntimeError(f"the simulated agent exited with {agent.returncode}")
        described = ecs.describe_clusters(clusters=[cluster])["clusters"][0]  # type: ignore[attr-defined]
        if described["registeredContainerInstancesCount"] >= count:
            return time.perf_counter() - t0
        time.sleep(0.25)
    raise RuntimeError(f"{count} instances did not register within {timeout:.0f} s")


def run(args: argparse.Namespace, server: ServerProcess, tmp: Path) -> None:
    ecs = server.client("ecs")
    cluster = f"scale-{secrets.token_hex(4)}"
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family=FAMILY, containerDefinitions=[
        {"name": "sim", "image": "busybox", "cpu": 16, "memory": 32, "essential": True}])
    assert server.proc is not None
    pid = server.proc.pid
    agent = start_agent(server, cluster, args, tmp / "agent.log")
    try:
        reg_s = wait_registered(ecs, cluster, args.instances, agent, args.timeout)
        time.sleep(1.0)  # let the agent's first poll (its heartbeat) land
        key, secret = server.credentials()
        server_cpu0, agent_cpu0 = cpu_seconds(pid), cpu_seconds(agent.pid)
        t0 = time.time()
        target = Target(server.endpoint, key, secret, cluster, t0 + args.timeout, args.sweep)
        queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        shares = [args.tasks // args.clients + (i < args.tasks % args.clients)
                  for i in range(args.clients)]
        procs = [mp.Process(target=worker, args=(target, n, queue)) for n in shares]
        for p in procs:
            p.start()
        results: list[WorkerResult] = [queue.get() for _ in procs]
        wall = time.time() - t0
        for p in procs:
            p.join()
        server_cpu, agent_cpu = cpu_seconds(pid) - server_cpu0, cpu_seconds(agent.pid) - agent_cpu0
        server_hwm, agent_hwm = proc_status(pid, "VmHWM"), proc_status(agent.pid, "VmHWM")
    finally:
        agent.send_signal(signal.SIGINT)
        try:
            agent.wait(timeout=15)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()
    report(args, reg_s, t0, wall, results, server_cpu, agent_cpu, server_hwm, agent_hwm)


def report(args: argparse.Namespace, reg_s: float, t0: float, wall: float,
           results: list[WorkerResult], server_cpu: float, agent_cpu: float,
           server_hwm: int, agent_hwm: int) -> None:
    stamps = [s for r in results for s in r.stamps]
    started = [s[1] for s in stamps if s[1] is not None]
    all_running = max(started) - t0 if started else float("nan")
    all_stopped = max(s[2] for s in stamps) - t0 if stamps else float("nan")
    to_running = [(s[1] - s[0]) * 1000 for s in stamps if s[1] is not None]
    run_ms = [x for r in results for x in r.run_ms]
    describe_ms = [x for r in results for x in r.describe_ms]
    rate = len(started) / all_running
    db = "PostgreSQL" if args.db else "SQLite"
    print(f"scale_sim: {args.instances} simulated instances, {args.tasks} tasks (RunTask count=10 "
          f"from {args.clients} client processes), {db}, tasks exit {args.task_seconds:g} s "
          f"after start, DescribeTasks sweep every {args.sweep:g} s")
    print(f"{'measure':<40}{'value':>14}")
    rows = [
        (f"register {args.instances} instances (s)", f"{reg_s:.1f}"),
        ("tasks STOPPED / unfinished", f"{len(stamps)} / {sum(r.unfinished for r in results)}"),
        ("tasks that never reached RUNNING", f"{len(stamps) - len(started)}"),
        ("placement failures / API errors",
         f"{sum(r.placement_failures for r in results)} / {sum(r.errors for r in results)}"),
        ("wall: all RUNNING (s)", f"{all_running:.1f}"),
        ("wall: all STOPPED (s)", f"{all_stopped:.1f}"),
        ("wall: clients done (s)", f"{wall:.1f}"),
        ("task starts/s end to end", f"{rate:.0f}"),
        ("createdAt->startedAt p50 / p99 (ms)",
         f"{statistics.median(to_running):.0f} / {pct(to_running, 0.99):.0f}" if to_running
         else "n/a"),
        ("RunTask p50 / p99 (ms)", f"{statistics.median(run_ms):.0f} / {pct(run_ms, 0.99):.0f}"),
        ("DescribeTasks(100) p50 / p99 (ms)",
         f"{statistics.median(describe_ms):.0f} / {pct(describe_ms, 0.99):.0f}"),
        ("control-plane peak RSS (MB)", f"{server_hwm / 1024:.0f}"),
        ("agent peak RSS (MB)", f"{agent_hwm / 1024:.0f}"),
        ("CPU s: server / agent / clients",
         f"{server_cpu:.0f} / {agent_cpu:.0f} / {sum(r.cpu_seconds for r in results):.0f}"),
    ]
    for name, value in rows:
        print(f"{name:<40}{value:>14}")
    print(f"ratio: {rate / 500:.2f}x the 500 starts/s goal; peak RSS {server_hwm / 1024 / 500:.2f}x "
          f"the 500 MB limit; {os.cpu_count()} cores shared by server, agent and clients")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--task-seconds", type=float, default=1.0)
    parser.add_argument("--sweep", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--db", default=None,
                        help="SQLAlchemy URL, e.g. $DOCKYARD_TEST_PG_URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(data_dir=Path(tmp) / "data", db_url=args.db).start()
        try:
            run(args, server, Path(tmp))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
