"""The agent's task engine over the simulated runtime and an in-memory control plane: the
real worker, state machine, step runner and reporter, with no Docker and no HTTP."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dockyard.agent.client import ControlPlaneError
from dockyard.agent.engine import TaskEngine
from dockyard.agent.manifest import InstanceManifest, parse_task_manifest
from dockyard.agent.record import TaskRecord
from dockyard.agent.reporter import Reporter
from dockyard.agent.simulated import SimulatedRuntime
from dockyard.agent.state import LocalState
from dockyard.agent.steps import StepRunner
from dockyard.domain.task_definition import (
    build_task_definition,
    registration_from_request,
    task_definition_to_document,
)
from dockyard.infra.clock import SystemClock

CLUSTER = "sim"


class MemoryControlPlane:
    """Keeps the latest report per task; can be told to fail the next N calls."""

    def __init__(self) -> None:
        self.latest: dict[str, Mapping[str, Any]] = {}
        self.calls = 0
        self.fail_next = 0
        self.lock = threading.Lock()

    def register(self, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    def poll(self, cluster: str, etags: Mapping[str, str], wait: float) -> dict[str, Any]:
        raise NotImplementedError

    def report(self, cluster: str, reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        with self.lock:
            self.calls += 1
            if self.fail_next:
                self.fail_next -= 1
                raise ControlPlaneError("down")
            for r in reports:
                self.latest[str(r["task"]).rsplit("/", 1)[1]] = r
        return {}


def manifest_entry(task_id: str, desired: str = "RUNNING", containers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    reg = registration_from_request({
        "family": "sim",
        "containerDefinitions": containers or [
            {"name": "app", "image": "x", "memory": 10, "portMappings": [{"containerPort": 80}]},
        ],
    })
    td = build_task_definition(reg, revision=1, registered_at=datetime.now(UTC), registered_by="t")
    doc = {k: v for k, v in task_definition_to_document(td).items() if not isinstance(v, datetime)}
    return {
        "taskArn": f"arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/{task_id}",
        "taskId": task_id,
        "desiredStatus": desired,
        "taskDefinition": doc,
        "overrides": {"containerOverrides": [{"name": "app", "environment": [{"name": "A", "value": "1"}]}]},
    }


def instance_manifest(*entries: dict[str, Any], instance: str = "i-1") -> InstanceManifest:
    return InstanceManifest(instance, "ACTIVE", "e", tuple(parse_task_manifest(e) for e in entries))


def build(runtime: SimulatedRuntime, cp: MemoryControlPlane, state: LocalState | None = None, cleanup_wait: float = 3600) -> tuple[TaskEngine, Reporter]:
    counter = itertools.count()
    reporter = Reporter(cp)
    engine = TaskEngine(
        StepRunner(runtime, SystemClock()), reporter, state=state, workers=4,
        random_hex=lambda: f"{next(counter):08x}", cleanup_wait=cleanup_wait,
    )
    reporter._on_ack = engine.acknowledged
    reporter.start()
    return engine, reporter


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def pump(engine: TaskEngine, runtime: SimulatedRuntime, stop: threading.Event) -> threading.Thread:
    def run() -> None:
        for event in runtime.events(stop):
            engine.on_event(event)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_task_runs_then_stops_when_desired() -> None:
    runtime, cp = SimulatedRuntime(), MemoryControlPlane()
    engine, reporter = build(runtime, cp)
    engine.apply_manifest(instance_manifest(manifest_entry("a" * 32)))
    eventually(lambda: cp.latest.get("a" * 32, {}).get("status") == "RUNNING")
    running = cp.latest["a" * 32]
    app = running["containers"][0]
    assert app["status"] == "RUNNING" and app["runtimeId"]
    assert app["networkBindings"][0]["hostPort"] >= 32768
    assert "pullStartedAt" in running and "pullStoppedAt" in running
    engine.apply_manifest(instance_manifest(manifest_entry("a" * 32, desired="STOPPED")))
    eventually(lambda: cp.latest["a" * 32]["status"] == "STOPPED")
    assert cp.latest["a" * 32]["containers"][0]["exitCode"] == 143
    eventually(lambda: not engine.tasks())  # acknowledged STOPPED: forgotten
    engine.apply_manifest(instance_manifest(manifest_entry("a" * 32)))  # stale manifest
    time.sleep(0.1)
    assert runtime.count("running") == 0 and not engine.tasks()
    reporter.stop()
    engine.shutdown()


def test_essential_exit_stops_the_task_with_its_code() -> None:
    runtime, cp = SimulatedRuntime(exit_after=0.05, exit_code=7), MemoryControlPlane()
    engine, reporter = build(runtime, cp)
    stop = threading.Event()
    pump(engine, runtime, stop)
    engine.apply_manifest(instance_manifest(manifest_entry("b" * 32)))
    eventually(lambda: cp.latest.get("b" * 32, {}).get("status") == "STOPPED")
    final = cp.latest["b" * 32]
    assert final["stopCode"] == "EssentialContainerExited"
    assert final["containers"][0]["exitCode"] == 7
    stop.set()
    reporter.stop()
    engine.shutdown()


def test_reports_survive_a_control_plane_outage_and_coalesce() -> None:
    runtime, cp = SimulatedRuntime(), MemoryControlPlane()
    cp.fail_next = 3
    engine, reporter = build(runtime, cp)
    engine.apply_manifest(instance_manifest(*(manifest_entry(f"{n:032x}") for n in range(20))))
    eventually(lambda: len(cp.latest) == 20 and all(r["status"] == "RUNNING" for r in cp.latest.values()))
    assert cp.calls < 20 * 3  # batched and coalesced, not one call per state change
    reporter.stop()
    engine.shutdown()


def test_dependency_order_and_overrides_reach_the_runtime() -> None:
    runtime, cp = SimulatedRuntime(), MemoryControlPlane()
    engine, reporter = build(runtime, cp)
    entry = manifest_entry("c" * 32, containers=[
        {"name": "app", "image": "x", "memory": 10, "dependsOn": [{"containerName": "db", "condition": "START"}]},
        {"name": "db", "image": "y", "memory": 10},
    ])
    engine.apply_manifest(instance_manifest(entry))
    eventually(lambda: cp.latest.get("c" * 32, {}).get("status") == "RUNNING")
    containers = {c.spec.labels["com.amazonaws.ecs.container-name"]: c for c in runtime._containers.values()}
    assert containers["db"].state.started_at <= containers["app"].state.started_at  # type: ignore[operator]
    assert containers["app"].spec.environment["A"] == "1"
    assert containers["app"].spec.environment["AWS_EXECUTION_ENV"] == "AWS_ECS_EC2"
    reporter.stop()
    engine.shutdown()


def test_local_state_round_trip(tmp_path: Path) -> None:
    state = LocalState(tmp_path)
    record = TaskRecord(parse_task_manifest(manifest_entry("d" * 32)), "i-1", "abcd")
    record.containers["app"].runtime_id = "rid"
    state.save_task(record)
    state.save_instances(CLUSTER, ["arn:1"])
    [loaded] = state.load_tasks()
    assert loaded.to_json() == record.to_json()
    assert state.instances(CLUSTER) == ["arn:1"]
    (tmp_path / "tasks" / "broken.json").write_text("{not json")
    assert len(state.load_tasks()) == 1
    state.forget_task("d" * 32)
    assert state.load_tasks() == []


def test_stopped_tasks_containers_are_cleaned_up_after_the_wait() -> None:
    runtime, cp = SimulatedRuntime(), MemoryControlPlane()
    engine, reporter = build(runtime, cp, cleanup_wait=0.2)
    engine.apply_manifest(instance_manifest(manifest_entry("e" * 32)))
    eventually(lambda: cp.latest.get("e" * 32, {}).get("status") == "RUNNING")
    assert len(runtime.list_managed()) == 1
    engine.apply_manifest(instance_manifest(manifest_entry("e" * 32, desired="STOPPED")))
    eventually(lambda: cp.latest["e" * 32]["status"] == "STOPPED")
    eventually(lambda: not runtime.list_managed())
    reporter.stop()
    engine.shutdown()
