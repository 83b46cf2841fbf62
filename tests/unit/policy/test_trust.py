"""Trust policies for sts:AssumeRole: principal forms, NotPrincipal, actions, conditions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dockyard.domain.policy import (
    Decision,
    Evaluation,
    PolicyKind,
    TrustPrincipal,
    evaluate_trust,
    parse_policy_document,
)

ACCT = "123456789012"
OTHER = "210987654321"
BOB = TrustPrincipal(f"arn:aws:iam::{ACCT}:user/bob", ACCT)
AL = TrustPrincipal(f"arn:aws:iam::{ACCT}:user/al", ACCT)
STRANGER = TrustPrincipal(f"arn:aws:iam::{OTHER}:user/eve", OTHER)
ECS_TASKS = TrustPrincipal(f"arn:aws:iam::{ACCT}:root", ACCT, service="ecs-tasks.amazonaws.com")
SESSION = TrustPrincipal(f"arn:aws:sts::{ACCT}:assumed-role/deployer/s1", ACCT)

A, D, I = Decision.ALLOW, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY  # noqa: E741


def _trust(*statements: dict[str, Any]) -> Any:
    return parse_policy_document(
        json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), kind=PolicyKind.TRUST
    )


def _allow(principal: Any, action: Any = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


PRINCIPALS = [
    ("everyone", "*", BOB, A),
    ("everyone-includes-services", "*", ECS_TASKS, A),
    ("aws-star", {"AWS": "*"}, STRANGER, A),
    ("aws-star-not-services", {"AWS": "*"}, ECS_TASKS, I),
    ("account-id", {"AWS": ACCT}, BOB, A),
    ("account-id-other-account", {"AWS": ACCT}, STRANGER, I),
    ("account-root-arn", {"AWS": f"arn:aws:iam::{ACCT}:root"}, AL, A),
    ("account-root-arn-covers-role-sessions", {"AWS": f"arn:aws:iam::{ACCT}:root"}, SESSION, A),
    ("account-root-other-account", {"AWS": f"arn:aws:iam::{OTHER}:root"}, BOB, I),
    ("user-arn", {"AWS": f"arn:aws:iam::{ACCT}:user/bob"}, BOB, A),
    ("user-arn-other-user", {"AWS": f"arn:aws:iam::{ACCT}:user/bob"}, AL, I),
    (
        "user-list",
        {"AWS": [f"arn:aws:iam::{ACCT}:user/al", f"arn:aws:iam::{ACCT}:user/bob"]},
        BOB,
        A,
    ),
    ("role-arn-covers-its-sessions", {"AWS": f"arn:aws:iam::{ACCT}:role/deployer"}, SESSION, A),
    (
        "role-arn-with-path-covers-its-sessions",
        {"AWS": f"arn:aws:iam::{ACCT}:role/ops/deployer"},
        SESSION,
        A,
    ),
    ("other-role-arn", {"AWS": f"arn:aws:iam::{ACCT}:role/builder"}, SESSION, I),
    ("session-arn", {"AWS": f"arn:aws:sts::{ACCT}:assumed-role/deployer/s1"}, SESSION, A),
    ("service", {"Service": "ecs-tasks.amazonaws.com"}, ECS_TASKS, A),
    ("service-case-insensitive", {"Service": "ECS-Tasks.amazonaws.com"}, ECS_TASKS, A),
    ("service-list", {"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]}, ECS_TASKS, A),
    ("service-other", {"Service": "ec2.amazonaws.com"}, ECS_TASKS, I),
    ("service-not-for-users", {"Service": "ecs-tasks.amazonaws.com"}, BOB, I),
    ("account-not-for-services", {"AWS": ACCT}, ECS_TASKS, I),
    (
        "mixed-types",
        {"AWS": f"arn:aws:iam::{ACCT}:user/al", "Service": "ecs-tasks.amazonaws.com"},
        ECS_TASKS,
        A,
    ),
    (
        "federated",
        {"Federated": "arn:aws:iam::123456789012:saml-provider/idp"},
        TrustPrincipal("arn:aws:iam::123456789012:saml-provider/idp", ACCT),
        A,
    ),
]


@pytest.mark.parametrize(
    ("principal", "caller", "expected"), [c[1:] for c in PRINCIPALS], ids=[c[0] for c in PRINCIPALS]
)
def test_principal_forms(principal: Any, caller: TrustPrincipal, expected: Decision) -> None:
    assert (
        evaluate_trust(
            _trust(_allow(principal)), principal=caller, action="sts:AssumeRole", context={}
        ).decision
        is expected
    )


def test_not_principal() -> None:
    document = _trust(
        _allow({"AWS": ACCT}),
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCT}:user/bob"},
            "Action": "sts:AssumeRole",
            "Sid": "OnlyBob",
        },
    )
    assert (
        evaluate_trust(document, principal=BOB, action="sts:AssumeRole", context={}).decision is A
    )
    assert evaluate_trust(
        document, principal=AL, action="sts:AssumeRole", context={}
    ) == Evaluation(D, None, "OnlyBob")


def test_not_principal_allow() -> None:
    document = _trust(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCT}:user/al"},
            "Action": "sts:AssumeRole",
        }
    )
    assert (
        evaluate_trust(document, principal=BOB, action="sts:AssumeRole", context={}).decision is A
    )
    assert evaluate_trust(document, principal=AL, action="sts:AssumeRole", context={}).decision is I


ACTIONS = [
    ("exact", "sts:AssumeRole", "sts:AssumeRole", A),
    ("case-insensitive", "sts:assumerole", "sts:AssumeRole", A),
    ("wildcard", "sts:*", "sts:AssumeRole", A),
    ("other-action", "sts:AssumeRoleWithSAML", "sts:AssumeRole", I),
    ("list", ["sts:TagSession", "sts:AssumeRole"], "sts:AssumeRole", A),
]


@pytest.mark.parametrize(
    ("action", "requested", "expected"), [c[1:] for c in ACTIONS], ids=[c[0] for c in ACTIONS]
)
def test_actions(action: Any, requested: str, expected: Decision) -> None:
    assert (
        evaluate_trust(
            _trust(_allow({"AWS": ACCT}, action)), principal=BOB, action=requested, context={}
        ).decision
        is expected
    )


def test_not_action() -> None:
    document = _trust({"Effect": "Allow", "Principal": "*", "NotAction": "sts:TagSession"})
    assert (
        evaluate_trust(document, principal=BOB, action="sts:AssumeRole", context={}).decision is A
    )
    assert (
        evaluate_trust(document, principal=BOB, action="sts:TagSession", context={}).decision is I
    )


def test_conditions_and_deny_precedence() -> None:
    document = _trust(
        _allow({"AWS": ACCT}, Sid="WithExternalId", Condition={"StringEquals": {"sts:ExternalId": "s3cret"}}),
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Sid": "NoStrangers",
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCT}}},
    )  # fmt: skip
    mine = {"sts:ExternalId": ("s3cret",), "aws:PrincipalAccount": (ACCT,)}
    assert evaluate_trust(
        document, principal=BOB, action="sts:AssumeRole", context=mine, policy_name="role/r"
    ) == Evaluation(A, "role/r", "WithExternalId")
    assert (
        evaluate_trust(
            document,
            principal=BOB,
            action="sts:AssumeRole",
            context={"aws:PrincipalAccount": (ACCT,)},
        ).decision
        is I
    )
    theirs = {"sts:ExternalId": ("s3cret",), "aws:PrincipalAccount": (OTHER,)}
    assert (
        evaluate_trust(
            document, principal=STRANGER, action="sts:AssumeRole", context=theirs
        ).decision
        is D
    )


def test_defaults_action_and_context() -> None:
    assert evaluate_trust(_trust(_allow("*")), principal=BOB).decision is A
