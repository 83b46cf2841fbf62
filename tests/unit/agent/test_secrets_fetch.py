"""ExecutionResourceFetcher over fake SSM, Secrets Manager and S3 clients: what it asks, what
containers get, and that every failure reason names the item and holds no secret value."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from dockyard.agent.secrets_fetch import MAX_ENV_FILE_BYTES, ExecutionResourceFetcher
from dockyard.agent.secrets_model import ResourceInitializationError
from dockyard.agent.task_credentials import RoleCredentials
from dockyard.domain.task_definition import registration_from_request

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
CREDS = RoleCredentials(
    role_arn="arn:aws:iam::123456789012:role/exec",
    access_key_id="ASIAEXEC",
    secret_access_key="exec-secret",
    token="exec-token",
    expiration=datetime(2030, 1, 1, tzinfo=UTC),
)
VALUE = "hunter2-value"


def denied(operation: str, action: str, resource: str) -> ClientError:
    message = (
        f"User: arn:aws:sts::123456789012:assumed-role/exec/t is not authorized to perform: "
        f"{action} on resource: {resource}"
    )
    return ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}}, operation)


class FakeClients:
    """One fake per service; records (service, region, endpoint, key id) of each client made."""

    def __init__(self) -> None:
        self.parameters: dict[str, str] = {}
        self.secrets: dict[tuple[str, str | None, str | None], str] = {}
        self.objects: dict[tuple[str, str], bytes] = {}
        self.fail: dict[str, ClientError] = {}
        self.made: list[tuple[str, str, str, str]] = []
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, service: str, region: str, endpoint: str, creds: RoleCredentials) -> Any:
        self.made.append((service, region, endpoint, creds.access_key_id))
        return self

    def get_parameters(self, Names: list[str], WithDecryption: bool) -> dict[str, Any]:
        self.calls.append(("ssm", list(Names)))
        assert WithDecryption and len(Names) <= 10
        if "ssm" in self.fail:
            raise self.fail["ssm"]
        found = [{"Name": n, "Value": self.parameters[n]} for n in Names if n in self.parameters]
        return {"Parameters": found, "InvalidParameters": [n for n in Names if n not in self.parameters]}

    def get_secret_value(self, SecretId: str, VersionStage: str | None = None, VersionId: str | None = None) -> dict[str, Any]:
        self.calls.append(("asm", (SecretId, VersionStage, VersionId)))
        if "asm" in self.fail:
            raise self.fail["asm"]
        key = (SecretId, VersionStage, VersionId)
        if key not in self.secrets:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "not found"}}, "GetSecretValue")
        return {"SecretString": self.secrets[key]}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self.calls.append(("s3", (Bucket, Key)))
        if "s3" in self.fail:
            raise self.fail["s3"]
        if (Bucket, Key) not in self.objects:
            raise ClientError({"Error": {"Code": "NoSuchKey", "Message": "The specified key does not exist."}}, "GetObject")
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}


def definitions(*containers: dict[str, Any]) -> Any:
    for c in containers:
        c.setdefault("image", "x")
        c.setdefault("memory", 10)
    reg = registration_from_request({
        "family": "f",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "containerDefinitions": list(containers),
    })
    return reg.container_definitions


def fetch(clients: FakeClients, defs: Any, s3: str | None = "http://127.0.0.1:9000") -> Any:
    fetcher = ExecutionResourceFetcher("http://cp:5000", s3_endpoint=s3, client_factory=clients)
    return fetcher.fetch(defs, region="us-east-1", credentials=CREDS)


def test_everything_resolves_with_the_execution_credentials() -> None:
    clients = FakeClients()
    clients.parameters = {"/app/pw": VALUE, "plain": "p"}
    clients.secrets = {
        (SECRET_ARN, None, None): '{"user": "admin", "port": 5432}',
        (SECRET_ARN, "AWSPREVIOUS", None): '{"user": "old"}',
    }
    clients.objects = {("cfg", "a.env"): b"A=from-a\nSHARED=a\n", ("cfg", "b.env"): b"B=from-b\nSHARED=b\n"}
    defs = definitions(
        {
            "name": "app",
            "secrets": [
                {"name": "PW", "valueFrom": "/app/pw"},
                {"name": "USER", "valueFrom": SECRET_ARN + ":user::"},
                {"name": "PORT", "valueFrom": SECRET_ARN + ":port::"},
                {"name": "OLD", "valueFrom": SECRET_ARN + ":user:AWSPREVIOUS:"},
            ],
            "environmentFiles": [
                {"type": "s3", "value": "arn:aws:s3:::cfg/a.env"},
                {"type": "s3", "value": "arn:aws:s3:::cfg/b.env"},
            ],
            "logConfiguration": {"logDriver": "json-file", "secretOptions": [{"name": "tag", "valueFrom": "plain"}]},
        },
        {"name": "side", "secrets": [{"name": "WHOLE", "valueFrom": SECRET_ARN}]},
    )
    got = fetch(clients, defs)
    assert dict(got["app"].secrets) == {"PW": VALUE, "USER": "admin", "PORT": "5432", "OLD": "old"}
    assert dict(got["app"].env_files) == {"A": "from-a", "B": "from-b", "SHARED": "a"}
    assert dict(got["app"].log_options) == {"tag": "p"}
    assert dict(got["side"].secrets) == {"WHOLE": '{"user": "admin", "port": 5432}'}
    # one GetParameters for both names, each secret version read once, each file once
    assert [c for c in clients.calls if c[0] == "ssm"] == [("ssm", ["/app/pw", "plain"])]
    assert len([c for c in clients.calls if c[0] == "asm"]) == 2
    assert {m[0] for m in clients.made} == {"ssm", "secretsmanager", "s3"}
    assert all(m[3] == "ASIAEXEC" for m in clients.made)
    assert ("s3", "us-east-1", "http://127.0.0.1:9000", "ASIAEXEC") in clients.made
    assert ("ssm", "us-east-1", "http://cp:5000", "ASIAEXEC") in clients.made
    assert VALUE not in repr(got)


def test_a_parameter_arn_is_read_in_its_own_region() -> None:
    clients = FakeClients()
    clients.parameters = {"x": "1"}
    fetch(clients, definitions({"name": "app", "secrets": [
        {"name": "X", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/x"},
    ]}))
    assert clients.made[0][:2] == ("ssm", "eu-west-1")


def test_a_missing_parameter_is_named() -> None:
    clients = FakeClients()
    with pytest.raises(ResourceInitializationError) as caught:
        fetch(clients, definitions({"name": "app", "secrets": [{"name": "X", "valueFrom": "/nope"}]}))
    assert caught.value.reason == (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
        "retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 "
        "time(s): invalid ssm parameters: /nope"
    )


FAILURES = [
    (
        "ssm-denied",
        "ssm",
        [{"name": "X", "valueFrom": "/app/pw"}],
        None,
        "unable to retrieve secrets from ssm",
        "/app/pw",
    ),
    (
        "asm-denied",
        "asm",
        [{"name": "X", "valueFrom": SECRET_ARN + ":user::"}],
        None,
        f"failed to fetch secret {SECRET_ARN} from secrets manager: AccessDeniedException",
        SECRET_ARN,
    ),
    (
        "asm-missing-key",
        None,
        [{"name": "X", "valueFrom": SECRET_ARN + ":nokey::"}],
        None,
        "did not contain json key nokey",
        SECRET_ARN,
    ),
    (
        "s3-denied",
        "s3",
        [],
        [{"type": "s3", "value": "arn:aws:s3:::cfg/a.env"}],
        "failed to download env files: unable to download env file arn:aws:s3:::cfg/a.env: AccessDeniedException",
        "arn:aws:s3:::cfg/a.env",
    ),
    (
        "s3-missing",
        None,
        [],
        [{"type": "s3", "value": "arn:aws:s3:::cfg/gone.env"}],
        "NoSuchKey: The specified key does not exist.",
        "arn:aws:s3:::cfg/gone.env",
    ),
]


@pytest.mark.parametrize(
    ("fail", "secrets", "files", "fragment", "named"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
def test_failures_name_the_item_and_never_hold_a_value(
    fail: str | None, secrets: list[dict[str, str]], files: list[dict[str, str]] | None, fragment: str, named: str
) -> None:
    clients = FakeClients()
    clients.parameters = {"/app/pw": VALUE}
    clients.secrets = {(SECRET_ARN, None, None): '{"user": "' + VALUE + '"}'}
    clients.objects = {("cfg", "a.env"): f"A={VALUE}\n".encode()}
    action = {"ssm": "ssm:GetParameters", "asm": "secretsmanager:GetSecretValue", "s3": "s3:GetObject"}
    if fail is not None:
        clients.fail[fail] = denied("Op", action[fail], named)
    container: dict[str, Any] = {"name": "app", "secrets": secrets}
    if files:
        container["environmentFiles"] = files
    with pytest.raises(ResourceInitializationError) as caught:
        fetch(clients, definitions(container))
    reason = caught.value.reason
    assert reason.startswith("ResourceInitializationError: ")
    assert fragment in reason and named in reason
    assert VALUE not in reason


def test_environment_files_need_an_s3_endpoint() -> None:
    defs = definitions({"name": "app", "environmentFiles": [{"type": "s3", "value": "arn:aws:s3:::cfg/a.env"}]})
    with pytest.raises(ResourceInitializationError) as caught:
        fetch(FakeClients(), defs, s3=None)
    assert "no S3 endpoint is configured" in caught.value.reason
    assert "arn:aws:s3:::cfg/a.env" in caught.value.reason


@pytest.mark.parametrize(
    ("body", "fragment"),
    [(b"\xff\xfe=1", "not UTF-8"), (b"A=" + b"x" * MAX_ENV_FILE_BYTES, "larger than")],
    ids=["not-utf8", "too-large"],
)
def test_unreadable_environment_files(body: bytes, fragment: str) -> None:
    clients = FakeClients()
    clients.objects = {("cfg", "a.env"): body}
    defs = definitions({"name": "app", "environmentFiles": [{"type": "s3", "value": "arn:aws:s3:::cfg/a.env"}]})
    with pytest.raises(ResourceInitializationError) as caught:
        fetch(clients, defs)
    assert fragment in caught.value.reason
