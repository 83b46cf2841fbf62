"""A container's ties to the rest of its task: ``mountPoints``, ``volumesFrom`` and ``links``.

Each maps names in the task definition to Docker names the caller resolved beforehand: volume
names through the task's :class:`~dockyard.agent.docker.volumes.TaskVolumes`, container names
through ``peers`` (ECS container name → Docker name or id of that container, already created;
:func:`~dockyard.agent.docker.ordering.creation_order` says in which order to create them).

Pure. A name that does not resolve raises :class:`UnresolvedReference` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dockyard.agent.docker.volumes import TaskVolumes
from dockyard.domain.task_definition import ContainerDefinition

__all__ = [
    "LinkSpec",
    "MountSpec",
    "UnresolvedReference",
    "link_specs",
    "mount_specs",
    "volumes_from_specs",
]


class UnresolvedReference(ValueError):
    """A mount point's volume, or a link's or volumesFrom's container, is not known."""


@dataclass(frozen=True, slots=True)
class MountSpec:
    """One mount: ``source`` is a host path when ``bind``, else a Docker volume name."""

    source: str
    target: str
    read_only: bool
    bind: bool


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A Docker link: ``container`` (Docker name or id) reachable as ``alias``."""

    container: str
    alias: str


def mount_specs(
    container: ContainerDefinition, volumes: TaskVolumes | None
) -> tuple[MountSpec, ...]:
    """``mountPoints`` → mounts; ``readOnly`` omitted means read-write."""
    result = []
    for mp in container.mount_points:
        name = mp.source_volume or ""
        source = volumes.source(name) if volumes is not None else None
        if source is None:
            raise UnresolvedReference(
                f"container '{container.name}' mounts volume '{name}', which the task does not have"
            )
        result.append(
            MountSpec(source.source, mp.container_path or "", bool(mp.read_only), source.bind)
        )
    return tuple(result)


def volumes_from_specs(container: ContainerDefinition, peers: Mapping[str, str]) -> tuple[str, ...]:
    """``volumesFrom`` → Docker's ``VolumesFrom`` entries, ``<docker name>[:ro]``."""
    return tuple(
        _peer(container, peers, vf.source_container or "", "takes volumes from")
        + (":ro" if vf.read_only else "")
        for vf in container.volumes_from
    )


def link_specs(container: ContainerDefinition, peers: Mapping[str, str]) -> tuple[LinkSpec, ...]:
    """``links`` (``name`` or ``name:alias``; the alias defaults to the name) → Docker links."""
    result = []
    for link in container.links or ():
        name, _, alias = link.partition(":")
        result.append(LinkSpec(_peer(container, peers, name, "links to"), alias or name))
    return tuple(result)


def _peer(container: ContainerDefinition, peers: Mapping[str, str], name: str, verb: str) -> str:
    try:
        return peers[name]
    except KeyError:
        raise UnresolvedReference(
            f"container '{container.name}' {verb} '{name}', which has not been created"
        ) from None
