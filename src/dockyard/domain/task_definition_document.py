"""The one document mapping of task definitions, for the wire and for persistence alike.

Documents use ECS's JSON member names exactly as botocore's ECS model spells them
(``TaskDefinition``, ``RegisterTaskDefinitionRequest``). Timestamps in a document are
``datetime`` objects; the API edge turns them into epoch seconds and the store into its column
type. ``taskDefinitionArn`` is not part of the aggregate (it needs the Region and account): the
edge adds it on the way out and :func:`task_definition_from_document` ignores it on the way in.

Pure.

Invariant: ``task_definition_from_document(task_definition_to_document(td)) == td``, and
``task_definition_to_document(task_definition_from_document(doc)) == doc`` for every ``doc``
this module produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from dockyard.domain.task_definition_codec import decode, encode
from dockyard.domain.task_definition_model import TaskDefinition, TaskDefinitionRegistration
from dockyard.domain.task_definition_units import parse_task_cpu, parse_task_memory

__all__ = [
    "registration_from_request",
    "task_definition_from_document",
    "task_definition_to_document",
]

_NOT_AGGREGATE_MEMBERS = frozenset({"taskDefinitionArn"})
_REQUEST_MEMBERS_HANDLED_ELSEWHERE = frozenset({"tags"})
_ROLE_MEMBERS = ("taskRoleArn", "executionRoleArn")


def task_definition_to_document(td: TaskDefinition) -> dict[str, object]:
    """The ECS ``TaskDefinition`` document of ``td`` (without ``taskDefinitionArn``)."""
    return encode(td)


def task_definition_from_document(doc: Mapping[str, object]) -> TaskDefinition:
    """The aggregate a ``TaskDefinition`` document describes.

    Raises InvalidParameterException when a member has the wrong type or a required member
    (``revision``, or one botocore marks required in a nested shape) is missing.
    """
    return decode(TaskDefinition, doc, ignore=_NOT_AGGREGATE_MEMBERS)


def registration_from_request(params: Mapping[str, object]) -> TaskDefinitionRegistration:
    """Type a RegisterTaskDefinition request whose shape the protocol layer already checked.

    ``tags`` are skipped (the caller stores them). ``cpu`` and ``memory`` are normalised to
    integers (``"1 vCPU"`` → 1024, ``"2 GB"`` → 2048); an unparsable value raises
    ``InvalidParameterException("Invalid 'cpu' setting for task.")``. An empty ``taskRoleArn``
    or ``executionRoleArn`` means none, as ECS treats it (botocore's own example sends
    ``"taskRoleArn": ""`` and gets a definition without a role back).
    """
    doc = {k: v for k, v in params.items() if k not in _REQUEST_MEMBERS_HANDLED_ELSEWHERE}
    cpu = doc.pop("cpu", None)
    memory = doc.pop("memory", None)
    for member in _ROLE_MEMBERS:
        if doc.get(member) == "":
            del doc[member]
    reg = decode(TaskDefinitionRegistration, doc)
    return replace(
        reg,
        cpu=None if cpu is None else parse_task_cpu(cpu),
        memory=None if memory is None else parse_task_memory(memory),
    )
