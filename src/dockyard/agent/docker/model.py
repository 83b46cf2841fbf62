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
     └── ContainerNotFound     start/stop/inspect of an id Docker does not know
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from dockyard.agent.docker.spec import ContainerSpec

__all__ = [
    "ContainerNotFound",
    "ContainerRuntime",
    "ContainerRuntimeError",
    "ContainerState",
    "CreateFailed",
    "ImageUnavailable",
    "ManagedContainer",
    "NetworkBinding",
    "PullBehavior",
    "RemoveFailed",
    "StartFailed",
    "StopFailed",
    "container_state",
]

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
            result.append(NetworkBinding(
                int(port), protocol or "tcp", b.get("HostIp", ""), int(b["HostPort"])
            ))
    return tuple(result)


def _timestamp(value: str | None) -> datetime | None:
    """Docker's RFC 3339 nanosecond time (UTC) → datetime; its zero time → None."""
    if not value or value == _ZERO_TIME:
        return None
    base, _, fraction = value.rstrip("Z").partition(".")
    micros = int((fraction + "000000")[:6]) if fraction else 0
    return datetime.fromisoformat(base).replace(microsecond=micros, tzinfo=UTC)
