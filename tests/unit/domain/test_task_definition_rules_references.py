"""Registration rules, part 2: ports per network mode, links, hostname, volumes and mount
points, volumesFrom.
"""

from __future__ import annotations

import pytest
from tests.unit.domain.test_task_definition_support import (
    Accepted,
    Rejected,
    container,
    register,
    task,
)

from dockyard.domain.errors import ClientException

C = ClientException


def ports(*mappings: dict[str, object], mode: str | None = None) -> dict[str, object]:
    return task(container(portMappings=list(mappings)), networkMode=mode)


def with_volume(volume: dict[str, object], **members: object) -> dict[str, object]:
    return task(container(**members), volumes=[volume])


def efs(**config: object) -> dict[str, object]:
    return with_volume(
        {"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1", **config}}
    )


RANGE = "Invalid 'containerPortRange' setting for container 'web'."
EFS_TRANSIT = (
    "Invalid volume 'data'. 'transitEncryption' must be ENABLED when IAM authorization or an "
    "access point is used."
)

REJECTED = [
    # ports
    Rejected(
        "ports-in-none-mode",
        ports({"containerPort": 80}, mode="none"),
        C,
        "Port mappings are not supported when networkMode=none.",
    ),
    Rejected(
        "container-port-missing",
        ports({"hostPort": 80}),
        C,
        "Invalid 'containerPort' setting for container 'web'.",
    ),
    Rejected(
        "container-port-zero",
        ports({"containerPort": 0}),
        C,
        "Invalid 'containerPort' setting for container 'web'.",
    ),
    Rejected(
        "container-port-65536",
        ports({"containerPort": 65536}),
        C,
        "Invalid 'containerPort' setting for container 'web'.",
    ),
    Rejected(
        "host-port-70000",
        ports({"containerPort": 80, "hostPort": 70000}),
        C,
        "Invalid 'hostPort' setting for container 'web'.",
    ),
    Rejected(
        "host-mode-host-port-differs",
        ports({"containerPort": 80, "hostPort": 8080}, mode="host"),
        C,
        "When networkMode=host, the host ports and container ports in port mappings must match.",
    ),
    Rejected(
        "awsvpc-host-port-differs",
        ports({"containerPort": 80, "hostPort": 8080}, mode="awsvpc"),
        C,
        "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
    ),
    Rejected(
        "same-container-port-two-protocols",
        ports({"containerPort": 53, "protocol": "tcp"}, {"containerPort": 53, "protocol": "udp"}),
        C,
        "Invalid 'portMappings' setting for container 'web'. "
        "Container port 53 appears in more than one port mapping.",
    ),
    Rejected(
        "port-range-overlaps-port",
        ports({"containerPortRange": "8000-8100"}, {"containerPort": 8050}),
        C,
        "Invalid 'portMappings' setting for container 'web'. "
        "Container port 8050 appears in more than one port mapping.",
    ),
    Rejected(
        "port-range-in-host-mode",
        ports({"containerPortRange": "8000-8010"}, mode="host"),
        C,
        f"{RANGE} Port ranges are only supported when networkMode is bridge or awsvpc.",
    ),
    Rejected(
        "port-range-with-host-port",
        ports({"containerPortRange": "8000-8010", "hostPort": 8000}),
        C,
        f"{RANGE} Do not specify a hostPort with a containerPortRange.",
    ),
    Rejected(
        "port-range-single-port",
        ports({"containerPortRange": "8000"}),
        C,
        f"{RANGE} Use the form start-end with 1 <= start < end <= 65535.",
    ),
    Rejected(
        "port-range-reversed",
        ports({"containerPortRange": "8010-8000"}),
        C,
        f"{RANGE} Use the form start-end with 1 <= start < end <= 65535.",
    ),
    Rejected(
        "port-range-101-ranges",
        ports(*({"containerPortRange": f"{p}-{p + 1}"} for p in range(10000, 10202, 2))),
        C,
        "Invalid 'portMappings' setting for container 'web'. "
        "A container can have at most 100 port ranges.",
    ),
    Rejected(
        "port-mapping-name-uppercase",
        ports({"containerPort": 80, "name": "Web"}),
        C,
        "Invalid 'portMappings' setting for container 'web'. The name 'Web' must be up to 64 "
        "lowercase letters, digits, underscores and hyphens, not starting with a hyphen.",
    ),
    # links, hostname, extraHosts
    Rejected(
        "links-in-awsvpc",
        task(container(links=["db"]), container(name="db"), networkMode="awsvpc"),
        C,
        "Links are not supported when networkMode=awsvpc.",
    ),
    Rejected(
        "links-in-host-mode",
        task(container(links=["db"]), container(name="db"), networkMode="host"),
        C,
        "Links are not supported when networkMode=host.",
    ),
    Rejected(
        "link-to-unknown-container",
        task(container(links=["db:database"])),
        C,
        "Invalid 'links' setting for container 'web'. Unknown container: 'db'.",
    ),
    Rejected(
        "link-to-itself",
        task(container(links=["web"])),
        C,
        "Invalid 'links' setting for container 'web'. Unknown container: 'web'.",
    ),
    Rejected(
        "hostname-in-awsvpc",
        task(container(hostname="web"), networkMode="awsvpc"),
        C,
        "hostname is not supported on container when networkMode=awsvpc.",
    ),
    Rejected(
        "extra-hosts-in-awsvpc",
        task(
            container(extraHosts=[{"hostname": "db", "ipAddress": "10.0.0.9"}]),
            networkMode="awsvpc",
        ),
        C,
        "extraHosts is not supported on container when networkMode=awsvpc.",
    ),
    # volumes
    Rejected(
        "volume-name-missing",
        with_volume({"host": {}}),
        C,
        "Volume.name should not be null or empty.",
    ),
    Rejected(
        "volume-name-invalid",
        with_volume({"name": "my data"}),
        C,
        "Volume.name contains invalid characters.",
    ),
    Rejected(
        "volume-name-duplicate",
        task(volumes=[{"name": "data"}, {"name": "data"}]),
        C,
        "Duplicate volume name 'data'. Names must be unique.",
    ),
    Rejected(
        "volume-two-kinds",
        with_volume(
            {"name": "data", "host": {}, "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}
        ),
        C,
        "Invalid volume 'data'. Specify only one volume type; found host, efsVolumeConfiguration.",
    ),
    Rejected(
        "volume-fsx-and-host",
        with_volume({"name": "data", "host": {}, "fsxWindowsFileServerVolumeConfiguration": {}}),
        C,
        "Invalid volume 'data'. Specify only one volume type; "
        "found host, fsxWindowsFileServerVolumeConfiguration.",
    ),
    Rejected(
        "docker-autoprovision-task-scope",
        with_volume(
            {"name": "data", "dockerVolumeConfiguration": {"scope": "task", "autoprovision": True}}
        ),
        C,
        "Invalid volume 'data'. 'autoprovision' can only be true when 'scope' is 'shared'.",
    ),
    Rejected(
        "docker-autoprovision-default-scope",
        with_volume({"name": "data", "dockerVolumeConfiguration": {"autoprovision": True}}),
        C,
        "Invalid volume 'data'. 'autoprovision' can only be true when 'scope' is 'shared'.",
    ),
    Rejected(
        "efs-root-directory-with-access-point",
        efs(
            rootDirectory="/app",
            transitEncryption="ENABLED",
            authorizationConfig={"accessPointId": "fsap-1"},
        ),
        C,
        "Invalid volume 'data'. 'rootDirectory' must be omitted or '/' when an access point is "
        "specified.",
    ),
    Rejected(
        "efs-iam-without-transit-encryption",
        efs(authorizationConfig={"iam": "ENABLED"}),
        C,
        EFS_TRANSIT,
    ),
    Rejected(
        "efs-access-point-transit-encryption-disabled",
        efs(transitEncryption="DISABLED", authorizationConfig={"accessPointId": "fsap-1"}),
        C,
        EFS_TRANSIT,
    ),
    Rejected(
        "two-volumes-configured-at-launch",
        task(
            volumes=[
                {"name": "a", "configuredAtLaunch": True},
                {"name": "b", "configuredAtLaunch": True},
            ]
        ),
        C,
        "Only one volume in a task definition can be configured at launch.",
    ),
    Rejected(
        "mount-unknown-volume",
        task(container(mountPoints=[{"sourceVolume": "data", "containerPath": "/data"}])),
        C,
        "Unknown volume 'data'.",
    ),
    Rejected(
        "mount-without-source-volume",
        task(container(mountPoints=[{"containerPath": "/data"}])),
        C,
        "Unknown volume 'null'.",
    ),
    Rejected(
        "mount-without-container-path",
        with_volume({"name": "data"}, mountPoints=[{"sourceVolume": "data"}]),
        C,
        "Invalid 'mountPoints' setting for container 'web'. "
        "'containerPath' should not be null or empty.",
    ),
    # volumesFrom
    Rejected(
        "volumes-from-unknown-container",
        task(container(volumesFrom=[{"sourceContainer": "db"}])),
        C,
        "Invalid 'volumesFrom' setting. Unknown container: 'db'.",
    ),
    Rejected(
        "volumes-from-itself",
        task(container(volumesFrom=[{"sourceContainer": "web"}])),
        C,
        "Invalid 'volumesFrom' setting. Container 'web' cannot mount its own volumes.",
    ),
]

ACCEPTED = [
    Accepted("bridge-dynamic-host-port-omitted", ports({"containerPort": 80})),
    Accepted("bridge-dynamic-host-port-zero", ports({"containerPort": 80, "hostPort": 0})),
    Accepted("bridge-static-host-port", ports({"containerPort": 80, "hostPort": 8080})),
    Accepted("host-mode-host-port-omitted", ports({"containerPort": 80}, mode="host")),
    Accepted("awsvpc-host-port-equal", ports({"containerPort": 80, "hostPort": 80}, mode="awsvpc")),
    Accepted("awsvpc-host-port-zero", ports({"containerPort": 80, "hostPort": 0}, mode="awsvpc")),
    Accepted(
        "different-ports-tcp-and-udp",
        ports({"containerPort": 53}, {"containerPort": 54, "protocol": "udp"}),
    ),
    Accepted("port-range-bridge", ports({"containerPortRange": "8000-8010"})),
    Accepted("port-range-awsvpc", ports({"containerPortRange": "8000-8010"}, mode="awsvpc")),
    Accepted(
        "port-mapping-name",
        ports({"containerPort": 80, "name": "web-80_tcp", "appProtocol": "http"}),
    ),
    Accepted("link-with-alias", task(container(links=["db:database"]), container(name="db"))),
    Accepted("hostname-in-bridge", task(container(hostname="web"))),
    Accepted(
        "empty-host-volume",
        with_volume(
            {"name": "scratch"}, mountPoints=[{"sourceVolume": "scratch", "containerPath": "/s"}]
        ),
    ),
    Accepted(
        "docker-shared-autoprovision",
        with_volume(
            {
                "name": "data",
                "dockerVolumeConfiguration": {
                    "scope": "shared",
                    "autoprovision": True,
                    "driver": "local",
                },
            }
        ),
    ),
    Accepted(
        "efs-access-point",
        efs(
            rootDirectory="/",
            transitEncryption="ENABLED",
            authorizationConfig={"accessPointId": "fsap-1", "iam": "ENABLED"},
        ),
    ),
    Accepted("configured-at-launch", task(volumes=[{"name": "ebs", "configuredAtLaunch": True}])),
    Accepted(
        "volumes-from-sibling",
        task(
            container(volumesFrom=[{"sourceContainer": "db", "readOnly": True}]),
            container(name="db"),
        ),
    ),
]


@pytest.mark.parametrize("case", REJECTED, ids=lambda case: case.id)
def test_rejected(case: Rejected) -> None:
    with pytest.raises(case.error) as raised:
        register(case.params)
    assert type(raised.value) is case.error
    assert raised.value.message == case.message


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.id)
def test_accepted(case: Accepted) -> None:
    assert register(case.params).status == "ACTIVE"
