"""Property tests: any text survives every codec, and range checks agree with arithmetic."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.protocol.protocol_support import CATALOG, client_parse, client_request

from dockyard.api.protocol import parse_request, serialize_response, validate
from dockyard.domain.errors import ValidationError

# XML 1.0 cannot carry most C0 controls at all; the XML codec replaces them (tested below).
XML_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\x01\x02\x03\x04\x05"
                  "\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                  "\x1b\x1c\x1d\x1e\x1f\ufffe\uffff")
)
ANY_TEXT = st.text(st.characters(blacklist_categories=["Cs"]))


@settings(max_examples=150, deadline=None)
@given(name=ANY_TEXT)
def test_any_text_round_trips_through_json_responses(name: str) -> None:
    spec = CATALOG.get("ecs")
    operation = spec.model.operation_model("DescribeClusters")
    result = {"clusters": [{"clusterName": name}]}
    response = serialize_response(spec, operation, result, request_id="r")
    assert client_parse(spec, "DescribeClusters", response) == result


@settings(max_examples=150, deadline=None)
@given(name=XML_TEXT)
def test_any_xml_text_round_trips_through_xml_responses(name: str) -> None:
    spec = CATALOG.get("elbv2")
    operation = spec.model.operation_model("DescribeLoadBalancers")
    result = {"LoadBalancers": [{"LoadBalancerName": name}]}
    response = serialize_response(spec, operation, result, request_id="r")
    assert client_parse(spec, "DescribeLoadBalancers", response) == result


def test_characters_xml_cannot_carry_become_replacement_characters() -> None:
    spec = CATALOG.get("elbv2")
    operation = spec.model.operation_model("DescribeLoadBalancers")
    result = {"LoadBalancers": [{"LoadBalancerName": "a\x00b\x1bc"}]}
    response = serialize_response(spec, operation, result, request_id="r")
    parsed = client_parse(spec, "DescribeLoadBalancers", response)
    assert parsed["LoadBalancers"][0]["LoadBalancerName"] == "a\ufffdb\ufffdc"


@settings(max_examples=150, deadline=None)
@given(service=st.sampled_from(["ecs", "elbv2"]), value=ANY_TEXT)
def test_any_text_round_trips_through_requests(service: str, value: str) -> None:
    spec = CATALOG.get(service)
    op, params = (
        ("DescribeClusters", {"clusters": [value]}) if service == "ecs"
        else ("DescribeLoadBalancers", {"Names": [value]})
    )
    _, body = client_request(spec, op, params)
    assert parse_request(spec, op, body).params == params


@settings(max_examples=200, deadline=None)
@given(weight=st.integers(-(2**40), 2**40), base=st.integers(-5, 100_005))
def test_range_checks_agree_with_the_model_bounds(weight: int, base: int) -> None:
    spec = CATALOG.get("ecs")
    operation = spec.model.operation_model("PutClusterCapacityProviders")
    params: dict[str, Any] = {
        "cluster": "c",
        "capacityProviders": ["cp"],
        "defaultCapacityProviderStrategy": [
            {"capacityProvider": "cp", "weight": weight, "base": base}
        ],
    }
    expected = int(not 0 <= weight <= 1000) + int(not 0 <= base <= 100_000)
    try:
        validate(spec, operation, params)
        found = 0
    except ValidationError as error:
        found = int(error.message.split(" ", 1)[0])
    assert found == expected
