"""The task credentials endpoint: answers (pure), the HTTP server on 127.0.0.1:0, the audit
log, putting 169.254.170.2 on lo (with a fake ``ip``), and the credentials registry and
refresh timing it serves from."""

from __future__ import annotations

import json
import logging
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from dockyard.agent.credentials_server import (
    CredentialsServer,
    answer,
    ensure_local_address,
    parse_address,
    relative_uri,
)
from dockyard.agent.task_credentials import (
    MIN_REFRESH_DELAY,
    CredentialsRegistry,
    RoleCredentials,
    new_credentials_id,
    refresh_delay,
)

TASK = "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef"
EXPIRES = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
CREDS = RoleCredentials(
    role_arn="arn:aws:iam::123456789012:role/app",
    access_key_id="ASIAAPP",
    secret_access_key="app-secret",
    token="app-token",
    expiration=EXPIRES,
)
WIRE = {
    "RoleArn": "arn:aws:iam::123456789012:role/app",
    "AccessKeyId": "ASIAAPP",
    "SecretAccessKey": "app-secret",
    "Token": "app-token",
    "Expiration": "2030-01-01T12:00:00Z",
}


@pytest.fixture
def registry() -> CredentialsRegistry:
    registry = CredentialsRegistry()
    registry.register("ready", TASK)
    registry.update("ready", CREDS)
    registry.register("pending", TASK + "0")
    return registry


ANSWERS = [
    ("v2", "/v2/credentials/ready", 200, None),
    ("v2-trailing-slash", "/v2/credentials/ready/", 200, None),
    ("v1", "/v1/credentials?id=ready", 200, None),
    ("v2-no-id", "/v2/credentials", 400, "NoIdInRequest"),
    ("v2-empty-id", "/v2/credentials/", 400, "NoIdInRequest"),
    ("v1-no-id", "/v1/credentials", 400, "NoIdInRequest"),
    ("v1-empty-id", "/v1/credentials?id=", 400, "NoIdInRequest"),
    ("v2-unknown", "/v2/credentials/guess", 400, "InvalidIdInRequest"),
    ("v1-unknown", "/v1/credentials?id=guess", 400, "InvalidIdInRequest"),
    ("uninitialized", "/v2/credentials/pending", 503, "CredentialsUninitialized"),
    ("other-path", "/latest/meta-data/", 404, "NotFound"),
]


@pytest.mark.parametrize(("target", "status", "code"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
def test_answers(registry: CredentialsRegistry, target: str, status: int, code: str | None) -> None:
    result = answer(target, registry)
    assert result.status == status
    if code is None:
        assert result.body == WIRE and result.task_arn == TASK
    else:
        assert result.body["code"] == code and set(result.body) == {"code", "message"}


def test_messages_carry_ecs_prefixes(registry: CredentialsRegistry) -> None:
    assert answer("/v2/credentials/x", registry).body["message"] == "CredentialsV2Request: Credentials not found"
    assert answer("/v1/credentials", registry).body["message"] == (
        "CredentialsV1Request: No Credential ID in the request"
    )


def test_a_forgotten_id_is_invalid_at_once(registry: CredentialsRegistry) -> None:
    registry.forget("ready")
    assert answer("/v2/credentials/ready", registry).body["code"] == "InvalidIdInRequest"
    assert not registry.update("ready", CREDS)  # a late refresh does not bring it back
    assert answer("/v2/credentials/ready", registry).status == 400


def test_a_broken_registry_is_an_internal_server_error() -> None:
    class Broken(CredentialsRegistry):
        def lookup(self, credentials_id: str) -> None:
            raise RuntimeError("boom")

    result = answer("/v2/credentials/x", Broken())
    assert (result.status, result.body["code"]) == (500, "InternalServerError")


@pytest.fixture
def server(registry: CredentialsRegistry) -> Iterator[str]:
    srv = CredentialsServer(registry)
    assert srv.start("127.0.0.1", 0)
    host, port = srv.address_or_raise()
    yield f"http://{host}:{port}"
    srv.stop()


def get(url: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"User-Agent": "aws-sdk-test/1.0"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers["Content-Type"]


def test_the_server_serves_over_http_and_audits_without_secrets(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dockyard.agent.credentials.audit")
    assert get(server + "/v2/credentials/ready") == (200, WIRE, "application/json")
    status, body, _ = get(server + "/v1/credentials?id=nope")
    assert (status, body["code"]) == (400, "InvalidIdInRequest")
    status, body, _ = get(server + "/v2/credentials/pending")
    assert (status, body["code"]) == (503, "CredentialsUninitialized")
    lines = [r.getMessage() for r in caplog.records if r.name == "dockyard.agent.credentials.audit"]
    assert len(lines) == 3
    assert lines[0].startswith("200 127.0.0.1:") and '"/v2/credentials"' in lines[0]
    assert '"aws-sdk-test/1.0"' in lines[0] and lines[0].endswith(TASK)
    assert lines[1].startswith("400 ") and lines[1].endswith(" -")
    every = " ".join(r.getMessage() for r in caplog.records)
    assert "app-secret" not in every and "app-token" not in every
    assert "ready" not in every and "nope" not in every and "pending" not in every  # ids are bearer secrets


def test_other_methods_are_refused(server: str) -> None:
    request = urllib.request.Request(server + "/v2/credentials/ready", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 405


def test_a_busy_address_leaves_the_agent_running(server: str, registry: CredentialsRegistry) -> None:
    port = int(server.rsplit(":", 1)[1])
    second = CredentialsServer(registry)
    assert second.start("127.0.0.1", port) is False
    assert second.address is None


# -- the link-local address -------------------------------------------------------------------


class FakeIp:
    def __init__(self, shown: str, add_rc: int = 0, add_err: str = "") -> None:
        self.shown, self.add_rc, self.add_err = shown, add_rc, add_err
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        self.commands.append(command)
        if command[:3] == ["ip", "-o", "addr"]:
            return subprocess.CompletedProcess(command, 0, self.shown, "")
        return subprocess.CompletedProcess(command, self.add_rc, "", self.add_err)


LO = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
LO_WITH = LO + "1: lo    inet 169.254.170.2/32 scope global lo\\       valid_lft forever\n"
ADD = ["ip", "addr", "add", "169.254.170.2/32", "dev", "lo"]


@pytest.mark.parametrize(
    ("shown", "root", "add_rc", "add_err", "ok", "added"),
    [
        (LO_WITH, False, 0, "", True, False),
        (LO, True, 0, "", True, True),
        (LO, True, 2, "RTNETLINK answers: File exists", True, True),
        (LO, True, 2, "RTNETLINK answers: Operation not permitted", False, True),
        (LO, False, 0, "", False, False),
    ],
    ids=["present", "added", "raced", "refused", "not-root"],
)
def test_ensure_local_address(shown: str, root: bool, add_rc: int, add_err: str, ok: bool, added: bool) -> None:
    ip = FakeIp(shown, add_rc, add_err)
    assert ensure_local_address("169.254.170.2", run=ip, is_root=lambda: root) is ok
    assert (ADD in ip.commands) is added


def test_ensure_local_address_without_ip_command() -> None:
    def missing(command: list[str]) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError("ip")

    assert ensure_local_address("169.254.170.2", run=missing, is_root=lambda: True) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("169.254.170.2:80", ("169.254.170.2", 80)),
        ("127.0.0.1:51679", ("127.0.0.1", 51679)),
        ("169.254.170.2", ("169.254.170.2", 80)),
        ("off", None),
        ("OFF", None),
    ],
)
def test_parse_address(text: str, expected: tuple[str, int] | None) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["host:port", ":80", "h:99999"])
def test_parse_address_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_address(text)


# -- credentials, ids, refresh timing ---------------------------------------------------------


def test_credentials_round_trip_and_keep_secrets_out_of_repr() -> None:
    assert RoleCredentials.from_wire(WIRE) == CREDS
    assert CREDS.to_wire() == WIRE
    assert "app-secret" not in repr(CREDS) and "app-token" not in repr(CREDS)
    with pytest.raises(ValueError, match="no Token"):
        RoleCredentials.from_wire({k: v for k, v in WIRE.items() if k != "Token"})
    with pytest.raises(ValueError, match="Expiration"):
        RoleCredentials.from_wire({**WIRE, "Expiration": "tomorrow"})


def test_ids_are_unique_uuids_and_belong_to_one_task() -> None:
    ids = {new_credentials_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 36 for i in ids)
    registry = CredentialsRegistry()
    registry.register("x", TASK)
    registry.register("x", TASK)  # idempotent
    with pytest.raises(ValueError):
        registry.register("x", TASK + "0")
    assert relative_uri("x") == "/v2/credentials/x"


NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lifetime", "expected"),
    [
        (timedelta(hours=1), 45 * 60.0),  # 25 % = 15 min: refresh with 15 min left
        (timedelta(hours=6), 4.5 * 3600),  # 25 % = 90 min beats the 15-minute floor
        (timedelta(minutes=40), 25 * 60.0),  # 15-minute floor beats 25 % (10 min)
        (timedelta(minutes=15), 7.5 * 60),  # never more than half the lifetime
        (timedelta(seconds=4), MIN_REFRESH_DELAY),
        (timedelta(0), MIN_REFRESH_DELAY),
    ],
    ids=["1h", "6h", "40min", "15min", "4s", "expired"],
)
def test_refresh_delay(lifetime: timedelta, expected: float) -> None:
    assert refresh_delay(NOW, NOW + lifetime, now=NOW) == pytest.approx(expected)


def test_refresh_delay_counts_from_now() -> None:
    later = NOW + timedelta(minutes=10)
    assert refresh_delay(NOW, NOW + timedelta(hours=1), now=later) == pytest.approx(35 * 60.0)
