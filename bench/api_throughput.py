"""API throughput: the same boto3 call mix against Dockyard and against moto's server.

Both servers run on loopback in this same run, driven by the same client code with
``--clients`` concurrent client processes for ``--seconds`` each. Dockyard verifies every
SigV4 signature; moto does not. Prints requests/s, p50/p99 latency and the ratios.

    python3 bench/api_throughput.py [--clients 8] [--seconds 10]

Goal (issue 2): Dockyard ≥ 3× moto's throughput, p99 ≤ 20 ms at 8 concurrent clients.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server import ServerProcess, free_port

CONTAINERS = [
    {
        "name": "app",
        "image": "busybox",
        "memory": 64,
        "essential": True,
        "portMappings": [{"containerPort": 80, "hostPort": 0}],
    }
]


@dataclass
class Target:
    name: str
    endpoint: str
    key: str
    secret: str


def client(target: Target):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.session.Session(
        aws_access_key_id=target.key,
        aws_secret_access_key=target.secret,
        region_name="us-east-1",
    ).client(
        "ecs",
        endpoint_url=target.endpoint,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=2),
    )


def prepare(target: Target) -> None:
    ecs = client(target)
    ecs.create_cluster(clusterName="bench")
    ecs.register_task_definition(family="bench", containerDefinitions=CONTAINERS)


def worker(target: Target, seconds: float, index: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    ecs = client(target)
    calls = [
        lambda: ecs.describe_clusters(clusters=["bench"]),
        lambda: ecs.list_task_definitions(familyPrefix="bench", maxResults=10),
        lambda: ecs.register_task_definition(
            family=f"bench-{index}", containerDefinitions=CONTAINERS
        ),
        lambda: ecs.describe_task_definition(taskDefinition="bench"),
    ]
    latencies: list[float] = []
    errors = 0
    cpu_start = time.process_time()
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            calls[i % len(calls)]()
        except Exception:
            errors += 1
        latencies.append(time.perf_counter() - start)
        i += 1
    out.put((latencies, errors, time.process_time() - cpu_start))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def run(target: Target, clients: int, seconds: float, pid: int) -> dict[str, float]:
    prepare(target)
    cpu_before = cpu_seconds(pid)
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    procs = [mp.Process(target=worker, args=(target, seconds, i, queue)) for i in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    server_cpu = cpu_seconds(pid) - cpu_before
    latencies = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    client_cpu = sum(r[2] for r in results)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "server_cpu_ms": server_cpu / len(latencies) * 1000,
        "client_cpu_ms": client_cpu / len(latencies) * 1000,
    }


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        dockyard = ServerProcess(data_dir=Path(tmp) / "data").start()
        moto, moto_endpoint = start_moto()
        try:
            key, secret = dockyard.credentials()
            assert dockyard.proc is not None
            ours = run(
                Target("dockyard", dockyard.endpoint, key, secret),
                args.clients, args.seconds, dockyard.proc.pid,
            )
            theirs = run(
                Target("moto", moto_endpoint, "testing", "testing"),
                args.clients, args.seconds, moto.pid,
            )
        finally:
            dockyard.stop()
            moto.terminate()
            moto.wait()

    print(
        f"api_throughput: {args.clients} clients x {args.seconds:.0f} s, call mix "
        "DescribeClusters / ListTaskDefinitions / RegisterTaskDefinition / "
        "DescribeTaskDefinition"
    )
    print(
        f"{'server':<10}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'server CPU ms/req':>19}"
    )
    for name, r in (("dockyard", ours), ("moto", theirs)):
        print(
            f"{name:<10}{r['requests']:>10.0f}{r['errors']:>8.0f}{r['rps']:>10.1f}"
            f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['server_cpu_ms']:>19.2f}"
        )
    print(
        f"ratio dockyard/moto: throughput {ours['rps'] / theirs['rps']:.2f}x (goal >= 3x), "
        f"p50 {ours['p50_ms'] / theirs['p50_ms']:.2f}x, p99 {ours['p99_ms'] / theirs['p99_ms']:.2f}x; "
        f"dockyard p99 {ours['p99_ms']:.1f} ms (goal <= 20 ms); server CPU per request "
        f"{ours['server_cpu_ms'] / theirs['server_cpu_ms']:.2f}x moto's"
    )
    cores = os.cpu_count() or 1
    ceiling = cores * 1000 / ours["client_cpu_ms"]
    print(
        f"lower bound: the boto3 clients alone spend {ours['client_cpu_ms']:.2f} ms CPU per call, "
        f"so {cores} cores cap any server at ~{ceiling:.0f} req/s with this client "
        f"(= {ceiling / theirs['rps']:.2f}x moto's throughput); dockyard reached "
        f"{ours['rps'] / ceiling:.0%} of that cap"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
