"""Task volumes as Docker sees them: a pure plan of what to create and what each name mounts.

ECS semantics (ecs-reference §5.4), one row per kind of task-definition volume::

    volume                              mounts                Docker volume
    host.sourcePath = /p                bind of host path /p  none
    {} or host without sourcePath       an empty task volume  generated name, local driver,
                                                              removed after the task
    dockerVolumeConfiguration           that volume           generated name, removed after
      scope=task (the default)                                the task
    dockerVolumeConfiguration           that volume           named exactly <vol>, persists;
      scope=shared                                            created only with autoprovision

The generated name is ``ecs-<family>-<revision>-<volumeName>-<taskId>``.

EFS, FSx, S3 Files and configured-at-launch volumes cannot be served by a Docker Engine host:
planning a task that declares one raises :class:`UnsupportedVolume`.

The real agent suffixes generated names with random hex; the task id is used here instead, so a
restarted agent can find (and remove) the volumes of a task it knew. The task-scoped volumes
carry the cluster and task-id labels for the same reason.

Pure: no Docker SDK, clock or randomness.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dockyard.agent.docker.labels import LABEL_CLUSTER, LABEL_TASK_ID
from dockyard.domain.task_definition import TaskDefinition, Volume

__all__ = [
    "DEFAULT_VOLUME_DRIVER",
    "DockerVolumeSpec",
    "MountSource",
    "TaskVolumes",
    "UnsupportedVolume",
    "VolumeScope",
    "plan_task_volumes",
    "task_volume_name",
    "volume_mismatch",
]

DEFAULT_VOLUME_DRIVER = "local"
"""ECS's and Docker's default volume driver."""

_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_.-]")


class UnsupportedVolume(ValueError):
    """The task declares a volume kind a Docker Engine host cannot provide (EFS, FSx, ...)."""


class VolumeScope(StrEnum):
    """``dockerVolumeConfiguration.scope``: ``task`` dies with the task, ``shared`` persists."""

    TASK = "task"
    SHARED = "shared"


@dataclass(frozen=True, slots=True, kw_only=True)
class DockerVolumeSpec:
    """One Docker volume the task needs before its containers are created.

    ``empty`` marks an "empty task volume" (a volume with no kind, or ``host`` without
    ``sourcePath``); it is task-scoped like a ``scope: task`` Docker volume.

    Invariant: ``autoprovision`` is only true with scope ``shared``.
    """

    name: str
    scope: VolumeScope
    driver: str = DEFAULT_VOLUME_DRIVER
    driver_opts: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    autoprovision: bool = False
    empty: bool = False

    @property
    def removed_with_task(self) -> bool:
        return self.scope is VolumeScope.TASK


@dataclass(frozen=True, slots=True)
class MountSource:
    """What a task volume name mounts: a host path (``bind``) or a Docker volume name."""

    source: str
    bind: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskVolumes:
    """The plan for a task's volumes: Docker volumes to ensure and each volume name's source.

    Invariant: every Docker volume in ``docker_volumes`` is the source of exactly one entry of
    ``sources`` with ``bind`` false.
    """

    docker_volumes: tuple[DockerVolumeSpec, ...] = ()
    sources: Mapping[str, MountSource] = field(default_factory=dict)

    def source(self, volume_name: str) -> MountSource | None:
        """The mount source of the task volume ``volume_name``, None if the task has none."""
        return self.sources.get(volume_name)

    @property
    def removed_with_task(self) -> tuple[DockerVolumeSpec, ...]:
        """The task-scoped volumes (including empty task volumes), to remove after the task."""
        return tuple(v for v in self.docker_volumes if v.removed_with_task)


def task_volume_name(family: str, revision: int, volume_name: str, task_id: str) -> str:
    """``ecs-<family>-<revision>-<volumeName>-<taskId>``, minus characters Docker rejects."""
    return _INVALID_NAME_CHARS.sub("", f"ecs-{family}-{revision}-{volume_name}-{task_id}")


def plan_task_volumes(task_id: str, cluster: str, td: TaskDefinition) -> TaskVolumes:
    """Plan the volumes of task ``task_id`` of ``td`` on cluster ``cluster``. Pure.

    Raises :class:`UnsupportedVolume` for a volume kind Docker cannot provide, naming it.
    """
    docker_volumes: list[DockerVolumeSpec] = []
    sources: dict[str, MountSource] = {}
    task_labels = {LABEL_CLUSTER: cluster, LABEL_TASK_ID: task_id}
    for volume in td.volumes:
        name = volume.name or ""
        unsupported = [k for k in volume.kinds() if k not in ("host", "dockerVolumeConfiguration")]
        if unsupported:
            raise UnsupportedVolume(
                f"volume '{name}': {', '.join(unsupported)} is not supported on Docker Engine"
            )
        if volume.host is not None and volume.host.source_path:
            sources[name] = MountSource(volume.host.source_path, bind=True)
            continue
        spec = _docker_volume(
            volume, task_volume_name(td.family, td.revision, name, task_id), task_labels
        )
        docker_volumes.append(spec)
        sources[name] = MountSource(spec.name, bind=False)
    return TaskVolumes(docker_volumes=tuple(docker_volumes), sources=sources)


def _docker_volume(
    volume: Volume, generated_name: str, task_labels: Mapping[str, str]
) -> DockerVolumeSpec:
    config = volume.docker_volume_configuration
    if config is None:
        return DockerVolumeSpec(
            name=generated_name, scope=VolumeScope.TASK, labels=dict(task_labels), empty=True
        )
    labels = dict(config.labels or {})
    driver = config.driver or DEFAULT_VOLUME_DRIVER
    opts = dict(config.driver_opts or {})
    if config.scope == VolumeScope.SHARED:
        return DockerVolumeSpec(
            name=volume.name or "",
            scope=VolumeScope.SHARED,
            driver=driver,
            driver_opts=opts,
            labels=labels,
            autoprovision=bool(config.autoprovision),
        )
    return DockerVolumeSpec(
        name=generated_name,
        scope=VolumeScope.TASK,
        driver=driver,
        driver_opts=opts,
        labels={**labels, **task_labels},
    )


def volume_mismatch(volume: DockerVolumeSpec, existing: Mapping[str, Any]) -> str | None:
    """Why an existing volume (Docker's inspect document) does not match ``volume``, or None.

    It matches when the driver is the same and the configured labels and driver options are
    among its own (the daemon may add more). Pure.
    """
    if existing.get("Driver") != volume.driver:
        return f"its driver is {existing.get('Driver')}, not {volume.driver}"
    checks = (
        ("label", volume.labels, existing.get("Labels")),
        ("driver option", volume.driver_opts, existing.get("Options")),
    )
    for what, configured, actual in checks:
        have = actual or {}
        for key, value in configured.items():
            if have.get(key) != value:
                return f"its {what} {key} is {have.get(key)!r}, not {value!r}"
    return None
