"""``DockerRuntime``: the :class:`ContainerRuntime` over the Docker SDK (the imperative shell).

Every Docker call goes through an SDK client whose timeout is that call's named constant below
(one client per distinct timeout, created lazily; the SDK has no per-call timeout). As in
``requests``, a timeout bounds each wait for bytes, not the whole call, so for a streamed pull it
is an inactivity timeout. SDK and transport errors become the typed errors of
:mod:`dockyard.agent.docker.model`, with Docker's message as ``reason``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import docker.errors
import requests
from docker.types import Ulimit
from docker.utils import parse_repository_tag

import docker
from dockyard.agent.docker.model import (
    ContainerNotFound,
    ContainerRuntimeError,
    ContainerState,
    CreateFailed,
    ImageUnavailable,
    ManagedContainer,
    PullBehavior,
    RemoveFailed,
    StartFailed,
    StopFailed,
    container_state,
)
from dockyard.agent.docker.spec import (
    LABEL_CLUSTER,
    LABEL_CONTAINER_NAME,
    LABEL_TASK_ARN,
    ContainerSpec,
)

__all__ = [
    "CREATE_TIMEOUT",
    "INSPECT_TIMEOUT",
    "LIST_TIMEOUT",
    "PULL_TIMEOUT",
    "REMOVE_TIMEOUT",
    "START_TIMEOUT",
    "STOP_TIMEOUT_MARGIN",
    "DockerRuntime",
]

PULL_TIMEOUT = 60.0
"""Longest silence on a pull's progress stream (the agent's pull-inactivity timeout is 1 min;
its 2 h ``ECS_IMAGE_PULL_TIMEOUT`` total cap is the worker's business). Large layers keep the
stream talking, so silence this long means the registry or daemon is stuck."""

CREATE_TIMEOUT = 4 * 60.0
"""The agent's CreateContainerTimeout: create can wait on the daemon's image and storage locks
behind other pulls and removals on a busy host."""

START_TIMEOUT = 3 * 60.0
"""``ECS_CONTAINER_START_TIMEOUT``'s default: start sets up networking and mounts, slow on
loaded hosts, yet a start that takes longer is treated as failed."""

STOP_TIMEOUT_MARGIN = 30.0
"""The agent's StopContainerTimeout, added to the container's own stop timeout: the daemon
waits that long before SIGKILL, then needs time to reap and report."""

INSPECT_TIMEOUT = 30.0
"""The agent's InspectContainerTimeout: a read of daemon state; longer means the daemon hangs."""

REMOVE_TIMEOUT = 5 * 60.0
"""The agent's RemoveContainerTimeout: deleting a large writable layer can take minutes."""

LIST_TIMEOUT = 10 * 60.0
"""The agent's ListContainersTimeout: listing runs on agent start, on hosts with many
(possibly thousands of exited) containers."""

_MIB = 1024 * 1024

ClientFactory = Callable[[float], Any]
"""Builds a ``docker.APIClient`` whose every request uses the given timeout in seconds."""


def _from_env(timeout: float) -> Any:
    return docker.from_env(version="auto", timeout=timeout).api


class DockerRuntime:
    """:class:`ContainerRuntime` over Docker Engine. Thread-safe: SDK clients are shared.

    ``pull_timeout`` overrides :data:`PULL_TIMEOUT` (tests use a short one when no registry is
    reachable). ``client_factory`` defaults to ``docker.from_env``.
    """

    def __init__(
        self,
        *,
        client_factory: ClientFactory = _from_env,
        pull_timeout: float = PULL_TIMEOUT,
    ) -> None:
        self._factory = client_factory
        self._pull_timeout = pull_timeout
        self._clients: dict[float, Any] = {}
        self._lock = threading.Lock()

    def _api(self, timeout: float) -> Any:
        with self._lock:
            if timeout not in self._clients:
                self._clients[timeout] = self._factory(timeout)
            return self._clients[timeout]

    def close(self) -> None:
        """Close every SDK client. The runtime is unusable afterwards."""
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def ensure_image(self, image: str, pull_behavior: PullBehavior) -> str:
        """Return the local image id of ``image`` after applying ``pull_behavior``.

        Raises :class:`ImageUnavailable` with the pull's error when the image is neither
        pullable nor (where the behaviour allows it) present locally.
        """
        if pull_behavior in (PullBehavior.ONCE, PullBehavior.PREFER_CACHED):
            local = self._local_image_id(image)
            if local is not None:
                return local
        try:
            self._pull(image)
        except ContainerRuntimeError as exc:
            local = None
            if pull_behavior is not PullBehavior.ALWAYS:
                local = self._local_image_id(image)
            if local is None:
                raise ImageUnavailable(f"{image}: {exc.reason}") from exc
            return local
        local = self._local_image_id(image)
        if local is None:
            raise ImageUnavailable(f"{image}: not present after a successful pull")
        return local

    def _local_image_id(self, image: str) -> str | None:
        try:
            return str(self._api(INSPECT_TIMEOUT).inspect_image(image)["Id"])
        except docker.errors.ImageNotFound:
            return None
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ImageUnavailable(f"{image}: {_reason(exc)}") from exc

    def _pull(self, image: str) -> None:
        """Pull ``image``; raise ContainerRuntimeError on an API, stream or transport error."""
        repository, tag = parse_repository_tag(image)
        if tag is None:
            tag = "latest"
        try:
            stream = self._api(self._pull_timeout).pull(
                repository, tag=tag, stream=True, decode=True
            )
            for event in stream:
                if "error" in event:
                    raise ContainerRuntimeError(str(event["error"]))
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ContainerRuntimeError(_reason(exc)) from exc

    def create(self, spec: ContainerSpec) -> str:
        """Create the container described by ``spec``; raise :class:`CreateFailed`."""
        api = self._api(CREATE_TIMEOUT)
        try:
            host_config = api.create_host_config(**_host_config_args(spec))
            created = api.create_container(host_config=host_config, **_create_args(spec))
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise CreateFailed(_reason(exc)) from exc
        return str(created["Id"])

    def start(self, container_id: str) -> None:
        """Start a created container; raise :class:`StartFailed` or :class:`ContainerNotFound`."""
        try:
            self._api(START_TIMEOUT).start(container_id)
        except docker.errors.NotFound as exc:
            raise ContainerNotFound(_reason(exc)) from exc
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise StartFailed(_reason(exc)) from exc

    def stop(self, container_id: str, timeout_seconds: int) -> None:
        """``docker stop -t``: stop signal, SIGKILL after ``timeout_seconds``. Idempotent."""
        try:
            self._api(STOP_TIMEOUT_MARGIN).stop(container_id, timeout=timeout_seconds)
        except docker.errors.NotFound as exc:
            raise ContainerNotFound(_reason(exc)) from exc
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise StopFailed(_reason(exc)) from exc

    def inspect(self, container_id: str) -> ContainerState:
        """Docker's view of the container; raise :class:`ContainerNotFound` if it is unknown."""
        try:
            attrs = self._api(INSPECT_TIMEOUT).inspect_container(container_id)
        except docker.errors.NotFound as exc:
            raise ContainerNotFound(_reason(exc)) from exc
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ContainerRuntimeError(_reason(exc)) from exc
        return container_state(attrs)

    def remove(self, container_id: str) -> None:
        """Force-remove the container and its anonymous volumes; gone already is fine."""
        try:
            self._api(REMOVE_TIMEOUT).remove_container(container_id, v=True, force=True)
        except docker.errors.NotFound:
            return
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise RemoveFailed(_reason(exc)) from exc

    def list_managed(self, cluster: str | None = None) -> tuple[ManagedContainer, ...]:
        """Every container with the task-arn label (and ``cluster``'s label when given)."""
        labels = [LABEL_TASK_ARN] + ([f"{LABEL_CLUSTER}={cluster}"] if cluster else [])
        try:
            found = self._api(LIST_TIMEOUT).containers(all=True, filters={"label": labels})
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ContainerRuntimeError(_reason(exc)) from exc
        return tuple(
            ManagedContainer(
                container_id=c["Id"],
                name=(c.get("Names") or ["/"])[0].lstrip("/"),
                status=c.get("State", ""),
                task_arn=c["Labels"][LABEL_TASK_ARN],
                container_name=c["Labels"].get(LABEL_CONTAINER_NAME, ""),
                cluster=c["Labels"].get(LABEL_CLUSTER),
            )
            for c in found
        )


def _create_args(spec: ContainerSpec) -> dict[str, Any]:
    """Keyword arguments of ``APIClient.create_container`` (all but ``host_config``)."""
    args: dict[str, Any] = {
        "image": spec.image,
        "name": spec.name,
        "labels": dict(spec.labels),
        "environment": dict(spec.environment),
        "command": list(spec.command) if spec.command is not None else None,
        "entrypoint": list(spec.entrypoint) if spec.entrypoint is not None else None,
        "working_dir": spec.working_dir,
        "user": spec.user,
        "ports": [(p.container_port, p.protocol) for p in spec.ports] or None,
        "stop_timeout": spec.stop_timeout,
    }
    if spec.healthcheck is not None:
        hc = spec.healthcheck
        args["healthcheck"] = {
            "test": list(hc.test), "interval": hc.interval_ns, "timeout": hc.timeout_ns,
            "retries": hc.retries, "start_period": hc.start_period_ns,
        }
    return args


def _host_config_args(spec: ContainerSpec) -> dict[str, Any]:
    """Keyword arguments of ``APIClient.create_host_config``; memory MiB → bytes."""
    bindings: dict[str, list[tuple[str, int | None]]] = {}
    for p in spec.ports:
        bindings.setdefault(f"{p.container_port}/{p.protocol}", []).append(
            (p.host_ip, p.host_port)
        )
    return {
        "network_mode": spec.network_mode,
        "port_bindings": bindings or None,
        "cpu_shares": spec.cpu_shares,
        "mem_limit": spec.memory_mib * _MIB if spec.memory_mib else None,
        "mem_reservation": (
            spec.memory_reservation_mib * _MIB if spec.memory_reservation_mib else None
        ),
        "ulimits": [Ulimit(name=u.name, soft=u.soft, hard=u.hard) for u in spec.ulimits] or None,
        "read_only": spec.read_only or None,
    }


def _reason(exc: Exception) -> str:
    """Docker's own message for an SDK error (``explanation``), else the exception's text."""
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc)
