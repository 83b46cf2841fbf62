"""The agent's Docker adapter: the only package that imports the Docker SDK.

Layout::

    spec.py     pure: ContainerDefinition → ContainerSpec (no Docker SDK)
    model.py    pure: ContainerRuntime Protocol, ContainerState, PullBehavior, error tree
    runtime.py  shell: DockerRuntime, the Docker SDK calls with one named timeout each

This package re-exports only the pure names, so importing it does not load the Docker SDK;
import :class:`~dockyard.agent.docker.runtime.DockerRuntime` from ``runtime``.
"""

from dockyard.agent.docker.model import (
    ContainerNotFound,
    ContainerRuntime,
    ContainerRuntimeError,
    ContainerState,
    CreateFailed,
    ImageUnavailable,
    ManagedContainer,
    NetworkBinding,
    PullBehavior,
    RemoveFailed,
    StartFailed,
    StopFailed,
)
from dockyard.agent.docker.spec import (
    ContainerSpec,
    HealthcheckSpec,
    PortPublication,
    UlimitSpec,
    UnsupportedNetworkMode,
    container_spec,
)

__all__ = [
    "ContainerNotFound",
    "ContainerRuntime",
    "ContainerRuntimeError",
    "ContainerSpec",
    "ContainerState",
    "CreateFailed",
    "HealthcheckSpec",
    "ImageUnavailable",
    "ManagedContainer",
    "NetworkBinding",
    "PortPublication",
    "PullBehavior",
    "RemoveFailed",
    "StartFailed",
    "StopFailed",
    "UlimitSpec",
    "UnsupportedNetworkMode",
    "container_spec",
]
