"""Registration rules for ``portMappings``, per network mode.

- ``none``: no port mappings at all;
- ``host`` and ``awsvpc``: ``hostPort`` omitted or equal to ``containerPort`` (0 is taken as
  omitted, as ECS documents for the hostPort field);
- ``bridge``: ``hostPort`` omitted or 0 means a dynamic port from the instance's ephemeral range;
- ``containerPortRange`` ``"start-end"`` (1..65535, start < end) only in bridge and awsvpc mode,
  without a ``hostPort``, at most 100 per container;
- a container port (or any port of a range) appears in at most one mapping of a container, for
  any protocol ("You can't expose the same container port for multiple protocols").

Messages quoted from real ECS responses are marked ``# ECS``; the others are composed.

Pure.
"""

from __future__ import annotations

import re

from dockyard.domain.errors import ClientException
from dockyard.domain.task_definition_container import ContainerDefinition, PortMapping
from dockyard.domain.task_definition_model import NetworkMode, TaskDefinitionRegistration

MAX_PORT = 65535
MAX_PORT_RANGES_PER_CONTAINER = 100
_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")
_MAPPING_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")


def check_port_mappings(reg: TaskDefinitionRegistration) -> None:
    mode = reg.effective_network_mode
    for c in reg.container_definitions:
        if c.port_mappings and mode is NetworkMode.NONE:
            raise ClientException("Port mappings are not supported when networkMode=none.")
        ranges = [pm for pm in c.port_mappings if pm.container_port_range is not None]
        if len(ranges) > MAX_PORT_RANGES_PER_CONTAINER:
            raise ClientException(
                f"Invalid 'portMappings' setting for container '{c.name}'. "
                f"A container can have at most {MAX_PORT_RANGES_PER_CONTAINER} port ranges."
            )
        taken: list[tuple[int, int]] = []
        for pm in c.port_mappings:
            low, high = _check_mapping(c, pm, mode)
            clash = next((max(low, a) for a, b in taken if low <= b and a <= high), None)
            if clash is not None:
                raise ClientException(
                    f"Invalid 'portMappings' setting for container '{c.name}'. "
                    f"Container port {clash} appears in more than one port mapping."
                )
            taken.append((low, high))


def _check_mapping(c: ContainerDefinition, pm: PortMapping, mode: NetworkMode) -> tuple[int, int]:
    """Check one mapping; return the container ports it covers as an inclusive interval."""
    if pm.name is not None and not _MAPPING_NAME.match(pm.name):
        raise ClientException(
            f"Invalid 'portMappings' setting for container '{c.name}'. The name '{pm.name}' must "
            "be up to 64 lowercase letters, digits, underscores and hyphens, not starting with a "
            "hyphen."
        )
    if pm.container_port_range is not None:
        return _check_range(c, pm, mode)
    port = pm.container_port
    if port is None or not 1 <= port <= MAX_PORT:
        raise ClientException(f"Invalid 'containerPort' setting for container '{c.name}'.")  # ECS
    if pm.host_port is not None and not 0 <= pm.host_port <= MAX_PORT:
        raise ClientException(f"Invalid 'hostPort' setting for container '{c.name}'.")
    fixed = mode in (NetworkMode.HOST, NetworkMode.AWSVPC)
    if fixed and pm.host_port not in (None, 0, port):
        raise ClientException(  # ECS
            f"When networkMode={mode}, the host ports and container ports in port mappings "
            "must match."
        )
    return port, port


def _check_range(c: ContainerDefinition, pm: PortMapping, mode: NetworkMode) -> tuple[int, int]:
    prefix = f"Invalid 'containerPortRange' setting for container '{c.name}'."
    if mode not in (NetworkMode.BRIDGE, NetworkMode.AWSVPC):
        raise ClientException(
            f"{prefix} Port ranges are only supported when networkMode is bridge or awsvpc."
        )
    if pm.host_port is not None:
        raise ClientException(f"{prefix} Do not specify a hostPort with a containerPortRange.")
    match = _RANGE.match(pm.container_port_range or "")
    low, high = (int(match[1]), int(match[2])) if match else (0, 0)
    if not 1 <= low < high <= MAX_PORT:
        raise ClientException(
            f"{prefix} Use the form start-end with 1 <= start < end <= {MAX_PORT}."
        )
    return low, high
