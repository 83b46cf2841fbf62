"""Pure mapping of an ECS container definition to the arguments of a Docker create call.

:func:`container_spec` follows the conventions of the real ECS agent (ecs-reference §5.2, §5.3,
§5.8): the ``ecs-<family>-<revision>-<containerName>-<randomhex>`` name, the five
``com.amazonaws.ecs.*`` labels, ``cpu`` → CpuShares, ``memory`` → hard limit,
``memoryReservation`` → soft limit, bridge-mode dynamic/static port publishing, and the task
definition's health check as Docker's healthcheck (seconds → nanoseconds).

The task-relative members come from small modules: ``mountPoints`` / ``volumesFrom`` /
``links`` from :mod:`.mounts` (resolved through the task's :class:`TaskVolumes` and ``peers``),
``linuxParameters`` and the other kernel-facing members from :mod:`.linux`, ``logConfiguration``
from :mod:`.logconfig` (``awslogs`` becomes ``json-file``; the agent ships the output).

Pure: no Docker SDK, clock or randomness; the random name suffix is a parameter.

Not mapped (yet): secrets, environmentFiles (the caller resolves them into ``environment``),
containerPortRange, resourceRequirements (GPUs), firelensConfiguration, credentialSpecs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from dockyard.agent.docker.labels import (
    LABEL_CLUSTER,
    LABEL_CONTAINER_NAME,
    LABEL_TASK_ARN,
    LABEL_TASK_DEFINITION_FAMILY,
    LABEL_TASK_DEFINITION_VERSION,
)
from dockyard.agent.docker.linux import LinuxSpec, linux_spec
from dockyard.agent.docker.logconfig import LogSpec, log_spec
from dockyard.agent.docker.mounts import (
    LinkSpec,
    MountSpec,
    link_specs,
    mount_specs,
    volumes_from_specs,
)
from dockyard.agent.docker.volumes import TaskVolumes
from dockyard.domain.task_definition_container import ContainerDefinition, HealthCheck

__all__ = [
    "LABEL_CLUSTER",
    "LABEL_CONTAINER_NAME",
    "LABEL_TASK_ARN",
    "LABEL_TASK_DEFINITION_FAMILY",
    "LABEL_TASK_DEFINITION_VERSION",
    "MAX_CPU_SHARES",
    "MIN_CPU_SHARES",
    "ContainerSpec",
    "HealthcheckSpec",
    "PortPublication",
    "UlimitSpec",
    "UnsupportedNetworkMode",
    "container_name",
    "container_spec",
    "cpu_shares",
    "ecs_labels_for",
    "healthcheck_spec",
]

MIN_CPU_SHARES = 2
"""Docker's (and the kernel's) minimum CpuShares; the agent (≥1.2.0) sends null/0/1 cpu as 2
because Docker would treat 0 as "unset" (1024) and reject 1."""

MAX_CPU_SHARES = 262144
"""The kernel's maximum cpu.shares; the agent (≥1.84.0) caps container cpu here."""

NANOS_PER_SECOND = 1_000_000_000
"""Docker's healthcheck durations are nanoseconds; ECS's are whole seconds."""

SUPPORTED_NETWORK_MODES = frozenset({"bridge", "host", "none"})
"""``awsvpc`` needs an ENI per task, which a Docker Engine host cannot provide."""

_NO_PEERS: Mapping[str, str] = MappingProxyType({})

_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_.-]")
_HEX = re.compile(r"[0-9a-f]+")


class UnsupportedNetworkMode(ValueError):
    """The task's networkMode cannot be run by this adapter (only bridge, host and none)."""


@dataclass(frozen=True, slots=True)
class PortPublication:
    """One published port. ``host_port`` None = dynamic (Docker picks from its ephemeral range)."""

    container_port: int
    protocol: str
    host_ip: str
    host_port: int | None


@dataclass(frozen=True, slots=True)
class UlimitSpec:
    name: str
    soft: int
    hard: int


@dataclass(frozen=True, slots=True)
class HealthcheckSpec:
    """Docker's ``Healthcheck``: ``test`` starts with ``CMD`` or ``CMD-SHELL``; durations in ns."""

    test: tuple[str, ...]
    interval_ns: int
    timeout_ns: int
    retries: int
    start_period_ns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerSpec:
    """Everything the runtime needs to create one container; memory values are MiB.

    Invariant: ``labels`` always carries the five ``com.amazonaws.ecs.*`` labels, and ``ports``
    and ``links`` are empty unless ``network_mode`` is ``bridge``.
    """

    name: str
    image: str
    labels: Mapping[str, str]
    network_mode: str = "bridge"
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    working_dir: str | None = None
    user: str | None = None
    ports: tuple[PortPublication, ...] = ()
    cpu_shares: int = MIN_CPU_SHARES
    memory_mib: int | None = None
    memory_reservation_mib: int | None = None
    ulimits: tuple[UlimitSpec, ...] = ()
    read_only: bool = False
    healthcheck: HealthcheckSpec | None = None
    stop_timeout: int | None = None
    mounts: tuple[MountSpec, ...] = ()
    volumes_from: tuple[str, ...] = ()
    links: tuple[LinkSpec, ...] = ()
    hostname: str | None = None
    dns_servers: tuple[str, ...] = ()
    dns_search_domains: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()
    """``/etc/hosts`` lines as Docker takes them, ``<hostname>:<ip>``."""
    network_disabled: bool = False
    interactive: bool = False
    tty: bool = False
    linux: LinuxSpec = field(default_factory=LinuxSpec)
    log: LogSpec | None = None
    """None keeps the daemon's default log driver."""


def container_name(family: str, revision: int, name: str, random_hex: str) -> str:
    """``ecs-<family>-<revision>-<containerName>-<randomhex>``, minus chars Docker rejects.

    Raises ValueError if ``random_hex`` is not lowercase hex.
    """
    if not _HEX.fullmatch(random_hex):
        raise ValueError(f"random_hex must be lowercase hex, got {random_hex!r}")
    return _INVALID_NAME_CHARS.sub("", f"ecs-{family}-{revision}-{name}-{random_hex}")


def container_spec(
    task_arn: str,
    family: str,
    revision: int,
    cluster: str,
    container: ContainerDefinition,
    *,
    network_mode: str,
    random_hex: str,
    host_ip: str = "127.0.0.1",
    volumes: TaskVolumes | None = None,
    peers: Mapping[str, str] = _NO_PEERS,
) -> ContainerSpec:
    """Map one container of a task to a :class:`ContainerSpec`. Pure and deterministic.

    ``host_ip`` is where bridge-mode ports are published. ``cluster`` is the cluster's name or
    ARN, as the caller wants it in the cluster label. ``volumes`` is the task's volume plan
    (:func:`~dockyard.agent.docker.volumes.plan_task_volumes`); ``peers`` maps the ECS names of
    the task's already-created containers to their Docker names or ids.

    Raises :class:`UnsupportedNetworkMode` for ``awsvpc`` or an unknown mode, or for ``links``
    outside bridge mode; :class:`~dockyard.agent.docker.mounts.UnresolvedReference` for a mount
    point's volume missing from ``volumes`` or a linked / volumesFrom container missing from
    ``peers``. ``dockerLabels`` cannot override the ECS labels.
    """
    if network_mode not in SUPPORTED_NETWORK_MODES:
        raise UnsupportedNetworkMode(f"networkMode {network_mode!r} is not supported on Docker")
    if container.links and network_mode != "bridge":
        raise UnsupportedNetworkMode(
            f"container '{container.name}' has links, which need networkMode bridge, "
            f"not {network_mode!r}"
        )
    ecs_labels = ecs_labels_for(task_arn, family, revision, cluster, container.name)
    return ContainerSpec(
        name=container_name(family, revision, container.name, random_hex),
        image=container.image,
        labels={**(container.docker_labels or {}), **ecs_labels},
        network_mode=network_mode,
        command=container.command,
        entrypoint=container.entry_point,
        environment={e.name: e.value or "" for e in container.environment if e.name},
        working_dir=container.working_directory,
        user=container.user,
        ports=_publications(container, network_mode, host_ip),
        cpu_shares=cpu_shares(container.cpu),
        memory_mib=container.memory,
        memory_reservation_mib=container.memory_reservation,
        ulimits=tuple(
            UlimitSpec(u.name, u.soft_limit, u.hard_limit) for u in container.ulimits or ()
        ),
        read_only=bool(container.readonly_root_filesystem),
        healthcheck=healthcheck_spec(container.health_check) if container.health_check else None,
        stop_timeout=container.stop_timeout,
        mounts=mount_specs(container, volumes),
        volumes_from=volumes_from_specs(container, peers),
        links=link_specs(container, peers),
        hostname=container.hostname,
        dns_servers=tuple(container.dns_servers or ()),
        dns_search_domains=tuple(container.dns_search_domains or ()),
        extra_hosts=tuple(f"{h.hostname}:{h.ip_address}" for h in container.extra_hosts or ()),
        network_disabled=bool(container.disable_networking),
        interactive=bool(container.interactive),
        tty=bool(container.pseudo_terminal),
        linux=linux_spec(container),
        log=log_spec(container),
    )


def ecs_labels_for(
    task_arn: str, family: str, revision: int, cluster: str, name: str
) -> dict[str, str]:
    """The five ``com.amazonaws.ecs.*`` labels the agent puts on every container (§5.8)."""
    return {
        LABEL_TASK_ARN: task_arn,
        LABEL_CONTAINER_NAME: name,
        LABEL_TASK_DEFINITION_FAMILY: family,
        LABEL_TASK_DEFINITION_VERSION: str(revision),
        LABEL_CLUSTER: cluster,
    }


def cpu_shares(cpu: int | None) -> int:
    """ECS container ``cpu`` units → Docker CpuShares, clamped to [2, 262144]."""
    return min(max(cpu or 0, MIN_CPU_SHARES), MAX_CPU_SHARES)


def healthcheck_spec(check: HealthCheck) -> HealthcheckSpec:
    """The task definition's health check as Docker's; ``command`` passes through verbatim."""
    return HealthcheckSpec(
        test=check.command,
        interval_ns=check.interval * NANOS_PER_SECOND,
        timeout_ns=check.timeout * NANOS_PER_SECOND,
        retries=check.retries,
        start_period_ns=(check.start_period or 0) * NANOS_PER_SECOND,
    )


def _publications(
    container: ContainerDefinition, network_mode: str, host_ip: str
) -> tuple[PortPublication, ...]:
    """Bridge mode publishes every mapping (hostPort 0/omitted → dynamic); host and none publish
    nothing (in host mode the container binds the host's ports itself)."""
    if network_mode != "bridge":
        return ()
    return tuple(
        PortPublication(
            container_port=pm.container_port,
            protocol="udp" if pm.protocol == "udp" else "tcp",
            host_ip=host_ip,
            host_port=pm.host_port or None,
        )
        for pm in container.port_mappings
        if pm.container_port is not None
    )
