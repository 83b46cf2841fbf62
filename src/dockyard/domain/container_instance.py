"""The ECS container instance aggregate: a host registered into a cluster.

Pure value objects. ``agent_connected`` is derived, never stored: an instance is connected
while its agent's last heartbeat is younger than :data:`AGENT_HEARTBEAT_TIMEOUT_SECONDS`.
Registration counts as a heartbeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from dockyard.domain.errors import InvalidParameterException

AGENT_HEARTBEAT_TIMEOUT_SECONDS = 20.0
"""An agent's long-poll is its heartbeat: it polls at least every 10 s (the channel's longest
wait), so 20 s of silence means it stopped. ECS shows ``agentConnected: false`` within about a
minute of an agent stopping; Dockyard within 20 s."""

MAX_CUSTOM_ATTRIBUTES = 10
"""ECS quota: custom attributes per resource (not adjustable)."""

ATTRIBUTE_NAME_RE = re.compile(r"^[A-Za-z0-9_./\-]{1,128}$")
ATTRIBUTE_VALUE_RE = re.compile(r"^[A-Za-z0-9_.@:/\- ]{1,128}$")
BUILT_IN_PREFIXES = ("ecs.", "com.amazonaws.ecs.")
"""Attributes the agent reports itself; they do not count toward the custom quota."""

CONTAINER_INSTANCE_TARGET = "container-instance"


class ContainerInstanceStatus(Enum):
    """ECS container-instance statuses (REGISTERING / DEREGISTERING are transient)."""

    REGISTERING = "REGISTERING"
    REGISTRATION_FAILED = "REGISTRATION_FAILED"
    ACTIVE = "ACTIVE"
    DRAINING = "DRAINING"
    DEREGISTERING = "DEREGISTERING"
    INACTIVE = "INACTIVE"

    @property
    def is_registered(self) -> bool:
        """Counted in the cluster's registeredContainerInstancesCount."""
        return self in (ContainerInstanceStatus.ACTIVE, ContainerInstanceStatus.DRAINING)


@dataclass(frozen=True, slots=True)
class Resource:
    """A registered or remaining resource: CPU / MEMORY (integers), PORTS / PORTS_UDP (sets)."""

    name: str
    type: str
    integer_value: int = 0
    string_set_value: tuple[str, ...] = ()
    long_value: int = 0
    double_value: float = 0.0


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class VersionInfo:
    agent_version: str | None = None
    agent_hash: str | None = None
    docker_version: str | None = None


@dataclass(frozen=True, slots=True)
class ContainerInstance:
    """A container instance as stored.

    Invariant: ``instance_id`` is 32 lowercase hex characters.
    Invariant: ``attributes`` holds at most one entry per name.
    """

    instance_id: str
    cluster: str
    region: str
    ec2_instance_id: str
    status: ContainerInstanceStatus
    registered_resources: tuple[Resource, ...]
    attributes: tuple[Attribute, ...]
    version_info: VersionInfo
    registered_at: datetime
    last_heartbeat_at: datetime
    status_reason: str | None = None
    capacity_provider_name: str | None = None
    version: int = field(default=0, compare=False)

    def agent_connected(self, now: datetime) -> bool:
        age = (now - self.last_heartbeat_at).total_seconds()
        return age < AGENT_HEARTBEAT_TIMEOUT_SECONDS

    def with_attributes(self, attributes: tuple[Attribute, ...]) -> ContainerInstance:
        """``attributes`` put over the existing ones by name; validated as ECS does."""
        merged = {a.name: a for a in self.attributes}
        merged.update({a.name: a for a in attributes})
        result = tuple(merged[name] for name in sorted(merged))
        validate_attribute_count(result)
        return replace(self, attributes=result)

    def without_attributes(self, names: set[str]) -> ContainerInstance:
        return replace(self, attributes=tuple(a for a in self.attributes if a.name not in names))


def validate_attribute(attribute: Attribute) -> None:
    """ECS: names up to 128 letters, digits, ``-_./``; values up to 128, also spaces, ``@:``."""
    if not ATTRIBUTE_NAME_RE.match(attribute.name):
        raise InvalidParameterException(
            f"Attribute name '{attribute.name}' is invalid: up to 128 letters (uppercase and "
            "lowercase), numbers, hyphens, underscores, forward slashes, and periods are allowed."
        )
    if attribute.value is not None and not ATTRIBUTE_VALUE_RE.match(attribute.value):
        raise InvalidParameterException(
            f"Attribute value '{attribute.value}' is invalid: up to 128 letters (uppercase and "
            "lowercase), numbers, hyphens, underscores, periods, at signs (@), forward slashes, "
            "colons, and spaces are allowed."
        )


def validate_attribute_count(attributes: tuple[Attribute, ...]) -> None:
    custom = [a for a in attributes if not a.name.startswith(BUILT_IN_PREFIXES)]
    if len(custom) > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(
            f"A container instance can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )


def validate_resources(resources: tuple[Resource, ...]) -> None:
    """CPU and MEMORY must be present and non-negative integers."""
    by_name = {r.name: r for r in resources}
    for required in ("CPU", "MEMORY"):
        resource = by_name.get(required)
        if resource is None:
            raise InvalidParameterException(
                f"totalResources must include {required} as an INTEGER resource."
            )
        if resource.type != "INTEGER" or resource.integer_value < 0:
            raise InvalidParameterException(
                f"Resource {required} must be of type INTEGER with a non-negative value."
            )


def can_set_status(current: ContainerInstanceStatus, target: ContainerInstanceStatus) -> bool:
    """UpdateContainerInstancesState moves only between ACTIVE and DRAINING."""
    settable = (ContainerInstanceStatus.ACTIVE, ContainerInstanceStatus.DRAINING)
    return current in settable and target in settable
