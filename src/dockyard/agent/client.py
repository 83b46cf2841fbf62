"""The agent's only way to the control plane: HTTP, signed with SigV4 like any AWS client.

:class:`ControlPlane` is the Protocol the agent codes against; :class:`HttpControlPlane`
implements it with botocore's signer and credential chain (environment, ``AWS_PROFILE``,
shared files...), boto3 for the ECS operations and urllib3 for the agent channel.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

import boto3
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config

__all__ = [
    "CHANNEL_PATH",
    "CREDENTIALS_TIMEOUT_SECONDS",
    "POLL_GRACE_SECONDS",
    "REPORT_TIMEOUT_SECONDS",
    "ChannelError",
    "ControlPlane",
    "ControlPlaneError",
    "HttpControlPlane",
    "RoleType",
]

CHANNEL_PATH = "/_dockyard/agent/v1"
POLL_GRACE_SECONDS = 10.0
"""A poll may be held open for its ``wait``; the read timeout adds this much for a busy server."""

REPORT_TIMEOUT_SECONDS = 30.0
"""A report batch is one write transaction; longer than this means the control plane is stuck."""

CREDENTIALS_TIMEOUT_SECONDS = 15.0
"""Minting a role session is one small write transaction; a task start waits on it."""

CONNECT_TIMEOUT_SECONDS = 5.0

RoleType = Literal["TaskApplication", "TaskExecution"]
"""ECS's two task role types: the task role (served to containers) and the execution role
(used by the agent itself for secrets and environment files)."""


class ControlPlaneError(Exception):
    """The control plane could not be reached or answered with an error."""


class ChannelError(ControlPlaneError):
    """The control plane answered a channel call with an error: HTTP ``status`` and the
    ``__type`` ``code`` and ``message`` of its JSON body."""

    def __init__(self, name: str, status: int, code: str, message: str) -> None:
        super().__init__(f"{name}: HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class ControlPlane(Protocol):
    def register(self, **kwargs: Any) -> dict[str, Any]:
        """``RegisterContainerInstance``; returns the ``containerInstance``."""
        ...

    def poll(self, cluster: str, etags: Mapping[str, str], wait: float) -> dict[str, Any]: ...

    def report(self, cluster: str, reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]: ...

    def metrics(self, cluster: str, samples: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Task CPU / memory samples (``agent/metrics.py``)."""
        ...

    def credentials(self, cluster: str, task_arn: str, role_type: RoleType) -> dict[str, Any]:
        """Temporary credentials for one of a task's roles: ``{RoleArn, AccessKeyId,
        SecretAccessKey, Token, Expiration}``. Raises :class:`ChannelError` when refused
        (403 ``AccessDeniedException``: the role does not trust ecs-tasks; 400
        ``InvalidParameterException``: no such role, task not here or stopped)."""
        ...


class HttpControlPlane:
    """Talks to one Dockyard endpoint. Thread-safe (urllib3 pools and boto3 clients are)."""

    def __init__(
        self,
        endpoint: str,
        *,
        region: str | None = None,
        profile: str | None = None,
        credentials: tuple[str, str] | None = None,
        pool_size: int = 8,
    ) -> None:
        """``credentials`` (access key id, secret) bypass the credential chain (``dockyard up``
        hands its own agent the admin key it just wrote)."""
        self.endpoint = endpoint.rstrip("/")
        if credentials is not None:
            self._session = boto3.Session(
                aws_access_key_id=credentials[0],
                aws_secret_access_key=credentials[1],
                region_name=region,
            )
        else:
            self._session = boto3.Session(profile_name=profile, region_name=region)
        self.region = self._session.region_name or "us-east-1"
        self._ecs = self._session.client(
            "ecs",
            endpoint_url=self.endpoint,
            region_name=self.region,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )
        self._http = urllib3.PoolManager(maxsize=pool_size, retries=False)
        self._logs: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def ecs(self) -> Any:
        """The boto3 ECS client (for the operations the agent uses through the ECS API)."""
        return self._ecs

    def logs_client(self, region: str | None = None) -> Any:
        """A CloudWatch Logs client for ``region`` (default: the agent's) on this endpoint."""
        key = region or self.region
        with self._lock:
            if key not in self._logs:
                self._logs[key] = self._session.client(
                    "logs", endpoint_url=self.endpoint, region_name=key
                )
            return self._logs[key]

    def register(self, **kwargs: Any) -> dict[str, Any]:
        try:
            return dict(self._ecs.register_container_instance(**kwargs)["containerInstance"])
        except Exception as exc:  # botocore's error tree is wide; callers retry on any
            raise ControlPlaneError(str(exc)) from exc

    def poll(self, cluster: str, etags: Mapping[str, str], wait: float) -> dict[str, Any]:
        body = {
            "cluster": cluster,
            "instances": [{"id": i, "etag": e} for i, e in etags.items()],
            "wait": wait,
        }
        return self._call("poll", body, timeout=wait + POLL_GRACE_SECONDS)

    def report(self, cluster: str, reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        body = {"cluster": cluster, "reports": list(reports)}
        return self._call("report", body, timeout=REPORT_TIMEOUT_SECONDS)

    def metrics(self, cluster: str, samples: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        body = {"cluster": cluster, "samples": list(samples)}
        return self._call("metrics", body, timeout=REPORT_TIMEOUT_SECONDS)

    def credentials(self, cluster: str, task_arn: str, role_type: RoleType) -> dict[str, Any]:
        body = {"cluster": cluster, "taskArn": task_arn, "roleType": role_type}
        return self._call("credentials", body, timeout=CREDENTIALS_TIMEOUT_SECONDS)

    def _call(self, name: str, body: dict[str, Any], *, timeout: float) -> dict[str, Any]:
        url = f"{self.endpoint}{CHANNEL_PATH}/{name}"
        data = json.dumps(body).encode()
        request = AWSRequest(
            method="POST",
            url=url,
            data=data,
            headers={"Content-Type": "application/json", "X-Amz-Target": f"DockyardAgent.{name}"},
        )
        credentials = self._session.get_credentials()
        if credentials is None:
            raise ControlPlaneError("no AWS credentials found for the agent")
        SigV4Auth(credentials.get_frozen_credentials(), "ecs", self.region).add_auth(request)
        try:
            response = self._http.request(
                "POST",
                url,
                body=data,
                headers=dict(request.headers.items()),
                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=timeout),
            )
        except urllib3.exceptions.HTTPError as exc:
            raise ControlPlaneError(f"{name}: {exc}") from exc
        try:
            payload = json.loads(response.data or b"{}")
        except ValueError as exc:
            raise ControlPlaneError(f"{name}: HTTP {response.status}, not JSON") from exc
        if response.status != 200:
            code = str(payload.get("__type") or "").rsplit("#", 1)[-1] or "UnknownError"
            raise ChannelError(name, response.status, code, str(payload.get("message") or ""))
        return dict(payload)
