"""Registration rules about containers: names, images, memory and cpu, and how they refer to
each other (links, volumesFrom, dependsOn, health checks).

Each rule takes the whole registration and raises :class:`ClientException` on the first breach.
Messages quoted from real ECS responses are marked ``# ECS``; the others are composed in the same
style.

Pure.
"""

from __future__ import annotations

import re
from collections import Counter

from dockyard.domain.errors import ClientException
from dockyard.domain.task_definition_container import ContainerCondition, ContainerDefinition
from dockyard.domain.task_definition_model import NetworkMode, TaskDefinitionRegistration

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
"""Family, container and volume names: up to 255 letters, digits, underscores and hyphens."""

DOCKER_MIN_MEMORY_MIB = 6
"""Docker 20.10+ refuses containers with less than 6 MiB (memory or memory reservation)."""

HEALTH_CHECK_LIMITS: dict[str, tuple[int, int]] = {
    "interval": (5, 300),
    "timeout": (2, 60),
    "retries": (1, 10),
    "start_period": (0, 300),
}
"""Valid ranges in seconds (retries: count), from botocore's HealthCheck member docs."""


def check_container_names(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        if not c.name:
            raise ClientException("Container.name should not be null or empty.")  # ECS
        if not NAME_PATTERN.match(c.name):
            raise ClientException("Container.name contains invalid characters.")  # ECS
    counts = Counter(c.name for c in reg.container_definitions)
    for name, count in counts.items():
        if count > 1:
            raise ClientException(f"Duplicate container name '{name}'. Names must be unique.")


def check_images(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        if not c.image.strip():
            raise ClientException("Container.image should not be null or empty.")  # ECS


def check_essential(reg: TaskDefinitionRegistration) -> None:
    if not any(c.essential for c in reg.container_definitions):
        raise ClientException("A task definition must have at least one essential container.")


def check_container_memory(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        _check_memory_pair(c, has_task_memory=reg.memory is not None)
        if reg.memory is not None and (c.memory or 0) > reg.memory:
            raise ClientException(  # ECS
                f"The 'memory' setting for container '{c.name}' is greater than for the task."
            )
    if reg.memory is not None:
        _check_memory_sum(reg.container_definitions, reg.memory)


def _check_memory_pair(c: ContainerDefinition, *, has_task_memory: bool) -> None:
    if not has_task_memory and not (c.memory or c.memory_reservation):
        raise ClientException(  # ECS
            f"Invalid setting for container '{c.name}'. "
            "At least one of 'memory' or 'memoryReservation' must be specified."
        )
    for member, value in (("memory", c.memory), ("memoryReservation", c.memory_reservation)):
        if value is not None and value < DOCKER_MIN_MEMORY_MIB:
            raise ClientException(
                f"Invalid '{member}' setting for container '{c.name}'. "
                f"The minimum is {DOCKER_MIN_MEMORY_MIB} MiB."
            )
    pair = (c.memory, c.memory_reservation)
    if pair[0] is not None and pair[1] is not None and pair[0] < pair[1]:
        raise ClientException(
            f"Invalid setting for container '{c.name}'. "
            "'memory' must be greater than or equal to 'memoryReservation'."
        )


def _check_memory_sum(containers: tuple[ContainerDefinition, ...], task_memory: int) -> None:
    if sum(c.memory_reservation or 0 for c in containers) > task_memory:
        raise ClientException(  # ECS
            "The sum of all container 'memoryReservation' values cannot be greater than "
            "the value of the task 'memory'."
        )
    if sum(c.memory_reservation or c.memory or 0 for c in containers) > task_memory:
        raise ClientException(
            "The sum of all container 'memory' values cannot be greater than "
            "the value of the task 'memory'."
        )


def check_container_cpu(reg: TaskDefinitionRegistration) -> None:
    if reg.cpu is not None and sum(c.cpu for c in reg.container_definitions) > reg.cpu:
        raise ClientException(  # ECS
            "The sum of all container 'cpu' values cannot be greater than the value of the task "
            "'cpu'."
        )


def check_network_scoped_members(reg: TaskDefinitionRegistration) -> None:
    """``links`` only in bridge mode; ``hostname`` and ``extraHosts`` never in awsvpc."""
    mode = reg.effective_network_mode
    for c in reg.container_definitions:
        if c.links and mode is not NetworkMode.BRIDGE:
            raise ClientException(f"Links are not supported when networkMode={mode}.")  # ECS
        if mode is NetworkMode.AWSVPC and c.hostname is not None:
            raise ClientException(  # ECS
                "hostname is not supported on container when networkMode=awsvpc."
            )
        if mode is NetworkMode.AWSVPC and c.extra_hosts:
            raise ClientException(
                "extraHosts is not supported on container when networkMode=awsvpc."
            )


def check_links(reg: TaskDefinitionRegistration) -> None:
    """A link is ``name`` or ``name:alias`` and must name another container of the task."""
    for c in reg.container_definitions:
        for link in c.links or ():
            target = link.split(":", 1)[0]
            if target == c.name or reg.container(target) is None:
                raise ClientException(
                    f"Invalid 'links' setting for container '{c.name}'. "
                    f"Unknown container: '{target}'."
                )


def check_volumes_from(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        for source in c.volumes_from:
            name = source.source_container or ""
            if reg.container(name) is None:
                raise ClientException(  # ECS
                    f"Invalid 'volumesFrom' setting. Unknown container: '{name}'."
                )
            if name == c.name:
                raise ClientException(
                    f"Invalid 'volumesFrom' setting. Container '{name}' cannot mount its own "
                    "volumes."
                )


def check_dependencies(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        for dep in c.depends_on or ():
            target = reg.container(dep.container_name)
            if target is None:
                raise ClientException(  # ECS, including its stray " + "
                    f"Cannot depend on container + '{dep.container_name}' because it does not exist"
                )
            if target.name == c.name:
                raise ClientException(f"Container '{c.name}' cannot depend on itself.")
            _check_condition(dep.condition, target)
    _check_acyclic(reg)


def _check_condition(condition: ContainerCondition, target: ContainerDefinition) -> None:
    final = (ContainerCondition.SUCCESS, ContainerCondition.COMPLETE)
    if condition in final and target.essential:
        raise ClientException(  # ECS
            "A dependency container with SUCCESS or COMPLETE condition cannot be an essential "
            "container"
        )
    if condition is ContainerCondition.HEALTHY and target.health_check is None:
        raise ClientException(
            f"A dependency container with HEALTHY condition must have a health check: "
            f"container '{target.name}' has none."
        )


def _check_acyclic(reg: TaskDefinitionRegistration) -> None:
    edges = {
        c.name: [d.container_name for d in c.depends_on or ()] for c in reg.container_definitions
    }
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            cycle = " -> ".join((*trail[trail.index(name) :], name))
            raise ClientException(f"Container dependencies must not form a cycle: {cycle}.")
        if name not in done:
            for nxt in edges.get(name, ()):
                visit(nxt, (*trail, name))
            done.add(name)

    for name in edges:
        visit(name, ())


def check_health_checks(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        hc = c.health_check
        if hc is None:
            continue
        prefix = f"Invalid 'healthCheck' setting for container '{c.name}'."
        if len(hc.command) < 2 or hc.command[0] not in ("CMD", "CMD-SHELL"):
            raise ClientException(
                f"{prefix} 'command' must start with CMD or CMD-SHELL followed by the command."
            )
        for attr, (low, high) in HEALTH_CHECK_LIMITS.items():
            value = getattr(hc, attr)
            if value is not None and not low <= value <= high:
                member = "startPeriod" if attr == "start_period" else attr
                raise ClientException(f"{prefix} '{member}' must be between {low} and {high}.")
