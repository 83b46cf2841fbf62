"""Shared set-up of the load-balancer benchmarks: ``dockyard up`` on real Docker, a busybox
httpd service of N tasks behind an HTTP listener on 127.0.0.1, and a keep-alive load loop."""

from __future__ import annotations

import http.client
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.server import ServerProcess, free_port  # noqa: E402
from tests.support.waiting import has_instances  # noqa: E402
from tests.support.waiting import wait_for as until  # noqa: E402

SERVE = (
    "mkdir -p /www; hostname > /www/index.html; echo ok > /www/health; "
    "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"
)


def wait_for(predicate: Callable[[], Any], timeout: float = 120.0, interval: float = 0.05) -> Any:
    """The tests' :func:`tests.support.waiting.wait_for` with the benchmarks' defaults."""
    return until(predicate, timeout, interval)


def image() -> str:
    out = subprocess.run([str(REPO / "scripts/build-test-image.sh")], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip().splitlines()[-1]


@dataclass
class Stack:
    up: ServerProcess
    ecs: Any
    elb: Any
    tg: str
    port: int




@contextmanager
def stack(*, tasks: int, interval: int = 5, healthy: int = 2, delay: int = 0) -> Iterator[Stack]:
    """``dockyard up`` + a service of ``tasks`` httpd tasks behind a listener, steady."""
    data = Path(tempfile.mkdtemp(prefix="dockyard-lb-bench-")) / "data"
    up = ServerProcess(data_dir=data, command="up", extra_args=("--task-healthy-after", "1")).start()
    try:
        ecs, elb = up.client("ecs"), up.client("elbv2")
        wait_for(lambda: has_instances(ecs))
        ecs.register_task_definition(family="bench", containerDefinitions=[{
            "name": "web", "image": image(), "memory": 32, "stopTimeout": 2, "command": ["sh", "-c", SERVE],
            "portMappings": [{"containerPort": 8080}]}])
        tg = elb.create_target_group(
            Name="bench", Protocol="HTTP", Port=80, HealthCheckPath="/health",
            HealthCheckIntervalSeconds=interval, HealthCheckTimeoutSeconds=2,
            HealthyThresholdCount=healthy, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
        elb.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}])
        lb = elb.create_load_balancer(Name="bench")["LoadBalancers"][0]["LoadBalancerArn"]
        port = free_port()
        elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=port,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        ecs.create_service(cluster="default", serviceName="bench", taskDefinition="bench", desiredCount=tasks,
                           loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 8080}])
        wait_for(lambda: _steady(ecs))
        yield Stack(up, ecs, elb, tg, port)
    finally:
        _cleanup(up)


def _steady(ecs: Any) -> bool:
    s = ecs.describe_services(cluster="default", services=["bench"])["services"][0]
    d = s["deployments"]
    return len(d) == 1 and d[0]["rolloutState"] == "COMPLETED" and s["runningCount"] == s["desiredCount"]


def _cleanup(up: ServerProcess) -> None:
    try:
        ecs = up.client("ecs")
        ecs.update_service(cluster="default", service="bench", desiredCount=0)
        ecs.delete_service(cluster="default", service="bench", force=True)
        wait_for(lambda: not ecs.list_tasks(cluster="default")["taskArns"], timeout=60)
    except Exception:
        pass
    up.stop()


def live_tasks(ecs: Any) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster="default", serviceName="bench")["taskArns"]
    return ecs.describe_tasks(cluster="default", tasks=arns)["tasks"] if arns else []


def get(port: int, path: str = "/", timeout: float = 2.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode().strip()
    finally:
        conn.close()


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


def load(port: int, *, connections: int, seconds: float) -> LoadResult:
    """``connections`` threads, each a keep-alive HTTP/1.1 connection sending GET / in a loop."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    result = LoadResult(0, 0, seconds, [])

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        latencies, count, errors = [], 0, 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", "/")
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors += 1
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            count += 1
        conn.close()
        with lock:
            result.requests += count
            result.errors += errors
            result.latencies_ms.extend(latencies)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result
