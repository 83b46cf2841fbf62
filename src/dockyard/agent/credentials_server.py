"""The task credentials endpoint at 169.254.170.2 (ecs-reference §6): what AWS SDKs inside a
task's containers call when ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` is set.

::

    container SDK ── GET http://169.254.170.2/v2/credentials/<id> ──▶ CredentialsServer
                                       (legacy /v1/credentials?id=<id>)      │ answer() (pure)
                                                                             ▼
                                                                  CredentialsRegistry.lookup

Reaching it: the agent puts 169.254.170.2/32 on the host's ``lo`` (:func:`ensure_local_address`)
and binds port 80 there. A host-network container reaches it directly; a bridge-network
container's packets go to its default gateway (the host), which accepts them because Linux
takes any local address on any interface. One process per host can bind it; a second agent on
the same host warns and runs without (its tasks' ids are then unknown to the endpoint).

Answers are ECS's: 200 ``{RoleArn, AccessKeyId, SecretAccessKey, Token, Expiration}``, or
``{"code", "message"}`` with ``NoIdInRequest`` (400), ``InvalidIdInRequest`` (400, unknown or
forgotten id), ``CredentialsUninitialized`` (503, the first fetch has not succeeded) and
``InternalServerError`` (500). Every request is logged on ``dockyard.agent.credentials.audit``
with its status, client address, route, user agent and task ARN: never the id or the secret.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dockyard.agent.task_credentials import CredentialsRegistry

__all__ = [
    "CREDENTIALS_REQUEST_TIMEOUT",
    "DEFAULT_CREDENTIALS_HOST",
    "DEFAULT_CREDENTIALS_PORT",
    "IP_COMMAND_TIMEOUT",
    "CredentialsAnswer",
    "CredentialsServer",
    "answer",
    "ensure_local_address",
    "parse_address",
    "relative_uri",
    "start_endpoint",
]

DEFAULT_CREDENTIALS_HOST = "169.254.170.2"
DEFAULT_CREDENTIALS_PORT = 80
V2_PREFIX = "/v2/credentials"
V1_PATH = "/v1/credentials"

CREDENTIALS_REQUEST_TIMEOUT = 5.0
"""Seconds a client connection may stay silent (SDKs give up after 2 s per attempt)."""

IP_COMMAND_TIMEOUT = 10.0
"""``ip addr`` is a netlink round trip; longer means something is badly wrong."""

log = logging.getLogger("dockyard.agent")
audit = logging.getLogger("dockyard.agent.credentials.audit")


def relative_uri(credentials_id: str) -> str:
    """The value of ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` for a task."""
    return f"{V2_PREFIX}/{credentials_id}"


@dataclass(frozen=True, slots=True)
class CredentialsAnswer:
    """One response: HTTP status, JSON body, and for the audit log the route and task."""

    status: int
    body: dict[str, str]
    route: str
    task_arn: str | None = None


def answer(target: str, registry: CredentialsRegistry) -> CredentialsAnswer:
    """The endpoint's answer to ``GET target`` (path and query). Pure apart from reading
    ``registry``; never raises."""
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    if path == V1_PATH:
        ids = parse_qs(parts.query).get("id") or [""]
        return _lookup(ids[0], registry, V1_PATH, "CredentialsV1Request: ")
    if path == V2_PREFIX or path.startswith(V2_PREFIX + "/"):
        found = path[len(V2_PREFIX) + 1 :]
        return _lookup(found, registry, V2_PREFIX, "CredentialsV2Request: ")
    return CredentialsAnswer(404, {"code": "NotFound", "message": "Not found"}, "-")


def _lookup(
    credentials_id: str, registry: CredentialsRegistry, route: str, prefix: str
) -> CredentialsAnswer:
    if not credentials_id:
        return _error(400, "NoIdInRequest", prefix + "No Credential ID in the request", route)
    try:
        entry = registry.lookup(credentials_id)
    except Exception:  # the registry is in-memory; this is a bug, not a client error
        log.exception("credentials lookup failed")
        return _error(500, "InternalServerError", prefix + "Internal server error", route)
    if entry is None:
        return _error(400, "InvalidIdInRequest", prefix + "Credentials not found", route)
    if entry.credentials is None:
        return _error(
            503,
            "CredentialsUninitialized",
            prefix + "Credentials uninitialized for ID",
            route,
            entry.task_arn,
        )
    return CredentialsAnswer(200, entry.credentials.to_wire(), route, entry.task_arn)


def _error(
    status: int, code: str, message: str, route: str, task_arn: str | None = None
) -> CredentialsAnswer:
    return CredentialsAnswer(status, {"code": code, "message": message}, route, task_arn)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = CREDENTIALS_REQUEST_TIMEOUT
    server_version = "dockyard-agent"

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._reply(answer(self.path, self.server.registry))

    def do_POST(self) -> None:
        self._reply(
            CredentialsAnswer(
                405, {"code": "MethodNotAllowed", "message": "Only GET is supported"}, "-"
            )
        )

    do_PUT = do_DELETE = do_PATCH = do_POST

    def _reply(self, result: CredentialsAnswer) -> None:
        """Audit first, then answer: a caller that has its reply can rely on the audit line."""
        client = f"{self.client_address[0]}:{self.client_address[1]}"
        agent = self.headers.get("User-Agent", "-").replace('"', "'")
        audit.info(
            '%d %s "%s" "%s" %s', result.status, client, result.route, agent, result.task_arn or "-"
        )
        data = json.dumps(result.body).encode()
        self.send_response(result.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the default line carries the request path, i.e. the credentials id."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], registry: CredentialsRegistry) -> None:
        self.registry = registry
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is no news; the default prints a traceback."""
        log.debug("credentials endpoint: connection from %s failed", client_address[0])


class CredentialsServer:
    """Serves a :class:`CredentialsRegistry` over HTTP on a daemon thread."""

    def __init__(self, registry: CredentialsRegistry) -> None:
        self.registry = registry
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int] | None:
        """Where it listens (the real port when asked for port 0), None when not running."""
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self, host: str, port: int) -> bool:
        """Bind and serve; on failure (address in use, not local, no permission) log a warning
        and return False: the agent runs on without an endpoint."""
        try:
            self._server = _Server((host, port), self.registry)
        except OSError as exc:
            log.warning(
                "task credentials endpoint disabled: cannot listen on %s:%d (%s); tasks with a "
                "task role will not get credentials from this agent",
                host,
                port,
                exc.strerror or exc,
            )
            return False
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name="credentials-endpoint",
            daemon=True,
        )
        self._thread.start()
        log.info("task credentials endpoint listening on %s:%d", *self.address_or_raise())
        return True

    def address_or_raise(self) -> tuple[str, int]:
        address = self.address
        if address is None:
            raise RuntimeError("the credentials endpoint is not running")
        return address

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


Runner = Callable[[list[str]], subprocess.CompletedProcess[str]]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=IP_COMMAND_TIMEOUT, check=False
    )


def ensure_local_address(
    address: str, *, run: Runner = _run, is_root: Callable[[], bool] = lambda: os.geteuid() == 0
) -> bool:
    """Make ``address`` a local address of this host (``ip addr add <address>/32 dev lo``) unless
    ``ip -o addr show dev lo`` already lists it. Idempotent. Returns False (after a warning)
    when it is not there and cannot be added: not root, no ``ip`` command, or ``ip`` refused."""
    try:
        shown = run(["ip", "-o", "addr", "show", "dev", "lo"])
        if shown.returncode == 0 and f" {address}/" in shown.stdout:
            return True
        if not is_root():
            log.warning(
                "task credentials endpoint disabled: %s is not on lo and only root can add it "
                "(ip addr add %s/32 dev lo)",
                address,
                address,
            )
            return False
        added = run(["ip", "addr", "add", f"{address}/32", "dev", "lo"])
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("task credentials endpoint disabled: cannot run ip: %s", exc)
        return False
    if added.returncode != 0 and "File exists" not in added.stderr:
        log.warning(
            "task credentials endpoint disabled: ip addr add %s/32 dev lo failed: %s",
            address,
            added.stderr.strip() or f"exit code {added.returncode}",
        )
        return False
    return True


def parse_address(text: str) -> tuple[str, int] | None:
    """``--credentials-address``: ``HOST:PORT`` or ``HOST`` (port 80); ``off`` → None.
    Raises ValueError for anything else."""
    if text.strip().lower() == "off":
        return None
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        host, port = text.strip(), str(DEFAULT_CREDENTIALS_PORT)
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected HOST:PORT or 'off', got {text!r}")
    return host, int(port)


def start_endpoint(registry: CredentialsRegistry, host: str, port: int) -> CredentialsServer | None:
    """Serve ``registry`` on ``host:port``; for ECS's 169.254.170.2, first put the address on
    ``lo``. None (after a warning) when that or the bind fails."""
    if host == DEFAULT_CREDENTIALS_HOST and not ensure_local_address(host):
        return None
    server = CredentialsServer(registry)
    return server if server.start(host, port) else None
