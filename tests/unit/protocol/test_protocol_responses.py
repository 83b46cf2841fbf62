"""Response round trip through botocore's own client parser, for every operation served.

generated result ─► serialize_response ─► bytes ─► botocore parser ─► the same result.
Errors: serialize_error ─► botocore parser ─► Error.Code and Error.Message.
"""

from __future__ import annotations

from typing import Any

import botocore.loaders
import pytest
from tests.unit.protocol.protocol_support import (
    CATALOG,
    RESPONSE_TIME,
    Infeasible,
    ValueGenerator,
    canonical,
    client_parse,
    has_event_stream,
    op_id,
    operations,
)

from dockyard.api.protocol import ServiceSpec, serialize_error, serialize_response
from dockyard.domain.errors import ApiError, ServerException, ValidationError

OPERATIONS = list(operations())
REQUEST_ID = "5f1c0c8e-0000-4000-8000-000000000001"


@pytest.mark.parametrize(("spec", "op"), OPERATIONS, ids=[op_id(s, o) for s, o in OPERATIONS])
def test_generated_result_round_trips(spec: ServiceSpec, op: str) -> None:
    if has_event_stream(spec, op):
        pytest.skip("event-stream output is not served by this layer")
    operation = spec.model.operation_model(op)
    shape = operation.output_shape
    try:
        result = {} if shape is None else ValueGenerator(time=RESPONSE_TIME).value(shape)
    except Infeasible:
        pytest.skip("no finite output value")
    response = serialize_response(spec, operation, result, request_id=REQUEST_ID)
    assert response[0] == 200
    assert response[1]["x-amzn-RequestId"] == REQUEST_ID
    assert client_parse(spec, op, response) == result


@pytest.mark.parametrize(
    ("service", "content_type"),
    [
        ("ecs", "application/x-amz-json-1.1"),
        ("logs", "application/x-amz-json-1.1"),
        ("cloudwatch", "application/x-amz-json-1.0"),
        ("elbv2", "text/xml"),
        ("iam", "text/xml"),
    ],
)
def test_content_type(service: str, content_type: str) -> None:
    spec = CATALOG.get(service)
    operation = spec.model.operation_model(spec.model.operation_names[0])
    _, headers, _ = serialize_response(spec, operation, {}, request_id=REQUEST_ID)
    assert headers["Content-Type"] == content_type


def test_json_drops_none_and_unknown_members_and_encodes_scalars() -> None:
    spec = CATALOG.get("ecs")
    operation = spec.model.operation_model("DescribeClusters")
    result: dict[str, Any] = {
        "clusters": [{"clusterName": "c", "status": None, "bogus": 1, "tags": []}],
        "failures": None,
        "extra": "dropped",
    }
    _, _, body = serialize_response(spec, operation, result, request_id=REQUEST_ID)
    assert body == b'{"clusters":[{"clusterName":"c","tags":[]}]}'


def test_json_timestamp_is_epoch_seconds() -> None:
    spec = CATALOG.get("ecs")
    operation = spec.model.operation_model("DescribeTaskDefinition")
    result = {"taskDefinition": {"registeredAt": RESPONSE_TIME}}
    _, _, body = serialize_response(spec, operation, result, request_id=REQUEST_ID)
    assert body == b'{"taskDefinition":{"registeredAt":1714566645.123}}'


def test_xml_document_layout() -> None:
    spec = CATALOG.get("elbv2")
    operation = spec.model.operation_model("DescribeTargetHealth")
    result = {
        "TargetHealthDescriptions": [
            {"Target": {"Id": "i-1", "Port": 80}, "TargetHealth": {"State": "healthy"}}
        ]
    }
    _, _, body = serialize_response(spec, operation, result, request_id="rid")
    assert body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/'
        '2015-12-01/"><DescribeTargetHealthResult><TargetHealthDescriptions><member>'
        "<Target><Id>i-1</Id><Port>80</Port></Target>"
        "<TargetHealth><State>healthy</State></TargetHealth>"
        "</member></TargetHealthDescriptions></DescribeTargetHealthResult>"
        "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"
        "</DescribeTargetHealthResponse>"
    )


def test_xml_operation_without_output_shape() -> None:
    spec = CATALOG.get("iam")
    operation = spec.model.operation_model("DeleteRole")
    status, _, body = serialize_response(spec, operation, {}, request_id="rid")
    assert status == 200
    assert b"<DeleteRoleResponse" in body and b"<DeleteRoleResult>" not in body
    assert client_parse(spec, "DeleteRole", (status, {}, body)) == {}


def _output_examples() -> list[tuple[ServiceSpec, str, dict[str, Any]]]:
    loader = botocore.loaders.create_loader()
    cases = []
    for name in CATALOG.names:
        try:
            examples = loader.load_service_model(name, "examples-1")["examples"]
        except botocore.exceptions.DataNotFoundError:
            continue
        for op, entries in examples.items():
            for entry in entries:
                if entry.get("output"):
                    cases.append((CATALOG.get(name), op, entry["output"]))
    return cases


OUTPUT_EXAMPLES = _output_examples()


@pytest.mark.parametrize(
    ("spec", "op", "result"),
    OUTPUT_EXAMPLES,
    ids=[f"{s.name}.{o}.{i}" for i, (s, o, _) in enumerate(OUTPUT_EXAMPLES)],
)
def test_botocore_example_outputs_round_trip(
    spec: ServiceSpec, op: str, result: dict[str, Any]
) -> None:
    operation = spec.model.operation_model(op)
    response = serialize_response(spec, operation, result, request_id=REQUEST_ID)
    assert client_parse(spec, op, response) == canonical(operation.output_shape, result)


# --- errors -------------------------------------------------------------------------------

SPECS = [CATALOG.get(name, protocol=p) for name, p in (
    ("ecs", "json"), ("application-autoscaling", "json"), ("logs", "json"), ("ssm", "json"),
    ("secretsmanager", "json"), ("cloudwatch", "json"), ("cloudwatch", "query"),
    ("elbv2", "query"), ("iam", "query"), ("sts", "query"),
)]
SPEC_IDS = [f"{s.name}.{s.protocol}" for s in SPECS]


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
@pytest.mark.parametrize("kind", ["validation", "internal"])
def test_error_codes_reach_botocore(spec: ServiceSpec, kind: str) -> None:
    code = spec.validation_error_code if kind == "validation" else spec.internal_error_code
    status = 400 if kind == "validation" else 500
    error = ApiError("bad <value> & \"quotes\" 'x'", code=code, http_status=status)
    response = serialize_error(spec, error, request_id=REQUEST_ID)
    assert response[0] == status
    parsed = client_parse(spec, None, response)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == error.message


@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_every_modeled_error_code_reaches_botocore(spec: ServiceSpec) -> None:
    for shape in spec.model.error_shapes:
        status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
        error = ApiError(f"{shape.name} happened", code=shape.error_code, http_status=status)
        parsed = client_parse(spec, None, serialize_error(spec, error, request_id=REQUEST_ID))
        assert parsed["Error"]["Code"] == shape.error_code
        # botocore's client maps the code to its typed exception (two CloudWatch shapes share
        # the code ResourceNotFound, so compare codes rather than shapes)
        modeled = spec.model.shape_for_error_code(parsed["Error"]["Code"])
        assert modeled is not None and modeled.error_code == shape.error_code


def test_json_error_envelope() -> None:
    spec = CATALOG.get("ecs")
    status, headers, body = serialize_error(spec, ServerException("boom"), request_id="rid")
    assert status == 500
    assert headers == {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-RequestId": "rid",
        "x-amzn-ErrorType": "ServerException",
    }
    assert body == b'{"__type":"ServerException","message":"boom"}'


def test_query_compatible_json_error_names_shape_and_query_code() -> None:
    spec = CATALOG.get("cloudwatch")
    error = ApiError("too big", code="InvalidParameterValue")
    _, headers, body = serialize_error(spec, error, request_id="rid")
    assert headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert body == b'{"__type":"InvalidParameterValueException","message":"too big"}'


def test_xml_error_envelope() -> None:
    spec = CATALOG.get("sts")
    error = ApiError("no", code="ValidationError")
    status, headers, body = serialize_error(spec, error, request_id="rid")
    assert (status, headers["Content-Type"]) == (400, "text/xml")
    assert body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        "<Type>Sender</Type><Code>ValidationError</Code><Message>no</Message></Error>"
        "<RequestId>rid</RequestId></ErrorResponse>"
    )


@pytest.mark.parametrize(
    ("service", "code"),
    [("ecs", "InvalidParameterException"), ("logs", "InvalidParameterException"),
     ("ssm", "ValidationException"), ("elbv2", "ValidationError")],
)
def test_domain_validation_error_takes_the_service_code(service: str, code: str) -> None:
    spec = CATALOG.get(service)
    response = serialize_error(spec, ValidationError("bad"), request_id="rid")
    assert client_parse(spec, None, response)["Error"]["Code"] == code


def test_explicit_codes_are_kept() -> None:
    spec = CATALOG.get("ecs")
    response = serialize_error(spec, ValidationError("x", code="ClientException"),
                               request_id="rid")
    assert client_parse(spec, None, response)["Error"]["Code"] == "ClientException"


def test_error_without_a_service_is_json_1_1() -> None:
    error = ApiError("what is this", code="UnknownOperationException")
    status, headers, body = serialize_error(None, error, request_id="rid")
    assert status == 400
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert body == b'{"__type":"UnknownOperationException","message":"what is this"}'
