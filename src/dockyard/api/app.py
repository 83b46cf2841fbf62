"""The Starlette application: one endpoint serves every AWS API Dockyard speaks.

``POST /`` (and ``GET /`` for query-protocol clients) carries AWS requests; ``GET
/_dockyard/health`` is an unsigned readiness probe for scripts and tests; ``GET /metrics`` is
Prometheus' scrape (load-balancer counters, service CPU / memory utilisation).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dockyard.api.agent_channel import AgentChannel, AgentNotifier
from dockyard.api.cloudwatch.prometheus import service_utilization_text
from dockyard.api.dispatch import Dispatcher
from dockyard.api.ecs.agent_reports import AGENT_CHANNEL_PATH
from dockyard.api.housekeeping import Background, lifespan
from dockyard.api.http import signed_request

MAX_REQUEST_BYTES = 16 * 1024 * 1024
"""Largest body read before authentication. AWS JSON and query APIs cap requests far lower
(ECS overrides ≤ 8 KiB, RegisterTaskDefinition ≤ 64 KiB, CloudWatch PutMetricData 1 MB); the
cap only keeps an unauthenticated client from making the server buffer without limit."""


async def _bounded_body(request: Request) -> bytes | None:
    """The whole body, or None as soon as it is known to exceed :data:`MAX_REQUEST_BYTES`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(dispatcher: Dispatcher, background: Sequence[Background] = ()) -> Starlette:
    notifier = dispatcher.deps.notifier
    if not isinstance(notifier, AgentNotifier):
        raise TypeError("the dispatcher's notifier must be the agent channel's AgentNotifier")
    channel = AgentChannel(
        dispatcher.authenticator, dispatcher.deps, notifier, dispatcher.authorizer
    )
    return _app(dispatcher, channel, background)


def _app(
    dispatcher: Dispatcher, channel: AgentChannel, background: Sequence[Background]
) -> Starlette:
    """An ASGI app around ``dispatcher``.

    The pipeline runs on the event loop itself: its database work is short (SQLite in-process,
    or one PostgreSQL round trip per statement) and a thread-pool hop cost more CPU than it
    saved (bench/api_throughput.py: 290 → 390 req/s at 8 clients). Anything that waits long
    (the agent channel's long-polls) is a native ``async`` route instead.
    """

    async def aws_endpoint(request: Request) -> Response:
        body = await _bounded_body(request)
        if body is None:
            error = {
                "__type": "RequestEntityTooLargeException",
                "message": f"Request body exceeds {MAX_REQUEST_BYTES} bytes.",
            }
            return JSONResponse(
                error, status_code=413, headers={"x-amzn-ErrorType": error["__type"]}
            )
        signed = signed_request(request, body)
        status, headers, payload = dispatcher.handle(signed)
        return Response(payload, status_code=status, headers=headers)

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def metrics(_request: Request) -> Response:
        """The data plane's counters and the services' utilisation gauges."""
        deps = dispatcher.deps
        text = deps.dataplane.metrics() + service_utilization_text(deps.store, deps.clock.now())
        return Response(text, media_type="text/plain; version=0.0.4")

    return Starlette(
        lifespan=lifespan(dispatcher.deps, background),
        routes=[
            Route("/_dockyard/health", health, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route(AGENT_CHANNEL_PATH + "/poll", channel.poll, methods=["POST"]),
            Route(AGENT_CHANNEL_PATH + "/report", channel.report, methods=["POST"]),
            Route(AGENT_CHANNEL_PATH + "/metrics", channel.metrics, methods=["POST"]),
            Route(AGENT_CHANNEL_PATH + "/credentials", channel.credentials, methods=["POST"]),
            Route("/", aws_endpoint, methods=["POST", "GET"]),
        ],
    )
