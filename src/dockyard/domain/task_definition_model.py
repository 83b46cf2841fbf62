"""The task definition aggregate: what a RegisterTaskDefinition asks for, and what ECS stores.

::

    TaskDefinitionRegistration        the caller's spec (request members, cpu/memory normalised)
      └── TaskDefinition              + family revision, status and ECS's output-only members

Pure value objects; see :mod:`dockyard.domain.task_definition_container` for the conventions
(snake_case of ECS member names, ``None`` = not sent, ``passthrough`` = unknown members kept).

Task ``cpu`` is in CPU units and ``memory`` in MiB, always integers here; the wire carries them
as strings (``"1024"``), and a request may say ``"1 vCPU"`` or ``"2 GB"``.

Invariant: ``status`` only moves ACTIVE → INACTIVE → DELETE_IN_PROGRESS (the store enforces the
moves; this module only names them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from dockyard.domain.task_definition_container import (
    PASSTHROUGH,
    ContainerDefinition,
    JsonValue,
    KeyValuePair,
)
from dockyard.domain.task_definition_volume import Volume

INT_STRING: Mapping[str, object] = {"int_string": True}
"""Field metadata: an ``int`` in the model that the wire carries as a decimal string."""


def _passthrough() -> dict[str, JsonValue]:
    return {}


class TaskDefinitionStatus(StrEnum):
    """Lifecycle of a revision, in the only order it may move."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"


class NetworkMode(StrEnum):
    BRIDGE = "bridge"
    HOST = "host"
    AWSVPC = "awsvpc"
    NONE = "none"


class Compatibility(StrEnum):
    """A launch type (``requiresCompatibilities`` in, ``compatibilities`` out)."""

    EC2 = "EC2"
    FARGATE = "FARGATE"
    EXTERNAL = "EXTERNAL"
    MANAGED_INSTANCES = "MANAGED_INSTANCES"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDefinitionPlacementConstraint:
    type: str | None = None
    expression: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyConfiguration:
    container_name: str
    type: str | None = None
    properties: tuple[KeyValuePair, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InferenceAccelerator:
    device_name: str
    device_type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EphemeralStorage:
    size_in_gib: int = field(metadata={"wire": "sizeInGiB"})


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimePlatform:
    cpu_architecture: str | None = None
    operating_system_family: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute:
    """A container-instance attribute a task requires (``requiresAttributes`` entry)."""

    name: str
    value: str | None = None
    target_type: str | None = None
    target_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDefinitionRegistration:
    """A RegisterTaskDefinition request, typed (``tags`` excluded: the caller handles them).

    Contract: built by :func:`registration_from_request`; checked by
    :func:`validate_registration` before :func:`build_task_definition` turns it into a revision.
    """

    family: str = ""
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    network_mode: NetworkMode | None = None
    container_definitions: tuple[ContainerDefinition, ...] = ()
    volumes: tuple[Volume, ...] = ()
    placement_constraints: tuple[TaskDefinitionPlacementConstraint, ...] = ()
    requires_compatibilities: tuple[Compatibility, ...] | None = None
    cpu: int | None = field(default=None, metadata=INT_STRING)
    memory: int | None = field(default=None, metadata=INT_STRING)
    pid_mode: str | None = None
    ipc_mode: str | None = None
    proxy_configuration: ProxyConfiguration | None = None
    inference_accelerators: tuple[InferenceAccelerator, ...] | None = None
    ephemeral_storage: EphemeralStorage | None = None
    runtime_platform: RuntimePlatform | None = None
    enable_fault_injection: bool | None = None
    passthrough: Mapping[str, JsonValue] = field(default_factory=_passthrough, metadata=PASSTHROUGH)

    @property
    def effective_network_mode(self) -> NetworkMode:
        """The mode tasks run with: ``bridge`` when none was given (the Linux default)."""
        return self.network_mode or NetworkMode.BRIDGE

    def requires(self, compatibility: Compatibility) -> bool:
        """Whether ``requiresCompatibilities`` names ``compatibility``."""
        return compatibility in (self.requires_compatibilities or ())

    def container(self, name: str) -> ContainerDefinition | None:
        """The container definition called ``name``, if any."""
        return next((c for c in self.container_definitions if c.name == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDefinition(TaskDefinitionRegistration):
    """One registered revision of a family: the registration plus ECS's output-only members.

    Timestamps are passed in by the shell (this package reads no clock).

    Invariant: built by :func:`build_task_definition`, ``revision >= 1`` and
    ``compatibilities`` contains EC2 (a decoded document is taken as it was stored).
    """

    revision: int
    status: TaskDefinitionStatus = TaskDefinitionStatus.ACTIVE
    compatibilities: tuple[Compatibility, ...] = ()
    requires_attributes: tuple[Attribute, ...] = ()
    registered_at: datetime | None = None
    deregistered_at: datetime | None = None
    delete_requested_at: datetime | None = None
    registered_by: str | None = None
