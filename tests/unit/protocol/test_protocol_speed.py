"""A loose guard against accidental slow paths (quadratic walks, per-call model compilation).

Measured on a loaded 2-CPU container: the whole ECS RegisterTaskDefinition pipeline (identify,
parse, validate, serialize) takes ~120 µs; the bound here is generous so the test never flakes.
"""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

from tests.unit.protocol.protocol_support import CATALOG

from dockyard.api.protocol import identify, parse_request, serialize_response, validate

BODY = json.dumps({
    "family": "web",
    "networkMode": "bridge",
    "requiresCompatibilities": ["EC2"],
    "containerDefinitions": [
        {"name": "app", "image": "nginx", "cpu": 256, "memory": 512, "essential": True,
         "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
         "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
         "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}},
        {"name": "side", "image": "busybox", "memory": 64, "command": ["sleep", "3600"]},
    ],
    "tags": [{"key": "k", "value": "v"}],
}).encode()
HEADERS = {"x-amz-target": "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition"}
BUDGET_SECONDS = 0.002


def _pipeline() -> None:
    spec, op = identify(CATALOG, headers=HEADERS, body=BODY, scope_service="ecs")
    parsed = parse_request(spec, op, BODY)
    validate(spec, parsed.operation, parsed.params)
    result: dict[str, Any] = {"taskDefinition": {
        **parsed.params, "revision": 1, "status": "ACTIVE",
        "registeredAt": datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)}}
    serialize_response(spec, parsed.operation, result, request_id="r")


def test_register_task_definition_pipeline_is_fast() -> None:
    _pipeline()
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        _pipeline()
    assert (time.perf_counter() - started) / rounds < BUDGET_SECONDS
