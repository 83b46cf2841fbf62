"""The typed container definition of an ECS task definition and its parts.

Pure value objects: frozen, slotted dataclasses with keyword-only constructors. Field names are
the snake_case of botocore's ECS member names (``memoryReservation`` → ``memory_reservation``);
:mod:`dockyard.domain.task_definition_codec` maps them to and from the wire, using the
``wire`` metadata where the camelCase is irregular.

Every member of botocore's ``ContainerDefinition`` shape (botocore 1.43) has a typed field.
``passthrough`` keeps members a newer botocore (or a newer persisted document) carries that this
model does not know yet; they are echoed back unchanged and never interpreted.

Presence: an optional list is ``None`` when the caller never sent it and ``()`` when they sent
``[]``; ECS echoes both back as given. The lists ECS always returns (``portMappings``,
``environment``, ``mountPoints``, ``volumesFrom``) are plain tuples that default to ``()``.

Invariant: instances are immutable; equality is structural.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias, Union

JsonValue: TypeAlias = Union[  # noqa: UP007 - a recursive alias needs the string form
    bool, int, float, str, list["JsonValue"], dict[str, "JsonValue"], None
]
"""Any JSON value, for members kept verbatim."""

PASSTHROUGH: Mapping[str, object] = {"passthrough": True}
"""Field metadata: this mapping field holds the wire members the model does not know."""


def _passthrough() -> dict[str, JsonValue]:
    return {}


class ContainerCondition(StrEnum):
    """``dependsOn[].condition``: what the dependency must reach before the dependent starts."""

    START = "START"
    COMPLETE = "COMPLETE"
    SUCCESS = "SUCCESS"
    HEALTHY = "HEALTHY"


@dataclass(frozen=True, slots=True, kw_only=True)
class PortMapping:
    """One ``portMappings`` entry. ``host_port`` None = omitted (dynamic in bridge mode)."""

    container_port: int | None = None
    host_port: int | None = None
    protocol: str = "tcp"
    name: str | None = None
    app_protocol: str | None = None
    container_port_range: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyValuePair:
    """An ``environment`` entry (also ``proxyConfiguration.properties``)."""

    name: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentFile:
    """An ``environmentFiles`` entry: an S3 object ARN and its type (only ``s3`` exists)."""

    value: str
    type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    """A ``secrets`` / ``secretOptions`` entry; ``value_from`` is an SSM or Secrets Manager ref."""

    name: str
    value_from: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MountPoint:
    source_volume: str | None = None
    container_path: str | None = None
    read_only: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VolumeFrom:
    source_container: str | None = None
    read_only: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthCheck:
    """Container health check. Defaults are the values ECS fills in and echoes back."""

    command: tuple[str, ...]
    interval: int = 30
    timeout: int = 5
    retries: int = 3
    start_period: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerDependency:
    container_name: str
    condition: ContainerCondition


@dataclass(frozen=True, slots=True, kw_only=True)
class HostEntry:
    """An ``extraHosts`` entry (``/etc/hosts`` line)."""

    hostname: str
    ip_address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LogConfiguration:
    log_driver: str
    options: Mapping[str, str] | None = None
    secret_options: tuple[Secret, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Ulimit:
    name: str
    soft_limit: int
    hard_limit: int


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelCapabilities:
    add: tuple[str, ...] | None = None
    drop: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    host_path: str
    container_path: str | None = None
    permissions: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Tmpfs:
    container_path: str
    size: int
    mount_options: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinuxParameters:
    capabilities: KernelCapabilities | None = None
    devices: tuple[Device, ...] | None = None
    init_process_enabled: bool | None = None
    shared_memory_size: int | None = None
    tmpfs: tuple[Tmpfs, ...] | None = None
    max_swap: int | None = None
    swappiness: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RepositoryCredentials:
    credentials_parameter: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerRestartPolicy:
    enabled: bool
    ignored_exit_codes: tuple[int, ...] | None = None
    restart_attempt_period: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemControl:
    namespace: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceRequirement:
    """``GPU`` count or ``InferenceAccelerator`` device name, as a string."""

    value: str
    type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FirelensConfiguration:
    type: str
    options: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerDefinition:
    """One container of a task definition.

    ``name`` and ``image`` default to ``""`` so that a request missing them still parses and
    validation can answer with ECS's own message. ``cpu`` defaults to 0 and ``essential`` to
    True, the values ECS fills in and echoes back.

    Invariant: after :func:`validate_registration`, ``name`` and ``image`` are non-empty.
    """

    name: str = ""
    image: str = ""
    repository_credentials: RepositoryCredentials | None = None
    cpu: int = 0
    memory: int | None = None
    memory_reservation: int | None = None
    links: tuple[str, ...] | None = None
    port_mappings: tuple[PortMapping, ...] = ()
    essential: bool = True
    restart_policy: ContainerRestartPolicy | None = None
    entry_point: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None
    environment: tuple[KeyValuePair, ...] = ()
    environment_files: tuple[EnvironmentFile, ...] | None = None
    mount_points: tuple[MountPoint, ...] = ()
    volumes_from: tuple[VolumeFrom, ...] = ()
    linux_parameters: LinuxParameters | None = None
    secrets: tuple[Secret, ...] | None = None
    depends_on: tuple[ContainerDependency, ...] | None = None
    start_timeout: int | None = None
    stop_timeout: int | None = None
    version_consistency: str | None = None
    hostname: str | None = None
    user: str | None = None
    working_directory: str | None = None
    disable_networking: bool | None = None
    privileged: bool | None = None
    readonly_root_filesystem: bool | None = None
    dns_servers: tuple[str, ...] | None = None
    dns_search_domains: tuple[str, ...] | None = None
    extra_hosts: tuple[HostEntry, ...] | None = None
    docker_security_options: tuple[str, ...] | None = None
    interactive: bool | None = None
    pseudo_terminal: bool | None = None
    docker_labels: Mapping[str, str] | None = None
    ulimits: tuple[Ulimit, ...] | None = None
    log_configuration: LogConfiguration | None = None
    health_check: HealthCheck | None = None
    system_controls: tuple[SystemControl, ...] | None = None
    resource_requirements: tuple[ResourceRequirement, ...] | None = None
    firelens_configuration: FirelensConfiguration | None = None
    credential_specs: tuple[str, ...] | None = None
    passthrough: Mapping[str, JsonValue] = field(default_factory=_passthrough, metadata=PASSTHROUGH)
