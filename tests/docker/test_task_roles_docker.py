"""Task roles and secrets end to end: ``dockyard up`` runs real containers that fetch their task
role's credentials from 169.254.170.2 (bridge and host networking), use them against Dockyard
with exactly the role's rights, and get SSM parameters, Secrets Manager values and an S3
environment file (from a moto S3 server on loopback) as environment variables. An unmodified
boto3 inside a container finds the credentials with no configuration.

The credentials endpoint binds 169.254.170.2:80, one process per host: when another agent on
this host holds it, the tests that need it are skipped.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess, free_port
from tests.support.waiting import has_instances, wait_for

ACCOUNT = "123456789012"
TRUST_ECS_TASKS = json.dumps(
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
)
TRUST_NOBODY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
SECRET_VALUE = "p4ss-" + "x7Qz9" * 4
"""A value that must appear in the container's environment and nowhere in Dockyard's data."""
TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn"
FETCH = (
    "printf 'GET %s HTTP/1.0\\r\\n\\r\\n' \"$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI\" "
    "| nc -w 5 169.254.170.2 80 | tail -n 1; echo; echo URI=$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; sleep 300"
)




@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="module")
def up(
    tmp_path_factory: pytest.TempPathFactory, test_image: str, docker_client: Any, s3_endpoint: str
) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("roles") / "data"
    proc = ServerProcess(
        data_dir=data_dir, command="up", extra_args=("--s3-endpoint", s3_endpoint)
    ).start()
    ecs = proc.client("ecs")
    try:
        wait_for(lambda: has_instances(ecs))
        yield proc
    finally:
        arns: list[str] = []
        try:
            for status in ("RUNNING", "STOPPED"):
                arns += ecs.list_tasks(cluster="default", desiredStatus=status)["taskArns"]
        except Exception:
            pass
        proc.stop()
        for arn in arns:
            for c in docker_client.containers.list(
                all=True, filters={"label": f"{TASK_ARN_LABEL}={arn}"}
            ):
                c.remove(force=True)




@pytest.fixture(scope="module")
def endpoint_served(up: ServerProcess) -> None:
    log = (up.data_dir.parent / f"server-{up.port}.log").read_text(errors="replace")
    if "task credentials endpoint disabled" in log:
        pytest.skip("another process on this host holds the task credentials endpoint")


def role(up: ServerProcess, name: str, trust: str, statements: list[dict[str, Any]]) -> str:
    iam = up.client("iam")
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"])
    if statements:
        document = json.dumps({"Version": "2012-10-17", "Statement": statements})
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=document)
    return arn


def run(up: ServerProcess, family: str, image: str, command: str, **extra: Any) -> str:
    ecs = up.client("ecs")
    container: dict[str, Any] = {
        "name": "main",
        "image": image,
        "memory": 32,
        "command": ["sh", "-c", command],
    }
    container.update(extra.pop("container", {}))
    ecs.register_task_definition(family=family, containerDefinitions=[container], **extra)
    return str(ecs.run_task(cluster="default", taskDefinition=family)["tasks"][0]["taskArn"])


def task(up: ServerProcess, arn: str) -> dict[str, Any]:
    return dict(up.client("ecs").describe_tasks(cluster="default", tasks=[arn])["tasks"][0])


def logs(docker_client: Any, arn: str) -> str:
    """The task's one container's output; empty until the container exists."""
    found = docker_client.containers.list(all=True, filters={"label": f"{TASK_ARN_LABEL}={arn}"})
    assert len(found) <= 1, found
    return str(found[0].logs().decode()) if found else ""


def fetched_credentials(docker_client: Any, arn: str) -> tuple[dict[str, str], str]:
    def read() -> tuple[dict[str, str], str] | None:
        text = logs(docker_client, arn)
        lines = [line for line in text.splitlines() if line.strip()]
        uri = next((line[4:] for line in lines if line.startswith("URI=")), None)
        body = next((line for line in lines if line.startswith("{")), None)
        return (json.loads(body), uri) if body and uri else None

    return wait_for(read)


@pytest.mark.parametrize("network_mode", ["bridge", "host"])
def test_a_container_gets_its_role_credentials_and_exactly_the_roles_rights(
    up: ServerProcess, endpoint_served: None, test_image: str, docker_client: Any, network_mode: str
) -> None:
    name = f"app-{network_mode}"
    role_arn = role(
        up,
        name,
        TRUST_ECS_TASKS,
        [{"Effect": "Allow", "Action": "ecs:ListClusters", "Resource": "*"}],
    )
    arn = run(
        up,
        f"roles-{network_mode}",
        test_image,
        FETCH,
        taskRoleArn=role_arn,
        networkMode=network_mode,
    )
    wait_for(lambda: task(up, arn)["lastStatus"] == "RUNNING")
    creds, uri = fetched_credentials(docker_client, arn)
    assert uri.startswith("/v2/credentials/") and set(creds) == {
        "RoleArn",
        "AccessKeyId",
        "SecretAccessKey",
        "Token",
        "Expiration",
    }
    assert creds["RoleArn"] == role_arn and creds["AccessKeyId"].startswith("ASIA")
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["Token"],
        region_name="us-east-1",
    )
    identity = session.client("sts", endpoint_url=up.endpoint).get_caller_identity()
    assert identity["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/")
    ecs_as_task = session.client("ecs", endpoint_url=up.endpoint)
    ecs_as_task.list_clusters()
    with pytest.raises(ClientError) as denied:
        ecs_as_task.create_cluster(clusterName="not-allowed")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"

    url = "http://169.254.170.2" + uri  # the host reaches it too (it is a local address)
    with urllib.request.urlopen(url, timeout=5) as response:
        assert json.loads(response.read())["RoleArn"] == role_arn
    up.client("ecs").stop_task(cluster="default", task=arn, reason="done")
    wait_for(lambda: task(up, arn)["lastStatus"] == "STOPPED")
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(url, timeout=5)
    assert gone.value.code == 400 and json.loads(gone.value.read())["code"] == "InvalidIdInRequest"


def test_a_role_that_does_not_trust_ecs_tasks_stops_the_task(
    up: ServerProcess, test_image: str, docker_client: Any
) -> None:
    role_arn = role(up, "untrusting", TRUST_NOBODY, [])
    arn = run(up, "roles-untrusting", test_image, "sleep 300", taskRoleArn=role_arn)
    stopped = wait_for(lambda: (t := task(up, arn))["lastStatus"] == "STOPPED" and t)
    assert stopped["stopCode"] == "TaskFailedToStart"
    assert stopped["stoppedReason"].startswith(
        f"ResourceInitializationError: ECS was unable to assume the role '{role_arn}'"
    )
    assert not docker_client.containers.list(all=True, filters={"label": f"{TASK_ARN_LABEL}={arn}"})


def test_secrets_and_environment_files_reach_the_container_and_nowhere_else(
    up: ServerProcess, test_image: str, docker_client: Any, s3_endpoint: str
) -> None:
    ssm, sm = up.client("ssm"), up.client("secretsmanager")
    ssm.put_parameter(Name="/roles/db/password", Value=SECRET_VALUE, Type="SecureString")
    secret_arn = sm.create_secret(
        Name="roles/db", SecretString=json.dumps({"user": "admin", "port": 5432})
    )["ARN"]
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    s3.create_bucket(Bucket="roles-config")
    s3.put_object(
        Bucket="roles-config", Key="app.env", Body=b"# config\nFROM_FILE=file\nPLAIN=from-file\n"
    )
    exec_arn = role(
        up,
        "exec-ok",
        TRUST_ECS_TASKS,
        [
            {
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/roles/*",
            },
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn},
        ],
    )
    arn = run(
        up,
        "roles-secrets",
        test_image,
        "env; sleep 300",
        executionRoleArn=exec_arn,
        container={
            "environment": [{"name": "PLAIN", "value": "from-environment"}],
            "secrets": [
                {"name": "DB_PASSWORD", "valueFrom": "/roles/db/password"},
                {"name": "DB_USER", "valueFrom": secret_arn + ":user::"},
                {"name": "DB_PORT", "valueFrom": secret_arn + ":port::"},
            ],
            "environmentFiles": [{"type": "s3", "value": "arn:aws:s3:::roles-config/app.env"}],
        },
    )
    wait_for(lambda: task(up, arn)["lastStatus"] == "RUNNING")
    env = wait_for(lambda: "DB_PASSWORD=" in (text := logs(docker_client, arn)) and text)
    assert f"DB_PASSWORD={SECRET_VALUE}" in env.splitlines()
    for line in ("DB_USER=admin", "DB_PORT=5432", "FROM_FILE=file", "PLAIN=from-environment"):
        assert line in env.splitlines()
    assert "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" not in env  # no task role
    described = json.dumps(
        up.client("ecs").describe_tasks(cluster="default", tasks=[arn]), default=str
    )
    assert SECRET_VALUE not in described
    for path in up.data_dir.rglob("*"):
        if path.is_file():
            assert SECRET_VALUE.encode() not in path.read_bytes(), path
    assert SECRET_VALUE not in (up.data_dir.parent / f"server-{up.port}.log").read_text(
        errors="replace"
    )


def test_a_secret_the_execution_role_may_not_read_stops_the_task_naming_it(
    up: ServerProcess, test_image: str, docker_client: Any
) -> None:
    sm = up.client("secretsmanager")
    secret_arn = sm.create_secret(Name="roles/forbidden", SecretString=SECRET_VALUE)["ARN"]
    exec_arn = role(
        up,
        "exec-denied",
        TRUST_ECS_TASKS,
        [
            {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "*"},
        ],
    )
    arn = run(
        up,
        "roles-denied",
        test_image,
        "sleep 300",
        executionRoleArn=exec_arn,
        container={
            "secrets": [{"name": "FORBIDDEN", "valueFrom": secret_arn}],
        },
    )
    stopped = wait_for(lambda: (t := task(up, arn))["lastStatus"] == "STOPPED" and t)
    assert stopped["stopCode"] == "TaskFailedToStart"
    reason = stopped["stoppedReason"]
    assert reason.startswith(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
        "retrieval failed: unable to retrieve secret from asm"
    )
    assert secret_arn in reason and "AccessDeniedException" in reason
    assert SECRET_VALUE not in reason


def _host_python_mounts() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Volumes and mount points that give a busybox container the host's Python + boto3."""
    paths = [sys.prefix, "/lib", "/lib64", "/usr/lib"]
    paths += [p for p in sys.path if p.startswith("/") and not p.startswith(sys.prefix)]
    volumes, mounts = [], []
    for i, path in enumerate(dict.fromkeys(p for p in paths if os.path.isdir(p))):
        volumes.append({"name": f"v{i}", "host": {"sourcePath": path}})
        mounts.append({"sourceVolume": f"v{i}", "containerPath": path, "readOnly": True})
    return volumes, mounts


SDK_SCRIPT = """
import boto3, botocore.exceptions
ecs = boto3.client("ecs", endpoint_url="{endpoint}", region_name="us-east-1")
print("CLUSTERS", len(ecs.list_clusters()["clusterArns"]))
try:
    ecs.create_cluster(clusterName="sdk-denied")
    print("CREATE allowed")
except botocore.exceptions.ClientError as error:
    print("CREATE", error.response["Error"]["Code"])
print("SDK-DONE")
"""


def test_an_unmodified_sdk_in_a_container_finds_and_uses_its_task_role(
    up: ServerProcess, endpoint_served: None, test_image: str, docker_client: Any
) -> None:
    """boto3 with no configuration but the injected relative URI (the host's Python, mounted
    read-only into the busybox image) gets the role's rights and no more."""
    role_arn = role(
        up,
        "app-sdk",
        TRUST_ECS_TASKS,
        [{"Effect": "Allow", "Action": "ecs:ListClusters", "Resource": "*"}],
    )
    volumes, mounts = _host_python_mounts()
    arn = run(
        up,
        "roles-sdk",
        test_image,
        "",
        taskRoleArn=role_arn,
        networkMode="host",
        volumes=volumes,
        container={
            "memory": 256,
            "command": [sys.executable, "-c", SDK_SCRIPT.format(endpoint=up.endpoint)],
            "environment": [{"name": "PYTHONPATH", "value": os.pathsep.join(sys.path[1:])}],
            "mountPoints": mounts,
        },
    )
    out = wait_for(lambda: "SDK-DONE" in (text := logs(docker_client, arn)) and text, timeout=90)
    assert "CLUSTERS " in out and "CREATE AccessDeniedException" in out, out
    assert not up.client("ecs").describe_clusters(clusters=["sdk-denied"])["clusters"]
