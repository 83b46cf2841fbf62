"""The ``aws`` CLI (awscli package) as a subprocess against a real server."""

from __future__ import annotations

import json
import subprocess

from tests.support.server import ServerProcess


def aws(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["aws", *args, "--output", "json"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_manages_clusters_and_task_definitions(server: ServerProcess) -> None:
    created = aws(server, "ecs", "create-cluster", "--cluster-name", "cli")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["cluster"]["clusterName"] == "cli"
    registered = aws(
        server,
        "ecs",
        "register-task-definition",
        "--family",
        "cli-web",
        "--container-definitions",
        json.dumps([{"name": "web", "image": "busybox", "memory": 32, "essential": True}]),
    )
    assert registered.returncode == 0, registered.stderr
    described = aws(server, "ecs", "describe-task-definition", "--task-definition", "cli-web")
    assert json.loads(described.stdout)["taskDefinition"]["revision"] == 1
    listed = aws(server, "ecs", "list-clusters")
    assert (
        "arn:aws:ecs:us-east-1:123456789012:cluster/cli" in json.loads(listed.stdout)["clusterArns"]
    )


def test_cli_reports_aws_errors(server: ServerProcess) -> None:
    result = aws(server, "ecs", "delete-cluster", "--cluster", "never-made")
    assert result.returncode != 0
    assert "ClusterNotFoundException" in result.stderr
    assert "Cluster not found." in result.stderr


def test_cli_rejects_wrong_credentials(server: ServerProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "credentials"
    key, _ = server.credentials()
    bad.write_text(f"[dockyard]\naws_access_key_id = {key}\naws_secret_access_key = wrong\n")
    env = server.env() | {"AWS_SHARED_CREDENTIALS_FILE": str(bad)}
    result = subprocess.run(
        ["aws", "ecs", "list-clusters"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "InvalidSignatureException" in result.stderr


def test_dockyard_env_prints_working_exports(server: ServerProcess) -> None:
    out = subprocess.run(
        ["dockyard", "env", "--data-dir", str(server.data_dir), "--port", str(server.port)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    script = out + "\naws ecs list-clusters --output json\n"
    env = {k: v for k, v in server.env().items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = "/dev/null"
    result = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "clusterArns" in json.loads(result.stdout)
