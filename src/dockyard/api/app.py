"""The Starlette application: one endpoint serves every AWS API Dockyard speaks.

``POST /`` (and ``GET /`` for query-protocol clients) carries AWS requests; ``GET
/_dockyard/health`` is an unsigned readiness probe for scripts and tests.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dockyard.api.auth.sigv4 import SignedRequest
from dockyard.api.dispatch import Dispatcher


def create_app(dispatcher: Dispatcher) -> Starlette:
    """An ASGI app around ``dispatcher``.

    The pipeline runs on the event loop itself: its database work is short (SQLite in-process,
    or one PostgreSQL round trip per statement) and a thread-pool hop cost more CPU than it
    saved (bench/api_throughput.py: 290 → 390 req/s at 8 clients). Anything that waits long
    (agent long-polls, in later issues) must be a native ``async`` route instead.
    """

    async def aws_endpoint(request: Request) -> Response:
        body = await request.body()
        signed = SignedRequest(
            method=request.method,
            raw_path=request.scope.get("raw_path", b"/").decode("latin-1") or "/",
            raw_query=request.scope.get("query_string", b"").decode("latin-1"),
            headers=[
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]
            ],
            body=body,
        )
        status, headers, payload = dispatcher.handle(signed)
        return Response(payload, status_code=status, headers=headers)

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/_dockyard/health", health, methods=["GET"]),
            Route("/", aws_endpoint, methods=["POST", "GET"]),
        ]
    )
