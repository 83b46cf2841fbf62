"""The audit trail end to end: calls made with boto3 come back through CloudTrail's
LookupEvents and ``dockyard audit``, refused and unauthenticated ones included, and no request
parameter (a secret, say) ever reaches the trail."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess
from tests.support.waiting import wait_for


def _wait_for_event(trail, predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = trail.lookup_events(MaxResults=50)["Events"]
        found = [e for e in events if predicate(e)]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("event never reached the audit trail")


def test_calls_are_recorded_with_principal_resources_and_source(server: ServerProcess) -> None:
    ecs, trail = server.client("ecs"), server.client("cloudtrail")
    ecs.create_cluster(clusterName="audited")
    ecs.describe_clusters(clusters=["audited"])
    event = _wait_for_event(trail, lambda e: e["EventName"] == "DescribeClusters")
    assert event["EventSource"] == "ecs.amazonaws.com"
    assert event["Username"] == "dockyard-admin"
    assert event["ReadOnly"] == "true"
    assert [r["ResourceName"] for r in event["Resources"]] == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/audited"
    ]
    record = json.loads(event["CloudTrailEvent"])
    assert record["sourceIPAddress"] == "127.0.0.1"
    assert record["dockyardDecision"] == "Allow"
    assert record["userIdentity"]["type"] == "IAMUser"


def test_failed_and_unauthenticated_calls_are_recorded(server: ServerProcess) -> None:
    ecs, trail = server.client("ecs"), server.client("cloudtrail")
    with pytest.raises(ClientError):
        ecs.delete_cluster(cluster="never-existed")
    event = _wait_for_event(trail, lambda e: e["EventName"] == "DeleteCluster")
    record = json.loads(event["CloudTrailEvent"])
    assert record["errorCode"] == "ClusterNotFoundException"
    stranger = boto3.client(
        "ecs",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIANOBODY0000000000",
        aws_secret_access_key="x" * 40,
    )
    with pytest.raises(ClientError):
        stranger.list_clusters()
    event = _wait_for_event(trail, lambda e: e["AccessKeyId"] == "AKIANOBODY0000000000")
    record = json.loads(event["CloudTrailEvent"])
    assert record["dockyardDecision"] == "Unauthenticated"
    assert record["errorCode"] == "UnrecognizedClientException"


def test_request_parameters_never_reach_the_trail(server: ServerProcess) -> None:
    logs, trail = server.client("logs"), server.client("cloudtrail")
    marker = "s3cr3t-value-that-must-not-leak"
    logs.create_log_group(logGroupName="/audit/test")
    logs.create_log_stream(logGroupName="/audit/test", logStreamName="s")
    logs.put_log_events(
        logGroupName="/audit/test",
        logStreamName="s",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": marker}],
    )
    _wait_for_event(trail, lambda e: e["EventName"] == "PutLogEvents")
    everything = json.dumps(trail.lookup_events(MaxResults=50), default=str)
    assert marker not in everything


def test_lookup_filters_and_paging(server: ServerProcess) -> None:
    ecs, trail = server.client("ecs"), server.client("cloudtrail")
    for _ in range(3):
        ecs.list_clusters()

    def listed() -> list[dict[str, Any]]:
        return list(
            trail.lookup_events(
                LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListClusters"}]
            )["Events"]
        )

    def three() -> list[dict[str, Any]] | None:
        found = listed()
        return found if len(found) >= 3 else None

    only = wait_for(three, 15)  # the trail saves in batches: the three may span two saves
    assert len(only) >= 3 and {e["EventName"] for e in only} == {"ListClusters"}
    first = trail.lookup_events(MaxResults=2)
    assert len(first["Events"]) == 2 and "NextToken" in first
    second = trail.lookup_events(MaxResults=2, NextToken=first["NextToken"])
    assert {e["EventId"] for e in first["Events"]}.isdisjoint(
        e["EventId"] for e in second["Events"]
    )
    with pytest.raises(ClientError) as error:
        trail.lookup_events(
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "a"},
                {"AttributeKey": "Username", "AttributeValue": "b"},
            ]
        )
    assert error.value.response["Error"]["Code"] == "InvalidLookupAttributesException"


def test_dockyard_audit_prints_the_trail(server: ServerProcess) -> None:
    server.client("ecs").list_clusters()
    _wait_for_event(server.client("cloudtrail"), lambda e: e["EventName"] == "ListClusters")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dockyard.cli",
            "audit",
            "--action",
            "ListClusters",
            "--json",
            "--endpoint",
            server.endpoint,
            "--data-dir",
            str(server.data_dir),
        ],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert records and {r["eventName"] for r in records} == {"ListClusters"}
