"""The output-only members ECS derives at registration: ``compatibilities`` and
``requiresAttributes``.

**compatibilities** (order as ECS prints it: EXTERNAL, EC2, FARGATE, MANAGED_INSTANCES):

- ``EC2`` always;
- ``EXTERNAL`` unless the definition needs what ECS Anywhere lacks: ``awsvpc``, EFS volumes,
  an App Mesh proxy or inference accelerators (real bridge/none/host definitions come back as
  ``["EXTERNAL", "EC2"]``, awsvpc ones without it);
- ``FARGATE`` when nothing in :func:`fargate_violations` applies, whether or not FARGATE was
  required (real awsvpc definitions come back as ``["EC2", "FARGATE"]``);
- ``MANAGED_INSTANCES`` when ``networkMode`` is explicitly ``awsvpc`` or ``host``, the modes
  Managed Instances runs (definitions registered since late 2025 show it).

**requiresAttributes**: the container-instance capabilities placement will demand: one row of
``_CONTAINER_RULES`` per container feature, one branch of ``_task_attributes`` per task feature.
Each is tagged with its source: ``doc`` = botocore's member docs ("requires version 1.18 of the
Docker Remote API"), ``seen`` = present in real DescribeTaskDefinition output for that member,
``inferred`` = the agent capability whose name matches the feature. Four published real
outputs are reproduced exactly by the tests. Real ECS also adds Docker Remote API versions for
some members that could not be pinned down (1.23 and 1.32 were seen next to linuxParameters /
ipcMode ``none``); those are left out. Sorted by name so the output is deterministic (ECS's own
order is arbitrary).

Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dockyard.domain.task_definition_container import ContainerDefinition, Secret
from dockyard.domain.task_definition_fargate import fargate_violations, is_private_ecr_image
from dockyard.domain.task_definition_model import (
    Attribute,
    Compatibility,
    NetworkMode,
    TaskDefinitionRegistration,
)
from dockyard.domain.task_definition_secrets import (
    InvalidSecretReference,
    SecretSource,
    parse_secret_reference,
)
from dockyard.domain.task_definition_volume import Volume

__all__ = ["derive_compatibilities", "derive_requires_attributes"]

_CAP = "com.amazonaws.ecs.capability."
_ECS_CAP = "ecs.capability."
_DOCKER_API = _CAP + "docker-remote-api."


def derive_compatibilities(reg: TaskDefinitionRegistration) -> tuple[Compatibility, ...]:
    """The launch types ``reg`` can run on. Invariant: always contains EC2."""
    found: list[Compatibility] = []
    external_blockers = (
        reg.network_mode is NetworkMode.AWSVPC,
        any(v.efs_volume_configuration is not None for v in reg.volumes),
        reg.proxy_configuration is not None,
        bool(reg.inference_accelerators),
    )
    if not any(external_blockers):
        found.append(Compatibility.EXTERNAL)
    found.append(Compatibility.EC2)
    if not fargate_violations(reg):
        found.append(Compatibility.FARGATE)
    if reg.network_mode in (NetworkMode.AWSVPC, NetworkMode.HOST):
        found.append(Compatibility.MANAGED_INSTANCES)
    return tuple(found)


def derive_requires_attributes(reg: TaskDefinitionRegistration) -> tuple[Attribute, ...]:
    """The attributes a container instance must have to run ``reg``, sorted by name."""
    names: set[str] = set(_task_attributes(reg))
    for container in reg.container_definitions:
        names.update(_container_attributes(container, reg))
    return tuple(Attribute(name=name) for name in sorted(names))


def _task_attributes(reg: TaskDefinitionRegistration) -> Iterator[str]:
    if reg.network_mode is NetworkMode.AWSVPC:  # seen
        yield _ECS_CAP + "task-eni"
        yield _DOCKER_API + "1.29"
    if reg.task_role_arn:  # seen
        yield _CAP + "task-iam-role"
        if reg.network_mode is NetworkMode.HOST:  # inferred
            yield _CAP + "task-iam-role-network-host"
    if reg.pid_mode is not None or reg.ipc_mode is not None:  # seen
        yield _ECS_CAP + "pid-ipc-namespace-sharing"
    if reg.proxy_configuration is not None:  # seen
        yield _ECS_CAP + "aws-appmesh"
    for volume in reg.volumes:
        yield from _volume_attributes(volume)


def _volume_attributes(volume: Volume) -> Iterator[str]:
    if volume.efs_volume_configuration is not None:  # seen
        yield _ECS_CAP + "efs"
        config = volume.efs_volume_configuration
        if config.authorization_config is not None or config.transit_encryption == "ENABLED":
            yield _ECS_CAP + "efsAuth"
    docker = volume.docker_volume_configuration
    if docker is not None and docker.driver and docker.driver != "local":  # inferred
        yield _ECS_CAP + "docker-plugin." + docker.driver


_Rule = Callable[[ContainerDefinition, TaskDefinitionRegistration], bool]

_CONTAINER_RULES: tuple[tuple[str, _Rule], ...] = (
    (_DOCKER_API + "1.17", lambda c, _: c.user is not None),  # seen
    (_DOCKER_API + "1.18", lambda c, _: c.log_configuration is not None),  # doc
    (_DOCKER_API + "1.18", lambda c, _: bool(c.docker_labels)),  # doc
    (_DOCKER_API + "1.18", lambda c, _: bool(c.ulimits)),  # doc
    (_DOCKER_API + "1.19", lambda c, _: bool(c.log_configuration and c.log_configuration.options)),
    (_DOCKER_API + "1.21", lambda c, _: c.memory_reservation is not None),  # seen
    (
        _DOCKER_API + "1.25",  # doc
        lambda c, _: bool(c.linux_parameters and c.linux_parameters.init_process_enabled),
    ),
    (_ECS_CAP + "container-health-check", lambda c, _: c.health_check is not None),  # seen
    (
        _ECS_CAP + "container-ordering",  # seen (dependsOn), inferred (timeouts)
        lambda c, _: (
            bool(c.depends_on) or c.start_timeout is not None or c.stop_timeout is not None
        ),
    ),
    (_ECS_CAP + "env-files.s3", lambda c, _: bool(c.environment_files)),  # inferred
    (
        _CAP + "private-registry-authentication.secretsmanager",  # inferred
        lambda c, _: c.repository_credentials is not None,
    ),
    (_CAP + "privileged-container", lambda c, _: c.privileged is True),  # inferred
    (_CAP + "ecr-auth", lambda c, _: is_private_ecr_image(c.image)),  # seen
    (
        _ECS_CAP + "execution-role-ecr-pull",  # seen
        lambda c, reg: is_private_ecr_image(c.image) and bool(reg.execution_role_arn),
    ),
    (
        _ECS_CAP + "execution-role-awslogs",  # seen
        lambda c, reg: _driver(c) == "awslogs" and bool(reg.execution_role_arn),
    ),
)


def _driver(c: ContainerDefinition) -> str | None:
    return c.log_configuration.log_driver if c.log_configuration is not None else None


def _container_attributes(c: ContainerDefinition, reg: TaskDefinitionRegistration) -> Iterator[str]:
    yield from (name for name, applies in _CONTAINER_RULES if applies(c, reg))
    if c.log_configuration is not None:  # seen
        yield _CAP + "logging-driver." + c.log_configuration.log_driver
        options = c.log_configuration.secret_options or ()
        yield from (f"{_ECS_CAP}secrets.{s}.bootstrap.log-driver" for s in _sources(options))
    yield from (f"{_ECS_CAP}secrets.{s}.environment-variables" for s in _sources(c.secrets or ()))
    if c.firelens_configuration is not None:  # seen
        yield _ECS_CAP + "firelens." + c.firelens_configuration.type
        file_type = (c.firelens_configuration.options or {}).get("config-file-type")
        if file_type in ("file", "s3"):
            yield _ECS_CAP + "firelens.options.config." + file_type


def _sources(secrets: tuple[Secret, ...]) -> set[str]:
    """``ssm`` / ``asm`` for the stores ``secrets`` read from (seen for environment variables)."""
    found: set[str] = set()
    for secret in secrets:
        try:
            source = parse_secret_reference(secret.value_from).source
        except InvalidSecretReference:
            continue
        found.add("asm" if source is SecretSource.SECRETS_MANAGER else "ssm")
    return found
