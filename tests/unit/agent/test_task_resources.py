"""Task roles and secrets through the real task engine over the simulated runtime: credentials
fetched before containers are created, the relative URI in every container, refresh, the id
forgotten at stop and kept across an agent restart, secrets in the environment, start failures
with ECS's reasons, and no secret in the local state."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dockyard.agent import task_credentials
from dockyard.agent.client import ChannelError
from dockyard.agent.engine import TaskEngine
from dockyard.agent.manifest import InstanceManifest, parse_task_manifest
from dockyard.agent.reporter import Reporter
from dockyard.agent.secrets_fetch import ExecutionResourceFetcher
from dockyard.agent.simulated import SimulatedRuntime
from dockyard.agent.state import LocalState
from dockyard.agent.steps import StepRunner
from dockyard.agent.task_resources import TaskResources
from dockyard.domain.task_definition import (
    build_task_definition,
    registration_from_request,
    task_definition_to_document,
)
from dockyard.infra.clock import SystemClock

ACCOUNT = "123456789012"
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/exec"
SECRET_VALUE = "hunter2-never-persisted"
URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"


class RoleControlPlane:
    """Keeps reports; hands out numbered credentials, or refuses a role type."""

    def __init__(self, lifetime: timedelta = timedelta(hours=1)) -> None:
        self.latest: dict[str, Mapping[str, Any]] = {}
        self.issued: list[tuple[str, str]] = []
        self.refuse: dict[str, ChannelError] = {}
        self.lifetime = lifetime
        self.lock = threading.Lock()
        self._serial = itertools.count(1)

    def report(self, cluster: str, reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        with self.lock:
            for r in reports:
                self.latest[str(r["task"]).rsplit("/", 1)[1]] = r
        return {}

    def credentials(self, cluster: str, task_arn: str, role_type: str) -> dict[str, Any]:
        if role_type in self.refuse:
            raise self.refuse[role_type]
        with self.lock:
            self.issued.append((task_arn, role_type))
            n = next(self._serial)
        expiration = datetime.now(UTC) + self.lifetime
        return {
            "RoleArn": APP_ROLE if role_type == "TaskApplication" else EXEC_ROLE,
            "AccessKeyId": f"ASIA{'APP' if role_type == 'TaskApplication' else 'EXEC'}{n}",
            "SecretAccessKey": f"secret-{n}",
            "Token": f"token-{n}",
            "Expiration": expiration.isoformat(),
        }


class SecretClients:
    """SSM with one parameter; made clients must carry the execution role's key."""

    def __call__(self, service: str, region: str, endpoint: str, creds: Any) -> Any:
        assert creds.access_key_id.startswith("ASIAEXEC"), creds.access_key_id  # TaskExecution
        return self

    def get_parameters(self, Names: list[str], WithDecryption: bool) -> dict[str, Any]:
        known = {"/app/password": SECRET_VALUE}
        return {
            "Parameters": [{"Name": n, "Value": known[n]} for n in Names if n in known],
            "InvalidParameters": [n for n in Names if n not in known],
        }


def entry(task_id: str, *, containers: list[dict[str, Any]], desired: str = "RUNNING", **td: Any) -> dict[str, Any]:
    for c in containers:
        c.setdefault("image", "x")
        c.setdefault("memory", 10)
    reg = registration_from_request({"family": "roles", "containerDefinitions": containers, **td})
    definition = build_task_definition(reg, revision=1, registered_at=datetime.now(UTC), registered_by="t")
    doc = {k: v for k, v in task_definition_to_document(definition).items() if not isinstance(v, datetime)}
    return {
        "taskArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/sim/{task_id}",
        "taskId": task_id,
        "desiredStatus": desired,
        "taskDefinition": doc,
        "overrides": {},
    }


def manifest(*entries: dict[str, Any]) -> InstanceManifest:
    return InstanceManifest("i-1", "ACTIVE", "e", tuple(parse_task_manifest(e) for e in entries))


class Harness:
    def __init__(self, cp: RoleControlPlane, state: LocalState | None = None) -> None:
        self.cp = cp
        self.runtime = SimulatedRuntime()
        fetcher = ExecutionResourceFetcher("http://cp", client_factory=SecretClients())
        self.resources = TaskResources(cp, SystemClock(), fetcher=fetcher)  # type: ignore[arg-type]
        counter = itertools.count()
        self.reporter = Reporter(cp)  # type: ignore[arg-type]
        self.engine = TaskEngine(
            StepRunner(self.runtime, SystemClock(), resources=self.resources),
            self.reporter,
            state=state,
            workers=4,
            random_hex=lambda: f"{next(counter):08x}",
        )
        self.reporter._on_ack = self.engine.acknowledged
        self.reporter.start()

    def env(self, container: str) -> Mapping[str, str]:
        for c in self.runtime._containers.values():
            if c.spec.labels["com.amazonaws.ecs.container-name"] == container:
                return c.spec.environment
        raise KeyError(container)

    def close(self) -> None:
        self.reporter.stop()
        self.engine.shutdown()
        self.resources.close()


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)
    return value


def status(cp: RoleControlPlane, task_id: str) -> str | None:
    return cp.latest.get(task_id, {}).get("status")


TID = "a" * 32


def test_a_task_role_reaches_every_container_and_dies_with_the_task(tmp_path: Path) -> None:
    cp = RoleControlPlane()
    h = Harness(cp, LocalState(tmp_path))
    containers = [
        {"name": "app"},
        {"name": "side", "environment": [{"name": URI, "value": "/mine"}]},
    ]
    h.engine.apply_manifest(manifest(entry(TID, containers=containers, taskRoleArn=APP_ROLE)))
    eventually(lambda: status(cp, TID) == "RUNNING")
    uri = h.env("app")[URI]
    credentials_id = uri.removeprefix("/v2/credentials/")
    assert uri.startswith("/v2/credentials/") and len(credentials_id) == 36
    assert h.env("side")[URI] == "/mine"  # a container's own value is kept
    served = h.resources.registry.lookup(credentials_id)
    assert served is not None and served.task_arn.endswith(TID)
    assert served.credentials is not None and served.credentials.role_arn == APP_ROLE
    assert cp.issued == [(served.task_arn, "TaskApplication")]
    saved = (tmp_path / "tasks" / f"{TID}.json").read_text()
    assert json.loads(saved)["credentialsId"] == credentials_id
    assert "secret-1" not in saved and "token-1" not in saved
    h.engine.apply_manifest(manifest(entry(TID, containers=containers, desired="STOPPED", taskRoleArn=APP_ROLE)))
    eventually(lambda: status(cp, TID) == "STOPPED")
    assert credentials_id not in h.resources.registry
    h.close()


def test_a_role_that_cannot_be_assumed_fails_the_task_before_any_container() -> None:
    cp = RoleControlPlane()
    cp.refuse["TaskApplication"] = ChannelError("credentials", 403, "AccessDeniedException", "no")
    h = Harness(cp)
    h.engine.apply_manifest(manifest(entry(TID, containers=[{"name": "app"}], taskRoleArn=APP_ROLE)))
    eventually(lambda: status(cp, TID) == "STOPPED")
    final = cp.latest[TID]
    assert final["stopCode"] == "TaskFailedToStart"
    assert final["reason"] == (
        f"ResourceInitializationError: ECS was unable to assume the role '{APP_ROLE}' that was "
        "provided for this task. Please verify that the role being passed has the proper trust "
        "relationship and permissions and that your IAM user has permissions to pass this role."
    )
    assert not h.runtime.list_managed() and len(h.resources.registry) == 0
    h.close()


def test_credentials_are_refreshed_under_the_same_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(task_credentials, "MIN_REFRESH_DELAY", 0.05)
    cp = RoleControlPlane(lifetime=timedelta(seconds=0.3))
    h = Harness(cp)
    h.engine.apply_manifest(manifest(entry(TID, containers=[{"name": "app"}], taskRoleArn=APP_ROLE)))
    eventually(lambda: status(cp, TID) == "RUNNING")
    credentials_id = h.env("app")[URI].rsplit("/", 1)[1]

    def key() -> str:
        found = h.resources.registry.lookup(credentials_id)
        return found.credentials.access_key_id if found and found.credentials else ""

    first = key()
    eventually(lambda: key() not in ("", first))
    assert len(cp.issued) >= 2 and h.env("app")[URI].endswith(credentials_id)
    h.close()


def test_a_restarted_agent_serves_the_same_id_again(tmp_path: Path) -> None:
    cp = RoleControlPlane()
    h = Harness(cp, LocalState(tmp_path))
    h.engine.apply_manifest(manifest(entry(TID, containers=[{"name": "app"}], taskRoleArn=APP_ROLE)))
    eventually(lambda: status(cp, TID) == "RUNNING")
    credentials_id = h.env("app")[URI].rsplit("/", 1)[1]
    runtime = h.runtime
    h.close()

    again = Harness(cp, LocalState(tmp_path))
    again.runtime = runtime  # the containers outlive the agent
    again.engine.runner.runtime = runtime
    for record in LocalState(tmp_path).load_tasks():
        again.engine.adopt(record)
    served = eventually(lambda: (e := again.resources.registry.lookup(credentials_id)) and e.credentials)
    assert served.access_key_id != "" and len(cp.issued) == 2
    again.close()


def test_secrets_reach_the_environment_and_never_the_local_state(tmp_path: Path) -> None:
    cp = RoleControlPlane()
    h = Harness(cp, LocalState(tmp_path))
    containers = [{
        "name": "app",
        "environment": [{"name": "PLAIN", "value": "p"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": "/app/password"}],
    }]
    h.engine.apply_manifest(manifest(entry(TID, containers=containers, executionRoleArn=EXEC_ROLE)))
    eventually(lambda: status(cp, TID) == "RUNNING")
    env = h.env("app")
    assert env["DB_PASSWORD"] == SECRET_VALUE and env["PLAIN"] == "p"
    assert URI not in env  # no task role, no credentials URI
    assert [t for _, t in cp.issued] == ["TaskExecution"]
    [record] = h.engine.tasks()
    assert record.resources == {}  # dropped once the container was created
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET_VALUE not in path.read_text()
    assert SECRET_VALUE not in json.dumps(cp.latest)
    h.close()


def test_a_missing_secret_fails_the_task_naming_it() -> None:
    cp = RoleControlPlane()
    h = Harness(cp)
    containers = [{"name": "app", "secrets": [{"name": "X", "valueFrom": "/app/missing"}]}]
    h.engine.apply_manifest(manifest(entry(TID, containers=containers, executionRoleArn=EXEC_ROLE)))
    eventually(lambda: status(cp, TID) == "STOPPED")
    final = cp.latest[TID]
    assert final["stopCode"] == "TaskFailedToStart"
    assert final["reason"].startswith("ResourceInitializationError: unable to pull secrets or registry auth")
    assert final["reason"].endswith("invalid ssm parameters: /app/missing")
    assert not h.runtime.list_managed()
    h.close()


def test_an_execution_role_that_cannot_be_assumed_fails_the_task() -> None:
    cp = RoleControlPlane()
    cp.refuse["TaskExecution"] = ChannelError("credentials", 403, "AccessDeniedException", "no")
    h = Harness(cp)
    containers = [{"name": "app", "secrets": [{"name": "X", "valueFrom": "/app/password"}]}]
    h.engine.apply_manifest(manifest(entry(TID, containers=containers, executionRoleArn=EXEC_ROLE)))
    eventually(lambda: status(cp, TID) == "STOPPED")
    assert cp.latest[TID]["stopCode"] == "TaskFailedToStart"
    assert f"ECS was unable to assume the role '{EXEC_ROLE}'" in cp.latest[TID]["reason"]
    h.close()


def test_a_task_needing_nothing_asks_for_nothing() -> None:
    cp = RoleControlPlane()
    h = Harness(cp)
    h.engine.apply_manifest(manifest(entry(TID, containers=[{"name": "app"}])))
    eventually(lambda: status(cp, TID) == "RUNNING")
    assert cp.issued == [] and URI not in h.env("app")
    h.close()


def test_effective_definition_layers_files_environment_secrets_and_injected_variables() -> None:
    from dockyard.agent.record import TaskRecord
    from dockyard.agent.secrets_model import ContainerResources
    from dockyard.agent.steps import effective_definition

    wire = entry(TID, containers=[{
        "name": "app",
        "environment": [{"name": "BOTH", "value": "env"}, {"name": "SECRET_TOO", "value": "env"}],
        "logConfiguration": {"logDriver": "syslog", "options": {"tag": "plain", "keep": "1"}},
    }], taskRoleArn=APP_ROLE)
    wire["overrides"] = {"containerOverrides": [{"name": "app", "environment": [{"name": "OVR", "value": "o"}]}]}
    record = TaskRecord(parse_task_manifest(wire), "i-1", "abcd")
    record.credentials_id = "id-1"
    record.resources["app"] = ContainerResources(
        env_files={"BOTH": "file", "FILE": "f", "OVR": "file"},
        secrets={"SECRET_TOO": "secret"},
        log_options={"tag": "from-secret"},
    )
    d = effective_definition(record, "app")
    env = {e.name: e.value for e in d.environment}
    assert env == {
        "BOTH": "env",  # environment beats files
        "SECRET_TOO": "secret",  # secrets beat environment
        "OVR": "o",  # a RunTask override is environment too
        "FILE": "f",
        "AWS_EXECUTION_ENV": "AWS_ECS_EC2",
        URI: "/v2/credentials/id-1",
    }
    assert d.log_configuration is not None
    assert dict(d.log_configuration.options or {}) == {"tag": "from-secret", "keep": "1"}


def test_the_reason_reaches_the_containers_too() -> None:
    """The control plane takes the first reason it sees; the containers' reports come first."""
    cp = RoleControlPlane()
    cp.refuse["TaskApplication"] = ChannelError("credentials", 403, "AccessDeniedException", "no")
    h = Harness(cp)
    h.engine.apply_manifest(manifest(entry(TID, containers=[{"name": "app"}, {"name": "side"}], taskRoleArn=APP_ROLE)))
    eventually(lambda: status(cp, TID) == "STOPPED")
    reasons = {c["containerName"]: c.get("reason") for c in cp.latest[TID]["containers"]}
    assert all(r and r.startswith("ResourceInitializationError: ECS was unable") for r in reasons.values())
    h.close()
