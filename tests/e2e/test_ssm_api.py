"""SSM Parameter Store through boto3 (and the ``aws`` CLI) against a real server: versions,
selectors, labels, paths, filters, pagination, tags and AWS's error codes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

pytestmark = pytest.mark.e2e

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(data_dir=tmp_path_factory.mktemp("ssm") / "data").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def ssm(server: ServerProcess) -> Any:
    return server.client("ssm")


def error(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]  # type: ignore[no-any-return]


def test_put_get_versions_and_overwrite(ssm: Any) -> None:
    created = ssm.put_parameter(Name="/pg/host", Value="db1", Type="String")
    assert (created["Version"], created["Tier"]) == (1, "Standard")
    got = ssm.get_parameter(Name="/pg/host")["Parameter"]
    assert got["Value"] == "db1" and got["Version"] == 1 and got["DataType"] == "text"
    assert got["ARN"] == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/pg/host"
    assert error(ssm.put_parameter, Name="/pg/host", Value="x", Type="String")["Code"] == (
        "ParameterAlreadyExists"
    )
    assert ssm.put_parameter(Name="/pg/host", Value="db2", Overwrite=True)["Version"] == 2
    assert ssm.get_parameter(Name="/pg/host")["Parameter"]["Value"] == "db2"
    old = ssm.get_parameter(Name="/pg/host:1")["Parameter"]
    assert (old["Value"], old["Selector"]) == ("db1", ":1")
    by_arn = ssm.get_parameter(Name=f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/pg/host:1")
    assert by_arn["Parameter"]["Value"] == "db1"
    assert error(ssm.get_parameter, Name="/pg/host:9")["Code"] == "ParameterVersionNotFound"
    assert error(ssm.get_parameter, Name="/pg/none")["Code"] == "ParameterNotFound"


def test_secure_string_needs_with_decryption(ssm: Any) -> None:
    ssm.put_parameter(Name="/pg/password", Value="s3cr3t-pw", Type="SecureString")
    opaque = ssm.get_parameter(Name="/pg/password")["Parameter"]
    assert opaque["Type"] == "SecureString" and opaque["Value"] != "s3cr3t-pw"
    assert "s3cr3t" not in opaque["Value"]
    clear = ssm.get_parameter(Name="/pg/password", WithDecryption=True)["Parameter"]
    assert clear["Value"] == "s3cr3t-pw"
    meta = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/pg/password"]}])[
        "Parameters"
    ]
    assert meta[0]["KeyId"] == "alias/aws/ssm"
    history = ssm.get_parameter_history(Name="/pg/password", WithDecryption=True)
    assert history["Parameters"][0]["Value"] == "s3cr3t-pw"


def test_get_parameters_reports_invalid_ones(ssm: Any) -> None:
    ssm.put_parameter(Name="gp-a", Value="a", Type="StringList")
    out = ssm.get_parameters(Names=["gp-a", "gp-missing", "gp-a:7"])
    assert [p["Name"] for p in out["Parameters"]] == ["gp-a"]
    assert out["Parameters"][0]["Type"] == "StringList"
    assert sorted(out["InvalidParameters"]) == ["gp-a:7", "gp-missing"]
    too_many = error(ssm.get_parameters, Names=[f"n{i}" for i in range(11)])
    assert too_many["Code"] == "ValidationException"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("aws-reserved", "ValidationException"),
        ("/SSM/x", "ValidationException"),
        ("not/qualified", "ValidationException"),
        ("/" + "/".join("abcdefghijklmnop"), "HierarchyLevelLimitExceededException"),
    ],
)
def test_name_rules(ssm: Any, name: str, code: str) -> None:
    assert error(ssm.put_parameter, Name=name, Value="x", Type="String")["Code"] == code


def test_tiers_and_sizes(ssm: Any) -> None:
    big = "x" * 5000
    assert error(ssm.put_parameter, Name="big", Value=big, Type="String")["Code"] == (
        "ValidationException"
    )
    assert ssm.put_parameter(Name="big", Value=big, Type="String", Tier="Advanced")["Tier"] == (
        "Advanced"
    )
    smart = ssm.put_parameter(
        Name="smart", Value="small", Type="String", Tier="Intelligent-Tiering"
    )
    assert smart["Tier"] == "Standard"
    assert (
        error(ssm.put_parameter, Name="pat", Value="abc", Type="String", AllowedPattern=r"^\d+$")[
            "Code"
        ]
        == "ParameterPatternMismatchException"
    )


def test_labels_move_between_versions(ssm: Any) -> None:
    for value in ("1", "2", "3"):
        ssm.put_parameter(Name="/lab/x", Value=value, Type="String", Overwrite=True)
    out = ssm.label_parameter_version(Name="/lab/x", ParameterVersion=1, Labels=["prod", "9no"])
    assert out["InvalidLabels"] == ["9no"] and out["ParameterVersion"] == 1
    assert ssm.get_parameter(Name="/lab/x:prod")["Parameter"]["Value"] == "1"
    ssm.label_parameter_version(Name="/lab/x", ParameterVersion=3, Labels=["prod"])
    assert ssm.get_parameter(Name="/lab/x:prod")["Parameter"]["Value"] == "3"
    history = ssm.get_parameter_history(Name="/lab/x")["Parameters"]
    assert [h["Labels"] for h in history] == [[], [], ["prod"]]
    many = [f"l{i}" for i in range(11)]
    ssm.label_parameter_version(Name="/lab/x", ParameterVersion=2, Labels=many[:10])
    assert (
        error(ssm.label_parameter_version, Name="/lab/x", ParameterVersion=2, Labels=["more"])[
            "Code"
        ]
        == "ParameterVersionLabelLimitExceeded"
    )
    assert (
        error(ssm.label_parameter_version, Name="/lab/x", ParameterVersion=9, Labels=["a"])["Code"]
        == "ParameterVersionNotFound"
    )


def test_get_parameters_by_path_recursion_filters_and_pages(ssm: Any) -> None:
    for i in range(12):
        ssm.put_parameter(Name=f"/tree/a/p{i:02d}", Value=str(i), Type="String")
    ssm.put_parameter(Name="/tree/a/deep/q", Value="q", Type="SecureString")
    ssm.put_parameter(Name="/tree/b", Value="b", Type="String")
    one = ssm.get_parameters_by_path(Path="/tree", MaxResults=10)
    assert [p["Name"] for p in one["Parameters"]] == ["/tree/b"]
    names: list[str] = []
    token: dict[str, str] = {}
    pages = 0
    while True:
        page = ssm.get_parameters_by_path(Path="/tree/a", Recursive=True, MaxResults=5, **token)
        names += [p["Name"] for p in page["Parameters"]]
        pages += 1
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert pages == 3 and len(names) == 13 and names == sorted(names)
    secure = ssm.get_parameters_by_path(
        Path="/tree",
        Recursive=True,
        WithDecryption=True,
        ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}],
    )["Parameters"]
    assert [(p["Name"], p["Value"]) for p in secure] == [("/tree/a/deep/q", "q")]
    bad = error(
        ssm.get_parameters_by_path,
        Path="/tree",
        ParameterFilters=[{"Key": "Name", "Values": ["x"]}],
    )
    assert bad["Code"] == "InvalidFilterKey"
    assert error(ssm.get_parameters_by_path, Path="/t", MaxResults=11)["Code"] == (
        "ValidationException"
    )
    assert error(ssm.get_parameters_by_path, Path="/tree", NextToken="garbage")["Code"] == (
        "InvalidNextToken"
    )


def test_describe_parameters_filters(ssm: Any) -> None:
    ssm.put_parameter(Name="/desc/one", Value="1", Type="String", Description="first")
    ssm.put_parameter(Name="/desc/two", Value="2", Type="SecureString")
    by_path = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/desc"]}]
    )["Parameters"]
    assert [p["Name"] for p in by_path] == ["/desc/one", "/desc/two"]
    assert by_path[0]["Description"] == "first" and "Value" not in by_path[0]
    begins = ssm.describe_parameters(
        ParameterFilters=[
            {"Key": "Name", "Option": "BeginsWith", "Values": ["/desc/"]},
            {"Key": "Type", "Values": ["SecureString"]},
        ]
    )["Parameters"]
    assert [p["Name"] for p in begins] == ["/desc/two"]
    legacy = ssm.describe_parameters(Filters=[{"Key": "Name", "Values": ["/desc/o"]}])
    assert [p["Name"] for p in legacy["Parameters"]] == ["/desc/one"]
    both = error(
        ssm.describe_parameters,
        Filters=[{"Key": "Name", "Values": ["x"]}],
        ParameterFilters=[{"Key": "Name", "Values": ["x"]}],
    )
    assert both["Code"] == "ValidationException"
    assert error(ssm.describe_parameters, MaxResults=51)["Code"] == "ValidationException"
    paged = ssm.describe_parameters(MaxResults=2)
    assert len(paged["Parameters"]) == 2 and "NextToken" in paged


def test_delete_parameter_and_parameters(ssm: Any) -> None:
    ssm.put_parameter(Name="del-a", Value="a", Type="String")
    ssm.put_parameter(Name="del-b", Value="b", Type="String")
    ssm.delete_parameter(Name="del-a")
    assert error(ssm.delete_parameter, Name="del-a")["Code"] == "ParameterNotFound"
    out = ssm.delete_parameters(Names=["del-b", "del-none"])
    assert out["DeletedParameters"] == ["del-b"] and out["InvalidParameters"] == ["del-none"]
    # A recreated parameter starts again at version 1.
    assert ssm.put_parameter(Name="del-a", Value="a", Type="String")["Version"] == 1


def test_tags(ssm: Any) -> None:
    ssm.put_parameter(
        Name="/tagged", Value="v", Type="String", Tags=[{"Key": "team", "Value": "core"}]
    )
    ssm.add_tags_to_resource(
        ResourceType="Parameter", ResourceId="/tagged", Tags=[{"Key": "env", "Value": "prod"}]
    )
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/tagged")["TagList"]
    assert tags == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}]
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/tagged", TagKeys=["env"])
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/tagged")["TagList"]
    assert tags == [{"Key": "team", "Value": "core"}]
    assert (
        error(ssm.list_tags_for_resource, ResourceType="Parameter", ResourceId="/none")["Code"]
        == "InvalidResourceId"
    )
    assert (
        error(ssm.list_tags_for_resource, ResourceType="Document", ResourceId="/tagged")["Code"]
        == "InvalidResourceType"
    )
    assert (
        error(
            ssm.put_parameter,
            Name="/tagged",
            Value="v2",
            Overwrite=True,
            Tags=[{"Key": "a", "Value": "b"}],
        )["Code"]
        == "ValidationException"
    )
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "tag:team", "Values": ["core"]}])
    assert [p["Name"] for p in found["Parameters"]] == ["/tagged"]


def test_aws_cli_gets_a_parameter(server: ServerProcess, ssm: Any) -> None:
    ssm.put_parameter(Name="/cli/param", Value="from-cli", Type="SecureString")
    result = subprocess.run(
        ["aws", "ssm", "get-parameter", "--name", "/cli/param", "--with-decryption"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Parameter"]["Value"] == "from-cli"
