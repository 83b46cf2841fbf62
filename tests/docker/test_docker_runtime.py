"""DockerRuntime against the real Docker Engine, with the registry-free busybox test image.

Every container carries the ECS labels with a per-session cluster name and is removed in the
``created`` fixture's teardown. Ports are published on 127.0.0.1 only. No registry is reachable,
so pulls fail; the runtime under test gets a short pull timeout.
"""

from __future__ import annotations

import secrets
import time
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from dockyard.agent.docker import (
    ContainerNotFound,
    ContainerSpec,
    ContainerState,
    CreateFailed,
    ImageUnavailable,
    PullBehavior,
    StartFailed,
    container_spec,
)
from dockyard.agent.docker.runtime import DockerRuntime
from dockyard.domain.task_definition_container import (
    ContainerDefinition,
    HealthCheck,
    PortMapping,
)

CLUSTER = f"dockyard-test-{secrets.token_hex(4)}"
TASK_ARN = f"arn:aws:ecs:us-east-1:000000000000:task/{CLUSTER}/0123456789abcdef"
MISSING_IMAGE = "dockyard-test/does-not-exist:1"
TEST_PULL_TIMEOUT = 5.0
"""No registry is reachable here: a pull fails at once or stalls; 5 s bounds the stall."""


@pytest.fixture(scope="module")
def runtime(docker_client: object) -> Iterator[DockerRuntime]:
    rt = DockerRuntime(pull_timeout=TEST_PULL_TIMEOUT)
    yield rt
    rt.close()


@pytest.fixture
def created(runtime: DockerRuntime) -> Iterator[Callable[[ContainerSpec], str]]:
    """Create a container from a spec; every one created is force-removed at teardown."""
    ids: list[str] = []

    def create(spec: ContainerSpec) -> str:
        container_id = runtime.create(spec)
        ids.append(container_id)
        return container_id

    yield create
    for container_id in ids:
        runtime.remove(container_id)


def spec_for(image: str, *command: str, **fields: object) -> ContainerSpec:
    definition = ContainerDefinition(name="app", image=image, command=command, **fields)  # type: ignore[arg-type]
    return container_spec(TASK_ARN, "dockyard-test", 1, CLUSTER, definition,
                          network_mode="bridge", random_hex=secrets.token_hex(8))


def wait_for(runtime: DockerRuntime, container_id: str,
             done: Callable[[ContainerState], bool], seconds: float = 15) -> ContainerState:
    deadline = time.monotonic() + seconds
    state = runtime.inspect(container_id)
    while not done(state) and time.monotonic() < deadline:
        time.sleep(0.2)
        state = runtime.inspect(container_id)
    return state


def test_httpd_on_a_dynamic_loopback_port_serves_http(runtime, created, test_image) -> None:
    spec = spec_for(test_image, "sh", "-c", "mkdir -p /www && echo dockyard-ok > /www/index.html"
                    " && exec httpd -f -p 8080 -h /www",
                    port_mappings=(PortMapping(container_port=8080, host_port=0),))
    container_id = created(spec)
    runtime.start(container_id)
    state = runtime.inspect(container_id)
    assert state.status == "running" and state.started_at is not None
    assert state.exit_code is None and state.health is None
    [binding] = state.ports
    assert (binding.container_port, binding.protocol, binding.host_ip) == (8080, "tcp", "127.0.0.1")
    assert binding.host_port > 0
    body = b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not body:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{binding.host_port}/", timeout=1) as r:
                body = r.read()
        except OSError:
            time.sleep(0.1)
    assert body == b"dockyard-ok\n"
    assert state.labels["com.amazonaws.ecs.cluster"] == CLUSTER


@pytest.mark.parametrize("code", [0, 3])
def test_inspect_reports_the_exit_code(runtime, created, test_image, code: int) -> None:
    container_id = created(spec_for(test_image, "sh", "-c", f"exit {code}"))
    assert runtime.inspect(container_id).status == "created"
    runtime.start(container_id)
    state = wait_for(runtime, container_id, lambda s: s.status == "exited")
    assert state.exit_code == code
    # No ordering check: for an instant exit Docker can record FinishedAt before StartedAt.
    assert state.finished_at is not None and state.started_at is not None


def test_stop_kills_a_sigterm_ignoring_process_after_the_timeout(runtime, created, test_image) -> None:
    container_id = created(spec_for(test_image, "sh", "-c", "trap '' TERM; sleep 60"))
    runtime.start(container_id)
    began = time.monotonic()
    runtime.stop(container_id, timeout_seconds=1)
    elapsed = time.monotonic() - began
    state = runtime.inspect(container_id)
    assert elapsed >= 1
    assert (state.status, state.exit_code) == ("exited", 137)
    runtime.stop(container_id, timeout_seconds=1)  # stopping a stopped container is a no-op


@pytest.mark.parametrize(("command", "expected"), [("true", "healthy"), ("false", "unhealthy")])
def test_healthcheck_turns(runtime, created, test_image, command: str, expected: str) -> None:
    check = HealthCheck(command=("CMD", command), interval=1, timeout=1, retries=1)
    container_id = created(spec_for(test_image, "sleep", "60", health_check=check))
    runtime.start(container_id)
    state = wait_for(runtime, container_id, lambda s: s.health not in (None, "starting"))
    assert state.health == expected
    runtime.stop(container_id, timeout_seconds=0)


@pytest.mark.parametrize("behavior", list(PullBehavior))
def test_missing_image_is_unavailable_under_every_pull_behavior(runtime, behavior) -> None:
    with pytest.raises(ImageUnavailable) as raised:
        runtime.ensure_image(MISSING_IMAGE, behavior)
    assert MISSING_IMAGE in raised.value.reason
    assert len(raised.value.reason) > len(MISSING_IMAGE) + 2


@pytest.mark.parametrize("behavior", [PullBehavior.DEFAULT, PullBehavior.ONCE,
                                      PullBehavior.PREFER_CACHED])
def test_a_local_image_works_without_a_registry(runtime, docker_client, test_image, behavior) -> None:
    expected = docker_client.images.get(test_image).id  # type: ignore[attr-defined]
    assert runtime.ensure_image(test_image, behavior) == expected


def test_always_fails_when_the_pull_fails_even_with_a_local_image(runtime, test_image) -> None:
    with pytest.raises(ImageUnavailable):
        runtime.ensure_image(test_image, PullBehavior.ALWAYS)


def test_create_and_start_failures_carry_dockers_reason(runtime, created, test_image) -> None:
    with pytest.raises(CreateFailed) as create_error:
        created(spec_for(MISSING_IMAGE, "true"))
    assert "does-not-exist" in create_error.value.reason
    container_id = created(spec_for(test_image, "/no/such/binary"))
    with pytest.raises(StartFailed) as start_error:
        runtime.start(container_id)
    assert "/no/such/binary" in start_error.value.reason


def test_list_managed_finds_labelled_containers(runtime, created, test_image) -> None:
    ids = {created(spec_for(test_image, "true")) for _ in range(2)}
    found = runtime.list_managed(CLUSTER)
    assert {c.container_id for c in found} == ids
    assert {(c.task_arn, c.container_name, c.cluster, c.status) for c in found} == {
        (TASK_ARN, "app", CLUSTER, "created")}
    assert ids <= {c.container_id for c in runtime.list_managed()}
    assert runtime.list_managed(CLUSTER + "-other") == ()


def test_remove_is_idempotent_and_inspect_then_reports_not_found(runtime, test_image) -> None:
    container_id = runtime.create(spec_for(test_image, "true"))
    runtime.remove(container_id)
    runtime.remove(container_id)
    with pytest.raises(ContainerNotFound):
        runtime.inspect(container_id)


def test_one_shot_stats_measure_a_busy_container(runtime, created, test_image) -> None:
    from dockyard.agent.metrics import cpu_units

    container_id = created(spec_for(test_image, "sh", "-c", "while :; do :; done"))
    runtime.start(container_id)
    first = runtime.stats(container_id)
    time.sleep(2.0)
    second = runtime.stats(container_id)
    units = cpu_units(first, second)
    assert units is not None and 300 < units < 1500  # about one core (1024), on a shared box
    assert second.memory_bytes > 0
    with pytest.raises(ContainerNotFound):
        runtime.stats("0" * 64)
