"""container_spec's task-relative and host-facing mappings: mounts, volumesFrom, links, DNS,
hosts, linuxParameters and logConfiguration (ecs-reference §5.4, §5.6, §5.7)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from dockyard.agent.docker.linux import LinuxSpec
from dockyard.agent.docker.logconfig import AWSLOGS_LOCAL_OPTIONS, LogSpec
from dockyard.agent.docker.mounts import LinkSpec, MountSpec, UnresolvedReference
from dockyard.agent.docker.spec import ContainerSpec, UnsupportedNetworkMode, container_spec
from dockyard.agent.docker.volumes import MountSource, TaskVolumes
from dockyard.domain.task_definition import (
    ContainerDefinition,
    Device,
    HostEntry,
    KernelCapabilities,
    LinuxParameters,
    LogConfiguration,
    MountPoint,
    SystemControl,
    Tmpfs,
    VolumeFrom,
)

ARN = "arn:aws:ecs:us-east-1:123456789012:task/default/abc"
VOLUMES = TaskVolumes(sources={"data": MountSource("/srv/data", bind=True),
                               "scratch": MountSource("ecs-shop-7-scratch-abc", bind=False)})
PEERS = {"db": "ecs-shop-7-db-aa", "files": "ecs-shop-7-files-bb"}


def spec(network_mode: str = "bridge", *, volumes: TaskVolumes | None = VOLUMES,
         peers: Mapping[str, str] = PEERS, **fields: object) -> ContainerSpec:
    definition = ContainerDefinition(name="web", image="nginx:1", **fields)  # type: ignore[arg-type]
    return container_spec(ARN, "shop", 7, "default", definition, network_mode=network_mode,
                          random_hex="00ff", volumes=volumes, peers=peers)


def changed_fields(result: ContainerSpec) -> dict[str, object]:
    baseline = ContainerSpec(name=result.name, image=result.image, labels=result.labels,
                             network_mode=result.network_mode)
    return {k: getattr(result, k) for k in ContainerSpec.__dataclass_fields__
            if getattr(result, k) != getattr(baseline, k)}


@pytest.mark.parametrize(("fields", "expected"), [
    pytest.param({"mount_points": (MountPoint(source_volume="data", container_path="/d"),
                                   MountPoint(source_volume="scratch", container_path="/s",
                                              read_only=True))},
                 {"mounts": (MountSpec("/srv/data", "/d", False, True),
                             MountSpec("ecs-shop-7-scratch-abc", "/s", True, False))},
                 id="mount-points"),
    pytest.param({"volumes_from": (VolumeFrom(source_container="files"),
                                   VolumeFrom(source_container="db", read_only=True))},
                 {"volumes_from": ("ecs-shop-7-files-bb", "ecs-shop-7-db-aa:ro")},
                 id="volumes-from"),
    pytest.param({"links": ("db", "files:storage")},
                 {"links": (LinkSpec("ecs-shop-7-db-aa", "db"),
                            LinkSpec("ecs-shop-7-files-bb", "storage"))}, id="links"),
    pytest.param({"hostname": "web1", "dns_servers": ("10.0.0.2",),
                  "dns_search_domains": ("corp",),
                  "extra_hosts": (HostEntry(hostname="db.local", ip_address="10.0.0.9"),)},
                 {"hostname": "web1", "dns_servers": ("10.0.0.2",),
                  "dns_search_domains": ("corp",), "extra_hosts": ("db.local:10.0.0.9",)},
                 id="hostname-dns-hosts"),
    pytest.param({"disable_networking": True, "interactive": True, "pseudo_terminal": True},
                 {"network_disabled": True, "interactive": True, "tty": True}, id="terminal"),
    pytest.param({"privileged": True, "docker_security_options": ("no-new-privileges",),
                  "system_controls": (SystemControl(namespace="net.core.somaxconn",
                                                    value="1024"),)},
                 {"linux": LinuxSpec(privileged=True, security_opt=("no-new-privileges",),
                                     sysctls={"net.core.somaxconn": "1024"})},
                 id="privileged-secopts-sysctls"),
    pytest.param({"linux_parameters": LinuxParameters(
                     capabilities=KernelCapabilities(add=("NET_ADMIN",), drop=("MKNOD",)),
                     init_process_enabled=True, shared_memory_size=128,
                     tmpfs=(Tmpfs(container_path="/run", size=64,
                                  mount_options=("noexec", "rw")),),
                     devices=(Device(host_path="/dev/fuse"),
                              Device(host_path="/dev/sda", container_path="/dev/xvda",
                                     permissions=("read",))))},
                 {"linux": LinuxSpec(cap_add=("NET_ADMIN",), cap_drop=("MKNOD",), init=True,
                                     shm_size_mib=128, tmpfs={"/run": "size=64m,noexec,rw"},
                                     devices=("/dev/fuse:/dev/fuse:rwm", "/dev/sda:/dev/xvda:r"))},
                 id="linux-parameters"),
    pytest.param({"memory": 256, "linux_parameters": LinuxParameters(max_swap=512)},
                 {"memory_mib": 256,
                  "linux": LinuxSpec(memory_swap_mib=768, swappiness=60)},
                 id="max-swap-default-swappiness"),
    pytest.param({"memory": 256, "linux_parameters": LinuxParameters(max_swap=0, swappiness=5)},
                 {"memory_mib": 256, "linux": LinuxSpec(memory_swap_mib=256, swappiness=5)},
                 id="max-swap-zero-disables-swap"),
    pytest.param({"linux_parameters": LinuxParameters(swappiness=5)}, {},
                 id="swappiness-without-max-swap-ignored"),
    pytest.param({"memory_reservation": 64, "linux_parameters": LinuxParameters(max_swap=10)},
                 {"memory_reservation_mib": 64}, id="max-swap-needs-a-hard-limit"),
    pytest.param({"log_configuration": LogConfiguration(log_driver="json-file",
                                                        options={"max-size": "1m"})},
                 {"log": LogSpec("json-file", {"max-size": "1m"})}, id="log-json-file"),
    pytest.param({"log_configuration": LogConfiguration(log_driver="none")},
                 {"log": LogSpec("none", {})}, id="log-none"),
    pytest.param({"log_configuration": LogConfiguration(log_driver="syslog",
                                                        options={"tag": "x"})},
                 {"log": LogSpec("syslog", {"tag": "x"})}, id="log-other-passes-through"),
    pytest.param({"log_configuration": LogConfiguration(
                     log_driver="awslogs", options={"awslogs-group": "g",
                                                    "awslogs-region": "us-east-1"})},
                 {"log": LogSpec("json-file", dict(AWSLOGS_LOCAL_OPTIONS))},
                 id="awslogs-becomes-json-file"),
])
def test_field_mapping(fields: dict[str, object], expected: dict[str, object]) -> None:
    assert changed_fields(spec(**fields)) == expected


def test_no_volumes_or_peers_needed_when_nothing_refers_to_them() -> None:
    assert changed_fields(spec(volumes=None, peers={})) == {}


@pytest.mark.parametrize(("fields", "message"), [
    pytest.param({"mount_points": (MountPoint(source_volume="nope", container_path="/x"),)},
                 "mounts volume 'nope'", id="unknown-volume"),
    pytest.param({"volumes_from": (VolumeFrom(source_container="ghost"),)},
                 "takes volumes from 'ghost'", id="unknown-volumes-from"),
    pytest.param({"links": ("ghost:g",)}, "links to 'ghost'", id="unknown-link"),
])
def test_unresolved_references_are_named(fields: dict[str, object], message: str) -> None:
    with pytest.raises(UnresolvedReference, match=message):
        spec(**fields)


def test_mount_points_need_the_task_volumes() -> None:
    with pytest.raises(UnresolvedReference, match="'data'"):
        spec(volumes=None,
             mount_points=(MountPoint(source_volume="data", container_path="/d"),))


@pytest.mark.parametrize("mode", ["host", "none"])
def test_links_need_bridge_mode(mode: str) -> None:
    with pytest.raises(UnsupportedNetworkMode, match="links"):
        spec(mode, links=("db",))
