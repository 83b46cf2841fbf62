"""The ELBv2 API through boto3 and the aws CLI (query protocol in, XML out): resources,
AWS's defaults and ranges, errors in ELBv2's XML envelope, target health states, tags, and a
load balancer DNS name that resolves on this host."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess, free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("elbv2") / "data"
    proc = ServerProcess(data_dir=data_dir).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def elb(server: ServerProcess) -> Any:
    return server.client("elbv2")


def error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def tg(elb: Any, name: str, **kw: Any) -> dict[str, Any]:
    params = {"Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1", **kw}
    return dict(elb.create_target_group(Name=name, **params)["TargetGroups"][0])


def test_load_balancer_lifecycle_and_errors(elb: Any) -> None:
    lb = elb.create_load_balancer(Name="front", Type="application")["LoadBalancers"][0]
    assert lb["LoadBalancerArn"].startswith(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/front/")
    assert lb["State"]["Code"] == "active" and lb["Scheme"] == "internet-facing"
    assert lb["DNSName"].startswith("front-") and lb["DNSName"].endswith(".us-east-1.elb.localhost")
    assert error(lambda: elb.create_load_balancer(Name="front"))[:1] == ("DuplicateLoadBalancerName",)
    assert error(lambda: elb.create_load_balancer(Name="-bad-"))[0] == "ValidationError"
    assert error(lambda: elb.describe_load_balancers(Names=["nope"]))[::2] == ("LoadBalancerNotFound", 400)
    nlb = elb.create_load_balancer(Name="tcp-front", Type="network")["LoadBalancers"][0]
    assert nlb["LoadBalancerArn"].split(":")[-1].startswith("loadbalancer/net/tcp-front/")
    names = [x["LoadBalancerName"] for x in elb.describe_load_balancers()["LoadBalancers"]]
    assert {"front", "tcp-front"} <= set(names)
    pages = list(elb.get_paginator("describe_load_balancers").paginate(PaginationConfig={"PageSize": 1}))
    assert sum(len(p["LoadBalancers"]) for p in pages) == len(names)
    elb.delete_load_balancer(LoadBalancerArn=nlb["LoadBalancerArn"])
    elb.delete_load_balancer(LoadBalancerArn=nlb["LoadBalancerArn"])  # idempotent, as on AWS


def test_target_group_defaults_ranges_and_attributes(elb: Any) -> None:
    http = tg(elb, "defaults-http")
    assert (http["HealthCheckIntervalSeconds"], http["HealthCheckTimeoutSeconds"], http["HealthyThresholdCount"],
            http["UnhealthyThresholdCount"], http["Matcher"], http["HealthCheckPath"], http["HealthCheckPort"],
            http["TargetType"]) == (30, 5, 5, 2, {"HttpCode": "200"}, "/", "traffic-port", "instance")
    tcp = tg(elb, "defaults-tcp", Protocol="TCP")
    assert tcp["HealthCheckProtocol"] == "TCP" and tcp["HealthCheckTimeoutSeconds"] == 10 and "Matcher" not in tcp
    # (boto3 checks the modelled ranges itself; the server checks what the model cannot say)
    assert error(lambda: tg(elb, "bad-timeout", HealthCheckIntervalSeconds=5,
                            HealthCheckTimeoutSeconds=6))[0] == "ValidationError"
    assert tg(elb, "defaults-http")["TargetGroupArn"] == http["TargetGroupArn"]  # same settings: same group
    assert error(lambda: tg(elb, "defaults-http", Port=81))[0] == "DuplicateTargetGroupName"
    attributes = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(
        TargetGroupArn=http["TargetGroupArn"])["Attributes"]}
    assert attributes["deregistration_delay.timeout_seconds"] == "300"
    assert attributes["stickiness.enabled"] == "false"
    elb.modify_target_group_attributes(TargetGroupArn=http["TargetGroupArn"], Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "10"}, {"Key": "slow_start.duration_seconds", "Value": "30"}])
    for bad in ({"Key": "deregistration_delay.timeout_seconds", "Value": "3601"},
                {"Key": "slow_start.duration_seconds", "Value": "10"}, {"Key": "no.such", "Value": "1"}):
        assert error(lambda bad=bad: elb.modify_target_group_attributes(  # type: ignore[misc]
            TargetGroupArn=http["TargetGroupArn"], Attributes=[bad]))[0] == "ValidationError"
    modified = elb.modify_target_group(TargetGroupArn=http["TargetGroupArn"], HealthCheckPath="/health",
                                       HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2)["TargetGroups"][0]
    assert (modified["HealthCheckPath"], modified["HealthCheckIntervalSeconds"]) == ("/health", 5)


def test_listeners_rules_and_priorities(elb: Any) -> None:
    lb = elb.create_load_balancer(Name="rules")["LoadBalancers"][0]["LoadBalancerArn"]
    group = tg(elb, "rules-tg")["TargetGroupArn"]
    port = free_port()
    listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=port, DefaultActions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}],
    )["Listeners"][0]["ListenerArn"]
    assert error(lambda: elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=port, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": group}]))[0] == "DuplicateListener"
    assert error(lambda: elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=free_port(), DefaultActions=[
        {"Type": "forward", "TargetGroupArn": group + "0"}]))[0] == "TargetGroupNotFound"
    forward = [{"Type": "forward", "TargetGroupArn": group}]
    a = elb.create_rule(ListenerArn=listener, Priority=10, Actions=forward,
                        Conditions=[{"Field": "path-pattern", "Values": ["/a/*"]}])["Rules"][0]["RuleArn"]
    b = elb.create_rule(ListenerArn=listener, Priority=20, Actions=forward, Conditions=[
        {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["canary"]}}])["Rules"][0]["RuleArn"]
    assert error(lambda: elb.create_rule(ListenerArn=listener, Priority=10, Actions=forward, Conditions=[
        {"Field": "path-pattern", "Values": ["/c"]}]))[0] == "PriorityInUse"
    assert error(lambda: elb.create_rule(ListenerArn=listener, Priority=30, Actions=forward, Conditions=[
        {"Field": "source-ip", "Values": ["10.0.0.0/8"]}]))[0] == "ValidationError"
    elb.set_rule_priorities(RulePriorities=[{"RuleArn": a, "Priority": 20}, {"RuleArn": b, "Priority": 10}])
    rules = elb.describe_rules(ListenerArn=listener)["Rules"]
    assert [(r["RuleArn"], r["Priority"]) for r in rules[:2]] == [(b, "10"), (a, "20")]
    assert rules[-1]["IsDefault"] and rules[-1]["Priority"] == "default"
    elb.modify_rule(RuleArn=a, Conditions=[{"Field": "host-header", "Values": ["*.example.com"]}])
    assert elb.describe_rules(RuleArns=[a])["Rules"][0]["Conditions"][0]["Field"] == "host-header"
    assert error(lambda: elb.delete_target_group(TargetGroupArn=group))[0] == "ResourceInUse"
    elb.delete_rule(RuleArn=a)
    assert error(lambda: elb.describe_rules(RuleArns=[a]))[0] == "RuleNotFound"
    elb.modify_listener(ListenerArn=listener, DefaultActions=forward)
    assert elb.describe_listeners(LoadBalancerArn=lb)["Listeners"][0]["DefaultActions"][0]["Type"] == "forward"
    elb.delete_listener(ListenerArn=listener)
    assert error(lambda: elb.describe_listeners(ListenerArns=[listener]))[0] == "ListenerNotFound"


def test_target_health_states_and_reasons(elb: Any) -> None:
    group = tg(elb, "health-tg")["TargetGroupArn"]
    assert error(lambda: elb.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.0.1"}]))[0] == "InvalidTarget"
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": "i-0123456789abcdef0", "Port": 32768}])

    def states() -> dict[tuple[str, int], dict[str, str]]:
        return {(d["Target"]["Id"], d["Target"]["Port"]): d["TargetHealth"]
                for d in elb.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]}

    assert states()[("i-0123456789abcdef0", 32768)] == {
        "State": "unused", "Reason": "Target.NotInUse",
        "Description": "Target group is not configured to receive traffic from the load balancer"}
    lb = elb.create_load_balancer(Name="health")["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=free_port(),
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}])
    assert states()[("i-0123456789abcdef0", 32768)]["State"] in ("initial", "unhealthy")
    elb.deregister_targets(TargetGroupArn=group, Targets=[{"Id": "i-0123456789abcdef0", "Port": 32768}])
    assert states()[("i-0123456789abcdef0", 32768)]["Reason"] == "Target.DeregistrationInProgress"
    missing = elb.describe_target_health(TargetGroupArn=group, Targets=[{"Id": "i-00000000000000001", "Port": 1}])
    assert missing["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"] == "Target.NotRegistered"
    elb.deregister_targets(TargetGroupArn=group, Targets=[{"Id": "i-00000000000000009"}])  # silently fine


def test_tags(elb: Any) -> None:
    lb = elb.create_load_balancer(Name="tagged", Tags=[{"Key": "team", "Value": "a"}])["LoadBalancers"][0]["LoadBalancerArn"]
    group = tg(elb, "tagged-tg")["TargetGroupArn"]
    elb.add_tags(ResourceArns=[lb, group], Tags=[{"Key": "env", "Value": "dev"}])
    elb.remove_tags(ResourceArns=[lb], TagKeys=["team"])
    described = {d["ResourceArn"]: {t["Key"]: t["Value"] for t in d["Tags"]}
                 for d in elb.describe_tags(ResourceArns=[lb, group])["TagDescriptions"]}
    assert described == {lb: {"env": "dev"}, group: {"env": "dev"}}
    assert error(lambda: elb.describe_tags(ResourceArns=[lb + "0"]))[0] == "LoadBalancerNotFound"


def test_dns_name_resolves_to_the_listeners(elb: Any) -> None:
    lb = elb.create_load_balancer(Name="resolvable")["LoadBalancers"][0]
    deadline = time.monotonic() + 15
    while True:
        try:
            assert socket.gethostbyname(lb["DNSName"]) == "127.0.0.1"
            return
        except OSError:
            assert time.monotonic() < deadline, "DNS name never resolved"
            time.sleep(0.2)


def test_aws_cli_describes_load_balancers(server: ServerProcess, elb: Any) -> None:
    out = subprocess.run(["aws", "elbv2", "describe-load-balancers", "--names", "front", "--output", "json"],
                         env=server.env(), capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout)["LoadBalancers"][0]["LoadBalancerName"] == "front"
    failed = subprocess.run(["aws", "elbv2", "describe-target-groups", "--names", "nope"],
                            env=server.env(), capture_output=True, text=True, timeout=60)
    assert failed.returncode != 0 and "TargetGroupNotFound" in failed.stderr
