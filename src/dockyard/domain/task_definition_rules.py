"""RegisterTaskDefinition validation: every rule ECS applies at registration, in one table.

:func:`validate_registration` runs :data:`RULES` in order and lets the first breach propagate,
as ECS answers with one error. Task-level rules live here; container, port, volume and secret
rules in the ``task_definition_rules_*`` modules; Fargate's in
:mod:`dockyard.domain.task_definition_fargate`.

Error classes: ``ClientException`` throughout, as ECS uses for RegisterTaskDefinition
(``InvalidParameterException`` only comes from parsing, see
:mod:`dockyard.domain.task_definition_units` and :mod:`dockyard.domain.task_definition_codec`).
Messages quoted from real ECS responses are marked ``# ECS``; the others are composed.

Pure.
"""

from __future__ import annotations

from collections.abc import Callable

from dockyard.domain.errors import ClientException
from dockyard.domain.task_definition_fargate import fargate_violations
from dockyard.domain.task_definition_model import (
    Compatibility,
    NetworkMode,
    TaskDefinitionRegistration,
)
from dockyard.domain.task_definition_rules_container import (
    NAME_PATTERN,
    check_container_cpu,
    check_container_memory,
    check_container_names,
    check_dependencies,
    check_essential,
    check_health_checks,
    check_images,
    check_links,
    check_network_scoped_members,
    check_volumes_from,
)
from dockyard.domain.task_definition_rules_ports import check_port_mappings
from dockyard.domain.task_definition_rules_secrets import check_environment_files, check_secrets
from dockyard.domain.task_definition_rules_volumes import check_mount_points, check_volumes

__all__ = ["validate_registration"]

MAX_CONTAINERS = 10
"""Containers per task definition (service quota, not adjustable)."""
TASK_CPU_RANGE = (128, 196608)
"""Task-level cpu units ECS accepts outside Fargate (0.125 to 192 vCPU)."""
EPHEMERAL_STORAGE_GIB = (21, 200)


def validate_registration(reg: TaskDefinitionRegistration) -> None:
    """Raise the first rule ``reg`` breaks, or return None when ECS would register it.

    Invariant: a registration that passes builds a revision the orchestrator can run as-is.
    """
    for rule in RULES:
        rule(reg)


def check_family(reg: TaskDefinitionRegistration) -> None:
    if not reg.family:
        raise ClientException("Family can not be blank.")  # ECS
    if not NAME_PATTERN.match(reg.family):
        raise ClientException("Family contains invalid characters.")  # ECS


def check_container_count(reg: TaskDefinitionRegistration) -> None:
    if not reg.container_definitions:
        raise ClientException("Container list cannot be empty.")  # ECS
    if len(reg.container_definitions) > MAX_CONTAINERS:
        raise ClientException("Too many containers.")  # ECS


def check_task_cpu(reg: TaskDefinitionRegistration) -> None:
    low, high = TASK_CPU_RANGE
    if reg.cpu is not None and not low <= reg.cpu <= high:
        raise ClientException(
            f"Invalid 'cpu' setting for task. The value must be between {low} and {high} CPU units."
        )


def check_required_compatibilities(reg: TaskDefinitionRegistration) -> None:
    """Each launch type in ``requiresCompatibilities`` must be able to run the definition."""
    mode = reg.effective_network_mode
    if reg.requires(Compatibility.FARGATE):
        violations = fargate_violations(reg)
        if violations:
            raise ClientException(violations[0])
    if reg.requires(Compatibility.EXTERNAL) and mode is NetworkMode.AWSVPC:
        raise ClientException(
            "Tasks using the EXTERNAL launch type do not support network mode 'awsvpc'."
        )
    managed_modes = (NetworkMode.AWSVPC, NetworkMode.HOST)
    if reg.requires(Compatibility.MANAGED_INSTANCES) and reg.network_mode not in managed_modes:
        raise ClientException(
            "Tasks using the MANAGED_INSTANCES launch type require networkMode 'awsvpc' or 'host'."
        )


def check_ephemeral_storage(reg: TaskDefinitionRegistration) -> None:
    low, high = EPHEMERAL_STORAGE_GIB
    storage = reg.ephemeral_storage
    if storage is not None and not low <= storage.size_in_gib <= high:
        raise ClientException(
            f"Invalid 'ephemeralStorage' setting. 'sizeInGiB' must be between {low} and {high}."
        )


def check_proxy_configuration(reg: TaskDefinitionRegistration) -> None:
    proxy = reg.proxy_configuration
    if proxy is not None and reg.container(proxy.container_name) is None:
        raise ClientException(
            f"Invalid 'proxyConfiguration' setting. Unknown container: '{proxy.container_name}'."
        )


RULES: tuple[Callable[[TaskDefinitionRegistration], None], ...] = (
    check_family,
    check_container_count,
    check_container_names,
    check_images,
    check_essential,
    check_task_cpu,
    check_container_memory,
    check_container_cpu,
    check_required_compatibilities,
    check_port_mappings,
    check_network_scoped_members,
    check_links,
    check_volumes,
    check_mount_points,
    check_volumes_from,
    check_dependencies,
    check_health_checks,
    check_environment_files,
    check_secrets,
    check_ephemeral_storage,
    check_proxy_configuration,
)
"""Every registration rule, in the order ECS reports them (as far as observed)."""
