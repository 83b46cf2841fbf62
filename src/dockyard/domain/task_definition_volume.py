"""Task-definition volumes: bind mounts, Docker volumes, EFS, and volumes configured at launch.

Pure value objects. ``host``, ``docker_volume_configuration``, ``efs_volume_configuration`` and
``configured_at_launch`` are typed; the FSx for Windows and S3 Files kinds are Windows-only or
newer than this orchestrator's runtime and stay in ``passthrough`` verbatim (echoed back,
never interpreted).

Invariant: after :func:`validate_registration` a volume has a valid unique name and at most one
kind; no kind at all means a host volume whose path Docker manages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dockyard.domain.task_definition_container import PASSTHROUGH, JsonValue

OTHER_VOLUME_KINDS: tuple[str, ...] = (
    "fsxWindowsFileServerVolumeConfiguration",
    "s3filesVolumeConfiguration",
)
"""Wire members for volume kinds kept in ``Volume.passthrough``."""


def _passthrough() -> dict[str, JsonValue]:
    return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class HostVolumeProperties:
    """A bind mount. ``source_path`` None: Docker picks the path and removes it with the task."""

    source_path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DockerVolumeConfiguration:
    scope: str | None = None
    autoprovision: bool | None = None
    driver: str | None = None
    driver_opts: Mapping[str, str] | None = None
    labels: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EfsAuthorizationConfig:
    access_point_id: str | None = None
    iam: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EfsVolumeConfiguration:
    file_system_id: str
    root_directory: str | None = None
    transit_encryption: str | None = None
    transit_encryption_port: int | None = None
    authorization_config: EfsAuthorizationConfig | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Volume:
    name: str | None = None
    host: HostVolumeProperties | None = None
    docker_volume_configuration: DockerVolumeConfiguration | None = None
    efs_volume_configuration: EfsVolumeConfiguration | None = None
    configured_at_launch: bool | None = None
    passthrough: Mapping[str, JsonValue] = field(default_factory=_passthrough, metadata=PASSTHROUGH)

    def kinds(self) -> tuple[str, ...]:
        """The wire names of the volume kinds this volume sets (validation wants at most one)."""
        named = (
            ("host", self.host is not None),
            ("dockerVolumeConfiguration", self.docker_volume_configuration is not None),
            ("efsVolumeConfiguration", self.efs_volume_configuration is not None),
            ("configuredAtLaunch", self.configured_at_launch is True),
        )
        kinds = [name for name, present in named if present]
        kinds.extend(kind for kind in OTHER_VOLUME_KINDS if kind in self.passthrough)
        return tuple(kinds)
