"""Identity-policy evaluation: actions, resources, Not*, deny precedence, the audit answer."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.policy.policy_support import (
    ACCOUNT,
    CLUSTER,
    A,
    D,
    I,
    allow,
    ctx,
    decide,
    deny,
    identity,
)

from dockyard.domain.policy import (
    AccessRequest,
    Decision,
    Evaluation,
    NamedPolicy,
    PolicyKind,
    compile_policies,
    parse_policy_document,
)

ACTIONS = [
    ("exact", "ecs:RunTask", "ecs:RunTask", A),
    ("action-case-insensitive", "ECS:runtask", "ecs:RunTask", A),
    ("request-case-insensitive", "ecs:RunTask", "Ecs:RUNTASK", A),
    ("other-action", "ecs:RunTask", "ecs:StopTask", I),
    ("service-star", "ecs:*", "ecs:DeleteCluster", A),
    ("other-service", "ecs:*", "ssm:GetParameter", I),
    ("prefix-star", "ecs:Describe*", "ecs:DescribeClusters", A),
    ("prefix-star-miss", "ecs:Describe*", "ecs:ListClusters", I),
    ("infix-star", "ecs:*Cluster*", "ecs:DescribeClusters", A),
    ("question-mark", "ecs:?unTask", "ecs:RunTask", A),
    ("question-mark-one-char", "ecs:?unTask", "ecs:RRunTask", I),
    ("star-alone", "*", "iam:CreateUser", A),
    ("star-matches-empty", "ecs:RunTask*", "ecs:RunTask", A),
    ("no-prefix-match", "ecs:Run", "ecs:RunTask", I),
    ("no-suffix-match", "cs:RunTask", "ecs:RunTask", I),
    ("dot-is-literal", "ecs:Run.ask", "ecs:RunTask", I),
    ("star-crosses-colon", "*:Describe*", "ecs:DescribeServices", A),
]


@pytest.mark.parametrize(
    ("pattern", "action", "expected"), [c[1:] for c in ACTIONS], ids=[c[0] for c in ACTIONS]
)
def test_action_matching(pattern: str, action: str, expected: Decision) -> None:
    assert decide([allow(pattern)], action) is expected


R = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
RESOURCES = [
    ("star", "*", CLUSTER, A),
    ("star-matches-star-request", "*", "*", A),
    ("exact", CLUSTER, CLUSTER, A),
    ("case-sensitive", CLUSTER.replace("prod", "PROD"), CLUSTER, I),
    ("arn-pattern-vs-star-request", f"{R}:cluster/*", "*", I),
    ("trailing-star", f"{R}:cluster/*", CLUSTER, A),
    ("trailing-star-other-type", f"{R}:cluster/*", f"{R}:service/prod/web", I),
    ("star-crosses-slash", f"{R}:service/*", f"{R}:service/prod/web", A),
    ("infix-star-within-resource", f"{R}:service/*/web", f"{R}:service/prod/web", A),
    ("infix-star-miss", f"{R}:service/*/web", f"{R}:service/prod/api", I),
    ("region-star", f"arn:aws:ecs:*:{ACCOUNT}:cluster/prod", CLUSTER, A),
    ("account-star", "arn:aws:ecs:us-east-1:*:cluster/prod", CLUSTER, A),
    ("every-segment-star", "arn:*:*:*:*:*", CLUSTER, A),
    (
        "segment-final-star-crosses-colons",
        "arn:aws:logs:*:*:log-group:*",
        "arn:aws:logs:r:1:log-group:g:log-stream:s",
        A,
    ),
    (
        "infix-star-does-not-cross-colon",
        "arn:aws:logs:*:*:log-group:*s",
        "arn:aws:logs:r:1:log-group:g:log-stream:s",
        I,
    ),
    ("infix-star-in-segment", f"arn:aws:ecs:us-*-1:{ACCOUNT}:cluster/prod", CLUSTER, A),
    ("question-mark", f"arn:aws:ecs:us-east-?:{ACCOUNT}:cluster/prod", CLUSTER, A),
    (
        "question-mark-not-colon",
        "arn:aws:logs:r:1:log-group:g?log-stream:s",
        "arn:aws:logs:r:1:log-group:g:log-stream:s",
        I,
    ),
    ("list-any", [f"{R}:cluster/dev", CLUSTER], CLUSTER, A),
    ("list-none", [f"{R}:cluster/dev", f"{R}:cluster/qa"], CLUSTER, I),
    ("s3-style", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", A),
    ("s3-bucket-not-objects", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/a", I),
    ("regex-chars-literal", "arn:aws:s3:::b/a+b(c)", "arn:aws:s3:::b/a+b(c)", A),
    ("regex-chars-not-regex", "arn:aws:s3:::b/a.c", "arn:aws:s3:::b/abc", I),
]


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"), [c[1:] for c in RESOURCES], ids=[c[0] for c in RESOURCES]
)
def test_resource_matching(pattern: Any, resource: str, expected: Decision) -> None:
    assert (
        decide([allow("ecs:DescribeClusters", pattern)], "ecs:DescribeClusters", resource)
        is expected
    )


NOT_ELEMENTS = [
    (
        "not-action-allows-others",
        [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        "ecs:RunTask",
        "*",
        A,
    ),
    (
        "not-action-excludes-listed",
        [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        "iam:CreateUser",
        "*",
        I,
    ),
    (
        "not-action-list",
        [{"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}],
        "sts:AssumeRole",
        "*",
        I,
    ),
    (
        "deny-not-action-denies-others",
        [allow(), {"Effect": "Deny", "NotAction": "ecs:Describe*", "Resource": "*"}],
        "ecs:RunTask",
        "*",
        D,
    ),
    (
        "deny-not-action-spares-listed",
        [allow(), {"Effect": "Deny", "NotAction": "ecs:Describe*", "Resource": "*"}],
        "ecs:DescribeTasks",
        "*",
        A,
    ),
    (
        "not-resource-allows-others",
        [{"Effect": "Allow", "Action": "ecs:*", "NotResource": CLUSTER}],
        "ecs:DescribeClusters",
        f"{R}:cluster/dev",
        A,
    ),
    (
        "not-resource-excludes-listed",
        [{"Effect": "Allow", "Action": "ecs:*", "NotResource": CLUSTER}],
        "ecs:DescribeClusters",
        CLUSTER,
        I,
    ),
    (
        "not-resource-star-matches-nothing",
        [{"Effect": "Allow", "Action": "ecs:*", "NotResource": "*"}],
        "ecs:ListClusters",
        "*",
        I,
    ),
    (
        "not-resource-matches-star-request",
        [{"Effect": "Allow", "Action": "ecs:*", "NotResource": f"{R}:*"}],
        "ecs:ListClusters",
        "*",
        A,
    ),
    (
        "deny-not-resource",
        [allow(), {"Effect": "Deny", "Action": "*", "NotResource": f"{R}:cluster/dev*"}],
        "ecs:DescribeClusters",
        CLUSTER,
        D,
    ),
    (
        "not-action-and-not-resource",
        [{"Effect": "Allow", "NotAction": "iam:*", "NotResource": CLUSTER}],
        "ecs:RunTask",
        f"{R}:cluster/dev",
        A,
    ),
]


@pytest.mark.parametrize(
    ("statements", "action", "resource", "expected"),
    [c[1:] for c in NOT_ELEMENTS],
    ids=[c[0] for c in NOT_ELEMENTS],
)
def test_not_action_and_not_resource(
    statements: list[dict[str, Any]], action: str, resource: str, expected: Decision
) -> None:
    assert decide(statements, action, resource) is expected


PRECEDENCE = [
    ("nothing-is-implicit-deny", [], I),
    ("allow", [allow("ecs:*")], A),
    ("deny-alone", [deny("ecs:*")], D),
    ("deny-beats-allow", [allow("ecs:*"), deny("ecs:RunTask")], D),
    ("deny-beats-allow-either-order", [deny("ecs:RunTask"), allow("ecs:*")], D),
    ("deny-other-action", [allow("ecs:*"), deny("ecs:StopTask")], A),
    ("deny-other-resource", [allow("ecs:*"), deny("ecs:*", f"{R}:cluster/dev")], A),
    (
        "deny-with-false-condition",
        [allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}})],
        A,
    ),
    (
        "deny-with-true-condition",
        [allow(), deny(Condition={"Bool": {"aws:SecureTransport": "true"}})],
        D,
    ),
    ("allow-with-false-condition", [allow(Condition={"StringEquals": {"aws:username": "bob"}})], I),
]


@pytest.mark.parametrize(
    ("statements", "expected"), [c[1:] for c in PRECEDENCE], ids=[c[0] for c in PRECEDENCE]
)
def test_deny_beats_allow_beats_implicit_deny(
    statements: list[dict[str, Any]], expected: Decision
) -> None:
    unrelated = deny("nothing:Here")  # a document needs one statement
    context = ctx(aws__SecureTransport="true", aws__username="alice")
    assert decide([*statements, unrelated], "ecs:RunTask", CLUSTER, context) is expected


def _named(name: str, *statements: dict[str, Any]) -> NamedPolicy:
    return NamedPolicy(name, identity(*statements))


def test_the_evaluation_names_the_deciding_policy_and_sid() -> None:
    compiled = compile_policies([
        _named("arn:aws:iam::123456789012:policy/Read", {**allow("ecs:Describe*"), "Sid": "Read"}),
        _named("user/bob/inline/NoProd", {**deny("ecs:*", CLUSTER), "Sid": "NoProd"}),
    ])  # fmt: skip
    assert compiled.evaluate(
        AccessRequest("ecs:DescribeClusters", f"{R}:cluster/dev", {})
    ) == Evaluation(Decision.ALLOW, "arn:aws:iam::123456789012:policy/Read", "Read")
    assert compiled.evaluate(AccessRequest("ecs:DescribeClusters", CLUSTER, {})) == Evaluation(
        Decision.EXPLICIT_DENY, "user/bob/inline/NoProd", "NoProd"
    )
    assert compiled.evaluate(AccessRequest("ecs:RunTask", f"{R}:cluster/dev", {})) == Evaluation(
        Decision.IMPLICIT_DENY, None, None
    )


def test_deny_found_in_any_policy_of_the_set() -> None:
    compiled = compile_policies(
        [_named(f"p{i}", allow("ecs:*")) for i in range(5)] + [_named("deny", deny("ecs:RunTask"))]
    )
    assert compiled.evaluate(AccessRequest("ecs:RunTask", "*", {})).decision is D
    assert compiled.evaluate(AccessRequest("ecs:StopTask", "*", {})).decision is A
    assert len(compiled) == 6 and compiled.policy_names[-1] == "deny"


def test_memoised_answers_stay_correct_per_resource_and_context() -> None:
    compiled = compile_policies([
        _named("a", allow("ecs:DescribeClusters", f"{R}:cluster/dev")),
        _named("c", allow("ecs:RunTask", Condition={"StringEquals": {"ecs:cluster": CLUSTER}})),
    ])  # fmt: skip
    for _ in range(3):
        assert (
            compiled.evaluate(
                AccessRequest("ecs:DescribeClusters", f"{R}:cluster/dev", {})
            ).decision
            is A
        )
        assert compiled.evaluate(AccessRequest("ecs:DescribeClusters", CLUSTER, {})).decision is I
        assert (
            compiled.evaluate(AccessRequest("ecs:RunTask", "*", ctx(ecs__cluster=CLUSTER))).decision
            is A
        )
        assert (
            compiled.evaluate(AccessRequest("ecs:RunTask", "*", ctx(ecs__cluster="other"))).decision
            is I
        )


def test_memo_bounds_are_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    from dockyard.domain.policy import engine

    monkeypatch.setattr(engine, "ACTION_MEMO_SIZE", 4)
    monkeypatch.setattr(engine, "RESOURCE_MEMO_SIZE", 4)
    compiled = compile_policies([_named("a", allow("ecs:*", f"{R}:cluster/a*"))])
    for i in range(20):
        assert (
            compiled.evaluate(AccessRequest(f"ecs:Action{i}", f"{R}:cluster/a{i}", {})).decision
            is A
        )
        assert compiled.evaluate(AccessRequest("ecs:X", f"{R}:cluster/b{i}", {})).decision is I
    assert len(compiled._plans) <= 4
    assert all(len(plan.memo) <= 4 for plan in compiled._plans.values())


def test_trust_documents_are_not_identity_policies() -> None:
    trust = parse_policy_document(
        '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}',
        kind=PolicyKind.TRUST,
    )
    with pytest.raises(ValueError, match="trust"):
        compile_policies([NamedPolicy("role/r/trust", trust)])


def test_empty_policy_set_denies_implicitly() -> None:
    assert compile_policies([]).evaluate(AccessRequest("ecs:ListClusters", "*", {})).decision is I


def test_evaluation_allowed_property() -> None:
    assert Evaluation(Decision.ALLOW).allowed and not Evaluation(Decision.EXPLICIT_DENY).allowed
