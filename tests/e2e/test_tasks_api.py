"""The task API through boto3 against a real server, with the agent's side played by the test
(SubmitTaskStateChange / SubmitContainerStateChange, the agent-only ECS operations)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

RESOURCES = [
    {"name": "CPU", "type": "INTEGER", "integerValue": 1024},
    {"name": "MEMORY", "type": "INTEGER", "integerValue": 1000},
    {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22"]},
    {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": []},
]


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def message(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Message"])


def setup_cluster(ecs, name: str, *, instances: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    ecs.create_cluster(clusterName=name)
    return [
        ecs.register_container_instance(cluster=name, totalResources=RESOURCES)[
            "containerInstance"
        ]["containerInstanceArn"]
        for _ in range(instances)
    ]


def register_web(ecs, family: str = "web", memory: int = 300, host_port: int = 0) -> str:  # type: ignore[no-untyped-def]
    return ecs.register_task_definition(
        family=family,
        containerDefinitions=[
            {
                "name": "app",
                "image": "busybox",
                "memory": memory,
                "cpu": 128,
                "portMappings": [{"containerPort": 80, "hostPort": host_port}],
            },
            {"name": "sidecar", "image": "busybox", "memory": 10, "essential": False},
        ],
    )["taskDefinition"]["taskDefinitionArn"]


def test_run_describe_list_and_the_reported_lifecycle(ecs) -> None:
    [instance] = setup_cluster(ecs, "life")
    register_web(ecs)
    run = ecs.run_task(cluster="life", taskDefinition="web", count=2, startedBy="me")
    assert run["failures"] == []
    tasks = run["tasks"]
    assert len(tasks) == 2
    task = tasks[0]
    arn = task["taskArn"]
    assert arn.startswith("arn:aws:ecs:us-east-1:123456789012:task/life/")
    assert task["lastStatus"] == "PROVISIONING" and task["desiredStatus"] == "RUNNING"
    assert task["containerInstanceArn"] == instance
    assert task["group"] == "family:web" and task["startedBy"] == "me"
    assert task["memory"] == "310" and task["cpu"] == "128"
    assert [c["name"] for c in task["containers"]] == ["app", "sidecar"]
    assert all(c["lastStatus"] == "PENDING" for c in task["containers"])

    described = ecs.describe_container_instances(cluster="life", containerInstances=[instance])
    ci = described["containerInstances"][0]
    remaining = {r["name"]: r.get("integerValue") for r in ci["remainingResources"]}
    assert remaining["MEMORY"] == 1000 - 2 * 310 and remaining["CPU"] == 1024 - 2 * 128
    assert ci["runningTasksCount"] == 2 and ci["pendingTasksCount"] == 2

    ecs.submit_task_state_change(
        cluster="life",
        task=arn,
        status="RUNNING",
        containers=[
            {
                "containerName": "app",
                "runtimeId": "abc123",
                "status": "RUNNING",
                "networkBindings": [
                    {"bindIP": "127.0.0.1", "containerPort": 80, "hostPort": 32768, "protocol": "tcp"}
                ],
            },
            {"containerName": "sidecar", "runtimeId": "def456", "status": "RUNNING"},
        ],
    )
    running = ecs.describe_tasks(cluster="life", tasks=[arn])["tasks"][0]
    assert running["lastStatus"] == "RUNNING" and "startedAt" in running
    cluster = ecs.describe_clusters(clusters=["life"])["clusters"][0]
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"]) == (1, 1)
    app = running["containers"][0]
    assert app["runtimeId"] == "abc123" and app["networkBindings"][0]["hostPort"] == 32768
    assert running["version"] > task["version"]

    # A non-essential container exiting does not stop the task.
    ecs.submit_container_state_change(
        cluster="life", task=arn, containerName="sidecar", status="STOPPED", exitCode=0
    )
    still = ecs.describe_tasks(cluster="life", tasks=[arn])["tasks"][0]
    assert still["desiredStatus"] == "RUNNING"
    assert still["containers"][1]["lastStatus"] == "STOPPED"
    assert still["containers"][1]["exitCode"] == 0

    # The essential one exiting does, with ECS's stop code and reason.
    ecs.submit_container_state_change(
        cluster="life", task=arn, containerName="app", status="STOPPED", exitCode=3
    )
    stopping = ecs.describe_tasks(cluster="life", tasks=[arn])["tasks"][0]
    assert stopping["desiredStatus"] == "STOPPED"
    assert stopping["stopCode"] == "EssentialContainerExited"
    assert stopping["stoppedReason"] == "Essential container in task exited"
    ecs.submit_task_state_change(cluster="life", task=arn, status="STOPPED")
    stopped = ecs.describe_tasks(cluster="life", tasks=[arn])["tasks"][0]
    assert stopped["lastStatus"] == "STOPPED" and "stoppedAt" in stopped
    assert "executionStoppedAt" in stopped

    # Known status only moves forward.
    ecs.submit_task_state_change(cluster="life", task=arn, status="RUNNING")
    assert ecs.describe_tasks(cluster="life", tasks=[arn])["tasks"][0]["lastStatus"] == "STOPPED"

    listed = ecs.list_tasks(cluster="life")["taskArns"]
    assert listed == [tasks[1]["taskArn"]]
    assert ecs.list_tasks(cluster="life", desiredStatus="STOPPED")["taskArns"] == [arn]
    assert ecs.list_tasks(cluster="life", startedBy="nobody")["taskArns"] == []
    assert ecs.list_tasks(cluster="life", containerInstance=instance)["taskArns"] == listed
    assert ecs.list_tasks(cluster="life", family="web")["taskArns"] == listed


def test_stop_task_is_user_initiated_and_releases_resources_when_stopped(ecs) -> None:
    [instance] = setup_cluster(ecs, "stops")
    register_web(ecs, family="stopper")
    task = ecs.run_task(cluster="stops", taskDefinition="stopper")["tasks"][0]
    ecs.submit_task_state_change(cluster="stops", task=task["taskArn"], status="RUNNING")
    stopped = ecs.stop_task(cluster="stops", task=task["taskArn"], reason="done here")["task"]
    assert stopped["desiredStatus"] == "STOPPED" and stopped["lastStatus"] == "STOPPING"
    assert stopped["stopCode"] == "UserInitiated" and stopped["stoppedReason"] == "done here"
    assert "stoppingAt" in stopped
    with pytest.raises(ClientError) as exc:
        ecs.delete_cluster(cluster="stops")
    assert code(exc) in ("ClusterContainsContainerInstancesException",)
    ecs.submit_task_state_change(cluster="stops", task=task["taskArn"], status="STOPPED")
    ci = ecs.describe_container_instances(cluster="stops", containerInstances=[instance])
    remaining = {r["name"]: r.get("integerValue") for r in ci["containerInstances"][0]["remainingResources"]}
    assert remaining["MEMORY"] == 1000


def test_placement_fits_resources_and_reports_every_shortfall(ecs) -> None:
    instances = setup_cluster(ecs, "fit", instances=2)
    register_web(ecs, family="big", memory=600, host_port=8080)
    run = ecs.run_task(cluster="fit", taskDefinition="big", count=4)
    placed = sorted(t["containerInstanceArn"] for t in run["tasks"])
    assert placed == sorted(instances)  # one per instance: memory and port 8080 both run out
    reasons = {(f["arn"], f["reason"]) for f in run["failures"]}
    for instance in instances:
        assert (instance, "RESOURCE:MEMORY") in reasons
        assert (instance, "RESOURCE:PORTS") in reasons
    start = ecs.start_task(cluster="fit", taskDefinition="big", containerInstances=[instances[0]])
    assert start["tasks"] == []
    assert {f["reason"] for f in start["failures"]} == {"RESOURCE:MEMORY", "RESOURCE:PORTS"}


def test_client_token_makes_run_task_idempotent(ecs) -> None:
    setup_cluster(ecs, "idem")
    register_web(ecs, family="idem")
    first = ecs.run_task(cluster="idem", taskDefinition="idem", count=2, clientToken="tok-1")
    again = ecs.run_task(cluster="idem", taskDefinition="idem", count=2, clientToken="tok-1")
    assert sorted(t["taskArn"] for t in again["tasks"]) == sorted(
        t["taskArn"] for t in first["tasks"]
    )
    assert len(ecs.list_tasks(cluster="idem")["taskArns"]) == 2


def test_overrides_and_tags(ecs) -> None:
    setup_cluster(ecs, "over")
    register_web(ecs, family="over")
    task = ecs.run_task(
        cluster="over",
        taskDefinition="over",
        overrides={
            "containerOverrides": [
                {"name": "app", "command": ["sleep", "5"], "memory": 100,
                 "environment": [{"name": "MODE", "value": "x"}]}
            ]
        },
        tags=[{"key": "team", "value": "a"}],
    )["tasks"][0]
    override = task["overrides"]["containerOverrides"][0]
    assert override["command"] == ["sleep", "5"] and override["memory"] == 100
    assert task["memory"] == "110"
    described = ecs.describe_tasks(cluster="over", tasks=[task["taskArn"]], include=["TAGS"])
    assert described["tasks"][0]["tags"] == [{"key": "team", "value": "a"}]
    assert ecs.list_tags_for_resource(resourceArn=task["taskArn"])["tags"] == [
        {"key": "team", "value": "a"}
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"taskDefinition": "nope"}, "ClientException", "TaskDefinition not found."),
        ({"taskDefinition": "over", "count": 11}, "InvalidParameterException", "count"),
        ({"taskDefinition": "over", "count": 0}, "InvalidParameterException", "count"),
        (
            {"taskDefinition": "over", "overrides": {"containerOverrides": [{"name": "ghost"}]}},
            "InvalidParameterException",
            "ghost",
        ),
        (
            {"taskDefinition": "over", "overrides": {"containerOverrides": [{"name": "app", "command": ["x" * 9000]}]}},
            "InvalidParameterException",
            "8192",
        ),
        ({"taskDefinition": "over", "cluster": "nowhere"}, "ClusterNotFoundException", ""),
        ({"taskDefinition": "over", "placementStrategy": [{"type": "binpack", "field": "disk"}]}, "InvalidParameterException", "binpack"),
        ({"taskDefinition": "over", "placementConstraints": [{"type": "distinctInstance", "expression": "x == y"}]}, "InvalidParameterException", "distinctInstance"),
        ({"taskDefinition": "over", "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}, "InvalidParameterException", "capacityProviderStrategy"),
    ],
)
def test_run_task_errors(ecs, kwargs, error, text) -> None:  # type: ignore[no-untyped-def]
    if not ecs.list_clusters()["clusterArns"] or "over" not in str(ecs.list_clusters()):
        setup_cluster(ecs, "over")
        register_web(ecs, family="over")
    kwargs = {"cluster": "over", **kwargs}
    with pytest.raises(ClientError) as exc:
        ecs.run_task(**kwargs)
    assert code(exc) == error
    assert text in message(exc)


def test_no_instances_and_unknown_tasks(ecs) -> None:
    ecs.create_cluster(clusterName="empty")
    register_web(ecs, family="lonely")
    with pytest.raises(ClientError) as exc:
        ecs.run_task(cluster="empty", taskDefinition="lonely")
    assert message(exc) == "No Container Instances were found in your cluster."
    with pytest.raises(ClientError) as exc:
        ecs.stop_task(cluster="empty", task="0" * 32)
    assert code(exc) == "InvalidParameterException"
    described = ecs.describe_tasks(cluster="empty", tasks=["0" * 32])
    assert described["tasks"] == [] and described["failures"][0]["reason"] == "MISSING"
    with pytest.raises(ClientError) as exc:
        ecs.submit_task_state_change(cluster="empty", task="0" * 32, status="RUNNING")
    assert code(exc) == "InvalidParameterException"


def test_deregister_with_tasks_needs_force_and_delete_cluster_with_tasks(ecs) -> None:
    [instance] = setup_cluster(ecs, "busy")
    register_web(ecs, family="busy")
    ecs.run_task(cluster="busy", taskDefinition="busy")
    with pytest.raises(ClientError) as exc:
        ecs.deregister_container_instance(cluster="busy", containerInstance=instance)
    assert "force" in message(exc)
    ecs.deregister_container_instance(cluster="busy", containerInstance=instance, force=True)
    with pytest.raises(ClientError) as exc:
        ecs.delete_cluster(cluster="busy")
    assert code(exc) == "ClusterContainsTasksException"


def test_discover_poll_endpoint_names_the_agent_channel(ecs, server) -> None:  # type: ignore[no-untyped-def]
    [instance] = setup_cluster(ecs, "disco")
    found = ecs.discover_poll_endpoint(cluster="disco", containerInstance=instance)
    assert found["endpoint"] == server.endpoint + "/_dockyard/agent/v1"

