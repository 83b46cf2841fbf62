"""What an agent registers (ecs-reference §7.1, §7.2)."""

from __future__ import annotations

import pytest

from dockyard.agent.host import HostFacts, RegistrationOptions, registration_request

FACTS = HostFacts(cpu_count=2, memory_mib=24000, architecture="x86_64", docker_version="20.10.24")


def resources(request: dict[str, object]) -> dict[str, object]:
    return {
        r["name"]: r.get("integerValue", r.get("stringSetValue"))  # type: ignore[index, union-attr]
        for r in request["totalResources"]  # type: ignore[attr-defined]
    }


def attributes(request: dict[str, object]) -> dict[str, object]:
    return {a["name"]: a.get("value") for a in request["attributes"]}  # type: ignore[attr-defined, index, union-attr]


def test_defaults_follow_the_ecs_agent() -> None:
    request = registration_request("prod", FACTS, RegistrationOptions(), region="eu-west-1")
    assert resources(request) == {
        "CPU": 2048, "MEMORY": 24000,
        "PORTS": ["22", "2375", "2376", "51678", "51679"], "PORTS_UDP": [],
    }
    attrs = attributes(request)
    assert attrs["ecs.availability-zone"] == "eu-west-1a"
    assert attrs["ecs.cpu-architecture"] == "x86_64" and attrs["ecs.os-type"] == "linux"
    assert "ecs.capability.container-health-check" in attrs
    assert "com.amazonaws.ecs.capability.docker-remote-api.1.41" in attrs
    assert "containerInstanceArn" not in request


def test_overrides_reservation_custom_attributes_and_reregistration() -> None:
    options = RegistrationOptions(
        cpu_units=512, memory_mib=4096, reserved_memory_mib=96, attributes=[("stack", "blue")],
    )
    request = registration_request("c", FACTS, options, region="us-east-1", instance_arn="arn:x")
    assert resources(request)["CPU"] == 512 and resources(request)["MEMORY"] == 4000
    assert attributes(request)["stack"] == "blue"
    assert request["containerInstanceArn"] == "arn:x"


def test_reservation_larger_than_memory_is_refused() -> None:
    with pytest.raises(ValueError, match="reserved memory"):
        registration_request("c", FACTS, RegistrationOptions(reserved_memory_mib=24000), region="r")


def test_arm_hosts_report_arm64() -> None:
    facts = HostFacts(cpu_count=1, memory_mib=100, architecture="aarch64")
    assert attributes(registration_request("c", facts, RegistrationOptions(), region="r"))[
        "ecs.cpu-architecture"] == "arm64"
