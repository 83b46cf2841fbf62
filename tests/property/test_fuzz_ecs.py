"""Arbitrary JSON bodies for every ECS operation never produce a 5xx or a traceback.

Bodies are generated from the botocore input shapes: each member gets either a value of its
modelled type (within or outside its constraints) or arbitrary JSON, so requests reach deep
into handlers as well as bouncing off the validator. Requests are properly signed and go
through the real dispatcher on a real SQLite store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.api.auth.sigv4 import SignedRequest
from dockyard.api.server import build_dispatcher
from dockyard.infra.settings import Settings

MODEL = botocore.session.get_session().get_service_model("ecs")
OPERATIONS = sorted(MODEL.operation_names)
TARGET = MODEL.metadata["targetPrefix"]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
any_json = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def for_shape(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of the shape's type most of the time, arbitrary JSON sometimes."""
    if depth > 4:
        return any_json
    kind = shape.type_name
    if kind == "structure":
        members = {name: for_shape(member, depth + 1) for name, member in shape.members.items()}
        typed = st.fixed_dictionaries({}, optional=members)
    elif kind == "list":
        typed = st.lists(for_shape(shape.member, depth + 1), max_size=4)
    elif kind == "map":
        typed = st.dictionaries(st.text(max_size=10), for_shape(shape.value, depth + 1), max_size=3)
    elif kind == "string":
        enum = shape.enum
        typed = st.sampled_from(enum) | st.text(max_size=40) if enum else st.text(max_size=60)
    elif kind in ("integer", "long"):
        typed = st.integers(-(2**33), 2**33)
    elif kind in ("double", "float"):
        typed = st.floats(allow_nan=False, allow_infinity=False)
    elif kind == "boolean":
        typed = st.booleans()
    elif kind == "timestamp":
        typed = st.integers(0, 2**32) | st.text(max_size=30)
    else:
        typed = any_json
    return st.one_of(typed, typed, typed, any_json)


@pytest.fixture(scope="module")
def dispatcher(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    return build_dispatcher(Settings(data_dir=data_dir))


def _credentials(dispatcher) -> Credentials:  # type: ignore[no-untyped-def]
    import configparser

    parser = configparser.ConfigParser()
    parser.read(dispatcher.deps.settings.data_dir / "credentials")
    section = parser["dockyard"]
    return Credentials(section["aws_access_key_id"], section["aws_secret_access_key"])


@st.composite
def ecs_requests(draw: st.DrawFn) -> tuple[str, bytes]:
    operation = draw(st.sampled_from(OPERATIONS))
    input_shape = MODEL.operation_model(operation).input_shape
    body = draw(for_shape(input_shape) if input_shape is not None else any_json)
    raw = json.dumps(body).encode()
    if draw(st.integers(0, 20)) == 0:
        raw = raw[: draw(st.integers(0, len(raw)))]  # truncated JSON now and then
    return operation, raw


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=ecs_requests())
def test_no_server_errors(dispatcher, request: tuple[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    operation, body = request
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"{TARGET}.{operation}",
        "Host": "127.0.0.1:8780",
    }
    aws = AWSRequest(method="POST", url="http://127.0.0.1:8780/", data=body, headers=headers)
    SigV4Auth(_credentials(dispatcher), "ecs", "us-east-1").add_auth(aws)
    signed = SignedRequest(
        method="POST",
        raw_path="/",
        raw_query="",
        headers=[(k.lower(), v) for k, v in aws.headers.items()],
        body=body,
    )
    status, _headers, payload = dispatcher.handle(signed)
    assert status < 500, (operation, body, payload)
    assert b"Traceback" not in payload
    if status >= 400:
        error = json.loads(payload)
        assert error["__type"] and error["message"]
