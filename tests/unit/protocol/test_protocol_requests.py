"""Request round trip through botocore's own client serialiser, for every operation served.

generated valid params ─► botocore serializer ─► bytes ─► identify ─► parse_request ─► validate
and the params must come back unchanged (after botocore's own normalisation of timestamps).
"""

from __future__ import annotations

from typing import Any

import botocore.loaders
import pytest
from tests.unit.protocol.protocol_support import (
    CATALOG,
    Infeasible,
    ValueGenerator,
    client_request,
    op_id,
    operations,
)

from dockyard.api.protocol import ServiceSpec, identify, parse_request, validate

OPERATIONS = list(operations())


def _scope(spec: ServiceSpec) -> str:
    return spec.signing_name


def _round_trip(spec: ServiceSpec, op: str, params: dict[str, Any]) -> dict[str, Any]:
    headers, body = client_request(spec, op, params)
    found, name = identify(CATALOG, headers=headers, body=body, scope_service=_scope(spec))
    assert (found, name) == (spec, op)
    parsed = parse_request(found, name, body)
    validate(found, parsed.operation, parsed.params)
    return parsed.params


@pytest.mark.parametrize(("spec", "op"), OPERATIONS, ids=[op_id(s, o) for s, o in OPERATIONS])
def test_generated_params_round_trip(spec: ServiceSpec, op: str) -> None:
    if spec.model.operation_model(op).get_event_stream_input():
        pytest.skip("event-stream input")
    shape = spec.model.operation_model(op).input_shape
    generator = ValueGenerator(skip_empty=spec.protocol == "query")
    try:
        params = {} if shape is None else generator.value(shape)
    except Infeasible:
        pytest.skip("no finite valid input")
    assert _round_trip(spec, op, params) == params


@pytest.mark.parametrize(("spec", "op"), OPERATIONS, ids=[op_id(s, o) for s, o in OPERATIONS])
def test_required_only_params_round_trip(spec: ServiceSpec, op: str) -> None:
    shape = spec.model.operation_model(op).input_shape
    generator = ValueGenerator(max_depth=0, skip_empty=spec.protocol == "query")
    try:
        params = {} if shape is None else generator.value(shape)
    except Infeasible:
        pytest.skip("no finite valid input")
    assert _round_trip(spec, op, params) == params


def _examples() -> list[tuple[ServiceSpec, str, dict[str, Any]]]:
    loader = botocore.loaders.create_loader()
    cases: list[tuple[ServiceSpec, str, dict[str, Any]]] = []
    for name in CATALOG.names:
        spec = CATALOG.get(name)
        try:
            examples = loader.load_service_model(name, "examples-1")["examples"]
        except botocore.exceptions.DataNotFoundError:
            continue
        for op, entries in examples.items():
            cases.extend((spec, op, entry.get("input", {})) for entry in entries)
    return cases


EXAMPLES = _examples()


@pytest.mark.parametrize(
    ("spec", "op", "params"),
    EXAMPLES,
    ids=[f"{s.name}.{o}.{i}" for i, (s, o, _) in enumerate(EXAMPLES)],
)
def test_botocore_examples_round_trip(spec: ServiceSpec, op: str, params: dict[str, Any]) -> None:
    assert _round_trip(spec, op, params) == params


def test_examples_cover_ecs() -> None:
    assert sum(1 for spec, _, _ in EXAMPLES if spec.name == "ecs") >= 20
