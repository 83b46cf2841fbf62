"""Output-only members and defaults: compatibilities, requiresAttributes, and what
build_task_definition fills in.

The "real" cases are definitions whose DescribeTaskDefinition output was published (blog posts,
READMEs, test fixtures); the request is rebuilt from the output and the derived members must
equal what ECS answered.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.domain.test_task_definition_support import (
    ACCOUNT,
    ECR_IMAGE,
    EXECUTION_ROLE,
    REGISTERED_AT,
    REGISTERED_BY,
    TASK_ROLE,
    container,
    fargate,
    register,
    task,
)

from dockyard.domain import task_definition as api

CAP = "com.amazonaws.ecs.capability."
LOGS = {
    "logDriver": "awslogs",
    "options": {
        "awslogs-group": "/ecs/app",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "ecs",
    },
}
HEALTH = {
    "command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
    "interval": 30,
    "timeout": 5,
    "retries": 3,
}

KONG = fargate(  # Pirate Weather's Kong gateway, registered 2023-08
    container(
        name="pirate-kong",
        image="public.ecr.aws/j9v4j3c7/pirate-kong:latest",
        cpu=0,
        memory=None,
        portMappings=[
            {
                "name": "pirate-kong-8000-tcp",
                "containerPort": 8000,
                "hostPort": 8000,
                "protocol": "tcp",
                "appProtocol": "http",
            }
        ],
        logConfiguration={**LOGS, "secretOptions": []},
        healthCheck={**HEALTH, "startPeriod": 120},
    ),
    family="pirate-kong",
    executionRoleArn=EXECUTION_ROLE,
    cpu="1024",
    memory="2048",
    runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
)
KONG_ATTRIBUTES = {
    CAP + "logging-driver.awslogs",
    "ecs.capability.execution-role-awslogs",
    CAP + "docker-remote-api.1.19",
    "ecs.capability.container-health-check",
    CAP + "docker-remote-api.1.18",
    "ecs.capability.task-eni",
    CAP + "docker-remote-api.1.29",
}

AGENT = fargate(  # a Spring AI demo with a Redis sidecar, registered 2026-01
    container(
        name="spring-ai-agent",
        image=f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/spring-ai-agent@sha256:{'3b' * 32}",
        memory=None,
        portMappings=[{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
        logConfiguration=LOGS,
    ),
    container(
        name="redis",
        image="redis:latest",
        essential=False,
        memory=None,
        memoryReservation=1024,
        logConfiguration=LOGS,
    ),
    family="agent",
    executionRoleArn=EXECUTION_ROLE,
    cpu="1024",
    memory="2048",
)
AGENT_ATTRIBUTES = {
    CAP + "logging-driver.awslogs",
    "ecs.capability.execution-role-awslogs",
    CAP + "ecr-auth",
    CAP + "docker-remote-api.1.19",
    CAP + "docker-remote-api.1.21",
    "ecs.capability.execution-role-ecr-pull",
    CAP + "docker-remote-api.1.18",
    "ecs.capability.task-eni",
    CAP + "docker-remote-api.1.29",
}

FIRELENS = fargate(  # FireLens → Loki, registered 2024-02
    container(
        name="api",
        image=ECR_IMAGE,
        memory=None,
        portMappings=[{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
        dockerLabels={"env": "dev"},
        logConfiguration={"logDriver": "awsfirelens", "options": {"Name": "cloudwatch"}},
        healthCheck={**HEALTH, "startPeriod": 10},
    ),
    container(
        name="log-router",
        image=f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/aws-for-fluent-bit:stable",
        memory=None,
        memoryReservation=50,
        user="0",
        logConfiguration=LOGS,
        firelensConfiguration={
            "type": "fluentbit",
            "options": {
                "config-file-type": "file",
                "config-file-value": "/fluent-bit/configs/parse-json.conf",
            },
        },
    ),
    family="api",
    taskRoleArn=TASK_ROLE,
    executionRoleArn=EXECUTION_ROLE,
    cpu="1024",
    memory="2048",
)
FIRELENS_ATTRIBUTES = AGENT_ATTRIBUTES - {CAP + "docker-remote-api.1.21"} | {
    "ecs.capability.firelens.options.config.file",
    CAP + "docker-remote-api.1.17",
    CAP + "docker-remote-api.1.21",
    CAP + "logging-driver.awsfirelens",
    CAP + "task-iam-role",
    "ecs.capability.container-health-check",
    "ecs.capability.firelens.fluentbit",
}

SSM_SECRETS = fargate(  # a search service reading SSM parameters, registered 2026-07
    container(
        image=ECR_IMAGE,
        memory=None,
        secrets=[
            {
                "name": "DATABASE_URL",
                "valueFrom": f"arn:aws:ssm:ap-southeast-1:{ACCOUNT}:parameter/search/DATABASE_URL",
            }
        ],
        logConfiguration=LOGS,
        healthCheck={**HEALTH, "startPeriod": 200},
    ),
    taskRoleArn=TASK_ROLE,
    executionRoleArn=EXECUTION_ROLE,
    cpu="4096",
    memory="9216",
)
SSM_SECRETS_ATTRIBUTES = AGENT_ATTRIBUTES - {CAP + "docker-remote-api.1.21"} | {
    CAP + "task-iam-role",
    "ecs.capability.container-health-check",
    "ecs.capability.secrets.ssm.environment-variables",
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (KONG, KONG_ATTRIBUTES),
        (AGENT, AGENT_ATTRIBUTES),
        (FIRELENS, FIRELENS_ATTRIBUTES),
        (SSM_SECRETS, SSM_SECRETS_ATTRIBUTES),
    ],
    ids=["kong-2023", "agent-2026", "firelens-2024", "ssm-secrets-2026"],
)
def test_requires_attributes_match_real_ecs_output(
    params: dict[str, object], expected: set[str]
) -> None:
    td = register(params)
    assert {a.name for a in td.requires_attributes} == expected
    assert [a.name for a in td.requires_attributes] == sorted(expected)
    assert td.compatibilities == ("EC2", "FARGATE", "MANAGED_INSTANCES")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (task(), ("EXTERNAL", "EC2")),
        (task(networkMode="bridge"), ("EXTERNAL", "EC2")),
        (task(networkMode="none"), ("EXTERNAL", "EC2")),
        (task(networkMode="host"), ("EXTERNAL", "EC2", "MANAGED_INSTANCES")),
        (task(networkMode="awsvpc"), ("EC2", "MANAGED_INSTANCES")),
        (fargate(), ("EC2", "FARGATE", "MANAGED_INSTANCES")),
        (fargate(requiresCompatibilities=None), ("EC2", "FARGATE", "MANAGED_INSTANCES")),
        (task(networkMode="awsvpc", cpu="256", memory="3072"), ("EC2", "MANAGED_INSTANCES")),
        (
            task(networkMode="awsvpc", cpu="256", memory="512", ipcMode="host"),
            ("EC2", "MANAGED_INSTANCES"),
        ),
        (
            task(volumes=[{"name": "d", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}]),
            ("EC2",),
        ),
    ],
    ids=[
        "default-bridge",
        "bridge",
        "none",
        "host",
        "awsvpc-no-task-size",
        "fargate",
        "fargate-compatible-without-asking",
        "awsvpc-size-not-on-fargate",
        "awsvpc-ipc-mode",
        "efs-not-on-external",
    ],
)
def test_compatibilities(params: dict[str, object], expected: tuple[str, ...]) -> None:
    assert register(params).compatibilities == expected


@pytest.mark.parametrize(
    ("params", "attribute"),
    [
        (
            task(container(ulimits=[{"name": "nofile", "softLimit": 1, "hardLimit": 2}])),
            CAP + "docker-remote-api.1.18",
        ),
        (
            task(container(linuxParameters={"initProcessEnabled": True})),
            CAP + "docker-remote-api.1.25",
        ),
        (task(taskRoleArn=TASK_ROLE, networkMode="host"), CAP + "task-iam-role-network-host"),
        (task(pidMode="task"), "ecs.capability.pid-ipc-namespace-sharing"),
        (task(container(stopTimeout=10)), "ecs.capability.container-ordering"),
        (
            task(container(environmentFiles=[{"type": "s3", "value": "arn:aws:s3:::conf/a.env"}])),
            "ecs.capability.env-files.s3",
        ),
        (
            task(
                container(
                    repositoryCredentials={
                        "credentialsParameter": "arn:aws:secretsmanager:us-east-1:1:secret:r"
                    }
                )
            ),
            CAP + "private-registry-authentication.secretsmanager",
        ),
        (task(container(privileged=True)), CAP + "privileged-container"),
        (
            task(
                container(
                    logConfiguration={
                        "logDriver": "splunk",
                        "secretOptions": [
                            {
                                "name": "t",
                                "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:t",
                            }
                        ],
                    }
                ),
                executionRoleArn=EXECUTION_ROLE,
            ),
            "ecs.capability.secrets.asm.bootstrap.log-driver",
        ),
        (
            task(
                volumes=[
                    {
                        "name": "d",
                        "efsVolumeConfiguration": {
                            "fileSystemId": "fs-1",
                            "transitEncryption": "ENABLED",
                        },
                    }
                ]
            ),
            "ecs.capability.efsAuth",
        ),
        (
            task(
                volumes=[
                    {
                        "name": "d",
                        "dockerVolumeConfiguration": {"scope": "shared", "driver": "rexray/ebs"},
                    }
                ]
            ),
            "ecs.capability.docker-plugin.rexray/ebs",
        ),
        (
            task(
                networkMode="awsvpc", proxyConfiguration={"type": "APPMESH", "containerName": "web"}
            ),
            "ecs.capability.aws-appmesh",
        ),
    ],
    ids=[
        "ulimits",
        "init-process",
        "task-role-host-mode",
        "pid-mode",
        "stop-timeout",
        "environment-files",
        "repository-credentials",
        "privileged",
        "log-secret-options-asm",
        "efs-transit-encryption",
        "docker-volume-plugin",
        "app-mesh-proxy",
    ],
)
def test_requires_attribute_for_feature(params: dict[str, object], attribute: str) -> None:
    assert attribute in {a.name for a in register(params).requires_attributes}


def test_plain_definition_requires_nothing() -> None:
    assert register(task()).requires_attributes == ()


def test_build_fills_in_what_ecs_echoes_back() -> None:
    td = register(
        task(
            container(
                portMappings=[{"containerPort": 80}], healthCheck={"command": ["CMD", "true"]}
            ),
            networkMode="awsvpc",
        )
    )
    web = td.container_definitions[0]
    assert (td.status, td.revision, td.registered_at, td.registered_by) == (
        "ACTIVE",
        1,
        REGISTERED_AT,
        REGISTERED_BY,
    )
    assert web.port_mappings == (api.PortMapping(container_port=80, host_port=80, protocol="tcp"),)
    assert (web.cpu, web.essential, web.system_controls) == (0, True, ())
    assert web.health_check == api.HealthCheck(
        command=("CMD", "true"), interval=30, timeout=5, retries=3
    )
    doc = api.task_definition_to_document(td)["containerDefinitions"][0]
    assert {"environment", "mountPoints", "volumesFrom", "systemControls"} <= doc.keys()


def test_build_keeps_bridge_dynamic_ports_and_ranges_as_sent() -> None:
    mappings = [
        {"containerPort": 80},
        {"containerPort": 81, "hostPort": 0},
        {"containerPortRange": "9000-9009"},
    ]
    td = register(task(container(portMappings=mappings)))
    assert [pm.host_port for pm in td.container_definitions[0].port_mappings] == [None, 0, None]


def test_build_refuses_revision_zero() -> None:
    reg = api.registration_from_request(task())
    with pytest.raises(ValueError, match="revision"):
        api.build_task_definition(reg, revision=0, registered_at=REGISTERED_AT, registered_by=None)


def test_build_does_not_change_the_registration() -> None:
    reg = api.registration_from_request(
        task(container(portMappings=[{"containerPort": 80}]), networkMode="host")
    )
    td = api.build_task_definition(reg, revision=7, registered_at=REGISTERED_AT, registered_by=None)
    assert reg.container_definitions[0].port_mappings[0].host_port is None
    assert (
        replace(td.container_definitions[0].port_mappings[0], host_port=None)
        == reg.container_definitions[0].port_mappings[0]
    )
