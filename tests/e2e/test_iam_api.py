"""IAM through boto3 and the aws CLI against a real server: the bootstrap admin as a user,
users and access keys (a new user's key authenticates), groups, roles and trust policies,
inline and managed policies with versions and attachments, AWS managed built-ins, and IAM's
errors (codes, messages, HTTP statuses)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

ACCOUNT = "123456789012"
ALLOW_STS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sts:*", "iam:Get*"], "Resource": "*"}],
    }
)
ALLOW_ECS_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}],
}
TRUST_ACCOUNT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("iam") / "data"
    proc = ServerProcess(data_dir=data_dir).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def iam(server: ServerProcess) -> Any:
    return server.client("iam")


def error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def client_for(server: ServerProcess, service: str, key: dict[str, Any]) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=server.region,
    )
    return session.client(service, endpoint_url=server.endpoint)  # type: ignore[call-overload]


def test_bootstrap_admin_is_an_iam_user_that_cannot_be_deleted(
    server: ServerProcess, iam: Any
) -> None:
    me = iam.get_user()["User"]
    assert me["UserName"] == "dockyard-admin" and me["Path"] == "/"
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dockyard-admin"
    assert me["UserId"].startswith("AIDA") and len(me["UserId"]) == 21
    assert "dockyard-admin" in [u["UserName"] for u in iam.list_users()["Users"]]
    keys = iam.list_access_keys(UserName="dockyard-admin")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [server.credentials()[0]]
    assert keys[0]["Status"] == "Active"
    code, message, status = error(lambda: iam.delete_user(UserName="dockyard-admin"))
    assert (code, status) == ("DeleteConflict", 409) and "root of trust" in message
    code, message, _ = error(
        lambda: iam.delete_access_key(UserName="dockyard-admin", AccessKeyId=keys[0]["AccessKeyId"])
    )
    assert code == "DeleteConflict" and "last active access key" in message
    assert (
        error(lambda: iam.update_user(UserName="dockyard-admin", NewUserName="boss"))[0]
        == "InvalidInput"
    )


def test_users_lifecycle_paging_and_errors(iam: Any) -> None:
    created = iam.create_user(UserName="alice", Path="/dev/", Tags=[{"Key": "team", "Value": "a"}])[
        "User"
    ]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dev/alice"
    assert created["UserId"].startswith("AIDA")
    assert error(lambda: iam.create_user(UserName="ALICE")) == (
        "EntityAlreadyExists",
        "User with name ALICE already exists.",
        409,
    )
    assert error(lambda: iam.get_user(UserName="nobody")) == (
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
        404,
    )
    code, message, status = error(lambda: iam.create_user(UserName="bad name"))
    assert (code, status) == ("ValidationError", 400) and "regular expression pattern" in message
    assert error(lambda: iam.create_user(UserName="x", Path="nope"))[0] == "ValidationError"
    got = iam.get_user(UserName="alice")["User"]
    assert got["Tags"] == [{"Key": "team", "Value": "a"}] and got["UserId"] == created["UserId"]
    for name in ("u1", "u2", "u3"):
        iam.create_user(UserName=name, Path="/paged/")
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/paged/")["Users"]] == [
        "u1",
        "u2",
        "u3",
    ]
    first = iam.list_users(PathPrefix="/paged/", MaxItems=2)
    assert first["IsTruncated"] and len(first["Users"]) == 2
    rest = iam.list_users(PathPrefix="/paged/", MaxItems=2, Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["u3"] and not rest["IsTruncated"]
    pages = iam.get_paginator("list_users").paginate(
        PathPrefix="/paged/", PaginationConfig={"PageSize": 1}
    )
    assert [u["UserName"] for p in pages for u in p["Users"]] == ["u1", "u2", "u3"]
    iam.update_user(UserName="u3", NewUserName="u4", NewPath="/moved/")
    assert iam.get_user(UserName="u4")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/moved/u4"
    for name in ("u1", "u2", "u4"):
        iam.delete_user(UserName=name)
    assert error(lambda: iam.delete_user(UserName="u4"))[0] == "NoSuchEntity"


def test_access_keys_quota_status_and_authentication(server: ServerProcess, iam: Any) -> None:
    iam.create_user(UserName="keyed")
    iam.put_user_policy(UserName="keyed", PolicyName="sts", PolicyDocument=ALLOW_STS)
    first = iam.create_access_key(UserName="keyed")["AccessKey"]
    assert first["AccessKeyId"].startswith("AKIA") and len(first["AccessKeyId"]) == 20
    assert len(first["SecretAccessKey"]) == 40 and first["Status"] == "Active"
    second = iam.create_access_key(UserName="keyed")["AccessKey"]
    assert error(lambda: iam.create_access_key(UserName="keyed")) == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )
    listed = iam.list_access_keys(UserName="keyed")["AccessKeyMetadata"]
    assert sorted(k["AccessKeyId"] for k in listed) == sorted(
        [first["AccessKeyId"], second["AccessKeyId"]]
    )
    assert all("SecretAccessKey" not in k for k in listed)

    sts = client_for(server, "sts", first)
    identity = sts.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/keyed"
    assert identity["UserId"] == iam.get_user(UserName="keyed")["User"]["UserId"]
    assert identity["Account"] == ACCOUNT
    own = client_for(server, "iam", first).get_user()["User"]
    assert own["UserName"] == "keyed"

    iam.update_access_key(UserName="keyed", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    assert error(lambda: sts.get_caller_identity())[0] == "InvalidClientTokenId"
    assert error(
        lambda: iam.update_access_key(
            UserName="keyed", AccessKeyId="AKIANOPENOPENOPE0", Status="Active"
        )
    ) == ("NoSuchEntity", "The Access Key with id AKIANOPENOPENOPE0 cannot be found.", 404)
    assert error(lambda: iam.delete_user(UserName="keyed")) == (
        "DeleteConflict",
        "Cannot delete entity, must delete access keys first.",
        409,
    )
    for key in (first, second):
        iam.delete_access_key(UserName="keyed", AccessKeyId=key["AccessKeyId"])
    assert error(lambda: iam.delete_user(UserName="keyed")) == (
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
        409,
    )
    iam.delete_user_policy(UserName="keyed", PolicyName="sts")
    iam.delete_user(UserName="keyed")


def test_groups_members_and_group_policies(iam: Any) -> None:
    group = iam.create_group(GroupName="devs", Path="/eng/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/eng/devs" and group["GroupId"].startswith(
        "AGPA"
    )
    assert error(lambda: iam.create_group(GroupName="DEVS"))[::2] == ("EntityAlreadyExists", 409)
    iam.create_user(UserName="gina")
    iam.add_user_to_group(GroupName="devs", UserName="gina")
    got = iam.get_group(GroupName="devs")
    assert [u["UserName"] for u in got["Users"]] == ["gina"] and got["Group"]["GroupName"] == "devs"
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="gina")["Groups"]] == ["devs"]
    assert "devs" in [g["GroupName"] for g in iam.list_groups()["Groups"]]
    iam.put_group_policy(
        GroupName="devs", PolicyName="read", PolicyDocument=json.dumps(ALLOW_ECS_READ)
    )
    got_policy = iam.get_group_policy(GroupName="devs", PolicyName="read")
    assert got_policy["PolicyDocument"] == ALLOW_ECS_READ and got_policy["GroupName"] == "devs"
    assert iam.list_group_policies(GroupName="devs")["PolicyNames"] == ["read"]
    assert error(lambda: iam.delete_user(UserName="gina")) == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    assert error(lambda: iam.delete_group(GroupName="devs")) == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    iam.remove_user_from_group(GroupName="devs", UserName="gina")
    assert (
        error(lambda: iam.delete_group(GroupName="devs"))[1]
        == "Cannot delete entity, must delete policies first."
    )
    iam.delete_group_policy(GroupName="devs", PolicyName="read")
    assert error(lambda: iam.get_group_policy(GroupName="devs", PolicyName="read")) == (
        "NoSuchEntity",
        "The group policy with name read cannot be found.",
        404,
    )
    iam.delete_group(GroupName="devs")
    iam.delete_user(UserName="gina")
    assert error(lambda: iam.get_group(GroupName="devs")) == (
        "NoSuchEntity",
        "The group with name devs cannot be found.",
        404,
    )


def test_roles_trust_policies_and_inline_policies(iam: Any) -> None:
    role = iam.create_role(
        RoleName="deployer",
        Path="/ci/",
        AssumeRolePolicyDocument=TRUST_ACCOUNT,
        Description="deploys",
        MaxSessionDuration=7200,
        Tags=[{"Key": "k", "Value": "v"}],
    )["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ci/deployer" and role["RoleId"].startswith(
        "AROA"
    )
    got = iam.get_role(RoleName="deployer")["Role"]
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST_ACCOUNT)
    assert (got["Description"], got["MaxSessionDuration"], got["Tags"]) == (
        "deploys",
        7200,
        [{"Key": "k", "Value": "v"}],
    )
    assert "deployer" in [r["RoleName"] for r in iam.list_roles(PathPrefix="/ci/")["Roles"]]
    assert error(
        lambda: iam.create_role(RoleName="Deployer", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    ) == ("EntityAlreadyExists", "Role with name Deployer already exists.", 409)
    no_principal = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    )
    code, _, status = error(
        lambda: iam.create_role(RoleName="bad", AssumeRolePolicyDocument=no_principal)
    )
    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert (
        error(
            lambda: iam.create_role(
                RoleName="long", AssumeRolePolicyDocument=TRUST_ACCOUNT, MaxSessionDuration=50000
            )
        )[0]
        == "ValidationError"
    )
    assert error(lambda: iam.get_role(RoleName="ghost")) == (
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
        404,
    )

    iam.put_role_policy(
        RoleName="deployer", PolicyName="ecs-read", PolicyDocument=json.dumps(ALLOW_ECS_READ)
    )
    assert (
        iam.get_role_policy(RoleName="deployer", PolicyName="ecs-read")["PolicyDocument"]
        == ALLOW_ECS_READ
    )
    assert iam.list_role_policies(RoleName="deployer")["PolicyNames"] == ["ecs-read"]
    malformed = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}
    )
    assert error(
        lambda: iam.put_role_policy(RoleName="deployer", PolicyName="m", PolicyDocument=malformed)
    )[::2] == ("MalformedPolicyDocument", 400)
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "ecs:Describe*",
                    "Resource": [
                        f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{'c' * 60}-{i}"
                        for i in range(150)
                    ],
                }
            ],
        }
    )
    assert error(
        lambda: iam.put_role_policy(RoleName="deployer", PolicyName="big", PolicyDocument=big)
    ) == ("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role deployer", 409)
    iam.update_assume_role_policy(RoleName="deployer", PolicyDocument=TRUST_ACCOUNT)
    iam.update_role(RoleName="deployer", Description="still deploys")
    assert iam.get_role(RoleName="deployer")["Role"]["Description"] == "still deploys"
    assert error(lambda: iam.delete_role(RoleName="deployer")) == (
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
        409,
    )
    iam.delete_role_policy(RoleName="deployer", PolicyName="ecs-read")
    iam.delete_role(RoleName="deployer")


def test_user_inline_policy_size_limit(iam: Any) -> None:
    iam.create_user(UserName="sized")
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "ecs:Describe*",
                    "Resource": [
                        f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/c{i:04d}" for i in range(50)
                    ],
                }
            ],
        }
    )
    assert error(
        lambda: iam.put_user_policy(UserName="sized", PolicyName="big", PolicyDocument=big)
    ) == ("LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user sized", 409)
    iam.put_user_policy(
        UserName="sized", PolicyName="small", PolicyDocument=json.dumps(ALLOW_ECS_READ)
    )
    assert iam.list_user_policies(UserName="sized")["PolicyNames"] == ["small"]
    assert (
        iam.get_user_policy(UserName="sized", PolicyName="small")["PolicyDocument"]
        == ALLOW_ECS_READ
    )
    assert error(lambda: iam.get_user_policy(UserName="sized", PolicyName="nope")) == (
        "NoSuchEntity",
        "The user policy with name nope cannot be found.",
        404,
    )
    iam.delete_user_policy(UserName="sized", PolicyName="small")
    iam.delete_user(UserName="sized")


def test_managed_policies_versions_and_attachments(iam: Any) -> None:
    v1 = ALLOW_ECS_READ
    policy = iam.create_policy(
        PolicyName="EcsRead", Path="/team/", PolicyDocument=json.dumps(v1), Description="read"
    )["Policy"]
    arn = policy["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/team/EcsRead" and policy["PolicyId"].startswith(
        "ANPA"
    )
    assert (policy["DefaultVersionId"], policy["AttachmentCount"], policy["IsAttachable"]) == (
        "v1",
        0,
        True,
    )
    assert error(lambda: iam.create_policy(PolicyName="ecsread", PolicyDocument=json.dumps(v1)))[
        ::2
    ] == ("EntityAlreadyExists", 409)
    for n in range(2, 6):
        doc = {**v1, "Statement": [{**v1["Statement"][0], "Sid": f"V{n}"}]}
        made = iam.create_policy_version(
            PolicyArn=arn, PolicyDocument=json.dumps(doc), SetAsDefault=(n == 3)
        )
        assert made["PolicyVersion"]["VersionId"] == f"v{n}"
    assert error(
        lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v1))
    ) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        409,
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v3"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]
    assert got["Document"]["Statement"][0]["Sid"] == "V3" and got["IsDefaultVersion"]
    assert error(lambda: iam.delete_policy_version(PolicyArn=arn, VersionId="v3")) == (
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
        409,
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    assert (
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v1))["PolicyVersion"][
            "VersionId"
        ]
        == "v6"
    )
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v6")
    assert error(lambda: iam.set_default_policy_version(PolicyArn=arn, VersionId="v9"))[::2] == (
        "NoSuchEntity",
        404,
    )

    iam.create_user(UserName="mia")
    iam.create_group(GroupName="ops")
    iam.create_role(RoleName="svc", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    iam.attach_user_policy(UserName="mia", PolicyArn=arn)
    iam.attach_group_policy(GroupName="ops", PolicyArn=arn)
    iam.attach_role_policy(RoleName="svc", PolicyArn=arn)
    iam.attach_role_policy(RoleName="svc", PolicyArn=arn)  # attaching twice is a no-op
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    assert iam.list_attached_user_policies(UserName="mia")["AttachedPolicies"] == [
        {"PolicyName": "EcsRead", "PolicyArn": arn}
    ]
    assert (
        iam.list_attached_group_policies(GroupName="ops")["AttachedPolicies"][0]["PolicyArn"] == arn
    )
    assert (
        iam.list_attached_role_policies(RoleName="svc")["AttachedPolicies"][0]["PolicyArn"] == arn
    )
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["mia"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["ops"]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["svc"]
    assert arn in [
        p["Arn"] for p in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    ]
    assert error(lambda: iam.delete_policy(PolicyArn=arn)) == (
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
        409,
    )
    assert error(lambda: iam.delete_role(RoleName="svc")) == (
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
        409,
    )
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Nope"
    assert error(lambda: iam.attach_user_policy(UserName="mia", PolicyArn=missing)) == (
        "NoSuchEntity",
        f"Policy {missing} does not exist or is not attachable.",
        404,
    )
    assert error(lambda: iam.get_policy(PolicyArn=missing)) == (
        "NoSuchEntity",
        f"Policy {missing} was not found.",
        404,
    )
    iam.detach_user_policy(UserName="mia", PolicyArn=arn)
    assert error(lambda: iam.detach_user_policy(UserName="mia", PolicyArn=arn)) == (
        "NoSuchEntity",
        f"Policy {arn} was not found.",
        404,
    )
    iam.detach_group_policy(GroupName="ops", PolicyArn=arn)
    iam.detach_role_policy(RoleName="svc", PolicyArn=arn)
    assert error(lambda: iam.delete_policy(PolicyArn=arn))[0] == "DeleteConflict"  # versions left
    for version in ("v1", "v2", "v3", "v4"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    assert error(lambda: iam.get_policy(PolicyArn=arn))[0] == "NoSuchEntity"
    iam.delete_user(UserName="mia")
    iam.delete_group(GroupName="ops")
    iam.delete_role(RoleName="svc")


def test_aws_managed_policies_are_built_in_attachable_and_read_only(iam: Any) -> None:
    aws = {p["Arn"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    execution = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    assert {
        admin,
        execution,
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonECS_FullAccess",
    } <= aws
    got = iam.get_policy(PolicyArn=execution)["Policy"]
    assert got["Path"] == "/service-role/" and got["DefaultVersionId"] == "v1"
    document = iam.get_policy_version(PolicyArn=execution, VersionId="v1")["PolicyVersion"][
        "Document"
    ]
    assert "logs:PutLogEvents" in document["Statement"][0]["Action"]
    iam.create_role(
        RoleName="exec",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    iam.attach_role_policy(RoleName="exec", PolicyArn=execution)
    assert iam.get_policy(PolicyArn=execution)["Policy"]["AttachmentCount"] == 1
    assert execution in [p["Arn"] for p in iam.list_policies(OnlyAttached=True)["Policies"]]
    code, _, status = error(lambda: iam.delete_policy(PolicyArn=admin))
    assert (code, status) == ("AccessDenied", 403)
    assert (
        error(
            lambda: iam.create_policy_version(
                PolicyArn=admin, PolicyDocument=json.dumps(ALLOW_ECS_READ)
            )
        )[0]
        == "AccessDenied"
    )
    assert (
        error(lambda: iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/NotAThing"))[0]
        == "NoSuchEntity"
    )
    iam.detach_role_policy(RoleName="exec", PolicyArn=execution)
    iam.delete_role(RoleName="exec")


def test_aws_cli_lists_users_and_shows_decoded_documents(server: ServerProcess, iam: Any) -> None:
    iam.create_role(RoleName="cli-role", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    listed = subprocess.run(
        ["aws", "iam", "list-users", "--output", "json"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "dockyard-admin" in [u["UserName"] for u in json.loads(listed.stdout)["Users"]]
    role = subprocess.run(
        ["aws", "iam", "get-role", "--role-name", "cli-role", "--output", "json"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert role.returncode == 0, role.stderr
    assert json.loads(role.stdout)["Role"]["AssumeRolePolicyDocument"] == json.loads(TRUST_ACCOUNT)
    missing = subprocess.run(
        ["aws", "iam", "get-user", "--user-name", "ghost"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode != 0 and "NoSuchEntity" in missing.stderr
    iam.delete_role(RoleName="cli-role")
