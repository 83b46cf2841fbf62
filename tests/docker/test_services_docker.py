"""Services on real Docker through ``dockyard up`` and boto3: a health-checked rollout under
min 50 % / max 100 % sampled for its bounds, a killed container replaced, a bad image that
trips the circuit breaker and rolls back, and a control plane SIGKILLed at ten random points
of a rollout that still finishes within bounds with no orphaned or duplicated container.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess
from tests.support.waiting import has_instances
from tests.support.waiting import wait_for as until

TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn"
CLUSTER = "default"


def wait_for(predicate: Any, timeout: float = 90.0, interval: float = 0.2) -> Any:
    return until(predicate, timeout, interval)




@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory, test_image: str, docker_client: Any) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("services-up") / "data"
    proc = ServerProcess(data_dir=data_dir, command="up",
                         extra_args=("--log-level", "info", "--task-healthy-after", "1")).start()
    wait_for(lambda: has_instances(proc.client("ecs")))
    try:
        yield proc
    finally:
        arns: list[str] = []
        try:
            ecs = proc.client("ecs")
            for status in ("RUNNING", "STOPPED"):
                arns += ecs.list_tasks(cluster=CLUSTER, desiredStatus=status)["taskArns"]
        except Exception:
            pass
        proc.stop()
        for arn in arns:
            for c in docker_client.containers.list(all=True, filters={"label": f"{TASK_ARN_LABEL}={arn}"}):
                c.remove(force=True)


@pytest.fixture
def ecs(up: ServerProcess) -> Any:
    return up.client("ecs")


def register(ecs: Any, family: str, image: str, *, health: bool = False, env: str = "1") -> str:
    container: dict[str, Any] = {
        "name": "main", "image": image, "memory": 32, "stopTimeout": 2,
        "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
        "environment": [{"name": "VERSION", "value": env}],
    }
    if health:
        container["healthCheck"] = {"command": ["CMD-SHELL", "true"], "interval": 5, "timeout": 2, "retries": 1}
    return str(ecs.register_task_definition(family=family, containerDefinitions=[container])[
        "taskDefinition"]["taskDefinitionArn"])


def describe(ecs: Any, name: str) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0])


def completed(ecs: Any, name: str) -> dict[str, Any] | None:
    s = describe(ecs, name)
    d = s["deployments"]
    ok = len(d) == 1 and d[0]["rolloutState"] == "COMPLETED" and s["runningCount"] == s["desiredCount"]
    return s if ok else None


def live_tasks(ecs: Any, name: str) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=name, desiredStatus="RUNNING")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def containers_of(docker_client: Any, task_arns: set[str]) -> dict[str, list[str]]:
    """Running containers per task ARN, for the given tasks."""
    found: dict[str, list[str]] = {}
    for c in docker_client.containers.list(filters={"label": TASK_ARN_LABEL}):
        arn = c.labels[TASK_ARN_LABEL]
        if arn in task_arns:
            found.setdefault(arn, []).append(c.id)
    return found


def test_health_checked_rollout_min_50_max_100_stays_in_bounds(ecs: Any, test_image: str, docker_client: Any) -> None:
    desired = 4
    ecs.create_service(cluster=CLUSTER, serviceName="roll", taskDefinition=register(ecs, "roll", test_image, health=True),
                       desiredCount=desired,
                       deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 100})
    wait_for(lambda: completed(ecs, "roll"), 120)
    assert {t["healthStatus"] for t in live_tasks(ecs, "roll")} == {"HEALTHY"}
    v2 = register(ecs, "roll", test_image, health=True, env="2")
    ecs.update_service(cluster=CLUSTER, service="roll", taskDefinition=v2)
    low, high = math.ceil(desired * 0.5), desired
    least_healthy = desired
    while not completed(ecs, "roll"):
        tasks = live_tasks(ecs, "roll")
        assert len(tasks) <= high
        healthy = sum(1 for t in tasks if t["lastStatus"] == "RUNNING" and t["healthStatus"] == "HEALTHY")
        least_healthy = min(least_healthy, healthy)
        assert healthy >= low
        time.sleep(0.2)
    assert least_healthy == low  # it did use the room min 50 % gives
    final = live_tasks(ecs, "roll")
    assert {t["taskDefinitionArn"] for t in final} == {v2} and len(final) == desired
    running = containers_of(docker_client, {t["taskArn"] for t in final})
    assert sorted(len(ids) for ids in running.values()) == [1] * desired
    ecs.delete_service(cluster=CLUSTER, service="roll", force=True)
    ecs.get_waiter("services_inactive").wait(cluster=CLUSTER, services=["roll"], WaiterConfig={"Delay": 1})
    assert not containers_of(docker_client, {t["taskArn"] for t in final})


def test_killed_container_is_replaced(ecs: Any, test_image: str, docker_client: Any) -> None:
    ecs.create_service(cluster=CLUSTER, serviceName="heal", taskDefinition=register(ecs, "heal", test_image),
                       desiredCount=2)
    wait_for(lambda: completed(ecs, "heal"), 60)
    victim = live_tasks(ecs, "heal")[0]
    docker_client.containers.get(victim["containers"][0]["runtimeId"]).kill()
    stopped = wait_for(lambda: (t := ecs.describe_tasks(cluster=CLUSTER, tasks=[victim["taskArn"]])["tasks"][0])[
        "lastStatus"] == "STOPPED" and t, 60)
    assert stopped["stopCode"] == "EssentialContainerExited"
    wait_for(lambda: completed(ecs, "heal") and len(live_tasks(ecs, "heal")) == 2, 60)
    assert victim["taskArn"] not in {t["taskArn"] for t in live_tasks(ecs, "heal")}
    messages = [e["message"] for e in describe(ecs, "heal")["events"]]
    assert sum(1 for m in messages if m.startswith("(service heal) has started 1 tasks:")) >= 1
    ecs.delete_service(cluster=CLUSTER, service="heal", force=True)


def test_bad_image_trips_the_circuit_breaker_and_rolls_back(ecs: Any, test_image: str) -> None:
    good = register(ecs, "brk", test_image)
    ecs.create_service(cluster=CLUSTER, serviceName="brk", taskDefinition=good, desiredCount=2,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    wait_for(lambda: completed(ecs, "brk"), 60)
    bad = register(ecs, "brk", "dockyard-test/no-such-image:1")
    bad_id = ecs.update_service(cluster=CLUSTER, service="brk", taskDefinition=bad)["service"]["deployments"][0]["id"]
    final = wait_for(lambda: (s := completed(ecs, "brk")) and s["deployments"][0]["id"] != bad_id and s, 180)
    assert final["taskDefinition"] == good
    messages = [e["message"] for e in final["events"]]
    assert f"(service brk) (deployment {bad_id}) deployment failed: tasks failed to start." in messages
    stopped = ecs.list_tasks(cluster=CLUSTER, serviceName="brk", desiredStatus="STOPPED")["taskArns"]
    reasons = [t.get("stoppedReason", "") for t in ecs.describe_tasks(cluster=CLUSTER, tasks=stopped)["tasks"]]
    assert sum(1 for r in reasons if r.startswith("CannotPullContainerError")) >= 3
    ecs.delete_service(cluster=CLUSTER, service="brk", force=True)


class Sampler:
    """Polls the service while the control plane may be down; records live-task counts."""

    def __init__(self, up: ServerProcess, name: str) -> None:
        self.up, self.name = up, name
        self.live_counts: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # the control plane is down or restarting
                self.live_counts.append(len(live_tasks(self.up.client("ecs"), self.name)))
            time.sleep(0.1)


def test_control_plane_killed_at_ten_points_of_a_rollout(up: ServerProcess, test_image: str, docker_client: Any) -> None:
    ecs = up.client("ecs")
    desired, minimum, maximum = 4, 50, 150
    ecs.create_service(cluster=CLUSTER, serviceName="crash", taskDefinition=register(ecs, "crash", test_image),
                       desiredCount=desired,
                       deploymentConfiguration={"minimumHealthyPercent": minimum, "maximumPercent": maximum})
    wait_for(lambda: completed(ecs, "crash"), 60)
    high = math.floor(desired * maximum / 100)
    v2 = register(ecs, "crash", test_image, env="2")
    ecs.update_service(cluster=CLUSTER, service="crash", taskDefinition=v2)
    rng = random.Random(20261128)
    with Sampler(up, "crash") as sampler:
        for _ in range(10):
            time.sleep(rng.uniform(0.05, 1.5))
            up.kill()
            up.start()
            wait_for(lambda: has_instances(up.client("ecs")), 60)
        ecs = up.client("ecs")
        wait_for(lambda: completed(ecs, "crash"), 180)
    assert sampler.live_counts and max(sampler.live_counts) <= high
    final = live_tasks(ecs, "crash")
    assert len(final) == desired and {t["taskDefinitionArn"] for t in final} == {v2}
    every = set(ecs.list_tasks(cluster=CLUSTER, serviceName="crash", desiredStatus="STOPPED")["taskArns"])
    every |= {t["taskArn"] for t in final}
    running = wait_for(lambda: (r := containers_of(docker_client, every)) and set(r) == {t["taskArn"] for t in final}
                       and r, 60)
    assert sorted(len(ids) for ids in running.values()) == [1] * desired  # none duplicated, none orphaned
    ecs.delete_service(cluster=CLUSTER, service="crash", force=True)
