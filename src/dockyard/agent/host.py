"""What an agent registers: the host's resources and attributes (ecs-reference §7.1, §7.2).

:func:`registration_request` is pure; :func:`detect_host` reads the machine.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_RESERVED_PORTS",
    "DOCKER_CAPABILITIES",
    "SIMULATED_CAPABILITIES",
    "HostFacts",
    "RegistrationOptions",
    "detect_host",
    "registration_request",
]

AGENT_VERSION = "1.0.0-dockyard"

DEFAULT_RESERVED_PORTS = ("22", "2375", "2376", "51678", "51679")
"""``ECS_RESERVED_PORTS``: SSH, the Docker API and the ECS agent's own ports."""

_CAP = "com.amazonaws.ecs.capability."
_DOCKER_API_VERSIONS = tuple(f"1.{minor}" for minor in range(17, 42))
"""Docker Remote API versions 1.17–1.41: what Debian's Docker Engine 20.10 serves."""

DOCKER_CAPABILITIES: tuple[str, ...] = (
    *(f"{_CAP}docker-remote-api.{v}" for v in _DOCKER_API_VERSIONS),
    f"{_CAP}logging-driver.json-file",
    f"{_CAP}logging-driver.none",
    f"{_CAP}logging-driver.awslogs",
    f"{_CAP}privileged-container",
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    "ecs.capability.docker-plugin.local",
    "ecs.capability.pid-ipc-namespace-sharing",
    f"{_CAP}task-iam-role",
    f"{_CAP}task-iam-role-network-host",
    "ecs.capability.execution-role-awslogs",
    "ecs.capability.secrets.ssm.environment-variables",
    "ecs.capability.secrets.asm.environment-variables",
    "ecs.capability.secrets.ssm.bootstrap.log-driver",
    "ecs.capability.secrets.asm.bootstrap.log-driver",
    "ecs.capability.env-files.s3",
)
"""The ``requiresAttributes`` names the Docker runtime satisfies (features Dockyard maps).
Task roles (credentials endpoint), secrets and environment files are fetched by the agent
(``task_resources.py``); awslogs output is shipped by the agent with its own credentials."""

SIMULATED_CAPABILITIES = DOCKER_CAPABILITIES
"""A simulated instance claims the same, so placement treats it like a real one."""


@dataclass(frozen=True, slots=True)
class HostFacts:
    cpu_count: int
    memory_mib: int
    architecture: str
    docker_version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationOptions:
    """``dockyard agent`` flags that shape the registration."""

    cpu_units: int | None = None
    memory_mib: int | None = None
    reserved_memory_mib: int = 0
    reserved_ports: Sequence[str] = DEFAULT_RESERVED_PORTS
    reserved_udp_ports: Sequence[str] = ()
    attributes: Sequence[tuple[str, str]] = ()
    availability_zone: str | None = None
    instance_type: str = "dockyard.local"
    capabilities: Sequence[str] = field(default=DOCKER_CAPABILITIES)


def registration_request(
    cluster: str,
    facts: HostFacts,
    options: RegistrationOptions,
    *,
    region: str,
    instance_arn: str | None = None,
) -> dict[str, object]:
    """``RegisterContainerInstance`` arguments (boto3 keyword form).

    CPU = cores × 1024 and MEMORY = host MiB − ``reserved_memory_mib``, unless overridden.
    Raises ValueError when the reservation exceeds the memory (the agent refuses to start,
    as the ECS agent does).
    """
    memory = options.memory_mib if options.memory_mib is not None else facts.memory_mib
    memory -= options.reserved_memory_mib
    if memory <= 0:
        raise ValueError(
            f"reserved memory ({options.reserved_memory_mib} MiB) leaves nothing to register"
        )
    cpu = options.cpu_units if options.cpu_units is not None else facts.cpu_count * 1024
    attributes = [
        ("ecs.os-type", "linux"),
        ("ecs.os-family", "LINUX"),
        ("ecs.cpu-architecture", _ecs_architecture(facts.architecture)),
        ("ecs.availability-zone", options.availability_zone or f"{region}a"),
        ("ecs.instance-type", options.instance_type),
        *((name, None) for name in options.capabilities),
        *options.attributes,
    ]
    request: dict[str, object] = {
        "cluster": cluster,
        "totalResources": [
            {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
            {"name": "PORTS", "type": "STRINGSET", "stringSetValue": list(options.reserved_ports)},
            {
                "name": "PORTS_UDP",
                "type": "STRINGSET",
                "stringSetValue": list(options.reserved_udp_ports),
            },
        ],
        "versionInfo": {
            "agentVersion": AGENT_VERSION,
            **(
                {"dockerVersion": f"DockerVersion: {facts.docker_version}"}
                if facts.docker_version
                else {}
            ),
        },
        "attributes": [
            {"name": name, **({"value": value} if value is not None else {})}
            for name, value in attributes
        ],
    }
    if instance_arn:
        request["containerInstanceArn"] = instance_arn
    return request


def detect_host() -> HostFacts:
    """This machine's CPU count, memory (``/proc/meminfo``) and architecture."""
    return HostFacts(
        cpu_count=os.cpu_count() or 1,
        memory_mib=_meminfo_mib(),
        architecture=platform.machine(),
    )


def _meminfo_mib() -> int:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 1024


def _ecs_architecture(machine: str) -> str:
    return {"aarch64": "arm64", "arm64": "arm64", "amd64": "x86_64"}.get(machine, machine)
