"""DockerRuntime's event stream, log stream and host facts against the real Docker Engine.

Each events test consumes ``runtime.events`` on a thread into a queue, subscribed from a moment
before its containers exist, and looks only at its own containers' events.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

import docker
from dockyard.agent.docker import (
    ContainerNotFound,
    ContainerSpec,
    RuntimeEvent,
    container_spec,
)
from dockyard.agent.docker.runtime import DockerRuntime
from dockyard.domain.task_definition import ContainerDefinition, HealthCheck

CLUSTER = f"dockyard-test-{secrets.token_hex(4)}"
TASK_ARN = f"arn:aws:ecs:us-east-1:000000000000:task/{CLUSTER}/{secrets.token_hex(16)}"
PROMPT = 3.0
"""How soon after ``stop`` a stream must end (the contract says about a second; a shared
machine gets slack)."""


@pytest.fixture(scope="module")
def runtime(docker_client: object) -> Iterator[DockerRuntime]:
    rt = DockerRuntime(pull_timeout=5.0)
    yield rt
    rt.close()


@pytest.fixture
def created(runtime: DockerRuntime) -> Iterator[Callable[[ContainerSpec], str]]:
    ids: list[str] = []

    def create(spec: ContainerSpec) -> str:
        ids.append(runtime.create(spec))
        return ids[-1]

    yield create
    for container_id in ids:
        runtime.remove(container_id)


def spec(image: str, script: str, **fields: Any) -> ContainerSpec:
    definition = ContainerDefinition(name="app", image=image, command=("sh", "-c", script),
                                     **fields)
    return container_spec(TASK_ARN, "dockyard-test", 1, CLUSTER, definition,
                          network_mode="bridge", random_hex=secrets.token_hex(6))


class Consumer:
    """Runs ``runtime.events`` on a thread; ``until`` waits for a matching event."""

    def __init__(self, events: Iterator[RuntimeEvent], stop: threading.Event) -> None:
        self.stop = stop
        self.received: queue.Queue[RuntimeEvent] = queue.Queue()
        self.seen: list[RuntimeEvent] = []
        self.thread = threading.Thread(target=self._run, args=(events,), daemon=True)
        self.thread.start()

    def _run(self, events: Iterator[RuntimeEvent]) -> None:
        for event in events:
            self.received.put(event)

    def until(self, match: Callable[[RuntimeEvent], bool], seconds: float = 20) -> RuntimeEvent:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                event = self.received.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(event)
            if match(event):
                return event
        raise AssertionError(f"no matching event in {seconds}s; saw {self.seen}")

    def close(self) -> float:
        """Set stop; return how long the events iterator took to end."""
        began = time.monotonic()
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()
        return time.monotonic() - began


@pytest.fixture
def consume(runtime: DockerRuntime) -> Iterator[Callable[..., Consumer]]:
    consumers: list[Consumer] = []

    def start(rt: DockerRuntime | None = None, since: datetime | None = None) -> Consumer:
        stop = threading.Event()
        since = since or datetime.now(UTC)
        consumers.append(Consumer((rt or runtime).events(stop, since=since), stop))
        return consumers[-1]

    yield start
    for consumer in consumers:
        consumer.close()


def test_start_and_die_events_then_destroy(runtime, created, consume, test_image) -> None:
    events = consume()
    container_id = created(spec(test_image, "exit 4"))
    runtime.start(container_id)
    started = events.until(lambda e: e.container_id == container_id and e.kind == "start")
    died = events.until(lambda e: e.container_id == container_id and e.kind == "die")
    assert (started.task_arn, started.container_name) == (TASK_ARN, "app")
    assert died.exit_code == 4 == runtime.inspect(container_id).exit_code
    assert died.at is not None and abs(died.at - datetime.now(UTC)) < timedelta(seconds=30)
    runtime.remove(container_id)
    events.until(lambda e: e.container_id == container_id and e.kind == "destroy")
    assert events.close() < PROMPT


def test_health_status_events(runtime, created, consume, test_image) -> None:
    events = consume()
    check = HealthCheck(command=("CMD-SHELL", "test -f /ok"), interval=1, timeout=3,
                        retries=1)
    container_id = created(spec(test_image, "touch /ok; sleep 8; rm /ok; sleep 30",
                                health_check=check))
    runtime.start(container_id)
    healthy = events.until(lambda e: e.container_id == container_id and e.kind == "health_status")
    assert healthy.health == "healthy"  # /ok exists for 8 s: the first check passes
    unhealthy = events.until(
        lambda e: e.container_id == container_id and e.kind == "health_status"
        and e.health != "healthy")
    assert unhealthy.health == "unhealthy"
    runtime.stop(container_id, timeout_seconds=0)


def test_events_since_replays_what_happened_before_subscribing(runtime, created, consume,
                                                              test_image) -> None:
    before = datetime.now(UTC)
    container_id = created(spec(test_image, "exit 0"))
    runtime.start(container_id)
    runtime.stop(container_id, timeout_seconds=1)
    time.sleep(0.2)
    events = consume(since=before)
    events.until(lambda e: e.container_id == container_id and e.kind == "start")
    events.until(lambda e: e.container_id == container_id and e.kind == "die")


def test_unmanaged_containers_are_not_reported(runtime, consume, docker_client, test_image) -> None:
    events = consume()
    other = docker_client.containers.run(test_image, ["true"], detach=True,
                                         labels={"dockyard.test": "unmanaged"})
    try:
        other.wait(timeout=20)
    finally:
        other.remove(force=True)
    with pytest.raises(AssertionError, match="no matching event"):
        events.until(lambda e: e.container_id == other.id, seconds=2)


class FlakyEvents:
    """An APIClient whose first events() call fails and whose second stream breaks after one
    message, as a daemon restart or a dropped socket would."""

    def __init__(self, api: Any) -> None:
        self._api = api
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)

    def events(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise requests.ConnectionError("connection refused (simulated)")
        stream = self._api.events(**kwargs)
        if self.calls == 2:
            return _cut_after_first(stream)
        return stream


class _cut_after_first:
    def __init__(self, stream: Any) -> None:
        self._stream, self._given = stream, 0

    def __iter__(self) -> _cut_after_first:
        return self

    def __next__(self) -> Any:
        if self._given == 1:
            self._stream.close()
            raise StopIteration
        self._given += 1
        return next(self._stream)

    def close(self) -> None:
        self._stream.close()


def test_events_survive_transport_errors_without_loss_or_duplicates(
    created, consume, runtime, test_image
) -> None:
    flaky: list[FlakyEvents] = []

    def factory(timeout: float) -> Any:
        flaky.append(FlakyEvents(docker.from_env(version="auto", timeout=timeout).api))
        return flaky[-1]

    flaky_runtime = DockerRuntime(client_factory=factory)
    try:
        since = datetime.now(UTC)
        ids = [created(spec(test_image, "exit 0")) for _ in range(2)]
        for container_id in ids:
            runtime.start(container_id)
        time.sleep(0.5)
        events = consume(flaky_runtime, since=since)
        for container_id in ids:
            events.until(lambda e, c=container_id: e.container_id == c and e.kind == "die")
        with pytest.raises(AssertionError):
            events.until(lambda e: e.container_id in ids, seconds=2.5)
        mine = [(e.container_id, e.kind) for e in events.seen if e.container_id in ids]
        assert sorted(mine) == sorted((c, k) for c in ids for k in ("start", "die"))
        assert sum(f.calls for f in flaky) >= 3
    finally:
        flaky_runtime.close()


def test_logs_read_back_stdout_and_stderr_with_timestamps(runtime, created, test_image) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    container_id = created(spec(test_image, "echo one; sleep 0.1; echo two >&2; sleep 0.1; "
                                            "printf 'three\\n\\nno-newline'"))
    runtime.start(container_id)
    lines = list(runtime.logs(container_id, follow=True))  # ends when the container stops
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert [text for _, text in lines] == ["one", "two", "three", "", "no-newline"]
    stamps = [at for at, _ in lines]
    assert stamps == sorted(stamps)
    assert all(before <= at <= after and at.tzinfo is UTC for at in stamps)
    since_two = list(runtime.logs(container_id, follow=False, since=lines[1][0]))
    assert [text for _, text in since_two] == ["two", "three", "", "no-newline"]


def test_followed_logs_end_promptly_when_stop_is_set(runtime, created, test_image) -> None:
    container_id = created(spec(test_image, "echo started; sleep 60"))
    runtime.start(container_id)
    stop = threading.Event()
    got: list[str] = []
    reader = threading.Thread(
        target=lambda: got.extend(t for _, t in runtime.logs(container_id, stop=stop)),
        daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    began = time.monotonic()
    stop.set()
    reader.join(timeout=10)
    assert not reader.is_alive() and time.monotonic() - began < PROMPT
    assert got == ["started"]
    runtime.stop(container_id, timeout_seconds=0)


def test_logs_of_an_unknown_container(runtime) -> None:
    with pytest.raises(ContainerNotFound):
        runtime.logs("dockyard-test-no-such-container")


def test_docker_version_and_host_info(runtime, docker_client) -> None:
    info = docker_client.info()
    assert runtime.docker_version() == docker_client.version()["Version"]
    host = runtime.host_info()
    assert (host.ncpu, host.mem_total, host.architecture, host.os_type) == (
        info["NCPU"], info["MemTotal"], info["Architecture"], "linux")
    assert host.ncpu >= 1 and host.mem_total > 0
