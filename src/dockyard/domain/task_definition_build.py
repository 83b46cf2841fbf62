"""Turning a validated registration into a revision: ECS's defaults and output-only members.

What ECS fills in and echoes back, and :func:`build_task_definition` therefore fills in too:

- ``status: ACTIVE``, the revision number and ``registeredAt`` / ``registeredBy`` (passed in);
- ``compatibilities`` and ``requiresAttributes`` (see ``task_definition_derive``);
- per container ``cpu: 0``, ``essential: true``, empty ``portMappings`` / ``environment`` /
  ``mountPoints`` / ``volumesFrom`` / ``systemControls`` lists, health-check defaults
  (interval 30, timeout 5, retries 3) — the first ones come from the model's defaults;
- ``protocol: tcp`` on port mappings, and in ``host`` / ``awsvpc`` mode a ``hostPort`` equal to
  the ``containerPort`` when it was omitted (or 0).

Pure: the clock reading and the caller identity are parameters.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime

from dockyard.domain.task_definition_container import ContainerDefinition, PortMapping
from dockyard.domain.task_definition_derive import (
    derive_compatibilities,
    derive_requires_attributes,
)
from dockyard.domain.task_definition_model import (
    NetworkMode,
    TaskDefinition,
    TaskDefinitionRegistration,
    TaskDefinitionStatus,
)

__all__ = ["build_task_definition"]


def build_task_definition(
    reg: TaskDefinitionRegistration,
    *,
    revision: int,
    registered_at: datetime,
    registered_by: str | None,
) -> TaskDefinition:
    """Revision ``revision`` of ``reg.family``, ACTIVE, as ECS would store it.

    Contract: ``reg`` passed :func:`validate_registration`; ``revision >= 1`` (the store picks
    it: one more than the family's last revision, even a deleted one).
    """
    if revision < 1:
        raise ValueError(f"revision must be >= 1, not {revision}")
    mode = reg.effective_network_mode
    normalised = replace(
        reg,
        container_definitions=tuple(_normalise(c, mode) for c in reg.container_definitions),
    )
    spec = {f.name: getattr(normalised, f.name) for f in fields(TaskDefinitionRegistration)}
    return TaskDefinition(
        **spec,
        revision=revision,
        status=TaskDefinitionStatus.ACTIVE,
        compatibilities=derive_compatibilities(normalised),
        requires_attributes=derive_requires_attributes(normalised),
        registered_at=registered_at,
        registered_by=registered_by,
    )


def _normalise(container: ContainerDefinition, mode: NetworkMode) -> ContainerDefinition:
    return replace(
        container,
        port_mappings=tuple(_normalise_port(pm, mode) for pm in container.port_mappings),
        system_controls=container.system_controls or (),
    )


def _normalise_port(pm: PortMapping, mode: NetworkMode) -> PortMapping:
    fixed = mode in (NetworkMode.HOST, NetworkMode.AWSVPC)
    if fixed and pm.container_port_range is None and not pm.host_port:
        return replace(pm, host_port=pm.container_port)
    return pm
