"""Load balancing end to end on real Docker and a real HAProxy managed by ``dockyard up``:
a service behind a listener answers and balances, a path rule routes to another service, a
rollout under a constant stream of requests fails none of them, a task whose health check
starts failing is replaced, deregistration drains for the delay, and a killed HAProxy is
restarted and reconfigured."""

from __future__ import annotations

import collections
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess, free_port
from tests.support.waiting import has_instances
from tests.support.waiting import wait_for as until

CLUSTER = "default"
TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn"
SERVE = (
    "mkdir -p /www/api; hostname > /www/index.html; echo api-$VERSION > /www/api/index.html; "
    "echo ok > /www/health; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"
)


def wait_for(predicate: Any, timeout: float = 90.0, interval: float = 0.2) -> Any:
    return until(predicate, timeout, interval)




def get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode().strip()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode().strip()


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory, test_image: str, docker_client: Any) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("lb-up") / "data"
    proc = ServerProcess(data_dir=data_dir, command="up",
                         extra_args=("--log-level", "info", "--task-healthy-after", "1")).start()
    ecs = proc.client("ecs")
    wait_for(lambda: has_instances(ecs))
    try:
        yield proc
    finally:
        arns: list[str] = []
        try:
            for status in ("RUNNING", "STOPPED"):
                arns += ecs.list_tasks(cluster=CLUSTER, desiredStatus=status)["taskArns"]
        except Exception:
            pass
        proc.stop()
        for arn in arns:
            for c in docker_client.containers.list(all=True, filters={"label": f"{TASK_ARN_LABEL}={arn}"}):
                c.remove(force=True)


@pytest.fixture(scope="module")
def ecs(up: ServerProcess) -> Any:
    return up.client("ecs")


@pytest.fixture(scope="module")
def elb(up: ServerProcess) -> Any:
    return up.client("elbv2")


def register(ecs: Any, family: str, image: str, version: str = "1") -> str:
    return str(ecs.register_task_definition(family=family, containerDefinitions=[{
        "name": "web", "image": image, "memory": 32, "stopTimeout": 2, "command": ["sh", "-c", SERVE],
        "environment": [{"name": "VERSION", "value": version}], "portMappings": [{"containerPort": 8080}],
    }])["taskDefinition"]["taskDefinitionArn"])


def target_group(elb: Any, name: str, delay: int = 2) -> str:
    arn = str(elb.create_target_group(
        Name=name, Protocol="HTTP", Port=80, HealthCheckPath="/health", HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2, UnhealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"])
    elb.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}])
    return arn


def listener(elb: Any, name: str, tg: str) -> tuple[str, int]:
    lb = elb.create_load_balancer(Name=name)["LoadBalancers"][0]["LoadBalancerArn"]
    port = free_port()
    arn = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=port,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
    return str(arn), port


def service(ecs: Any, name: str, td: str, tg: str, desired: int = 2, **extra: Any) -> None:
    ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=td, desiredCount=desired,
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 8080}],
                       **extra)


def completed(ecs: Any, name: str) -> dict[str, Any] | None:
    s = ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]
    d = s["deployments"]
    ok = len(d) == 1 and d[0]["rolloutState"] == "COMPLETED" and s["runningCount"] == s["desiredCount"]
    return s if ok else None


def healthy_targets(elb: Any, tg: str) -> list[dict[str, Any]]:
    described = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    return [d for d in described if d["TargetHealth"]["State"] == "healthy"]


def test_service_behind_a_listener_balances_over_its_tasks(ecs: Any, elb: Any, test_image: str, up: ServerProcess) -> None:
    tg = target_group(elb, "balance")
    _, port = listener(elb, "balance", tg)
    service(ecs, "balance", register(ecs, "balance", test_image), tg)
    wait_for(lambda: completed(ecs, "balance"))
    assert len(healthy_targets(elb, tg)) == 2
    seen = collections.Counter(get(f"http://127.0.0.1:{port}/")[1] for _ in range(20))
    assert len(seen) == 2 and min(seen.values()) >= 5, seen
    messages = [e["message"] for e in ecs.describe_services(cluster=CLUSTER, services=["balance"])["services"][0]["events"]]
    assert any(m.startswith("(service balance) registered") for m in messages)
    assert "dockyard_lb_requests_total" in get(f"{up.endpoint}/metrics")[1]


def test_path_rule_routes_to_another_service(ecs: Any, elb: Any, test_image: str) -> None:
    front, api = target_group(elb, "front"), target_group(elb, "api")
    listener_arn, port = listener(elb, "paths", front)
    elb.create_rule(ListenerArn=listener_arn, Priority=10,
                    Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
                    Actions=[{"Type": "forward", "TargetGroupArn": api}])
    service(ecs, "front", register(ecs, "front", test_image, "front"), front, desired=1)
    service(ecs, "api", register(ecs, "api", test_image, "backend"), api, desired=1)
    wait_for(lambda: completed(ecs, "front") and completed(ecs, "api"))
    wait_for(lambda: get(f"http://127.0.0.1:{port}/api/")[1] == "api-backend")
    assert get(f"http://127.0.0.1:{port}/") != get(f"http://127.0.0.1:{port}/api/")


class Load:
    """A constant stream of requests to one URL, counting failures."""

    def __init__(self, url: str) -> None:
        self.url, self.ok, self.failed = url, 0, []  # type: ignore[var-annotated]
        self.bodies: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                status, body = get(self.url)
                if status == 200:
                    self.ok += 1
                    self.bodies[body] += 1
                else:
                    self.failed.append(status)
            except Exception as exc:
                self.failed.append(repr(exc))
            time.sleep(0.02)


def test_rollout_under_load_fails_no_request(ecs: Any, elb: Any, test_image: str) -> None:
    tg = target_group(elb, "rolling")
    _, port = listener(elb, "rolling", tg)
    service(ecs, "rolling", register(ecs, "rolling", test_image, "1"), tg)
    wait_for(lambda: completed(ecs, "rolling"))
    wait_for(lambda: get(f"http://127.0.0.1:{port}/api/")[0] == 200)
    with Load(f"http://127.0.0.1:{port}/api/") as load:
        ecs.update_service(cluster=CLUSTER, service="rolling", taskDefinition=register(ecs, "rolling", test_image, "2"))
        wait_for(lambda: completed(ecs, "rolling"), 180)
        wait_for(lambda: load.bodies["api-2"] > 20, 30)
    assert load.failed == [], load.failed[:5]
    assert load.ok > 100 and load.bodies["api-1"] > 0 and load.bodies["api-2"] > 0


def test_failing_health_check_gets_the_task_replaced(ecs: Any, elb: Any, test_image: str, docker_client: Any) -> None:
    tg = target_group(elb, "sick")
    listener(elb, "sick", tg)
    service(ecs, "sick", register(ecs, "sick", test_image), tg, desired=1)
    wait_for(lambda: completed(ecs, "sick"))
    arn = ecs.list_tasks(cluster=CLUSTER, serviceName="sick")["taskArns"][0]
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
    docker_client.containers.get(task["containers"][0]["runtimeId"]).exec_run(["rm", "/www/health"])
    stopped = wait_for(lambda: (t := ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0])["lastStatus"] == "STOPPED" and t, 90)
    assert stopped["stoppedReason"] == f"Task failed ELB health checks in (target-group {tg})"
    wait_for(lambda: completed(ecs, "sick") and healthy_targets(elb, tg), 90)


def test_deregistration_delay_is_honoured(ecs: Any, elb: Any, test_image: str) -> None:
    delay = 6
    tg = target_group(elb, "drain", delay=delay)
    listener(elb, "drain", tg)
    service(ecs, "drain", register(ecs, "drain", test_image), tg, desired=1)
    wait_for(lambda: completed(ecs, "drain"))
    arn = ecs.list_tasks(cluster=CLUSTER, serviceName="drain")["taskArns"][0]
    ecs.update_service(cluster=CLUSTER, service="drain", desiredCount=0)
    draining = wait_for(lambda: (t := ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0])["lastStatus"] == "DEACTIVATING" and t, 30)
    started = time.monotonic()
    assert draining["desiredStatus"] == "STOPPED"
    states = {d["TargetHealth"]["State"] for d in elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]}
    assert states == {"draining"}
    wait_for(lambda: ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["lastStatus"] in ("STOPPING", "STOPPED"), 30)
    assert time.monotonic() - started >= delay - 3  # seen DEACTIVATING a poll or two late


def test_killed_haproxy_is_restarted_and_reconfigured(ecs: Any, elb: Any, test_image: str, up: ServerProcess) -> None:
    tg = target_group(elb, "phoenix")
    _, port = listener(elb, "phoenix", tg)
    service(ecs, "phoenix", register(ecs, "phoenix", test_image), tg, desired=1)
    wait_for(lambda: completed(ecs, "phoenix"))
    wait_for(lambda: get(f"http://127.0.0.1:{port}/")[0] == 200)
    pid_file = up.data_dir / "haproxy" / "haproxy.pid"
    master = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
    if master is None:
        pytest.fail("HAProxy pid file missing")
    os.kill(master, signal.SIGKILL)
    wait_for(lambda: get_ok(f"http://127.0.0.1:{port}/"), 60)


def get_ok(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False
