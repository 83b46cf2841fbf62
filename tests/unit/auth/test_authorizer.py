"""The authorizer: admin bypass, deny precedence, every resource must be allowed, conditions on
request facts, AWS's denial wording, and cache invalidation."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dockyard.api.auth.authorizer import Authorizer, RequestFacts, denial_message
from dockyard.api.auth.resources import access_target
from dockyard.domain.identity import Principal
from dockyard.domain.policy import Decision
from dockyard.infra.clock import FakeClock

A, R = "123456789012", "us-east-1"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BOB = Principal(f"arn:aws:iam::{A}:user/bob", A, "bob", "AKIABOB")
ADMIN = Principal(f"arn:aws:iam::{A}:user/dockyard-admin", A, "dockyard-admin", "AKIA", True)


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Source:
    def __init__(self, policies: list[tuple[str, str]]) -> None:
        self.policies = policies
        self.loads = 0

    def policies_for(self, principal: Principal) -> list[tuple[str, str]]:
        self.loads += 1
        return list(self.policies)


def check(source: Source, operation: str, params: dict, ip: str = "127.0.0.1", who=BOB):
    target = access_target("ecs", operation, params, region=R, account_id=A)
    return Authorizer(source, FakeClock(NOW)).authorize(who, target, RequestFacts(NOW, ip, R))


READ_ONLY = doc({"Effect": "Allow", "Action": ["ecs:Describe*", "ecs:List*"], "Resource": "*"})


def test_a_user_without_policies_is_denied_implicitly():
    assert check(Source([]), "ListClusters", {}).decision is Decision.IMPLICIT_DENY


def test_the_admin_is_never_evaluated():
    source = Source([])
    assert check(source, "DeleteCluster", {"cluster": "x"}, who=ADMIN).allowed
    assert source.loads == 0


def test_read_only_lists_but_cannot_create():
    source = Source([("ro", READ_ONLY)])
    assert check(source, "ListClusters", {}).allowed
    assert check(source, "CreateCluster", {"clusterName": "x"}).decision is Decision.IMPLICIT_DENY


def test_an_explicit_deny_wins_and_names_its_policy():
    deny = doc(
        {
            "Sid": "NoProd",
            "Effect": "Deny",
            "Action": "ecs:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"ecs:cluster": f"arn:aws:ecs:{R}:{A}:cluster/prod"}},
        }
    )
    source = Source([("ro", READ_ONLY), ("guard", deny)])
    assert check(source, "ListTasks", {"cluster": "dev"}).allowed
    result = check(source, "ListTasks", {"cluster": "prod"})
    assert result.decision is Decision.EXPLICIT_DENY
    assert (result.policy, result.sid) == ("guard", "NoProd")


def test_every_resource_of_a_request_must_be_allowed():
    only_dev = doc(
        {
            "Effect": "Allow",
            "Action": "ecs:DescribeClusters",
            "Resource": f"arn:aws:ecs:*:{A}:cluster/dev",
        }
    )
    source = Source([("dev", only_dev)])
    assert check(source, "DescribeClusters", {"clusters": ["dev"]}).allowed
    result = check(source, "DescribeClusters", {"clusters": ["dev", "prod"]})
    assert not result.allowed
    assert result.resource == f"arn:aws:ecs:{R}:{A}:cluster/prod"


def test_source_ip_and_username_conditions_see_the_request():
    from_loopback = doc(
        {
            "Effect": "Allow",
            "Action": "ecs:ListClusters",
            "Resource": "*",
            "Condition": {
                "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                "StringEquals": {"aws:username": "bob"},
            },
        }
    )
    source = Source([("net", from_loopback)])
    assert check(source, "ListClusters", {}, ip="127.0.0.9").allowed
    assert not check(source, "ListClusters", {}, ip="10.1.2.3").allowed


def test_denial_messages_follow_aws_wording():
    source = Source([])
    result = check(source, "CreateCluster", {"clusterName": "x"})
    assert denial_message(BOB, "ecs:CreateCluster", result) == (
        f"User: arn:aws:iam::{A}:user/bob is not authorized to perform: ecs:CreateCluster on "
        "resource: * because no identity-based policy allows the ecs:CreateCluster action"
    )
    deny = Source([("d", doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))])
    assert denial_message(BOB, "ecs:ListClusters", check(deny, "ListClusters", {})).endswith(
        "with an explicit deny in an identity-based policy"
    )


def test_compiled_policies_are_cached_until_iam_changes():
    source = Source([("ro", READ_ONLY)])
    authorizer = Authorizer(source, FakeClock(NOW))
    target = access_target("ecs", "ListClusters", {}, region=R, account_id=A)
    facts = RequestFacts(NOW, "127.0.0.1", R)
    for _ in range(5):
        assert authorizer.authorize(BOB, target, facts).allowed
    assert source.loads == 1
    source.policies = []
    authorizer.invalidate()
    assert not authorizer.authorize(BOB, target, facts).allowed
    assert source.loads == 2


def test_an_unparsable_stored_policy_grants_nothing():
    assert not check(Source([("bad", "{not json")]), "ListClusters", {}).allowed


def test_stale_cache_rereads_texts_but_recompiles_only_on_change():
    source = Source([("ro", READ_ONLY)])
    clock = FakeClock(NOW)
    authorizer = Authorizer(source, clock)
    first = authorizer._policies(BOB)
    clock.advance(6)
    assert authorizer._policies(BOB) is first
    assert source.loads == 2
    source.policies = [("ro", READ_ONLY), ("more", READ_ONLY)]
    clock.advance(6)
    assert authorizer._policies(BOB) is not first
