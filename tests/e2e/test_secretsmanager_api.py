"""Secrets Manager through boto3 (and the ``aws`` CLI) against a real server: values and
versions, staging labels, idempotent tokens, describe/list, deletion windows and restore, tags
and AWS's error codes."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

pytestmark = pytest.mark.e2e

MARKED = "You can't perform this operation on the secret because it was marked for deletion."
TOKEN_A = "a" * 32
TOKEN_B = "b" * 32


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(data_dir=tmp_path_factory.mktemp("secrets") / "data").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def sm(server: ServerProcess) -> Any:
    return server.client("secretsmanager")


def error(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]  # type: ignore[no-any-return]


def test_create_and_get_by_name_arn_and_partial_arn(sm: Any) -> None:
    created = sm.create_secret(
        Name="app/db", SecretString='{"user":"u","password":"p"}', ClientRequestToken=TOKEN_A
    )
    assert re.fullmatch(
        r"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-[A-Za-z0-9]{6}",
        created["ARN"],
    )
    assert created["VersionId"] == TOKEN_A
    for secret_id in (created["ARN"], "app/db", created["ARN"][:-7]):
        got = sm.get_secret_value(SecretId=secret_id)
        assert got["SecretString"] == '{"user":"u","password":"p"}'
        assert got["VersionStages"] == ["AWSCURRENT"] and got["VersionId"] == TOKEN_A
    # Same token and value: the same answer; another name collision is an error.
    again = sm.create_secret(
        Name="app/db", SecretString='{"user":"u","password":"p"}', ClientRequestToken=TOKEN_A
    )
    assert again["ARN"] == created["ARN"]
    assert error(sm.create_secret, Name="app/db", SecretString="other")["Code"] == (
        "ResourceExistsException"
    )


def test_put_secret_value_moves_current_and_previous(sm: Any) -> None:
    sm.create_secret(Name="rot", SecretString="v1", ClientRequestToken=TOKEN_A)
    put = sm.put_secret_value(SecretId="rot", SecretString="v2", ClientRequestToken=TOKEN_B)
    assert put["VersionId"] == TOKEN_B and put["VersionStages"] == ["AWSCURRENT"]
    assert sm.get_secret_value(SecretId="rot")["SecretString"] == "v2"
    assert sm.get_secret_value(SecretId="rot", VersionStage="AWSPREVIOUS")["SecretString"] == "v1"
    assert sm.get_secret_value(SecretId="rot", VersionId=TOKEN_A)["SecretString"] == "v1"
    stages = sm.describe_secret(SecretId="rot")["VersionIdsToStages"]
    assert stages == {TOKEN_A: ["AWSPREVIOUS"], TOKEN_B: ["AWSCURRENT"]}
    # Idempotent retry; a different value under the same token is refused.
    assert (
        sm.put_secret_value(SecretId="rot", SecretString="v2", ClientRequestToken=TOKEN_B)[
            "VersionId"
        ]
        == TOKEN_B
    )
    assert (
        error(sm.put_secret_value, SecretId="rot", SecretString="v3", ClientRequestToken=TOKEN_B)[
            "Code"
        ]
        == "ResourceExistsException"
    )
    pending = sm.put_secret_value(SecretId="rot", SecretString="v3", VersionStages=["AWSPENDING"])
    assert sm.get_secret_value(SecretId="rot", VersionStage="AWSPENDING")["SecretString"] == "v3"
    assert sm.get_secret_value(SecretId="rot")["SecretString"] == "v2"
    versions = sm.list_secret_version_ids(SecretId="rot")["Versions"]
    assert {v["VersionId"] for v in versions} == {TOKEN_A, TOKEN_B, pending["VersionId"]}
    missing = error(sm.get_secret_value, SecretId="rot", VersionStage="NOPE")
    assert missing["Code"] == "ResourceNotFoundException"


def test_binary_secrets_and_value_choice(sm: Any) -> None:
    sm.create_secret(Name="bin", SecretBinary=b"\x00\x01\xff")
    assert sm.get_secret_value(SecretId="bin")["SecretBinary"] == b"\x00\x01\xff"
    both = error(sm.create_secret, Name="both", SecretString="s", SecretBinary=b"b")
    assert both["Code"] == "InvalidParameterException"
    sm.create_secret(Name="empty")
    assert error(sm.get_secret_value, SecretId="empty")["Code"] == "ResourceNotFoundException"
    assert "VersionIdsToStages" in sm.describe_secret(SecretId="empty")


def test_update_secret(sm: Any) -> None:
    sm.create_secret(Name="upd", SecretString="one", Description="first")
    meta_only = sm.update_secret(SecretId="upd", Description="second", KmsKeyId="alias/mine")
    assert "VersionId" not in meta_only
    described = sm.describe_secret(SecretId="upd")
    assert (described["Description"], described["KmsKeyId"]) == ("second", "alias/mine")
    with_value = sm.update_secret(SecretId="upd", SecretString="two")
    assert sm.get_secret_value(SecretId="upd")["VersionId"] == with_value["VersionId"]
    assert sm.get_secret_value(SecretId="upd")["SecretString"] == "two"


def test_delete_restore_and_force(sm: Any) -> None:
    created = sm.create_secret(Name="gone", SecretString="x")
    assert error(sm.delete_secret, SecretId="gone", RecoveryWindowInDays=6)["Code"] == (
        "InvalidParameterException"
    )
    assert (
        error(
            sm.delete_secret,
            SecretId="gone",
            RecoveryWindowInDays=7,
            ForceDeleteWithoutRecovery=True,
        )["Code"]
        == "InvalidParameterException"
    )
    deleted = sm.delete_secret(SecretId="gone", RecoveryWindowInDays=7)
    assert deleted["ARN"] == created["ARN"]
    days = (deleted["DeletionDate"] - sm.describe_secret(SecretId="gone")["DeletedDate"]).days
    assert days == 7
    refused = error(sm.get_secret_value, SecretId="gone")
    assert (refused["Code"], refused["Message"]) == ("InvalidRequestException", MARKED)
    assert error(sm.put_secret_value, SecretId="gone", SecretString="y")["Code"] == (
        "InvalidRequestException"
    )
    assert error(sm.create_secret, Name="gone", SecretString="y")["Code"] == (
        "InvalidRequestException"
    )
    names = [s["Name"] for s in sm.list_secrets()["SecretList"]]
    assert "gone" not in names
    planned = sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    assert "gone" in [s["Name"] for s in planned]
    sm.restore_secret(SecretId="gone")
    assert sm.get_secret_value(SecretId="gone")["SecretString"] == "x"
    sm.delete_secret(SecretId="gone", ForceDeleteWithoutRecovery=True)
    assert error(sm.describe_secret, SecretId="gone") == {
        "Code": "ResourceNotFoundException",
        "Message": "Secrets Manager can't find the specified secret.",
    }
    recreated = sm.create_secret(Name="gone", SecretString="new")
    assert recreated["ARN"] != created["ARN"]


def test_list_filters_pagination_and_tags(sm: Any) -> None:
    for i in range(5):
        sm.create_secret(
            Name=f"list/s{i}",
            SecretString="v",
            Description="batch" if i % 2 else "other",
            Tags=[{"Key": "team", "Value": f"t{i}"}],
        )
    named = sm.list_secrets(Filters=[{"Key": "name", "Values": ["list/"]}])["SecretList"]
    assert [s["Name"] for s in named] == [f"list/s{i}" for i in range(5)]
    assert "SecretVersionsToStages" in named[0]
    batch = sm.list_secrets(
        Filters=[
            {"Key": "name", "Values": ["list/"]},
            {"Key": "description", "Values": ["batch"]},
        ]
    )["SecretList"]
    assert [s["Name"] for s in batch] == ["list/s1", "list/s3"]
    tagged = sm.list_secrets(Filters=[{"Key": "tag-value", "Values": ["t4"]}])["SecretList"]
    assert [s["Name"] for s in tagged] == ["list/s4"]
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Filters": [{"Key": "name", "Values": ["list/"]}], "MaxResults": 2}
    while True:
        page = sm.list_secrets(**kwargs)
        seen += [s["Name"] for s in page["SecretList"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == [f"list/s{i}" for i in range(5)]
    assert error(sm.list_secrets, NextToken="junk")["Code"] == "InvalidNextTokenException"
    sm.tag_resource(SecretId="list/s0", Tags=[{"Key": "env", "Value": "prod"}])
    sm.untag_resource(SecretId="list/s0", TagKeys=["team"])
    assert sm.describe_secret(SecretId="list/s0")["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_unknown_secret(sm: Any) -> None:
    for call in (sm.get_secret_value, sm.describe_secret, sm.list_secret_version_ids):
        assert error(call, SecretId="never")["Code"] == "ResourceNotFoundException"


def test_aws_cli_reads_a_secret(server: ServerProcess, sm: Any) -> None:
    sm.create_secret(Name="cli/secret", SecretString="from-cli")
    result = subprocess.run(
        ["aws", "secretsmanager", "get-secret-value", "--secret-id", "cli/secret"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SecretString"] == "from-cli"
