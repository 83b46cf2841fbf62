"""IAM policies on every call, end to end with boto3 and the aws CLI: a read-only user lists but
cannot create, an explicit deny beats an allow, ecs:cluster conditions, managed-policy versions
and deactivated keys take effect at once, assumed-role sessions can do exactly what their role
allows, query-protocol services answer AccessDenied with 403, and the agent channel hands task
credentials only to callers allowed ecs:Poll."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

ACCOUNT = "123456789012"
REGION = "us-east-1"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ_ONLY_ECS = policy(
    {"Effect": "Allow", "Action": ["ecs:Describe*", "ecs:List*"], "Resource": "*"}
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("authz") / "data"
    proc = ServerProcess(data_dir=data_dir).start()
    try:
        proc.client("ecs").create_cluster(clusterName="prod")
        proc.client("ecs").create_cluster(clusterName="dev")
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def iam(server: ServerProcess) -> Any:
    return server.client("iam")


def new_user(iam: Any, name: str, *documents: str) -> tuple[str, str]:
    iam.create_user(UserName=name)
    for i, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def client_as(server: ServerProcess, service: str, key: str, secret: str, token: str | None = None):  # type: ignore[no-untyped-def]
    session = boto3.session.Session(
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=REGION,
    )
    return session.client(service, endpoint_url=server.endpoint)


def denied(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_read_only_user_can_list_and_cannot_create(server: ServerProcess, iam: Any) -> None:
    key, secret = new_user(iam, "reader", READ_ONLY_ECS)
    ecs = client_as(server, "ecs", key, secret)
    assert {"prod", "dev"} <= {a.rsplit("/", 1)[1] for a in ecs.list_clusters()["clusterArns"]}
    code, message, status = denied(lambda: ecs.create_cluster(clusterName="nope"))
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: "
        "ecs:CreateCluster on resource: * because no identity-based policy allows the "
        "ecs:CreateCluster action"
    )
    assert not server.client("ecs").describe_clusters(clusters=["nope"])["clusters"]


def test_explicit_deny_beats_allow(server: ServerProcess, iam: Any) -> None:
    allow_all = policy({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"})
    no_prod = policy(
        {
            "Effect": "Deny",
            "Action": "ecs:*",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"ecs:cluster": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"}
            },
        }
    )
    key, secret = new_user(iam, "operator", allow_all, no_prod)
    ecs = client_as(server, "ecs", key, secret)
    ecs.list_tasks(cluster="dev")
    code, message, _ = denied(lambda: ecs.list_tasks(cluster="prod"))
    assert code == "AccessDeniedException"
    assert message.endswith("with an explicit deny in an identity-based policy")
    code, _, _ = denied(lambda: ecs.delete_cluster(cluster="prod"))
    assert code == "AccessDeniedException"
    assert (
        server.client("ecs").describe_clusters(clusters=["prod"])["clusters"][0]["status"]
        == "ACTIVE"
    )


def test_resource_level_permissions_need_every_named_resource(
    server: ServerProcess, iam: Any
) -> None:
    only_dev = policy(
        {
            "Effect": "Allow",
            "Action": "ecs:DescribeClusters",
            "Resource": f"arn:aws:ecs:*:{ACCOUNT}:cluster/dev",
        }
    )
    key, secret = new_user(iam, "dev-only", only_dev)
    ecs = client_as(server, "ecs", key, secret)
    assert ecs.describe_clusters(clusters=["dev"])["clusters"][0]["clusterName"] == "dev"
    code, message, _ = denied(lambda: ecs.describe_clusters(clusters=["dev", "prod"]))
    assert code == "AccessDeniedException"
    assert "cluster/prod because" in message


def test_group_managed_policy_versions_apply_at_once(server: ServerProcess, iam: Any) -> None:
    key, secret = new_user(iam, "grouped")
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="grouped")
    arn = iam.create_policy(PolicyName="ecs-read", PolicyDocument=READ_ONLY_ECS)["Policy"]["Arn"]
    ecs = client_as(server, "ecs", key, secret)
    assert denied(lambda: ecs.list_clusters())[0] == "AccessDeniedException"
    iam.attach_group_policy(GroupName="readers", PolicyArn=arn)
    ecs.list_clusters()
    nothing = policy({"Effect": "Allow", "Action": "logs:Describe*", "Resource": "*"})
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=nothing, SetAsDefault=True)
    assert denied(lambda: ecs.list_clusters())[0] == "AccessDeniedException"


def test_aws_managed_read_only_access(server: ServerProcess, iam: Any) -> None:
    key, secret = new_user(iam, "auditor")
    iam.attach_user_policy(UserName="auditor", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    client_as(server, "ecs", key, secret).list_clusters()
    client_as(server, "logs", key, secret).describe_log_groups()
    code, _, status = denied(
        lambda: client_as(server, "elbv2", key, secret).create_target_group(
            Name="tg", Protocol="HTTP", Port=80, TargetType="ip", VpcId="vpc-1"
        )
    )
    assert (code, status) == ("AccessDenied", 403)


def test_deactivated_key_stops_at_once(server: ServerProcess, iam: Any) -> None:
    key, secret = new_user(iam, "temp", READ_ONLY_ECS)
    ecs = client_as(server, "ecs", key, secret)
    ecs.list_clusters()
    iam.update_access_key(UserName="temp", AccessKeyId=key, Status="Inactive")
    code, _, status = denied(lambda: ecs.list_clusters())
    assert (code, status) == ("UnrecognizedClientException", 403)


def test_assumed_role_session_can_do_exactly_what_its_role_allows(
    server: ServerProcess, iam: Any
) -> None:
    key, secret = new_user(
        iam,
        "assumer",
        policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
    )
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/assumer"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_role(RoleName="lister", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="lister", PolicyName="read", PolicyDocument=READ_ONLY_ECS)
    iam.create_role(
        RoleName="untrusting",
        AssumeRolePolicyDocument=policy(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
    sts = client_as(server, "sts", key, secret)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/lister", RoleSessionName="s1")[
        "Credentials"
    ]
    code, _, status = denied(
        lambda: sts.assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/untrusting", RoleSessionName="s2"
        )
    )
    assert (code, status) == ("AccessDenied", 403)
    ecs = client_as(
        server, "ecs", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    )
    ecs.list_clusters()
    code, message, _ = denied(lambda: ecs.create_cluster(clusterName="x"))
    assert code == "AccessDeniedException"
    assert message.startswith(
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/lister/s1 is not authorized"
    )
    no_token = client_as(server, "ecs", creds["AccessKeyId"], creds["SecretAccessKey"])
    assert denied(lambda: no_token.list_clusters())[0] == "UnrecognizedClientException"


def test_the_aws_cli_reports_the_denial(server: ServerProcess, iam: Any) -> None:
    key, secret = new_user(iam, "cli-reader", READ_ONLY_ECS)
    env = server.env()
    env.pop("AWS_PROFILE", None)
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
    listed = subprocess.run(
        ["aws", "ecs", "list-clusters"], env=env, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    created = subprocess.run(
        ["aws", "ecs", "create-cluster", "--cluster-name", "cli-denied"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode != 0
    assert "AccessDeniedException" in created.stderr
    assert "ecs:CreateCluster" in created.stderr


def _channel_post(server: ServerProcess, path: str, body: dict[str, Any], key: str, secret: str):  # type: ignore[no-untyped-def]
    url = f"{server.endpoint}/_dockyard/agent/v1/{path}"
    request = AWSRequest(
        method="POST",
        url=url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(Credentials(key, secret), "ecs", REGION).add_auth(request)
    prepared = urllib.request.Request(
        url, data=request.body, method="POST", headers=dict(request.headers.items())
    )
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_task_credentials_are_only_for_agents(server: ServerProcess, iam: Any) -> None:
    key, secret = new_user(
        iam,
        "nosy",
        policy(
            {
                "Effect": "Allow",
                "Action": "ecs:*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:username": "nosy"}},
            }
        ),
    )
    body = {
        "cluster": "dev",
        "taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/dev/abc",
        "roleType": "TaskApplication",
    }
    status, answer = _channel_post(server, "credentials", body, key, secret)
    assert status == 403 and answer["__type"] == "AccessDeniedException"
    assert "ecs:Poll" in answer["message"]
    admin_key, admin_secret = server.credentials()
    status, answer = _channel_post(server, "credentials", body, admin_key, admin_secret)
    assert status == 400 and answer["__type"] == "InvalidParameterException"


def test_a_trust_policy_naming_the_user_is_enough_to_assume_the_role(
    server: ServerProcess, iam: Any
) -> None:
    key, secret = new_user(iam, "named")
    named = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/named"},
            "Action": "sts:AssumeRole",
        }
    )
    account = policy({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="names-user", AssumeRolePolicyDocument=named)
    iam.create_role(RoleName="trusts-account", AssumeRolePolicyDocument=account)
    sts = client_as(server, "sts", key, secret)
    sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/names-user", RoleSessionName="aa")
    code, message, _ = denied(
        lambda: sts.assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/trusts-account", RoleSessionName="bb"
        )
    )
    assert code == "AccessDenied"
    assert "no identity-based policy allows the sts:AssumeRole action" in message
