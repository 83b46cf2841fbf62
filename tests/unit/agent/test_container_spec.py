"""The pure ECS container definition → Docker create mapping (ecs-reference §5.2, §5.3, §5.8)."""

from __future__ import annotations

import pytest

from dockyard.agent.docker.spec import (
    ContainerSpec,
    HealthcheckSpec,
    PortPublication,
    UlimitSpec,
    UnsupportedNetworkMode,
    container_name,
    container_spec,
    cpu_shares,
)
from dockyard.domain.task_definition_container import (
    ContainerDefinition,
    HealthCheck,
    KeyValuePair,
    PortMapping,
    Ulimit,
)

ARN = "arn:aws:ecs:us-east-1:123456789012:task/default/abc"
S = 1_000_000_000


def spec(network_mode: str = "bridge", **fields: object) -> ContainerSpec:
    definition = ContainerDefinition(name="web", image="nginx:1", **fields)  # type: ignore[arg-type]
    return container_spec(ARN, "shop", 7, "default", definition,
                          network_mode=network_mode, random_hex="00ff")


def test_name_labels_and_image_follow_the_agent() -> None:
    result = spec(docker_labels={"team": "a", "com.amazonaws.ecs.cluster": "spoofed"})
    assert result.name == "ecs-shop-7-web-00ff"
    assert result.image == "nginx:1"
    assert result.labels == {
        "team": "a",
        "com.amazonaws.ecs.task-arn": ARN,
        "com.amazonaws.ecs.container-name": "web",
        "com.amazonaws.ecs.task-definition-family": "shop",
        "com.amazonaws.ecs.task-definition-version": "7",
        "com.amazonaws.ecs.cluster": "default",
    }


@pytest.mark.parametrize(("fields", "expected"), [
    pytest.param({}, {}, id="defaults"),
    pytest.param({"command": ("a", "b"), "entry_point": ("sh", "-c")},
                 {"command": ("a", "b"), "entrypoint": ("sh", "-c")}, id="command-entrypoint"),
    pytest.param({"environment": (KeyValuePair(name="A", value="1"), KeyValuePair(name="B"),
                                  KeyValuePair(value="orphan"))},
                 {"environment": {"A": "1", "B": ""}}, id="environment"),
    pytest.param({"working_directory": "/srv", "user": "1000:1000"},
                 {"working_dir": "/srv", "user": "1000:1000"}, id="workdir-user"),
    pytest.param({"memory": 512, "memory_reservation": 256},
                 {"memory_mib": 512, "memory_reservation_mib": 256}, id="memory"),
    pytest.param({"ulimits": (Ulimit(name="nofile", soft_limit=1024, hard_limit=4096),)},
                 {"ulimits": (UlimitSpec("nofile", 1024, 4096),)}, id="ulimits"),
    pytest.param({"readonly_root_filesystem": True}, {"read_only": True}, id="read-only"),
    pytest.param({"stop_timeout": 5}, {"stop_timeout": 5}, id="stop-timeout"),
    pytest.param({"health_check": HealthCheck(command=("CMD-SHELL", "curl -f localhost"))},
                 {"healthcheck": HealthcheckSpec(("CMD-SHELL", "curl -f localhost"),
                                                 30 * S, 5 * S, 3, 0)}, id="healthcheck-defaults"),
    pytest.param({"health_check": HealthCheck(command=("CMD", "true"), interval=5, timeout=2,
                                              retries=1, start_period=10)},
                 {"healthcheck": HealthcheckSpec(("CMD", "true"), 5 * S, 2 * S, 1, 10 * S)},
                 id="healthcheck-cmd"),
])
def test_field_mapping(fields: dict[str, object], expected: dict[str, object]) -> None:
    result = spec(**fields)
    baseline = ContainerSpec(name=result.name, image=result.image, labels=result.labels)
    changed = {k: getattr(result, k) for k in ContainerSpec.__dataclass_fields__
               if getattr(result, k) != getattr(baseline, k)}
    assert changed == expected


@pytest.mark.parametrize(("cpu", "shares"), [
    (0, 2), (1, 2), (2, 2), (None, 2), (256, 256), (1024, 1024), (300_000, 262144),
])
def test_cpu_becomes_cpu_shares_with_the_agents_floor_and_cap(cpu: int | None, shares: int) -> None:
    assert cpu_shares(cpu) == shares


@pytest.mark.parametrize(("mapping", "expected"), [
    pytest.param(PortMapping(container_port=80), PortPublication(80, "tcp", "127.0.0.1", None),
                 id="omitted-dynamic"),
    pytest.param(PortMapping(container_port=80, host_port=0),
                 PortPublication(80, "tcp", "127.0.0.1", None), id="zero-dynamic"),
    pytest.param(PortMapping(container_port=80, host_port=8080),
                 PortPublication(80, "tcp", "127.0.0.1", 8080), id="static"),
    pytest.param(PortMapping(container_port=53, protocol="udp"),
                 PortPublication(53, "udp", "127.0.0.1", None), id="udp"),
    pytest.param(PortMapping(container_port=53, protocol="sctp"),
                 PortPublication(53, "tcp", "127.0.0.1", None), id="other-is-tcp"),
])
def test_bridge_mode_publishes_ports_on_host_ip(mapping: PortMapping,
                                                expected: PortPublication) -> None:
    assert spec(port_mappings=(mapping,)).ports == (expected,)


def test_host_ip_is_a_parameter() -> None:
    definition = ContainerDefinition(name="web", image="i",
                                     port_mappings=(PortMapping(container_port=80),))
    result = container_spec(ARN, "f", 1, "c", definition, network_mode="bridge",
                            random_hex="ab", host_ip="0.0.0.0")
    assert result.ports == (PortPublication(80, "tcp", "0.0.0.0", None),)


@pytest.mark.parametrize("mode", ["host", "none"])
def test_host_and_none_modes_publish_nothing(mode: str) -> None:
    result = spec(mode, port_mappings=(PortMapping(container_port=80, host_port=80),))
    assert (result.network_mode, result.ports) == (mode, ())


@pytest.mark.parametrize("mode", ["awsvpc", "default", ""])
def test_unsupported_network_modes_are_refused(mode: str) -> None:
    with pytest.raises(UnsupportedNetworkMode):
        spec(mode)


@pytest.mark.parametrize(("family", "name", "expected"), [
    ("shop", "web", "ecs-shop-3-web-beef"),
    ("my/fam", "a:b", "ecs-myfam-3-ab-beef"),
])
def test_container_name_drops_chars_docker_rejects(family: str, name: str, expected: str) -> None:
    assert container_name(family, 3, name, "beef") == expected


@pytest.mark.parametrize("bad", ["", "XYZ", "beef!"])
def test_container_name_requires_hex_randomness(bad: str) -> None:
    with pytest.raises(ValueError, match="random_hex"):
        container_name("f", 1, "c", bad)
