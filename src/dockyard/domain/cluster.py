"""The ECS cluster aggregate.

Pure value objects. A cluster's counters (running tasks, instances, services) are derived by the
caller from the store and handed in at describe time; they are not stored on the cluster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from dockyard.domain.errors import InvalidParameterException

CLUSTER_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
"""ECS: up to 255 letters (upper and lower case), numbers, underscores and hyphens."""

DEFAULT_CLUSTER_NAME = "default"
"""An omitted ``cluster`` parameter always means the cluster named ``default``."""

CLUSTER_SETTING_NAMES = frozenset({"containerInsights"})
CONTAINER_INSIGHTS_VALUES = frozenset({"enabled", "disabled", "enhanced"})


class ClusterStatus(Enum):
    """ECS cluster statuses. Dockyard creates clusters ACTIVE and deletes them to INACTIVE."""

    ACTIVE = "ACTIVE"
    PROVISIONING = "PROVISIONING"
    DEPROVISIONING = "DEPROVISIONING"
    FAILED = "FAILED"
    INACTIVE = "INACTIVE"


@dataclass(frozen=True, slots=True)
class ClusterSetting:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class CapacityProviderStrategyItem:
    capacity_provider: str
    weight: int = 0
    base: int = 0


@dataclass(frozen=True, slots=True)
class Cluster:
    """An ECS cluster as stored.

    Invariant: ``name`` matches :data:`CLUSTER_NAME_RE`.
    Invariant: ``settings`` holds at most one entry per setting name.
    """

    name: str
    region: str
    status: ClusterStatus = ClusterStatus.ACTIVE
    settings: tuple[ClusterSetting, ...] = ()
    configuration: dict[str, object] | None = None
    service_connect_defaults: dict[str, object] | None = None
    capacity_providers: tuple[str, ...] = ()
    default_capacity_provider_strategy: tuple[CapacityProviderStrategyItem, ...] = ()
    created_at: datetime | None = None
    version: int = field(default=0, compare=False)

    def with_settings(self, settings: tuple[ClusterSetting, ...]) -> Cluster:
        """The cluster with ``settings`` merged over its own, by setting name."""
        merged = {s.name: s for s in self.settings}
        merged.update({s.name: s for s in settings})
        return replace(self, settings=tuple(merged[k] for k in sorted(merged)))


def validate_cluster_name(name: str) -> None:
    """Raise InvalidParameterException unless ``name`` is a legal cluster name."""
    if not CLUSTER_NAME_RE.match(name):
        raise InvalidParameterException(
            "Cluster name can only contain letters (upper and lower case), numbers, "
            "underscores and hyphens, and must be 1-255 characters long."
        )


def validate_settings(settings: tuple[ClusterSetting, ...]) -> None:
    """Only ``containerInsights`` exists; its value is enabled | disabled | enhanced."""
    for setting in settings:
        if setting.name not in CLUSTER_SETTING_NAMES:
            raise InvalidParameterException(f"Unknown cluster setting name: {setting.name}")
        if setting.value not in CONTAINER_INSIGHTS_VALUES:
            raise InvalidParameterException(
                "containerInsights value must be one of enabled, disabled, enhanced."
            )


def validate_capacity_provider_strategy(
    providers: tuple[str, ...], strategy: tuple[CapacityProviderStrategyItem, ...]
) -> None:
    """ECS rules: weights 0..1000, base 0..100000, only one item with a base, providers known."""
    with_base = [item for item in strategy if item.base > 0]
    if len(with_base) > 1:
        raise InvalidParameterException(
            "Only one capacity provider in a capacity provider strategy can have a base defined."
        )
    for item in strategy:
        if item.capacity_provider not in providers:
            raise InvalidParameterException(
                f"The specified capacity provider strategy cannot contain a capacity provider "
                f"that is not associated with the cluster. Associate the capacity provider "
                f"{item.capacity_provider} with the cluster or specify a valid capacity provider "
                f"and try again."
            )
