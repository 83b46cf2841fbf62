"""The container runtime interface the agent's worker calls, its value types and its errors.

Pure (no Docker SDK): :class:`ContainerRuntime` is the Protocol that
:class:`dockyard.agent.docker.runtime.DockerRuntime` implements and a typed fake can implement
for unit tests; :func:`container_state` parses Docker's inspect document.

Error tree (every error carries Docker's message in ``reason``, so a task can stop with
``TaskFailedToStart`` and Docker's own words)::

    ContainerRuntimeError
     ├── ImageUnavailable      pull failed and no usable local image
     ├── CreateFailed
     ├── StartFailed
     ├── StopFailed
     ├── RemoveFailed
     ├── ContainerNotFound     start/stop/inspect of an id Docker does not know
     └── VolumeFailed          a task volume could not be created, found or matched

:class:`RuntimeEvent` is one entry of Docker's event stream about a managed container, parsed by
:func:`runtime_event`; :class:`HostInfo` is what the agent registers the host with.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from dockyard.agent.docker.labels import LABEL_CONTAINER_NAME, LABEL_TASK_ARN
from dockyard.agent.docker.spec import ContainerSpec
from dockyard.agent.docker.volumes import TaskVolumes

__all__ = [
    "ContainerNotFound",
    "ContainerRuntime",
    "ContainerRuntimeError",
    "ContainerState",
    "ContainerStats",
    "CreateFailed",
    "HostInfo",
    "ImageUnavailable",
    "ManagedContainer",
    "NetworkBinding",
    "PullBehavior",
    "RemoveFailed",
    "RuntimeEvent",
    "RuntimeEventKind",
    "StartFailed",
    "StopFailed",
    "VolumeFailed",
    "container_state",
    "docker_time",
    "runtime_event",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ZERO_TIME = "0001-01-01T00:00:00Z"
"""Docker's Go zero time: the container never started / never finished."""


class PullBehavior(StrEnum):
    """``ECS_IMAGE_PULL_BEHAVIOR``.

    ``default``: pull; if the pull fails, use the local image if there is one.
    ``always``: pull; a failed pull fails the task. ``once`` and ``prefer-cached``: use a local
    image when present, pull only when missing. (The real agent's ``once`` remembers which images
    *it* pulled; here any local image counts, which is the same after the first pull.)
    """

    DEFAULT = "default"
    ALWAYS = "always"
    ONCE = "once"
    PREFER_CACHED = "prefer-cached"


class ContainerRuntimeError(Exception):
    """Base of the runtime's errors; ``reason`` is Docker's message (or the transport's)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImageUnavailable(ContainerRuntimeError):
    """The image could not be pulled and is not present locally (or ``always`` forbade it)."""


class CreateFailed(ContainerRuntimeError):
    pass


class StartFailed(ContainerRuntimeError):
    pass


class StopFailed(ContainerRuntimeError):
    pass


class RemoveFailed(ContainerRuntimeError):
    pass


class ContainerNotFound(ContainerRuntimeError):
    pass


class VolumeFailed(ContainerRuntimeError):
    """A task volume could not be created, or a shared one is missing or does not match."""


class RuntimeEventKind(StrEnum):
    """The Docker container events the agent acts on (Docker's action names)."""

    START = "start"
    DIE = "die"
    OOM = "oom"
    HEALTH_STATUS = "health_status"
    DESTROY = "destroy"


@dataclass(frozen=True, slots=True)
class RuntimeEvent:
    """One Docker event about a container carrying the task-arn label.

    ``health`` is set for ``health_status`` only (healthy, unhealthy, starting); ``exit_code``
    for ``die`` only. ``at`` is the daemon's time of the event, UTC.
    """

    container_id: str
    kind: RuntimeEventKind
    task_arn: str
    container_name: str
    health: str | None = None
    exit_code: int | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HostInfo:
    """The Docker host as the agent registers it: CPUs, memory bytes, Docker's architecture
    name (``x86_64``, ``aarch64``) and OS type (``linux``)."""

    ncpu: int
    mem_total: int
    architecture: str
    os_type: str


@dataclass(frozen=True, slots=True)
class NetworkBinding:
    """One published port as Docker reports it (ECS ``networkBindings``)."""

    container_port: int
    protocol: str
    host_ip: str
    host_port: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerState:
    """A container as Docker inspects it.

    ``status`` is Docker's (created, running, exited, ...). ``exit_code`` is None until the
    container has exited. ``health`` is Docker's healthcheck status (starting, healthy,
    unhealthy) or None without a healthcheck. Timestamps are UTC, None when Docker reports
    its zero time.
    """

    container_id: str
    name: str
    status: str
    exit_code: int | None
    error: str | None
    oom_killed: bool
    started_at: datetime | None
    finished_at: datetime | None
    health: str | None
    ports: tuple[NetworkBinding, ...]
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedContainer:
    """A container carrying Dockyard's (ECS's) labels, found for re-adoption."""

    container_id: str
    name: str
    status: str
    task_arn: str
    container_name: str
    cluster: str | None


@dataclass(frozen=True, slots=True)
class ContainerStats:
    """One reading of a running container's resource use (Docker's one-shot stats).

    ``cpu_total_ns`` is the container's cumulative CPU time; usage over an interval is the
    difference of two readings divided by the wall time between them.
    """

    cpu_total_ns: int
    memory_bytes: int
    read_at_ns: int
    """Monotonic-ish timestamp of the reading, in ns (Docker's ``read``, or the sampler's)."""


class ContainerRuntime(Protocol):
    """What the agent's worker needs from a container engine. Every call may block up to its
    implementation's named timeout and raises only :class:`ContainerRuntimeError` subclasses."""

    def ensure_image(self, image: str, pull_behavior: PullBehavior) -> str:
        """Make ``image`` available locally per ``pull_behavior``; return its image id."""
        ...

    def create(self, spec: ContainerSpec) -> str:
        """Create (not start) the container; return its id."""
        ...

    def start(self, container_id: str) -> None: ...

    def stop(self, container_id: str, timeout_seconds: int) -> None:
        """Send the stop signal, then SIGKILL after ``timeout_seconds``. Stopped is a no-op."""
        ...

    def inspect(self, container_id: str) -> ContainerState: ...

    def remove(self, container_id: str) -> None:
        """Remove the container and its anonymous volumes. Already gone is a no-op."""
        ...

    def list_managed(self, cluster: str | None = None) -> tuple[ManagedContainer, ...]:
        """All containers (running or not) with the task-arn label, optionally of one cluster."""
        ...

    def ensure_volumes(self, volumes: TaskVolumes) -> None:
        """Create the task-scoped volumes and the missing autoprovisioned shared ones; check that
        the other shared ones exist. Raises :class:`VolumeFailed` with the reason."""
        ...

    def remove_task_volumes(self, volumes: TaskVolumes) -> None:
        """Remove the task-scoped volumes (shared ones persist). Already gone is a no-op."""
        ...

    def events(
        self, stop: threading.Event, *, since: datetime | None = None
    ) -> Iterator[RuntimeEvent]:
        """Events of managed containers from ``since`` (default: now) until ``stop`` is set.

        Returns within about a second of ``stop`` being set; reconnects after transport
        errors without losing events the daemon still holds."""
        ...

    def logs(
        self,
        container_id: str,
        *,
        since: datetime | None = None,
        follow: bool = True,
        stop: threading.Event | None = None,
    ) -> Iterator[tuple[datetime, str]]:
        """The container's stdout and stderr lines as (UTC time, line without newline).

        With ``follow``, ends when the container stops; always ends soon after ``stop`` is set.
        Raises :class:`ContainerNotFound` for an unknown container."""
        ...

    def docker_version(self) -> str:
        """The Docker Engine's version string (``Version`` of ``docker version``)."""
        ...

    def stats(self, container_id: str) -> ContainerStats:
        """One reading of the container's CPU time and memory use (no waiting for a second
        sample). Raises :class:`ContainerNotFound` for an unknown container."""
        ...

    def host_info(self) -> HostInfo:
        """CPUs, memory, architecture and OS type of the Docker host."""
        ...


def container_state(attrs: Mapping[str, Any]) -> ContainerState:
    """Docker's inspect document → :class:`ContainerState`. Pure."""
    state = attrs.get("State") or {}
    status = str(state.get("Status", ""))
    health = state.get("Health") or {}
    return ContainerState(
        container_id=str(attrs["Id"]),
        name=str(attrs.get("Name", "")).lstrip("/"),
        status=status,
        exit_code=int(state["ExitCode"]) if status in ("exited", "dead") else None,
        error=state.get("Error") or None,
        oom_killed=bool(state.get("OOMKilled")),
        started_at=_timestamp(state.get("StartedAt")),
        finished_at=_timestamp(state.get("FinishedAt")),
        health=health.get("Status") or None,
        ports=_bindings((attrs.get("NetworkSettings") or {}).get("Ports") or {}),
        labels=dict((attrs.get("Config") or {}).get("Labels") or {}),
    )


def _bindings(ports: Mapping[str, Any]) -> tuple[NetworkBinding, ...]:
    """``NetworkSettings.Ports`` (``{"80/tcp": [{"HostIp", "HostPort"}]}``) → bindings."""
    result = []
    for key, host_bindings in sorted(ports.items()):
        port, _, protocol = key.partition("/")
        for b in host_bindings or ():
            result.append(
                NetworkBinding(
                    int(port), protocol or "tcp", b.get("HostIp", ""), int(b["HostPort"])
                )
            )
    return tuple(result)


def runtime_event(message: Mapping[str, Any]) -> RuntimeEvent | None:
    """One decoded Docker event → :class:`RuntimeEvent`; None unless it is a container event of
    a kind the agent acts on about a container carrying the task-arn label. Pure."""
    if message.get("Type", "container") != "container":
        return None
    action, _, detail = str(message.get("Action") or message.get("status") or "").partition(":")
    try:
        kind = RuntimeEventKind(action)
    except ValueError:
        return None
    actor = message.get("Actor") or {}
    attributes = actor.get("Attributes") or {}
    task_arn = attributes.get(LABEL_TASK_ARN)
    if not task_arn:
        return None
    exit_code = attributes.get("exitCode")
    nanos = message.get("timeNano")
    return RuntimeEvent(
        container_id=str(actor.get("ID") or message.get("id") or ""),
        kind=kind,
        task_arn=str(task_arn),
        container_name=str(attributes.get(LABEL_CONTAINER_NAME, "")),
        health=detail.strip() or None if kind is RuntimeEventKind.HEALTH_STATUS else None,
        exit_code=int(exit_code) if kind is RuntimeEventKind.DIE and exit_code else None,
        at=_EPOCH + timedelta(microseconds=int(nanos) // 1000) if nanos else None,
    )


def docker_time(value: str | None) -> datetime | None:
    """Docker's RFC 3339 nanosecond time → UTC datetime (microseconds); zero time → None.

    An offset other than ``Z`` is honoured (``docker logs`` times are UTC, inspect's are too).
    """
    if not value or value == _ZERO_TIME:
        return None
    text = value.strip()
    offset = "+00:00"
    if text.endswith("Z"):
        text = text[:-1]
    elif len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        text, offset = text[:-6], text[-6:]
    base, _, fraction = text.partition(".")
    micros = int((fraction + "000000")[:6]) if fraction else 0
    parsed = datetime.fromisoformat(base + offset).replace(microsecond=micros)
    return parsed.astimezone(UTC)


_timestamp = docker_time
