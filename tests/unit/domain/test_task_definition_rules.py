"""Registration rules, part 1: family, containers, cpu and memory, EXTERNAL / MANAGED_INSTANCES,
ephemeral storage, and request shapes the protocol layer should already have refused.

One row per rule: the request, the error class and ECS's message. Messages marked in the source
with ``# ECS`` are AWS's exact text; the others are composed (see the module docstrings).
"""

from __future__ import annotations

import pytest
from tests.unit.domain.test_task_definition_support import (
    Accepted,
    Rejected,
    container,
    fargate,
    register,
    task,
)

from dockyard.domain.errors import ClientException, InvalidParameterException

C = ClientException
P = InvalidParameterException
AT_LEAST_ONE_MEMORY = (
    "Invalid setting for container 'web'. "
    "At least one of 'memory' or 'memoryReservation' must be specified."
)

REJECTED = [
    # family
    Rejected("family-blank", task(family=""), C, "Family can not be blank."),
    Rejected(
        "family-invalid-chars", task(family="web.app"), C, "Family contains invalid characters."
    ),
    Rejected("family-256-chars", task(family="f" * 256), C, "Family contains invalid characters."),
    # container list
    Rejected("no-containers", task(containerDefinitions=[]), C, "Container list cannot be empty."),
    Rejected(
        "eleven-containers",
        task(*(container(name=f"c{i}") for i in range(11))),
        C,
        "Too many containers.",
    ),
    Rejected(
        "container-name-missing",
        task(container(name=None)),
        C,
        "Container.name should not be null or empty.",
    ),
    Rejected(
        "container-name-invalid",
        task(container(name="web app")),
        C,
        "Container.name contains invalid characters.",
    ),
    Rejected(
        "container-name-duplicate",
        task(container(), container(image="redis")),
        C,
        "Duplicate container name 'web'. Names must be unique.",
    ),
    Rejected(
        "image-missing",
        task(container(image=None)),
        C,
        "Container.image should not be null or empty.",
    ),
    Rejected(
        "image-blank",
        task(container(image="  ")),
        C,
        "Container.image should not be null or empty.",
    ),
    Rejected(
        "no-essential-container",
        task(container(essential=False)),
        C,
        "A task definition must have at least one essential container.",
    ),
    # memory
    Rejected("memory-nowhere", task(container(memory=None)), C, AT_LEAST_ONE_MEMORY),
    Rejected("memory-zero", task(container(memory=0)), C, AT_LEAST_ONE_MEMORY),
    Rejected(
        "memory-below-docker-minimum",
        task(container(memory=4)),
        C,
        "Invalid 'memory' setting for container 'web'. The minimum is 6 MiB.",
    ),
    Rejected(
        "reservation-below-docker-minimum",
        task(container(memory=None, memoryReservation=5)),
        C,
        "Invalid 'memoryReservation' setting for container 'web'. The minimum is 6 MiB.",
    ),
    Rejected(
        "memory-below-reservation",
        task(container(memory=128, memoryReservation=256)),
        C,
        "Invalid setting for container 'web'. "
        "'memory' must be greater than or equal to 'memoryReservation'.",
    ),
    Rejected(
        "container-memory-above-task",
        task(container(memory=1024), memory="512"),
        C,
        "The 'memory' setting for container 'web' is greater than for the task.",
    ),
    Rejected(
        "reservations-above-task",
        task(
            container(memory=None, memoryReservation=300),
            container(name="side", memory=None, memoryReservation=300),
            memory="512",
        ),
        C,
        "The sum of all container 'memoryReservation' values cannot be greater than the value "
        "of the task 'memory'.",
    ),
    Rejected(
        "memory-sum-above-task",
        task(container(memory=300), container(name="side", memory=300), memory="512"),
        C,
        "The sum of all container 'memory' values cannot be greater than the value of the task "
        "'memory'.",
    ),
    # cpu
    Rejected(
        "task-cpu-below-128",
        task(cpu="64"),
        C,
        "Invalid 'cpu' setting for task. The value must be between 128 and 196608 CPU units.",
    ),
    Rejected(
        "task-cpu-above-196608",
        task(cpu="196609"),
        C,
        "Invalid 'cpu' setting for task. The value must be between 128 and 196608 CPU units.",
    ),
    Rejected(
        "container-cpu-sum-above-task",
        task(container(cpu=200), container(name="side", cpu=200), cpu="256"),
        C,
        "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
    ),
    Rejected("task-cpu-unparsable", task(cpu="fast"), P, "Invalid 'cpu' setting for task."),
    Rejected("task-cpu-empty", task(cpu=""), P, "Invalid 'cpu' setting for task."),
    Rejected(
        "task-memory-unparsable", task(memory="lots"), P, "Invalid 'memory' setting for task."
    ),
    # other launch types
    Rejected(
        "external-awsvpc",
        task(requiresCompatibilities=["EXTERNAL"], networkMode="awsvpc"),
        C,
        "Tasks using the EXTERNAL launch type do not support network mode 'awsvpc'.",
    ),
    Rejected(
        "managed-instances-default-bridge",
        task(requiresCompatibilities=["MANAGED_INSTANCES"]),
        C,
        "Tasks using the MANAGED_INSTANCES launch type require networkMode 'awsvpc' or 'host'.",
    ),
    # task-level extras
    Rejected(
        "ephemeral-storage-20",
        fargate(ephemeralStorage={"sizeInGiB": 20}),
        C,
        "Invalid 'ephemeralStorage' setting. 'sizeInGiB' must be between 21 and 200.",
    ),
    Rejected(
        "ephemeral-storage-201",
        fargate(ephemeralStorage={"sizeInGiB": 201}),
        C,
        "Invalid 'ephemeralStorage' setting. 'sizeInGiB' must be between 21 and 200.",
    ),
    Rejected(
        "proxy-unknown-container",
        task(
            networkMode="awsvpc", proxyConfiguration={"type": "APPMESH", "containerName": "envoy"}
        ),
        C,
        "Invalid 'proxyConfiguration' setting. Unknown container: 'envoy'.",
    ),
    # shapes the protocol layer should already have refused
    Rejected(
        "network-mode-unknown", task(networkMode="nat"), P, "Invalid value 'nat' for networkMode."
    ),
    Rejected(
        "container-definitions-not-a-list",
        task(containerDefinitions={"name": "web"}),
        P,
        "Invalid type for parameter containerDefinitions.",
    ),
    Rejected(
        "container-memory-as-string",
        task(container(memory="128")),
        P,
        "Invalid type for parameter containerDefinitions[0].memory.",
    ),
    Rejected(
        "container-cpu-as-bool",
        task(container(cpu=True)),
        P,
        "Invalid type for parameter containerDefinitions[0].cpu.",
    ),
    Rejected(
        "health-check-without-command",
        task(container(healthCheck={"interval": 30})),
        P,
        "Missing required parameter containerDefinitions[0].healthCheck.command.",
    ),
]

ACCEPTED = [
    Accepted("minimal-ec2", task()),
    Accepted("memory-reservation-only", task(container(memory=None, memoryReservation=64))),
    Accepted("memory-equals-reservation", task(container(memory=128, memoryReservation=128))),
    Accepted("task-memory-only", task(container(memory=None), memory="512")),
    Accepted("task-memory-in-gb", task(container(memory=None), memory="0.5 GB")),
    Accepted("task-cpu-in-vcpu", task(cpu="0.125 vCPU")),
    Accepted("container-cpu-sum-equals-task", task(container(cpu=128), cpu="128")),
    Accepted("external-bridge", task(requiresCompatibilities=["EXTERNAL"])),
    Accepted(
        "managed-instances-host",
        task(requiresCompatibilities=["MANAGED_INSTANCES"], networkMode="host"),
    ),
    Accepted("empty-task-role", task(taskRoleArn="")),
    Accepted("tags-are-ignored", task(tags=[{"key": "team", "value": "web"}])),
    Accepted("ten-containers", task(*(container(name=f"c{i}") for i in range(10)))),
    Accepted("one-essential-of-two", task(container(), container(name="side", essential=False))),
]


@pytest.mark.parametrize("case", REJECTED, ids=lambda case: case.id)
def test_rejected(case: Rejected) -> None:
    with pytest.raises(case.error) as raised:
        register(case.params)
    assert type(raised.value) is case.error
    assert raised.value.message == case.message


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.id)
def test_accepted(case: Accepted) -> None:
    assert register(case.params).revision == 1
