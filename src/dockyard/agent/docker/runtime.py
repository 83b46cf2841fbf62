"""``DockerRuntime``: the :class:`ContainerRuntime` over the Docker SDK (the imperative shell).

Every Docker call goes through an SDK client whose timeout is that call's named constant below
(one client per distinct timeout, created lazily; the SDK has no per-call timeout). As in
``requests``, a timeout bounds each wait for bytes, not the whole call, so for a streamed pull it
is an inactivity timeout. SDK and transport errors become the typed errors of
:mod:`dockyard.agent.docker.model`, with Docker's message as ``reason``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from datetime import datetime
from typing import Any

import docker.errors
import requests
from docker.utils import parse_repository_tag

import docker
from dockyard.agent.docker.dockerargs import create_args, host_config_args
from dockyard.agent.docker.labels import LABEL_CLUSTER, LABEL_CONTAINER_NAME, LABEL_TASK_ARN
from dockyard.agent.docker.model import (
    ContainerNotFound,
    ContainerRuntimeError,
    ContainerState,
    ContainerStats,
    CreateFailed,
    HostInfo,
    ImageUnavailable,
    ManagedContainer,
    PullBehavior,
    RemoveFailed,
    RuntimeEvent,
    RuntimeEventKind,
    StartFailed,
    StopFailed,
    VolumeFailed,
    container_state,
    runtime_event,
)
from dockyard.agent.docker.spec import ContainerSpec
from dockyard.agent.docker.streams import LogLineSplitter, StreamCloser, docker_since, nanos
from dockyard.agent.docker.volumes import (
    DockerVolumeSpec,
    TaskVolumes,
    VolumeScope,
    volume_mismatch,
)

__all__ = [
    "CREATE_TIMEOUT",
    "EVENTS_RETRY_DELAY",
    "EVENTS_WINDOW",
    "EVENTS_WINDOW_GRACE",
    "INFO_TIMEOUT",
    "INSPECT_TIMEOUT",
    "LIST_TIMEOUT",
    "LOGS_TIMEOUT",
    "PULL_TIMEOUT",
    "REMOVE_TIMEOUT",
    "START_TIMEOUT",
    "STOP_TIMEOUT_MARGIN",
    "VOLUME_TIMEOUT",
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

VOLUME_TIMEOUT = 5 * 60.0
"""The agent's Create/Inspect/RemoveVolumeTimeout: a volume plugin may provision remote
storage (an EBS or NFS volume) before it answers."""

INFO_TIMEOUT = 10.0
"""The agent's VersionTimeout and InfoTimeout: reads of daemon facts that should be instant."""

LOGS_TIMEOUT = 30.0
"""Bounds the opening of a logs request (the SDK inspects the container first, then asks for
the stream). A followed stream may then stay silent for hours; it ends when the container
stops or ``stop`` is set, not on silence."""

EVENTS_WINDOW = 10.0
"""Each events request asks for events ``until`` this many seconds ahead, then reconnects from
there. A daemon that hangs (or a connection that dies silently) is noticed within one window
plus :data:`EVENTS_WINDOW_GRACE`; ``stop`` is noticed at once (the stream is closed)."""

EVENTS_WINDOW_GRACE = 10.0
"""How long past a window's ``until`` the daemon may take to end the stream before the
connection is taken for dead, closed, and the window asked for again."""

EVENTS_RETRY_DELAY = 1.0
"""Pause before reconnecting after an events request failed (daemon restarting, socket gone).
The daemon replays from the cursor, as far back as its buffer (the last 256 events) reaches."""

_log = logging.getLogger(__name__)

_EVENT_FILTERS: Mapping[str, Any] = {
    "type": ["container"],
    "label": [LABEL_TASK_ARN],
    "event": [kind.value for kind in RuntimeEventKind],
}

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
            host_config = api.create_host_config(**host_config_args(spec))
            created = api.create_container(host_config=host_config, **create_args(spec))
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

    def stats(self, container_id: str) -> ContainerStats:
        """Docker's one-shot stats (API ≥ 1.41): no second sample, no one-second wait. Memory
        is usage minus page cache, as ``docker stats`` shows it."""
        try:
            raw = self._api(INSPECT_TIMEOUT).stats(container_id, stream=False, one_shot=True)
        except docker.errors.NotFound as exc:
            raise ContainerNotFound(_reason(exc)) from exc
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ContainerRuntimeError(_reason(exc)) from exc
        return container_stats(raw)

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

    def ensure_volumes(self, volumes: TaskVolumes) -> None:
        """Create the task-scoped volumes and missing autoprovisioned shared ones.

        A shared volume without ``autoprovision`` must exist; one with it that exists must have
        the configured driver, and the configured labels and driver options among its own (as
        the real agent checks). Otherwise, or when Docker refuses, raises :class:`VolumeFailed`.
        """
        for volume in volumes.docker_volumes:
            if volume.scope is VolumeScope.TASK:
                self._create_volume(volume)
                continue
            existing = self._inspect_volume(volume.name)
            if existing is None and not volume.autoprovision:
                raise VolumeFailed(
                    f"volume {volume.name} does not exist and autoprovision is false"
                )
            if existing is None:
                self._create_volume(volume)
            elif volume.autoprovision and (mismatch := volume_mismatch(volume, existing)):
                raise VolumeFailed(f"volume {volume.name} exists but {mismatch}")

    def _create_volume(self, volume: DockerVolumeSpec) -> None:
        try:
            self._api(VOLUME_TIMEOUT).create_volume(
                volume.name,
                driver=volume.driver,
                driver_opts=dict(volume.driver_opts) or None,
                labels=dict(volume.labels) or None,
            )
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise VolumeFailed(f"volume {volume.name}: {_reason(exc)}") from exc

    def _inspect_volume(self, name: str) -> Mapping[str, Any] | None:
        try:
            return dict(self._api(VOLUME_TIMEOUT).inspect_volume(name))
        except docker.errors.NotFound:
            return None
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise VolumeFailed(f"volume {name}: {_reason(exc)}") from exc

    def remove_task_volumes(self, volumes: TaskVolumes) -> None:
        """Remove every task-scoped volume (shared ones persist); missing ones are fine.

        Tries them all, then raises one :class:`VolumeFailed` naming each that Docker refused
        (typically still in use by a container not yet removed).
        """
        failures = []
        for volume in volumes.removed_with_task:
            try:
                self._api(VOLUME_TIMEOUT).remove_volume(volume.name)
            except docker.errors.NotFound:
                continue
            except (docker.errors.APIError, requests.RequestException) as exc:
                failures.append(f"volume {volume.name}: {_reason(exc)}")
        if failures:
            raise VolumeFailed("; ".join(failures))

    def events(
        self, stop: threading.Event, *, since: datetime | None = None
    ) -> Iterator[RuntimeEvent]:
        """Docker's events about managed containers, from ``since`` (default: now) on.

        Asks in windows of :data:`EVENTS_WINDOW` (``since``/``until``), each starting where the
        last one ended; a window that ends early or fails (transport error, daemon restart) is
        asked for again after :data:`EVENTS_RETRY_DELAY`, and events already yielded are
        skipped. Returns within :data:`~dockyard.agent.docker.streams.CLOSER_POLL_SECONDS` of
        ``stop`` being set (the stream is closed under the read). Never raises for transport
        errors; it logs them and reconnects. A consumer should hand events off quickly: one
        that holds the generator past a window's end makes the window be replayed.
        """
        cursor = nanos(since) if since is not None else time.time_ns()
        seen: set[tuple[int, str, str]] = set()
        while not stop.is_set():
            until = max(time.time_ns(), cursor) + int(EVENTS_WINDOW * 1e9)
            complete = yield from self._events_window(cursor, until, stop, seen)
            if complete:
                cursor = until
                seen = {key for key in seen if key[0] >= cursor}
            elif not stop.is_set():
                stop.wait(EVENTS_RETRY_DELAY)

    def _events_window(
        self, cursor: int, until: int, stop: threading.Event, seen: set[tuple[int, str, str]]
    ) -> Generator[RuntimeEvent, None, bool]:
        """Yield one window's new events; return whether the window was read to its end."""
        try:
            stream = self._api(INFO_TIMEOUT).events(
                since=docker_since(cursor),
                until=docker_since(until),
                filters=dict(_EVENT_FILTERS),
                decode=True,
            )
        except (docker.errors.APIError, requests.RequestException) as exc:
            _log.warning("docker events: %s; reconnecting", _reason(exc))
            return False
        deadline = time.monotonic() + (until - time.time_ns()) / 1e9 + EVENTS_WINDOW_GRACE
        try:
            with StreamCloser(stream, stop, deadline) as closer:
                for message in stream:
                    key = (
                        int(message.get("timeNano") or 0),
                        str(message.get("id", "")),
                        str(message.get("Action") or message.get("status") or ""),
                    )
                    if key in seen:
                        continue
                    seen.add(key)
                    event = runtime_event(message)
                    if event is not None:
                        yield event
        except (
            requests.RequestException,
            docker.errors.DockerException,
            ValueError,
            OSError,
        ) as exc:
            _log.warning("docker events stream broke: %s; reconnecting", _reason(exc))
            return False
        return not closer.closed_early and time.time_ns() >= until

    def logs(
        self,
        container_id: str,
        *,
        since: datetime | None = None,
        follow: bool = True,
        stop: threading.Event | None = None,
    ) -> Iterator[tuple[datetime, str]]:
        """The container's stdout and stderr as (UTC time, line without the newline) pairs.

        ``since`` is inclusive (microsecond precision). With ``follow`` the iterator ends when
        the container stops; without, at the end of what is logged. It ends within
        :data:`~dockyard.agent.docker.streams.CLOSER_POLL_SECONDS` of ``stop`` being set.
        The request is made at once: raises :class:`ContainerNotFound` for an unknown
        container, :class:`ContainerRuntimeError` for a log driver Docker cannot read back
        (``none``, ``syslog``...) or a broken stream.
        """
        stream = self._open_logs(container_id, since, follow=follow)
        return self._log_lines(container_id, stream, since=since, follow=follow, stop=stop)

    def _open_logs(self, container_id: str, since: datetime | None, *, follow: bool) -> Any:
        try:
            return self._api(LOGS_TIMEOUT).logs(
                container_id,
                stdout=True,
                stderr=True,
                stream=True,
                timestamps=True,
                follow=follow,
                since=since.timestamp() if since is not None else None,
            )
        except docker.errors.NotFound as exc:
            raise ContainerNotFound(_reason(exc)) from exc
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ContainerRuntimeError(_reason(exc)) from exc

    def _log_lines(
        self,
        container_id: str,
        stream: Any,
        *,
        since: datetime | None,
        follow: bool,
        stop: threading.Event | None,
    ) -> Iterator[tuple[datetime, str]]:
        """Yield the stream's lines; after a followed stream ends on its own, read once more
        without following from the last line's time: Docker (20.10) ends a followed stream
        before sending the container's last line when that line has no newline."""
        tail = _Tail()
        for at, text in _read_lines(stream, stop):
            tail.note(at)
            yield at, text
        if not follow or (stop is not None and stop.is_set()):
            return
        try:
            catch_up = self._open_logs(container_id, tail.last or since, follow=False)
        except ContainerNotFound:
            return
        for at, text in _read_lines(catch_up, stop):
            if not tail.already_yielded(at):
                yield at, text

    def docker_version(self) -> str:
        """The daemon's ``Version`` (e.g. ``20.10.24``)."""
        try:
            return str(self._api(INFO_TIMEOUT).version()["Version"])
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ContainerRuntimeError(_reason(exc)) from exc

    def host_info(self) -> HostInfo:
        """CPUs, memory bytes, architecture and OS type from ``docker info``."""
        try:
            info = self._api(INFO_TIMEOUT).info()
        except (docker.errors.APIError, requests.RequestException) as exc:
            raise ContainerRuntimeError(_reason(exc)) from exc
        return HostInfo(
            ncpu=int(info["NCPU"]),
            mem_total=int(info["MemTotal"]),
            architecture=str(info["Architecture"]),
            os_type=str(info["OSType"]),
        )


def _read_lines(stream: Any, stop: threading.Event | None) -> Iterator[tuple[datetime, str]]:
    splitter = LogLineSplitter()
    try:
        with StreamCloser(stream, stop):
            for chunk in stream:
                yield from splitter.feed(chunk)
    except (requests.RequestException, docker.errors.DockerException, OSError) as exc:
        if stop is None or not stop.is_set():
            raise ContainerRuntimeError(f"log stream broke: {_reason(exc)}") from exc
    yield from splitter.flush()


class _Tail:
    """The latest log time yielded and how many lines carried it, to skip them on a re-read.

    Latest, not last: stdout and stderr arrive multiplexed, so a line can arrive after a later-
    stamped one; re-reading from the last one's time would yield the later lines twice."""

    def __init__(self) -> None:
        self.last: datetime | None = None
        self._count = 0
        self._skipped = 0

    def note(self, at: datetime) -> None:
        if self.last is None or at > self.last:
            self.last, self._count = at, 1
        elif at == self.last:
            self._count += 1

    def already_yielded(self, at: datetime) -> bool:
        if self.last is None or at > self.last:
            return False
        if at < self.last:
            return True
        self._skipped += 1
        return self._skipped <= self._count


def _reason(exc: Exception) -> str:
    """Docker's own message for an SDK error (``explanation``), else the exception's text."""
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc)


def container_stats(raw: Mapping[str, Any]) -> ContainerStats:
    """A :class:`ContainerStats` from Docker's stats JSON (cgroup v1 or v2 field names)."""
    cpu = int(((raw.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage") or 0)
    memory = raw.get("memory_stats") or {}
    detail = memory.get("stats") or {}
    cache = int(
        detail.get("inactive_file") or detail.get("total_inactive_file") or detail.get("cache") or 0
    )
    used = max(int(memory.get("usage") or 0) - cache, 0)
    return ContainerStats(cpu_total_ns=cpu, memory_bytes=used, read_at_ns=time.monotonic_ns())
