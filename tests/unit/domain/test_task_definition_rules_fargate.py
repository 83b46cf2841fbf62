"""Registration rules for Fargate: network mode, task size table, and what Fargate lacks."""

from __future__ import annotations

import pytest
from tests.unit.domain.test_task_definition_support import (
    ECR_IMAGE,
    EXECUTION_ROLE,
    Accepted,
    Rejected,
    container,
    fargate,
    register,
)

from dockyard.domain.errors import ClientException
from dockyard.domain.task_definition import FARGATE_TASK_SIZES

C = ClientException
AT_LEAST_ONE_MEMORY = (
    "Invalid setting for container 'web'. "
    "At least one of 'memory' or 'memoryReservation' must be specified."
)
LOGS = {
    "logDriver": "awslogs",
    "options": {"awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1"},
}

REJECTED = [
    Rejected(
        "fargate-bridge",
        fargate(networkMode="bridge"),
        C,
        "Fargate only supports network mode \u2018awsvpc\u2019.",
    ),
    Rejected(
        "fargate-network-mode-omitted",
        fargate(networkMode=None),
        C,
        "Fargate only supports network mode \u2018awsvpc\u2019.",
    ),
    Rejected(
        "fargate-no-task-cpu",
        fargate(cpu=None),
        C,
        "Fargate requires that 'cpu' be defined at the task level.",
    ),
    Rejected(
        "fargate-no-task-memory",
        fargate(memory=None),
        C,
        "Fargate requires that 'memory' be defined at the task level.",
    ),
    Rejected(
        "fargate-no-memory-anywhere-container-first",
        fargate(container(memory=None), memory=None),
        C,
        AT_LEAST_ONE_MEMORY,
    ),
    Rejected(
        "fargate-size-256-4096",
        fargate(memory="4096"),
        C,
        "No Fargate configuration exists for given values: 256 CPU, 4096 memory. "
        "See the Amazon ECS documentation for the valid values.",
    ),
    Rejected(
        "fargate-size-from-vcpu-and-gb",
        fargate(cpu="1 vCPU", memory="1GB"),
        C,
        "No Fargate configuration exists for given values: 1024 CPU, 1024 memory. "
        "See the Amazon ECS documentation for the valid values.",
    ),
    Rejected(
        "fargate-pid-mode-host",
        fargate(pidMode="host"),
        C,
        "Tasks using the Fargate launch type do not support pidMode 'host'. "
        "The supported value for pidMode is 'task'.",
    ),
    Rejected(
        "fargate-ipc-mode",
        fargate(ipcMode="task"),
        C,
        "Tasks using the Fargate launch type do not support ipcMode.",
    ),
    Rejected(
        "fargate-placement-constraints",
        fargate(placementConstraints=[{"type": "memberOf", "expression": "attribute:a == b"}]),
        C,
        "Fargate does not support task placement constraints.",
    ),
    Rejected(
        "fargate-host-source-path",
        fargate(volumes=[{"name": "data", "host": {"sourcePath": "/data"}}]),
        C,
        "host.sourcePath should not be set for volumes in Fargate.",
    ),
    Rejected(
        "fargate-docker-volume",
        fargate(volumes=[{"name": "data", "dockerVolumeConfiguration": {"scope": "task"}}]),
        C,
        "Tasks using the Fargate launch type do not support dockerVolumeConfiguration.",
    ),
    Rejected(
        "fargate-inference-accelerators",
        fargate(inferenceAccelerators=[{"deviceName": "d1", "deviceType": "eia2.medium"}]),
        C,
        "Tasks using the Fargate launch type do not support inferenceAccelerators.",
    ),
    Rejected(
        "fargate-privileged",
        fargate(container(privileged=True)),
        C,
        "Tasks using the Fargate launch type do not support privileged container 'web'.",
    ),
    Rejected(
        "fargate-linux-devices",
        fargate(container(linuxParameters={"devices": [{"hostPath": "/dev/fuse"}]})),
        C,
        "Tasks using the Fargate launch type do not support linuxParameters.devices.",
    ),
    Rejected(
        "fargate-shared-memory-size",
        fargate(container(linuxParameters={"sharedMemorySize": 64})),
        C,
        "Tasks using the Fargate launch type do not support linuxParameters.sharedMemorySize.",
    ),
    Rejected(
        "fargate-gpu",
        fargate(container(resourceRequirements=[{"type": "GPU", "value": "1"}])),
        C,
        "Tasks using the Fargate launch type do not support GPU resource requirements.",
    ),
    Rejected(
        "fargate-stop-timeout-121",
        fargate(container(stopTimeout=121)),
        C,
        "Invalid 'stopTimeout' setting for container 'web'. "
        "Tasks using the Fargate launch type accept 2 to 120 seconds.",
    ),
    Rejected(
        "fargate-start-timeout-1",
        fargate(container(startTimeout=1)),
        C,
        "Invalid 'startTimeout' setting for container 'web'. "
        "Tasks using the Fargate launch type accept 2 to 120 seconds.",
    ),
    Rejected(
        "fargate-log-driver-json-file",
        fargate(container(logConfiguration={"logDriver": "json-file"})),
        C,
        "Tasks using the Fargate launch type do not support log driver 'json-file'. "
        "Supported log drivers are awslogs, splunk and awsfirelens.",
    ),
    Rejected(
        "fargate-awslogs-without-execution-role",
        fargate(container(logConfiguration=LOGS)),
        C,
        "Fargate requires task definition to have execution role ARN to support log driver "
        "awslogs.",
    ),
    Rejected(
        "fargate-ecr-image-without-execution-role",
        fargate(container(image=ECR_IMAGE)),
        C,
        "Fargate requires task definition to have execution role ARN to support ECR images.",
    ),
]

ACCEPTED = [
    Accepted("fargate-minimal", fargate()),
    Accepted("fargate-vcpu-and-gb", fargate(cpu="1 vcpu", memory="2 GB")),
    Accepted("fargate-pid-mode-task", fargate(pidMode="task")),
    Accepted(
        "fargate-awslogs-with-role",
        fargate(container(image=ECR_IMAGE, logConfiguration=LOGS), executionRoleArn=EXECUTION_ROLE),
    ),
    Accepted("fargate-and-ec2", fargate(requiresCompatibilities=["EC2", "FARGATE"])),
    Accepted("fargate-ephemeral-200", fargate(ephemeralStorage={"sizeInGiB": 200})),
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


FARGATE_SIZES = [
    (cpu, memory) for cpu, memories in FARGATE_TASK_SIZES.items() for memory in memories
]


@pytest.mark.parametrize(("cpu", "memory"), FARGATE_SIZES, ids=lambda v: str(v))
def test_every_fargate_task_size_is_accepted(cpu: int, memory: int) -> None:
    assert register(fargate(cpu=str(cpu), memory=str(memory))).cpu == cpu


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [
        (256, 3072),
        (512, 512),
        (1024, 9216),
        (2048, 17408),
        (4096, 31744),
        (8192, 18432),
        (128, 512),
    ],
    ids=lambda v: str(v),
)
def test_fargate_sizes_outside_the_table_are_refused(cpu: int, memory: int) -> None:
    with pytest.raises(ClientException, match="No Fargate configuration exists"):
        register(fargate(cpu=str(cpu), memory=str(memory)))


def test_fargate_size_table_matches_the_guide() -> None:
    assert len(FARGATE_SIZES) == 3 + 4 + 7 + 13 + 23 + 12 + 12
    assert FARGATE_TASK_SIZES[8192][-1] == 61440 and FARGATE_TASK_SIZES[16384][-1] == 122880
