"""Fetches a task's secrets and environment files with its execution role (the I/O half of
:mod:`dockyard.agent.secrets_model`).

::

    ExecutionResourceFetcher.fetch(containers, region, execution credentials)
        ├─ ssm.get_parameters(Names=≤10, WithDecryption=True)   per Region     (Dockyard endpoint)
        ├─ secretsmanager.get_secret_value(SecretId, VersionStage|VersionId)   (Dockyard endpoint)
        └─ s3.get_object(Bucket, Key)   each environment file          (the --s3-endpoint)
        ─▶ {container name: ContainerResources}

The clients are boto3's, signed with the execution role's temporary credentials, so the
control plane authorises each call against that role's policies exactly as for any caller.
Any failure raises :class:`~dockyard.agent.secrets_model.ResourceInitializationError` with
ECS's reason; values never reach a log line or an exception message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from dockyard.agent.secrets_model import (
    ContainerResources,
    ResourceInitializationError,
    SecretRequest,
    SecretValueError,
    env_file_failure,
    match_parameter,
    parse_env_file,
    s3_location,
    secret_failure,
    secret_requests,
    select_json_key,
    ssm_batches,
    ssm_failure,
)
from dockyard.agent.task_credentials import RoleCredentials
from dockyard.domain.task_definition import ContainerDefinition, SecretSource

__all__ = [
    "CONNECT_TIMEOUT",
    "MAX_ENV_FILE_BYTES",
    "READ_TIMEOUT",
    "ClientFactory",
    "ExecutionResourceFetcher",
    "boto3_client_factory",
]

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
"""Each call reads one small item (a parameter batch, a secret, a ``.env`` file); a task start
waits on it, so a stuck service fails the task rather than hanging it."""

MAX_ATTEMPTS = 2
"""One retry, as ECS's reasons say: "service call has been retried 1 time(s)"."""

MAX_ENV_FILE_BYTES = 1024 * 1024
"""Dockyard's cap on one environment file: its variables end up in a Docker create call."""

ClientFactory = Callable[[str, str, str, RoleCredentials], Any]
"""(service, region, endpoint URL, credentials) → a boto3 client."""


def boto3_client_factory() -> ClientFactory:
    """boto3 clients from one shared session (client creation is serialised: boto3 sessions
    are not thread-safe, the clients they make are)."""
    session = boto3.session.Session()
    lock = threading.Lock()

    def make(service: str, region: str, endpoint: str, credentials: RoleCredentials) -> Any:
        config = Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            s3={"addressing_style": "path"},
        )
        with lock:
            return session.client(
                service,
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id=credentials.access_key_id,
                aws_secret_access_key=credentials.secret_access_key,
                aws_session_token=credentials.token,
                config=config,
            )

    return make


class ExecutionResourceFetcher:
    """Resolves ``secrets``, log ``secretOptions`` and ``environmentFiles``. Thread-safe.

    ``endpoint`` serves SSM and Secrets Manager (the control plane); ``s3_endpoint`` serves
    environment files (None: a task with environment files fails to start, saying so).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        s3_endpoint: str | None = None,
        client_factory: ClientFactory | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.s3_endpoint = s3_endpoint
        self._clients = client_factory or boto3_client_factory()

    def fetch(
        self,
        containers: Iterable[ContainerDefinition],
        *,
        region: str,
        credentials: RoleCredentials,
    ) -> dict[str, ContainerResources]:
        """What each of ``containers`` needs, by container name; raises
        :class:`ResourceInitializationError` on the first failure."""
        containers = tuple(containers)
        requests = secret_requests(containers)
        ssm_values = self._parameters(requests, region, credentials)
        secret_values = self._secrets(requests, region, credentials)
        files = self._env_files(containers, region, credentials)
        resolved: dict[str, ContainerResources] = {}
        for c in containers:
            env: dict[str, str] = {}
            log: dict[str, str] = {}
            for r in requests:
                if r.container == c.name:
                    value = ssm_values.get(r.value_from)
                    value = secret_values[r.value_from] if value is None else value
                    (env if r.target == "environment" else log)[r.name] = value
            merged: dict[str, str] = {}
            for env_file in c.environment_files or ():
                for name, value in files[env_file.value].items():
                    merged.setdefault(name, value)
            resolved[c.name] = ContainerResources(env_files=merged, secrets=env, log_options=log)
        return resolved

    def _parameters(
        self, requests: tuple[SecretRequest, ...], region: str, credentials: RoleCredentials
    ) -> dict[str, str]:
        """valueFrom → value for every SSM reference."""
        by_name: dict[tuple[str, str], str] = {}
        for batch in ssm_batches(requests, region):
            client = self._clients("ssm", batch.region, self.endpoint, credentials)
            try:
                answer = client.get_parameters(Names=list(batch.names), WithDecryption=True)
            except (ClientError, BotoCoreError) as exc:
                raise ResourceInitializationError(ssm_failure(_detail(exc), batch.names)) from None
            parameters = answer.get("Parameters") or []
            invalid = list(answer.get("InvalidParameters") or [])
            for name in batch.names:
                value = match_parameter(name, parameters)
                if value is not None:
                    by_name[(batch.region, name)] = value
                elif name not in invalid:
                    invalid.append(name)
            if invalid:
                detail = "invalid ssm parameters: " + ", ".join(invalid)
                raise ResourceInitializationError(ssm_failure(detail, invalid))
        return {
            r.value_from: by_name[(r.reference.region or region, r.reference.name)]
            for r in requests
            if r.reference.source is SecretSource.SSM_PARAMETER
        }

    def _secrets(
        self, requests: tuple[SecretRequest, ...], region: str, credentials: RoleCredentials
    ) -> dict[str, str]:
        """valueFrom → value for every Secrets Manager reference (each version read once)."""
        strings: dict[tuple[str, str | None, str | None], str | None] = {}
        values: dict[str, str] = {}
        for r in requests:
            ref = r.reference
            if ref.source is not SecretSource.SECRETS_MANAGER:
                continue
            secret_id = ref.arn or ref.name
            key = (secret_id, ref.version_stage, ref.version_id)
            if key not in strings:
                strings[key] = self._secret_string(
                    secret_id, ref.region or region, ref.version_stage, ref.version_id, credentials
                )
            try:
                values[r.value_from] = select_json_key(secret_id, strings[key], ref.json_key)
            except SecretValueError as exc:
                reason = secret_failure(secret_id, str(exc), service_error=False)
                raise ResourceInitializationError(reason) from None
        return values

    def _secret_string(
        self,
        secret_id: str,
        region: str,
        stage: str | None,
        version_id: str | None,
        credentials: RoleCredentials,
    ) -> str | None:
        client = self._clients("secretsmanager", region, self.endpoint, credentials)
        selector = {"VersionStage": stage} if stage else {}
        selector.update({"VersionId": version_id} if version_id else {})
        try:
            answer = client.get_secret_value(SecretId=secret_id, **selector)
        except (ClientError, BotoCoreError) as exc:
            reason = secret_failure(secret_id, _detail(exc), service_error=True)
            raise ResourceInitializationError(reason) from None
        value = answer.get("SecretString")
        return None if value is None else str(value)

    def _env_files(
        self, containers: tuple[ContainerDefinition, ...], region: str, credentials: RoleCredentials
    ) -> dict[str, Mapping[str, str]]:
        """ARN → parsed variables for every environment file (each fetched once)."""
        files: dict[str, Mapping[str, str]] = {}
        for c in containers:
            for env_file in c.environment_files or ():
                if env_file.value not in files:
                    files[env_file.value] = self._env_file(env_file.value, region, credentials)
        return files

    def _env_file(self, arn: str, region: str, credentials: RoleCredentials) -> dict[str, str]:
        if not self.s3_endpoint:
            raise ResourceInitializationError(
                env_file_failure(
                    arn,
                    "no S3 endpoint is configured on this agent "
                    "(dockyard agent --s3-endpoint URL, or DOCKYARD_S3_ENDPOINT)",
                )
            )
        try:
            bucket, key = s3_location(arn)
        except ValueError as exc:
            raise ResourceInitializationError(env_file_failure(arn, str(exc))) from None
        client = self._clients("s3", region, self.s3_endpoint, credentials)
        try:
            body = client.get_object(Bucket=bucket, Key=key)["Body"]
            data = body.read(MAX_ENV_FILE_BYTES + 1)
            body.close()
        except (ClientError, BotoCoreError, OSError) as exc:
            raise ResourceInitializationError(env_file_failure(arn, _detail(exc))) from None
        if len(data) > MAX_ENV_FILE_BYTES:
            detail = f"the file is larger than {MAX_ENV_FILE_BYTES} bytes"
            raise ResourceInitializationError(env_file_failure(arn, detail))
        try:
            return parse_env_file(data.decode("utf-8"))
        except UnicodeDecodeError:
            detail = "the file is not UTF-8 text"
            raise ResourceInitializationError(env_file_failure(arn, detail)) from None


def _detail(exc: Exception) -> str:
    """``Code: message`` of a service error (what ECS quotes); a transport error's text."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error") or {}
        code = error.get("Code") or "UnknownError"
        message = error.get("Message")
        return f"{code}: {message}" if message else str(code)
    return str(exc)
