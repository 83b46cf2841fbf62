"""ECS task definitions: the typed aggregate, its one document mapping, registration rules.

The public surface of the ``task_definition*`` modules; import from here.

::

    RegisterTaskDefinition params ──registration_from_request──▶ TaskDefinitionRegistration
                                                                   │ validate_registration
                                                                   ▼ (raises ClientException)
                                       build_task_definition(reg, revision, registered_at, by)
                                                                   │
    wire / store document ◀──task_definition_to_document──  TaskDefinition
                          ──task_definition_from_document──▶

Module map: ``_model`` (aggregate, enums), ``_container`` / ``_volume`` (parts), ``_codec``
(reflective camelCase mapping), ``_document`` (the three mapping functions), ``_units`` (cpu /
memory strings), ``_rules*`` and ``_fargate`` (validation), ``_derive`` (compatibilities,
requiresAttributes), ``_build`` (defaults, output-only members), ``_resources`` (placement
helpers), ``_secrets`` (``valueFrom`` parsing).

Everything here is pure: standard library and :mod:`dockyard.domain.errors` only.
"""

from __future__ import annotations

from dockyard.domain.task_definition_build import build_task_definition
from dockyard.domain.task_definition_container import (
    ContainerCondition,
    ContainerDefinition,
    ContainerDependency,
    ContainerRestartPolicy,
    Device,
    EnvironmentFile,
    FirelensConfiguration,
    HealthCheck,
    HostEntry,
    JsonValue,
    KernelCapabilities,
    KeyValuePair,
    LinuxParameters,
    LogConfiguration,
    MountPoint,
    PortMapping,
    RepositoryCredentials,
    ResourceRequirement,
    Secret,
    SystemControl,
    Tmpfs,
    Ulimit,
    VolumeFrom,
)
from dockyard.domain.task_definition_derive import (
    derive_compatibilities,
    derive_requires_attributes,
)
from dockyard.domain.task_definition_document import (
    registration_from_request,
    task_definition_from_document,
    task_definition_to_document,
)
from dockyard.domain.task_definition_fargate import (
    FARGATE_LOG_DRIVERS,
    FARGATE_TASK_SIZES,
    fargate_violations,
    is_fargate_task_size,
    is_private_ecr_image,
)
from dockyard.domain.task_definition_model import (
    Attribute,
    Compatibility,
    EphemeralStorage,
    InferenceAccelerator,
    NetworkMode,
    ProxyConfiguration,
    RuntimePlatform,
    TaskDefinition,
    TaskDefinitionPlacementConstraint,
    TaskDefinitionRegistration,
    TaskDefinitionStatus,
)
from dockyard.domain.task_definition_resources import (
    memory_reservation_mib,
    static_host_ports,
    task_cpu_units,
    task_memory_mib,
)
from dockyard.domain.task_definition_rules import validate_registration
from dockyard.domain.task_definition_secrets import (
    InvalidSecretReference,
    SecretReference,
    SecretSource,
    is_s3_env_file_arn,
    parse_secret_reference,
)
from dockyard.domain.task_definition_units import parse_task_cpu, parse_task_memory
from dockyard.domain.task_definition_volume import (
    DockerVolumeConfiguration,
    EfsAuthorizationConfig,
    EfsVolumeConfiguration,
    HostVolumeProperties,
    Volume,
)

__all__ = [
    "FARGATE_LOG_DRIVERS",
    "FARGATE_TASK_SIZES",
    "Attribute",
    "Compatibility",
    "ContainerCondition",
    "ContainerDefinition",
    "ContainerDependency",
    "ContainerRestartPolicy",
    "Device",
    "DockerVolumeConfiguration",
    "EfsAuthorizationConfig",
    "EfsVolumeConfiguration",
    "EnvironmentFile",
    "EphemeralStorage",
    "FirelensConfiguration",
    "HealthCheck",
    "HostEntry",
    "HostVolumeProperties",
    "InferenceAccelerator",
    "InvalidSecretReference",
    "JsonValue",
    "KernelCapabilities",
    "KeyValuePair",
    "LinuxParameters",
    "LogConfiguration",
    "MountPoint",
    "NetworkMode",
    "PortMapping",
    "ProxyConfiguration",
    "RepositoryCredentials",
    "ResourceRequirement",
    "RuntimePlatform",
    "Secret",
    "SecretReference",
    "SecretSource",
    "SystemControl",
    "TaskDefinition",
    "TaskDefinitionPlacementConstraint",
    "TaskDefinitionRegistration",
    "TaskDefinitionStatus",
    "Tmpfs",
    "Ulimit",
    "Volume",
    "VolumeFrom",
    "build_task_definition",
    "derive_compatibilities",
    "derive_requires_attributes",
    "fargate_violations",
    "is_fargate_task_size",
    "is_private_ecr_image",
    "is_s3_env_file_arn",
    "memory_reservation_mib",
    "parse_secret_reference",
    "parse_task_cpu",
    "parse_task_memory",
    "registration_from_request",
    "static_host_ports",
    "task_cpu_units",
    "task_definition_from_document",
    "task_definition_to_document",
    "task_memory_mib",
    "validate_registration",
]
