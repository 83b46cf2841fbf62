"""What a task definition asks of a container instance: CPU, memory and static host ports.

Small pure helpers for placement and the agent.

- :func:`memory_reservation_mib`: the memory a container reserves on its instance —
  ``memoryReservation`` if set, else ``memory`` (ECS subtracts that from the instance).
- :func:`task_cpu_units` / :func:`task_memory_mib`: the task-level value when set, else the sum
  over the containers (cpu 0 and containers without memory count as 0).
- :func:`static_host_ports`: the ``(port, protocol)`` pairs the task must own on the instance.
  Only ``bridge`` (a non-zero ``hostPort``) and ``host`` (the ``containerPort``; the host port
  equals it) bind instance ports; ``awsvpc`` tasks listen on their own interface and ``none``
  tasks have no ports. Dynamic ports and port ranges are chosen at launch and are not included.
"""

from __future__ import annotations

from dockyard.domain.task_definition_container import ContainerDefinition
from dockyard.domain.task_definition_model import NetworkMode, TaskDefinitionRegistration

__all__ = ["memory_reservation_mib", "static_host_ports", "task_cpu_units", "task_memory_mib"]


def memory_reservation_mib(container: ContainerDefinition) -> int | None:
    """``memoryReservation`` if set, else ``memory``; None when the container sets neither."""
    if container.memory_reservation is not None:
        return container.memory_reservation
    return container.memory


def task_cpu_units(td: TaskDefinitionRegistration) -> int:
    """CPU units the task reserves. Invariant: >= 0."""
    if td.cpu is not None:
        return td.cpu
    return sum(max(c.cpu, 0) for c in td.container_definitions)


def task_memory_mib(td: TaskDefinitionRegistration) -> int:
    """MiB of memory the task reserves. Invariant: >= 0."""
    if td.memory is not None:
        return td.memory
    return sum(memory_reservation_mib(c) or 0 for c in td.container_definitions)


def static_host_ports(td: TaskDefinitionRegistration) -> set[tuple[int, str]]:
    """The fixed instance ports the task binds, as ``(port, protocol)``."""
    mode = td.effective_network_mode
    ports: set[tuple[int, str]] = set()
    for container in td.container_definitions:
        for pm in container.port_mappings:
            if pm.container_port_range is not None or pm.container_port is None:
                continue
            if mode is NetworkMode.HOST:
                ports.add((pm.container_port, pm.protocol))
            elif mode is NetworkMode.BRIDGE and pm.host_port:
                ports.add((pm.host_port, pm.protocol))
    return ports
