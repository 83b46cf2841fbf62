"""Serialisation traits the nine served models barely use, exercised on a synthetic model:
flattened lists and maps, ``locationName`` on members, list members, map keys and values,
and ``timestampFormat`` — checked against botocore's own serialiser and parser.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import botocore.model
import pytest
from tests.unit.protocol.protocol_support import client_parse, client_request

from dockyard.api.protocol import ServiceSpec, parse_request, serialize_response, validate

MEMBERS = {
    "Flat": {"shape": "FlatList"},
    "FlatNamed": {"shape": "FlatNamedList"},
    "Wrapped": {"shape": "NamedMemberList"},
    "Renamed": {"shape": "Text", "locationName": "OtherName"},
    "FlatMap": {"shape": "FlatMap"},
    "NamedMap": {"shape": "NamedMap"},
    "Epoch": {"shape": "EpochTime"},
    "Nested": {"shape": "Node"},
}
SHAPES: dict[str, Any] = {
    "EchoInput": {"type": "structure", "members": MEMBERS},
    "EchoOutput": {"type": "structure", "members": MEMBERS},
    "Text": {"type": "string"},
    "Count": {"type": "integer"},
    "FlatList": {"type": "list", "member": {"shape": "Text"}, "flattened": True},
    "FlatNamedList": {"type": "list", "member": {"shape": "Text", "locationName": "Item"},
                      "flattened": True},
    "NamedMemberList": {"type": "list", "member": {"shape": "Text", "locationName": "Entry"}},
    "FlatMap": {"type": "map", "key": {"shape": "Text", "locationName": "Name"},
                "value": {"shape": "Count", "locationName": "Amount"}, "flattened": True},
    "NamedMap": {"type": "map", "key": {"shape": "Text", "locationName": "K"},
                 "value": {"shape": "Text", "locationName": "V"}},
    "EpochTime": {"type": "timestamp", "timestampFormat": "unixTimestamp"},
    "Node": {"type": "structure", "members": {"Label": {"shape": "Text"},
                                              "Child": {"shape": "Node"}}},
}


def _spec(protocol: str) -> ServiceSpec:
    metadata: dict[str, Any] = {
        "apiVersion": "2020-01-01", "protocol": protocol, "protocols": [protocol],
        "serviceId": "Synthetic", "endpointPrefix": "synthetic", "signatureVersion": "v4",
        "xmlNamespace": "https://synthetic.test/doc/2020-01-01/",
        "jsonVersion": "1.1", "targetPrefix": "Synthetic_20200101",
    }
    model = botocore.model.ServiceModel({
        "metadata": metadata,
        "operations": {"Echo": {
            "name": "Echo", "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "EchoInput"},
            "output": {"shape": "EchoOutput", "resultWrapper": "EchoResult"},
        }},
        "shapes": copy.deepcopy(SHAPES),
    }, service_name="synthetic")
    return ServiceSpec(
        name="synthetic", protocol=protocol,
        json_version="1.1" if protocol == "json" else None,
        target_prefix="Synthetic_20200101" if protocol == "json" else None,
        signing_name="synthetic", model=model, validation_error_code="ValidationError",
        internal_error_code="InternalFailure", xml_namespace=metadata["xmlNamespace"],
    )


VALUE = {
    "Flat": ["a", "b"],
    "FlatNamed": ["c"],
    "Wrapped": ["d", "e"],
    "Renamed": "renamed <&> value",
    "FlatMap": {"x": 1, "y": 2},
    "NamedMap": {"k1": "v1"},
    "Epoch": datetime.datetime(2024, 5, 1, 12, 30, 45, tzinfo=datetime.UTC),
    "Nested": {"Label": "root", "Child": {"Label": "leaf", "Child": {"Label": "deeper"}}},
}


@pytest.mark.parametrize("protocol", ["json", "query"])
def test_request_traits_round_trip(protocol: str) -> None:
    spec = _spec(protocol)
    _, body = client_request(spec, "Echo", VALUE)
    parsed = parse_request(spec, "Echo", body)
    validate(spec, parsed.operation, parsed.params)
    assert parsed.params == VALUE


@pytest.mark.parametrize("protocol", ["json", "query"])
def test_response_traits_round_trip(protocol: str) -> None:
    spec = _spec(protocol)
    operation = spec.model.operation_model("Echo")
    response = serialize_response(spec, operation, VALUE, request_id="rid")
    assert client_parse(spec, "Echo", response) == VALUE


def test_xml_uses_location_names_and_flattening() -> None:
    spec = _spec("query")
    operation = spec.model.operation_model("Echo")
    _, _, body = serialize_response(spec, operation, VALUE, request_id="rid")
    xml = body.decode()
    assert "<Flat>a</Flat><Flat>b</Flat>" in xml
    assert "<Item>c</Item>" in xml
    assert "<Wrapped><Entry>d</Entry><Entry>e</Entry></Wrapped>" in xml
    assert "<OtherName>renamed &lt;&amp;&gt; value</OtherName>" in xml
    assert "<FlatMap><Name>x</Name><Amount>1</Amount></FlatMap>" in xml
    assert "<NamedMap><entry><K>k1</K><V>v1</V></entry></NamedMap>" in xml
    assert "<Epoch>1714566645.0</Epoch>" in xml


def test_json_uses_location_names() -> None:
    spec = _spec("json")
    operation = spec.model.operation_model("Echo")
    _, _, body = serialize_response(spec, operation, {"Renamed": "r"}, request_id="rid")
    assert body == b'{"OtherName":"r"}'
