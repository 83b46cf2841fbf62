"""creation_order: containers after what they link to or take volumes from."""

from __future__ import annotations

import pytest

from dockyard.agent.docker.ordering import creation_order
from dockyard.domain.task_definition import ContainerDefinition, TaskDefinition, VolumeFrom


def c(name: str, *, links: tuple[str, ...] = (), vf: tuple[str, ...] = ()) -> ContainerDefinition:
    return ContainerDefinition(
        name=name, image="i", links=links or None,
        volumes_from=tuple(VolumeFrom(source_container=s) for s in vf))


def order(*containers: ContainerDefinition) -> tuple[str, ...]:
    return creation_order(TaskDefinition(family="f", revision=1, container_definitions=containers))


@pytest.mark.parametrize(("containers", "expected"), [
    pytest.param((c("a"), c("b"), c("c")), ("a", "b", "c"), id="independent-keep-order"),
    pytest.param((c("web", links=("db:database",)), c("db")), ("db", "web"), id="link-alias"),
    pytest.param((c("app", vf=("data",)), c("data"), c("side")), ("data", "app", "side"),
                 id="volumes-from-earliest-free-next"),
    pytest.param((c("a", links=("b",), vf=("c",)), c("b", vf=("c",)), c("c")), ("c", "b", "a"),
                 id="chain"),
    pytest.param((c("a", links=("b", "b:alias")), c("b")), ("b", "a"), id="repeated-target"),
])
def test_order(containers: tuple[ContainerDefinition, ...], expected: tuple[str, ...]) -> None:
    assert order(*containers) == expected


@pytest.mark.parametrize("containers", [
    pytest.param((c("a", links=("b",)), c("b", vf=("a",))), id="two"),
    pytest.param((c("a", links=("a",)),), id="self"),
    pytest.param((c("x"), c("a", links=("b",)), c("b", links=("c",)), c("c", vf=("a",))),
                 id="three"),
])
def test_cycles_are_refused(containers: tuple[ContainerDefinition, ...]) -> None:
    with pytest.raises(ValueError, match="cycle"):
        order(*containers)


def test_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="'a' refers to unknown"):
        order(c("a", links=("ghost",)))
