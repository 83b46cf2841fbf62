"""Any RegisterTaskDefinition body, well-typed or not, ends in a revision or an ApiError.

Bodies come from botocore's input shape: each member is usually a value of its modelled type and
sometimes arbitrary JSON. Whatever is accepted must survive the document round trip.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.domain import task_definition as api
from dockyard.domain.errors import ApiError

ECS = botocore.session.get_session().get_service_model("ecs")

SCALARS = st.none() | st.booleans() | st.integers(-(2**33), 2**33) | st.text(max_size=12)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def for_shape(shape: Any, name: str = "", depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of ``shape``'s type nine times in ten, arbitrary JSON otherwise."""
    if depth > 5:
        return ANY_JSON
    kind = shape.type_name
    if kind == "structure":
        members = {m: for_shape(s, m, depth + 1) for m, s in shape.members.items()}
        typed: st.SearchStrategy[Any] = st.fixed_dictionaries({}, optional=members)
    elif kind == "list":
        typed = st.lists(for_shape(shape.member, name, depth + 1), max_size=3)
    elif kind == "map":
        typed = st.dictionaries(
            st.text(max_size=8), for_shape(shape.value, name, depth + 1), max_size=2
        )
    elif kind == "string" and name in ("cpu", "memory"):
        typed = st.sampled_from(["256", "512", "1 vCPU", "2 GB", "0", "x"])
    elif kind == "string":
        typed = st.sampled_from(shape.enum) if shape.enum else st.text(max_size=24)
    elif kind == "integer":
        typed = st.integers(-5, 70000)
    elif kind == "boolean":
        typed = st.booleans()
    else:
        typed = ANY_JSON
    return st.one_of(typed, typed, typed, typed, typed, typed, typed, typed, typed, ANY_JSON)


REQUESTS = for_shape(ECS.shape_for("RegisterTaskDefinitionRequest"))

NAMES = st.sampled_from(["web", "db", "side"])
PORT_MAPPINGS = st.lists(
    st.fixed_dictionaries(
        {"containerPort": st.sampled_from([80, 443, 8080, 0])},
        optional={
            "hostPort": st.sampled_from([0, 80, 8080, 70000]),
            "protocol": st.sampled_from(["tcp", "udp"]),
            "containerPortRange": st.sampled_from(["9000-9009", "9005-9010", "bad"]),
        },
    ),
    max_size=3,
)
CONTAINERS = st.fixed_dictionaries(
    {
        "name": NAMES,
        "image": st.sampled_from(["nginx", "nginx", "nginx", ""]),
        "memory": st.sampled_from([4, 64, 512, 512]),
    },
    optional={
        "cpu": st.integers(0, 2048),
        "memoryReservation": st.sampled_from([6, 128, 1024]),
        "essential": st.booleans(),
        "portMappings": PORT_MAPPINGS,
        "links": st.lists(NAMES, max_size=2),
        "dependsOn": st.lists(
            st.fixed_dictionaries(
                {"containerName": NAMES, "condition": st.sampled_from(["START", "HEALTHY"])}
            ),
            max_size=2,
        ),
        "volumesFrom": st.lists(st.fixed_dictionaries({"sourceContainer": NAMES}), max_size=1),
        "mountPoints": st.lists(
            st.fixed_dictionaries(
                {"sourceVolume": st.sampled_from(["data", "x"]), "containerPath": st.just("/d")}
            ),
            max_size=1,
        ),
        "healthCheck": st.fixed_dictionaries({"command": st.just(["CMD", "true"])}),
        "hostname": st.just("h"),
    },
)
PLAUSIBLE = st.fixed_dictionaries(
    {
        "family": st.sampled_from(["web", "bad name"]),
        "containerDefinitions": st.lists(
            CONTAINERS, min_size=1, max_size=3, unique_by=lambda c: str(c["name"])
        ),
    },
    optional={
        "networkMode": st.sampled_from(["bridge", "host", "awsvpc", "none"]),
        "cpu": st.sampled_from(["256", "1 vCPU", "64"]),
        "memory": st.sampled_from(["512", "2 GB", "3072"]),
        "requiresCompatibilities": st.lists(
            st.sampled_from(["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]), max_size=2
        ),
        "volumes": st.just([{"name": "data"}]),
        "pidMode": st.sampled_from(["host", "task"]),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REQUESTS | PLAUSIBLE)
def test_any_body_registers_or_fails_with_an_api_error(body: Any) -> None:
    if not isinstance(body, dict):
        return
    try:
        reg = api.registration_from_request(body)
        api.validate_registration(reg)
    except ApiError:
        return
    td = api.build_task_definition(
        reg, revision=1, registered_at=datetime(2026, 1, 1, tzinfo=UTC), registered_by=None
    )
    doc = api.task_definition_to_document(td)
    assert api.task_definition_from_document(doc) == td
    assert "EC2" in td.compatibilities
    assert api.task_cpu_units(td) >= 0 and api.task_memory_mib(td) >= 0


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=10), ANY_JSON, max_size=6))
def test_any_document_decodes_or_fails_with_an_api_error(doc: dict[str, Any]) -> None:
    try:
        td = api.task_definition_from_document({**doc, "revision": 1})
    except ApiError:
        return
    assert api.task_definition_from_document(api.task_definition_to_document(td)) == td
