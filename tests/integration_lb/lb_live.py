"""Helpers of the real-HAProxy tests: tiny in-process HTTP targets on 127.0.0.1, a live data
plane handle with an HTTP client, and polling. All traffic stays on 127.0.0.1; health checks
run every second (rise 1, fall 2) so state changes show within a few seconds."""

from __future__ import annotations

import http.client
import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from dockyard.lb import (
    Backend,
    DataPlane,
    DataPlaneController,
    Frontend,
    HaproxyPaths,
    HaproxyProcess,
    HaproxyRuntimeClient,
    HealthCheck,
    Mode,
    Server,
)

FAST_CHECKS = HealthCheck(
    path="/health",
    interval_seconds=1,
    timeout_seconds=1,
    healthy_threshold=1,
    unhealthy_threshold=2,
)
LOCALHOST = "127.0.0.1"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCALHOST, 0))
        return int(probe.getsockname()[1])


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        backend = self.server.backend
        if self.path == "/health":
            status, body = backend.health_status, "health"
        else:
            backend.hits += 1
            status, body = 200, f"{backend.tag} {self.path}"
            if self.path.startswith("/slow"):
                time.sleep(0.3)
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Backend", backend.tag)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    backend: TinyBackend

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # health checks close abruptly; that is not a failure


class TinyBackend:
    """An HTTP target answering ``<tag> <path>``; ``/health`` answers ``health_status``."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.health_status = 200
        self.hits = 0
        self._server = _Server((LOCALHOST, 0), _Handler)
        self._server.backend = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def server(self, **changes: object) -> Server:
        return replace(Server(self.tag, LOCALHOST, self.port), **changes)  # type: ignore[arg-type]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class LiveHaproxy:
    paths: HaproxyPaths
    process: HaproxyProcess
    runtime: HaproxyRuntimeClient
    controller: DataPlaneController
    port: int

    def plane(self, frontends: tuple[Frontend, ...], backends: tuple[Backend, ...]) -> DataPlane:
        return DataPlane(
            frontends,
            backends,
            str(self.paths.stats_socket),
            str(self.paths.server_state),
        )

    def get(self, path: str = "/", headers: dict[str, str] | None = None) -> Response:
        conn = http.client.HTTPConnection(LOCALHOST, self.port, timeout=5)
        try:
            conn.request("GET", path, headers=headers or {})
            reply = conn.getresponse()
            return Response(
                reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read().decode()
            )
        finally:
            conn.close()


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: str


def web(*servers: Server, **changes: object) -> Backend:
    return replace(Backend("web", Mode.HTTP, servers, FAST_CHECKS), **changes)  # type: ignore[arg-type]


def eventually(probe: Callable[[], T | None], *, timeout: float = 20.0) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout}s")
