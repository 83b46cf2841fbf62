"""Placement helpers: reserved memory, task cpu/memory, static host ports — spelled out per case."""

from __future__ import annotations

import pytest
from tests.unit.domain.test_task_definition_support import container, register, task

from dockyard.domain import task_definition as api


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"memory": 512, "memoryReservation": 256}, 256),
        ({"memory": 512}, 512),
        ({"memory": None, "memoryReservation": 64}, 64),
        ({"memory": None}, None),
    ],
    ids=["reservation-wins", "memory-only", "reservation-only", "neither"],
)
def test_memory_reservation_mib(members: dict[str, object], expected: int | None) -> None:
    reg = api.registration_from_request(task(container(**members)))
    assert api.memory_reservation_mib(reg.container_definitions[0]) == expected


@pytest.mark.parametrize(
    ("params", "cpu", "memory"),
    [
        (task(cpu="1024", memory="2048"), 1024, 2048),
        (
            task(
                container(cpu=100, memory=300),
                container(name="b", cpu=28, memory=200, memoryReservation=50),
            ),
            128,
            350,
        ),
        (task(container(memory=None, memoryReservation=64)), 0, 64),
        (task(container(cpu=512), memory="1 GB"), 512, 1024),
    ],
    ids=["task-level", "sum-of-containers", "cpu-defaults-to-0", "mixed"],
)
def test_task_cpu_and_memory(params: dict[str, object], cpu: int, memory: int) -> None:
    td = register(params)
    assert (api.task_cpu_units(td), api.task_memory_mib(td)) == (cpu, memory)


MAPPINGS = [
    {"containerPort": 80, "hostPort": 8080},
    {"containerPort": 53, "hostPort": 53, "protocol": "udp"},
    {"containerPort": 81},
    {"containerPort": 82, "hostPort": 0},
    {"containerPortRange": "9000-9009"},
]


@pytest.mark.parametrize(
    ("mode", "mappings", "expected"),
    [
        (None, MAPPINGS, {(8080, "tcp"), (53, "udp")}),
        ("bridge", MAPPINGS[2:4], set()),
        (
            "host",
            [{"containerPort": 80}, {"containerPort": 53, "protocol": "udp"}],
            {(80, "tcp"), (53, "udp")},
        ),
        ("awsvpc", [{"containerPort": 80, "hostPort": 80}], set()),
        ("none", [], set()),
    ],
    ids=["bridge-static-only", "bridge-dynamic", "host-mode", "awsvpc-own-interface", "none"],
)
def test_static_host_ports(
    mode: str | None, mappings: list[dict[str, object]], expected: set[tuple[int, str]]
) -> None:
    td = register(task(container(portMappings=mappings), networkMode=mode))
    assert api.static_host_ports(td) == expected


def test_static_host_ports_cover_every_container() -> None:
    td = register(
        task(
            container(portMappings=[{"containerPort": 80, "hostPort": 80}]),
            container(name="admin", portMappings=[{"containerPort": 80, "hostPort": 9090}]),
        )
    )
    assert api.static_host_ports(td) == {(80, "tcp"), (9090, "tcp")}
