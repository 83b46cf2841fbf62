"""What stops a task definition from running on Fargate, in ECS's words.

:func:`fargate_violations` lists every reason, in the order ECS checks them. Validation raises
the first as a ``ClientException`` when ``requiresCompatibilities`` names FARGATE; derivation
adds FARGATE to ``compatibilities`` when the list is empty (ECS reports a definition as
Fargate-compatible even when it did not ask for it).

Messages quoted from real ECS responses are marked ``# ECS``; the others are composed in the
same style.

Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from dockyard.domain.task_definition_container import ContainerDefinition
from dockyard.domain.task_definition_model import NetworkMode, TaskDefinitionRegistration

__all__ = [
    "FARGATE_LOG_DRIVERS",
    "FARGATE_TASK_SIZES",
    "fargate_violations",
    "is_fargate_task_size",
    "is_private_ecr_image",
]


def _steps(low: int, high: int, step: int) -> tuple[int, ...]:
    return tuple(range(low, high + 1, step))


FARGATE_TASK_SIZES: Mapping[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}
"""Valid task cpu units → memory MiB on Fargate (ECS developer guide, "Task size")."""

FARGATE_LOG_DRIVERS: tuple[str, ...] = ("awslogs", "splunk", "awsfirelens")
FARGATE_TIMEOUT_SECONDS = (2, 120)
"""Valid ``startTimeout`` / ``stopTimeout`` range on Fargate (botocore ContainerDefinition)."""

_LINUX_PARAMETERS_NOT_ON_FARGATE = (
    "devices",
    "shared_memory_size",
    "tmpfs",
    "max_swap",
    "swappiness",
)
_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")


def is_private_ecr_image(image: str) -> bool:
    """Whether ``image`` lives in a private Amazon ECR registry (needs ECR auth to pull)."""
    return _ECR_IMAGE.match(image) is not None


def is_fargate_task_size(cpu: int, memory: int) -> bool:
    return memory in FARGATE_TASK_SIZES.get(cpu, ())


def fargate_violations(reg: TaskDefinitionRegistration) -> list[str]:
    """Every reason ``reg`` cannot run on Fargate; empty when it can."""
    found = [message for check in _TASK_CHECKS if (message := check(reg)) is not None]
    for container in reg.container_definitions:
        found.extend(_container_violations(container, reg.execution_role_arn))
    return found


def _network(reg: TaskDefinitionRegistration) -> str | None:
    if reg.network_mode is not NetworkMode.AWSVPC:
        return "Fargate only supports network mode \u2018awsvpc\u2019."  # ECS (curly quotes)
    return None


def _cpu(reg: TaskDefinitionRegistration) -> str | None:
    if reg.cpu is None:
        return "Fargate requires that 'cpu' be defined at the task level."  # ECS
    return None


def _memory(reg: TaskDefinitionRegistration) -> str | None:
    if reg.memory is None:
        return "Fargate requires that 'memory' be defined at the task level."  # ECS
    return None


def _task_size(reg: TaskDefinitionRegistration) -> str | None:
    if reg.cpu is None or reg.memory is None or is_fargate_task_size(reg.cpu, reg.memory):
        return None
    return (  # ECS
        f"No Fargate configuration exists for given values: {reg.cpu} CPU, {reg.memory} memory. "
        "See the Amazon ECS documentation for the valid values."
    )


def _pid_mode(reg: TaskDefinitionRegistration) -> str | None:
    if reg.pid_mode == "host":
        return (  # ECS
            "Tasks using the Fargate launch type do not support pidMode 'host'. "
            "The supported value for pidMode is 'task'."
        )
    return None


def _ipc_mode(reg: TaskDefinitionRegistration) -> str | None:
    if reg.ipc_mode is not None:
        return "Tasks using the Fargate launch type do not support ipcMode."  # ECS
    return None


def _placement_constraints(reg: TaskDefinitionRegistration) -> str | None:
    if reg.placement_constraints:
        return "Fargate does not support task placement constraints."  # ECS
    return None


def _host_volumes(reg: TaskDefinitionRegistration) -> str | None:
    if any(v.host is not None and v.host.source_path for v in reg.volumes):
        return "host.sourcePath should not be set for volumes in Fargate."  # ECS
    return None


def _docker_volumes(reg: TaskDefinitionRegistration) -> str | None:
    if any(v.docker_volume_configuration is not None for v in reg.volumes):
        return "Tasks using the Fargate launch type do not support dockerVolumeConfiguration."
    return None


def _inference_accelerators(reg: TaskDefinitionRegistration) -> str | None:
    if reg.inference_accelerators:
        return "Tasks using the Fargate launch type do not support inferenceAccelerators."
    return None


_TASK_CHECKS: tuple[Callable[[TaskDefinitionRegistration], str | None], ...] = (
    _network,
    _cpu,
    _memory,
    _task_size,
    _pid_mode,
    _ipc_mode,
    _placement_constraints,
    _host_volumes,
    _docker_volumes,
    _inference_accelerators,
)


def _container_violations(c: ContainerDefinition, execution_role_arn: str | None) -> Iterator[str]:
    if c.privileged:
        yield f"Tasks using the Fargate launch type do not support privileged container '{c.name}'."
    params = c.linux_parameters
    for attr in _LINUX_PARAMETERS_NOT_ON_FARGATE:
        if params is not None and getattr(params, attr) is not None:
            member = attr.split("_")[0] + "".join(p.title() for p in attr.split("_")[1:])
            yield f"Tasks using the Fargate launch type do not support linuxParameters.{member}."
    if any(r.type == "GPU" for r in c.resource_requirements or ()):
        yield "Tasks using the Fargate launch type do not support GPU resource requirements."
    yield from _timeouts(c)
    yield from _logging(c, execution_role_arn)
    if is_private_ecr_image(c.image) and not execution_role_arn:
        yield "Fargate requires task definition to have execution role ARN to support ECR images."


def _timeouts(c: ContainerDefinition) -> Iterator[str]:
    low, high = FARGATE_TIMEOUT_SECONDS
    for member, value in (("startTimeout", c.start_timeout), ("stopTimeout", c.stop_timeout)):
        if value is not None and not low <= value <= high:
            yield (
                f"Invalid '{member}' setting for container '{c.name}'. "
                f"Tasks using the Fargate launch type accept {low} to {high} seconds."
            )


def _logging(c: ContainerDefinition, execution_role_arn: str | None) -> Iterator[str]:
    if c.log_configuration is None:
        return
    driver = c.log_configuration.log_driver
    if driver not in FARGATE_LOG_DRIVERS:
        yield (
            f"Tasks using the Fargate launch type do not support log driver '{driver}'. "
            "Supported log drivers are awslogs, splunk and awsfirelens."
        )
    elif driver == "awslogs" and not execution_role_arn:
        yield (
            "Fargate requires task definition to have execution role ARN "
            "to support log driver awslogs."
        )
