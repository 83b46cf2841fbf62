"""The pure half of secrets and environment files: valueFrom forms, SSM batching and matching,
JSON keys rendered like Go's %v, .env parsing, precedence, and the failure reasons."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dockyard.agent.secrets_model import (
    MAX_REASON_LENGTH,
    ResourceInitializationError,
    SecretValueError,
    SsmBatch,
    env_file_failure,
    match_parameter,
    merge_environment,
    parse_env_file,
    region_of_arn,
    render_go_value,
    s3_location,
    secret_failure,
    secret_requests,
    select_json_key,
    ssm_batches,
    ssm_failure,
)
from dockyard.domain.task_definition import Secret, SecretSource, registration_from_request

ARN_SM = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
ARN_SSM = "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db/password"


def containers(*secrets: tuple[str, str], log: tuple[tuple[str, str], ...] = ()) -> Any:
    definition: dict[str, Any] = {
        "name": "app",
        "image": "x",
        "memory": 10,
        "secrets": [{"name": n, "valueFrom": v} for n, v in secrets],
    }
    if log:
        definition["logConfiguration"] = {
            "logDriver": "json-file",
            "secretOptions": [{"name": n, "valueFrom": v} for n, v in log],
        }
    reg = registration_from_request({
        "family": "f",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "containerDefinitions": [definition],
    })
    return reg.container_definitions


# -- valueFrom forms --------------------------------------------------------------------------

VALUE_FROM = [
    # id, valueFrom, source, name, region, json key, stage, version id
    ("ssm-name", "db-password", "ssm", "db-password", None, None, None, None),
    ("ssm-path", "/app/db/password", "ssm", "/app/db/password", None, None, None, None),
    ("ssm-name-version", "db-password:3", "ssm", "db-password:3", None, None, None, None),
    ("ssm-name-label", "/app/pw:prod", "ssm", "/app/pw:prod", None, None, None, None),
    ("ssm-arn-path", ARN_SSM, "ssm", "/app/db/password", "eu-west-1", None, None, None),
    (
        "ssm-arn-flat",
        "arn:aws:ssm:us-east-1:123456789012:parameter/flat",
        "ssm", "flat", "us-east-1", None, None, None,
    ),
    ("asm-whole", ARN_SM, "secretsmanager", "db-AbCdEf", "us-east-1", None, None, None),
    ("asm-key", ARN_SM + ":username::", "secretsmanager", "db-AbCdEf", "us-east-1", "username", None, None),
    ("asm-stage", ARN_SM + "::AWSPREVIOUS:", "secretsmanager", "db-AbCdEf", "us-east-1", None, "AWSPREVIOUS", None),
    (
        "asm-key-and-id",
        ARN_SM + ":password::0f6d2c1e-1111-2222-3333-444455556666",
        "secretsmanager", "db-AbCdEf", "us-east-1", "password", None,
        "0f6d2c1e-1111-2222-3333-444455556666",
    ),
]


@pytest.mark.parametrize(
    ("value_from", "source", "name", "region", "key", "stage", "version"),
    [v[1:] for v in VALUE_FROM],
    ids=[v[0] for v in VALUE_FROM],
)
def test_value_from_forms(
    value_from: str, source: str, name: str, region: str | None, key: str | None,
    stage: str | None, version: str | None,
) -> None:
    [request] = secret_requests(containers(("V", value_from)))
    ref = request.reference
    assert (ref.source.value, ref.name, ref.region) == (source, name, region)
    assert (ref.json_key, ref.version_stage, ref.version_id) == (key, stage, version)
    if ref.source is SecretSource.SECRETS_MANAGER:
        assert ref.arn == ARN_SM  # the whole secret, without the extended fields


def test_log_secret_options_are_requests_too() -> None:
    requests = secret_requests(containers(("A", "a"), log=(("token", "b"),)))
    assert [(r.name, r.target) for r in requests] == [("A", "environment"), ("token", "log")]


@pytest.mark.parametrize(
    "value_from",
    [ARN_SM + ":a:b", ARN_SM + ":a:b:c:d", ARN_SM + "::AWSCURRENT:some-id", "not a name!"],
    ids=["three-parts", "six-parts", "stage-and-id", "bad-name"],
)
def test_a_malformed_value_from_is_a_resource_initialization_error(value_from: str) -> None:
    definition = containers(("V", "ok"))[0]
    broken = replace(definition, secrets=(Secret(name="V", value_from=value_from),))
    with pytest.raises(ResourceInitializationError) as caught:
        secret_requests([broken])
    assert caught.value.reason.startswith("ResourceInitializationError: ")
    assert value_from in caught.value.reason


# -- SSM batching and matching ----------------------------------------------------------------


def test_ssm_batches_group_by_region_dedupe_and_hold_at_most_ten() -> None:
    names = [(f"V{i}", f"p{i}") for i in range(12)]
    requests = secret_requests(containers(*names, ("DUP", "p0"), ("X", ARN_SSM), ("S", ARN_SM)))
    batches = ssm_batches(requests, "us-east-1")
    assert batches == (
        SsmBatch("us-east-1", tuple(f"p{i}" for i in range(10))),
        SsmBatch("us-east-1", ("p10", "p11")),
        SsmBatch("eu-west-1", ("/app/db/password",)),
    )


MATCHES = [
    ("by-name", "a", [{"Name": "a", "Value": "1"}], "1"),
    ("by-name-and-selector", "a:2", [{"Name": "a", "Selector": ":2", "Value": "2"}], "2"),
    ("selector-omitted", "a:2", [{"Name": "a", "Value": "2"}], "2"),
    ("by-arn", ARN_SSM, [{"Name": "/app/db/password", "ARN": ARN_SSM, "Value": "3"}], "3"),
    ("missing", "b", [{"Name": "a", "Value": "1"}], None),
    ("ambiguous", "a:2", [{"Name": "a", "Value": "1"}, {"Name": "a", "Value": "2"}], None),
]


@pytest.mark.parametrize(("requested", "parameters", "expected"), [m[1:] for m in MATCHES], ids=[m[0] for m in MATCHES])
def test_match_parameter(requested: str, parameters: list[dict[str, str]], expected: str | None) -> None:
    assert match_parameter(requested, parameters) == expected


# -- Secrets Manager JSON keys ----------------------------------------------------------------

GO_VALUES = [
    ("string", "s3cr3t", "s3cr3t"),
    ("empty-string", "", ""),
    ("integer", 42, "42"),
    ("negative", -7, "-7"),
    ("fraction", 1.5, "1.5"),
    ("six-digits", 123456, "123456"),
    ("million", 1000000, "1e+06"),
    ("seven-digits", 1234567, "1.234567e+06"),
    ("small", 0.0001, "0.0001"),
    ("tiny", 0.00001, "1e-05"),
    ("zero", 0, "0"),
    ("true", True, "true"),
    ("false", False, "false"),
    ("null", None, "<nil>"),
    ("array", [1, "a", True], "[1 a true]"),
    ("object", {"b": 2, "a": "x"}, "map[a:x b:2]"),
]


@pytest.mark.parametrize(("value", "expected"), [g[1:] for g in GO_VALUES], ids=[g[0] for g in GO_VALUES])
def test_render_go_value(value: Any, expected: str) -> None:
    assert render_go_value(value) == expected


def test_select_json_key() -> None:
    doc = '{"username": "admin", "port": 5432, "ssl": true}'
    assert select_json_key(ARN_SM, doc, None) == doc
    assert select_json_key(ARN_SM, doc, "username") == "admin"
    assert select_json_key(ARN_SM, doc, "port") == "5432"
    assert select_json_key(ARN_SM, doc, "ssl") == "true"


@pytest.mark.parametrize(
    ("secret_string", "key", "fragment"),
    [
        ('{"password": "hunter2"}', "username", "did not contain json key username"),
        ("hunter2", "username", "not a JSON object"),
        ('["hunter2"]', "username", "not a JSON object"),
        (None, None, "no SecretString"),
    ],
    ids=["missing-key", "not-json", "json-array", "binary"],
)
def test_select_json_key_failures_name_the_key_never_the_value(
    secret_string: str | None, key: str | None, fragment: str
) -> None:
    with pytest.raises(SecretValueError) as caught:
        select_json_key(ARN_SM, secret_string, key)
    assert fragment in str(caught.value) and ARN_SM in str(caught.value)
    assert "hunter2" not in str(caught.value)


# -- environment files ------------------------------------------------------------------------

ENV_FILES = [
    ("simple", "A=1\nB=2\n", {"A": "1", "B": "2"}),
    ("comments-and-blanks", "# note\n\n  # indented\nA=1\n", {"A": "1"}),
    ("kept-literally", 'A= spaced \nB="quoted"\nC=a=b\n', {"A": " spaced ", "B": '"quoted"', "C": "a=b"}),
    ("crlf", "A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    ("bom", "\ufeffA=1\n", {"A": "1"}),
    ("skipped-lines", "NOEQUALS\n=novalue\nEMPTY=\nA=1\n", {"A": "1"}),
    ("later-line-wins", "A=1\nA=2\n", {"A": "2"}),
    ("hash-inside-value", "A=1#2\n", {"A": "1#2"}),
]


@pytest.mark.parametrize(("text", "expected"), [e[1:] for e in ENV_FILES], ids=[e[0] for e in ENV_FILES])
def test_parse_env_file(text: str, expected: dict[str, str]) -> None:
    assert parse_env_file(text) == expected


PRECEDENCE = [
    ("environment-beats-files", {"A": "env"}, [{"A": "file"}], {}, {"A": "env"}),
    ("first-file-wins", {}, [{"A": "one"}, {"A": "two", "B": "two"}], {}, {"A": "one", "B": "two"}),
    ("secrets-beat-everything", {"A": "env"}, [{"A": "file"}], {"A": "secret"}, {"A": "secret"}),
    ("all-kept", {"E": "e"}, [{"F": "f"}], {"S": "s"}, {"E": "e", "F": "f", "S": "s"}),
]


@pytest.mark.parametrize(
    ("environment", "files", "secrets", "expected"), [p[1:] for p in PRECEDENCE], ids=[p[0] for p in PRECEDENCE]
)
def test_merge_environment(
    environment: dict[str, str], files: list[dict[str, str]], secrets: dict[str, str], expected: dict[str, str]
) -> None:
    assert merge_environment(environment, files, secrets) == expected


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:s3:::bucket/key.env", ("bucket", "key.env")),
        ("arn:aws:s3:::bucket/dir/sub/key.env", ("bucket", "dir/sub/key.env")),
        ("arn:aws:s3:::bucket", None),
        ("arn:aws:ssm:us-east-1:1:parameter/x", None),
    ],
)
def test_s3_location(arn: str, expected: tuple[str, str] | None) -> None:
    if expected is None:
        with pytest.raises(ValueError):
            s3_location(arn)
    else:
        assert s3_location(arn) == expected


def test_region_of_arn() -> None:
    assert region_of_arn("arn:aws:ecs:eu-west-3:1:task/c/t") == "eu-west-3"
    assert region_of_arn("arn:aws:s3:::bucket/key") is None
    assert region_of_arn("not-an-arn") is None


# -- reasons ----------------------------------------------------------------------------------


def test_reasons_have_ecs_form_and_name_what_failed() -> None:
    denied = (
        "AccessDeniedException: User: arn:aws:sts::1:assumed-role/exec/t is not authorized to "
        f"perform: secretsmanager:GetSecretValue on resource: {ARN_SM}"
    )
    assert secret_failure(ARN_SM, denied, service_error=True) == (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
        "retrieval failed: unable to retrieve secret from asm: service call has been retried 1 "
        f"time(s): failed to fetch secret {ARN_SM} from secrets manager: {denied}"
    )
    assert ssm_failure("invalid ssm parameters: /a", ["/a"]).endswith(
        "unable to retrieve secrets from ssm: service call has been retried 1 time(s): "
        "invalid ssm parameters: /a"
    )
    # the service's message does not name them: the reason adds the names
    assert ssm_failure("ThrottlingException: slow down", ["/a", "/b"]).endswith(
        "ThrottlingException: slow down (parameters: /a, /b)"
    )
    assert env_file_failure("arn:aws:s3:::b/k.env", "NoSuchKey: gone") == (
        "ResourceInitializationError: failed to download env files: unable to download env file "
        "arn:aws:s3:::b/k.env: NoSuchKey: gone"
    )


def test_a_long_reason_is_cut_to_ecs_length() -> None:
    assert len(ResourceInitializationError("x" * 5000).reason) == MAX_REASON_LENGTH
