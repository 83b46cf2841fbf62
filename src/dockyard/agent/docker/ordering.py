"""The order to create a task's containers in: after what they link to or take volumes from.

A Docker link or ``VolumesFrom`` needs its target to exist, so, like the real agent's implicit
dependencies, each container comes after every container named in its ``links`` or
``volumesFrom``; otherwise the definition's order is kept (the earliest container free to go
goes next). ``dependsOn`` is about *starting*, and is the state machine's business.

Pure.
"""

from __future__ import annotations

from dockyard.domain.task_definition import ContainerDefinition, TaskDefinitionRegistration

__all__ = ["creation_order", "implicit_dependencies"]


def implicit_dependencies(container: ContainerDefinition) -> tuple[str, ...]:
    """Names ``container`` links to or takes volumes from, in first-mention order."""
    names = [link.partition(":")[0] for link in container.links or ()]
    names += [vf.source_container or "" for vf in container.volumes_from]
    return tuple(dict.fromkeys(names))


def creation_order(td: TaskDefinitionRegistration) -> tuple[str, ...]:
    """Container names, each after the containers it links to or takes volumes from.

    Raises ValueError naming the containers on a cycle, or a reference to an unknown container.
    """
    pending = {c.name: implicit_dependencies(c) for c in td.container_definitions}
    for name, deps in pending.items():
        unknown = [d for d in deps if d not in pending]
        if unknown:
            raise ValueError(f"container '{name}' refers to unknown container(s) {unknown}")
    order: list[str] = []
    while pending:
        ready = next((n for n, deps in pending.items() if all(d in order for d in deps)), None)
        if ready is None:
            raise ValueError(f"links/volumesFrom form a cycle among containers {sorted(pending)}")
        order.append(ready)
        del pending[ready]
    return tuple(order)
