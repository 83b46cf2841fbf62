"""The agent's Docker adapter: the only package that imports the Docker SDK.

Layout::

    spec.py        pure: ContainerDefinition → ContainerSpec (no Docker SDK), built from
      mounts.py    pure: mountPoints / volumesFrom / links → mounts and Docker names
      linux.py     pure: linuxParameters, privileged, sysctls, security options
      logconfig.py pure: logConfiguration → Docker log driver; awslogs_settings
    volumes.py     pure: plan_task_volumes → TaskVolumes (what to create, what each name mounts)
    ordering.py    pure: creation_order (after links / volumesFrom targets)
    labels.py      pure: the com.amazonaws.ecs.* label names
    model.py       pure: ContainerRuntime Protocol, ContainerState, RuntimeEvent, HostInfo,
                   PullBehavior, the error tree
    streams.py     stream closing, Docker time cursors, log line framing (no Docker SDK)
    dockerargs.py  shell: ContainerSpec → the Docker SDK's create arguments
    runtime.py     shell: DockerRuntime, the Docker SDK calls with one named timeout each

This package re-exports only the pure names, so importing it does not load the Docker SDK;
import :class:`~dockyard.agent.docker.runtime.DockerRuntime` from ``runtime``.
"""

from dockyard.agent.docker.linux import LinuxSpec
from dockyard.agent.docker.logconfig import AwsLogsSettings, LogSpec, awslogs_settings
from dockyard.agent.docker.model import (
    ContainerNotFound,
    ContainerRuntime,
    ContainerRuntimeError,
    ContainerState,
    CreateFailed,
    HostInfo,
    ImageUnavailable,
    ManagedContainer,
    NetworkBinding,
    PullBehavior,
    RemoveFailed,
    RuntimeEvent,
    RuntimeEventKind,
    StartFailed,
    StopFailed,
    VolumeFailed,
)
from dockyard.agent.docker.mounts import LinkSpec, MountSpec, UnresolvedReference
from dockyard.agent.docker.ordering import creation_order
from dockyard.agent.docker.spec import (
    ContainerSpec,
    HealthcheckSpec,
    PortPublication,
    UlimitSpec,
    UnsupportedNetworkMode,
    container_spec,
)
from dockyard.agent.docker.volumes import (
    DockerVolumeSpec,
    MountSource,
    TaskVolumes,
    UnsupportedVolume,
    VolumeScope,
    plan_task_volumes,
)

__all__ = [
    "AwsLogsSettings",
    "ContainerNotFound",
    "ContainerRuntime",
    "ContainerRuntimeError",
    "ContainerSpec",
    "ContainerState",
    "CreateFailed",
    "DockerVolumeSpec",
    "HealthcheckSpec",
    "HostInfo",
    "ImageUnavailable",
    "LinkSpec",
    "LinuxSpec",
    "LogSpec",
    "ManagedContainer",
    "MountSource",
    "MountSpec",
    "NetworkBinding",
    "PortPublication",
    "PullBehavior",
    "RemoveFailed",
    "RuntimeEvent",
    "RuntimeEventKind",
    "StartFailed",
    "StopFailed",
    "TaskVolumes",
    "UlimitSpec",
    "UnresolvedReference",
    "UnsupportedNetworkMode",
    "UnsupportedVolume",
    "VolumeFailed",
    "VolumeScope",
    "awslogs_settings",
    "container_spec",
    "creation_order",
    "plan_task_volumes",
]
