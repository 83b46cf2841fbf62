"""Validation on write: each refusal carries the message IAM gives for it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dockyard.domain.errors import MalformedPolicyDocument
from dockyard.domain.policy import (
    Effect,
    PolicyKind,
    PrincipalSet,
    SetQualifier,
    parse_policy_document,
)

OK = {"Effect": "Allow", "Action": "ecs:ListClusters", "Resource": "*"}
TRUST_OK = {
    "Effect": "Allow",
    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def _doc(*statements: Any, **top: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements), **top})


IDENTITY_REFUSALS = [
    ("not-json", "{not json", "Syntax errors in policy."),
    ("not-an-object", "[]", "Syntax errors in policy."),
    ("no-statement", json.dumps({"Version": "2012-10-17"}), "Syntax errors in policy."),
    ("empty-statement-list", _doc(), "Syntax errors in policy."),
    ("unknown-top-level", _doc(OK, Foo=1), "Syntax errors in policy."),
    ("unknown-element", _doc({**OK, "Effects": "Allow"}), "Syntax errors in policy."),
    (
        "lower-case-element",
        _doc({"effect": "Allow", "Action": "ecs:X", "Resource": "*"}),
        "Syntax errors in policy.",
    ),
    (
        "bad-version",
        json.dumps({"Version": "2012-10-18", "Statement": [OK]}),
        "The policy failed legacy parsing",
    ),
    (
        "numeric-version",
        json.dumps({"Version": 2012, "Statement": [OK]}),
        "Syntax errors in policy.",
    ),
    ("no-effect", _doc({"Action": "ecs:X", "Resource": "*"}), "Missing required field Effect"),
    ("bad-effect", _doc({**OK, "Effect": "Alow"}), "Invalid effect: Alow"),
    ("effect-case", _doc({**OK, "Effect": "allow"}), "Invalid effect: allow"),
    (
        "principal",
        _doc({**OK, "Principal": "*"}),
        "Policy document should not specify a principal.",
    ),
    (
        "not-principal",
        _doc({**OK, "NotPrincipal": {"AWS": "*"}}),
        "Policy document should not specify a principal.",
    ),
    (
        "no-action",
        _doc({"Effect": "Allow", "Resource": "*"}),
        "Policy statement must contain actions.",
    ),
    ("empty-action-list", _doc({**OK, "Action": []}), "Policy statement must contain actions."),
    ("action-and-notaction", _doc({**OK, "NotAction": "ecs:X"}), "Syntax errors in policy."),
    ("action-not-string", _doc({**OK, "Action": 5}), "Syntax errors in policy."),
    ("action-list-with-number", _doc({**OK, "Action": ["ecs:X", 5]}), "Syntax errors in policy."),
    (
        "action-without-vendor",
        _doc({**OK, "Action": "RunTask"}),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ),
    (
        "action-wildcard-without-vendor",
        _doc({**OK, "Action": "ecs*"}),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ),
    (
        "no-resource",
        _doc({"Effect": "Allow", "Action": "ecs:X"}),
        "Policy statement must contain resources.",
    ),
    (
        "empty-resource-list",
        _doc({**OK, "Resource": []}),
        "Policy statement must contain resources.",
    ),
    (
        "resource-not-arn",
        _doc({**OK, "Resource": "cluster/prod"}),
        'Resource cluster/prod must be in ARN format or "*".',
    ),
    (
        "resource-short-arn",
        _doc({**OK, "Resource": "arn:aws:ecs"}),
        'Resource arn:aws:ecs must be in ARN format or "*".',
    ),
    ("resource-and-notresource", _doc({**OK, "NotResource": "*"}), "Syntax errors in policy."),
    (
        "unknown-condition-operator",
        _doc({**OK, "Condition": {"StringEqual": {"aws:username": "x"}}}),
        "Invalid Condition type : StringEqual",
    ),
    (
        "unknown-set-qualifier",
        _doc({**OK, "Condition": {"ForSomeValues:StringEquals": {"aws:username": "x"}}}),
        "Invalid Condition type : ForSomeValues:StringEquals",
    ),
    (
        "null-if-exists",
        _doc({**OK, "Condition": {"NullIfExists": {"aws:username": "true"}}}),
        "Invalid Condition type : NullIfExists",
    ),
    (
        "condition-key-without-vendor",
        _doc({**OK, "Condition": {"StringEquals": {"username": "x"}}}),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ),
    ("condition-not-object", _doc({**OK, "Condition": ["x"]}), "Syntax errors in policy."),
    (
        "condition-block-not-object",
        _doc({**OK, "Condition": {"StringEquals": "x"}}),
        "Syntax errors in policy.",
    ),
    (
        "condition-value-object",
        _doc({**OK, "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}),
        "Syntax errors in policy.",
    ),
    (
        "condition-value-null",
        _doc({**OK, "Condition": {"StringEquals": {"aws:username": None}}}),
        "Syntax errors in policy.",
    ),
    (
        "duplicate-sid",
        _doc({**OK, "Sid": "A"}, {**OK, "Sid": "A"}),
        "Statement IDs (SID) in a single policy must be unique.",
    ),
    (
        "sid-characters",
        _doc({**OK, "Sid": "read-only"}),
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
    ),
    ("sid-not-string", _doc({**OK, "Sid": 1}), "Syntax errors in policy."),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in IDENTITY_REFUSALS], ids=[c[0] for c in IDENTITY_REFUSALS]
)
def test_identity_policy_refusals(text: str, message: str) -> None:
    with pytest.raises(MalformedPolicyDocument) as caught:
        parse_policy_document(text, kind=PolicyKind.IDENTITY)
    assert caught.value.message == message
    assert caught.value.code == "MalformedPolicyDocument"
    assert caught.value.http_status == 400


TRUST_REFUSALS = [
    (
        "no-principal",
        _doc({"Effect": "Allow", "Action": "sts:AssumeRole"}),
        "Missing required field Principal",
    ),
    ("resource", _doc({**TRUST_OK, "Resource": "*"}), "Has prohibited field Resource"),
    ("not-resource", _doc({**TRUST_OK, "NotResource": "*"}), "Has prohibited field NotResource"),
    (
        "principal-and-notprincipal",
        _doc({**TRUST_OK, "NotPrincipal": "*"}),
        "Syntax errors in policy.",
    ),
    ("principal-string", _doc({**TRUST_OK, "Principal": "bob"}), "Syntax errors in policy."),
    (
        "principal-unknown-type",
        _doc({**TRUST_OK, "Principal": {"User": "bob"}}),
        "Syntax errors in policy.",
    ),
    ("principal-empty", _doc({**TRUST_OK, "Principal": {}}), "Syntax errors in policy."),
    (
        "aws-principal-name",
        _doc({**TRUST_OK, "Principal": {"AWS": "bob"}}),
        'Invalid principal in policy: "AWS":"bob"',
    ),
    (
        "aws-principal-short-account",
        _doc({**TRUST_OK, "Principal": {"AWS": "12345"}}),
        'Invalid principal in policy: "AWS":"12345"',
    ),
    (
        "aws-principal-wrong-service",
        _doc({**TRUST_OK, "Principal": {"AWS": "arn:aws:ecs::123456789012:x"}}),
        'Invalid principal in policy: "AWS":"arn:aws:ecs::123456789012:x"',
    ),
    (
        "no-action",
        _doc({"Effect": "Allow", "Principal": "*"}),
        "Policy statement must contain actions.",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in TRUST_REFUSALS], ids=[c[0] for c in TRUST_REFUSALS]
)
def test_trust_policy_refusals(text: str, message: str) -> None:
    with pytest.raises(MalformedPolicyDocument) as caught:
        parse_policy_document(text, kind=PolicyKind.TRUST)
    assert caught.value.message == message


ACCEPTED = [
    ("single-statement-object", json.dumps({"Version": "2012-10-17", "Statement": OK})),
    ("no-version", json.dumps({"Statement": [OK]})),
    ("legacy-version", json.dumps({"Version": "2008-10-17", "Statement": [OK]})),
    ("id", _doc(OK, Id="my-policy")),
    ("action-star", _doc({**OK, "Action": "*"})),
    ("action-list", _doc({**OK, "Action": ["ecs:List*", "ecs:Describe?lusters"]})),
    ("not-action", _doc({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})),
    (
        "not-resource",
        _doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}),
    ),
    ("s3-arn", _doc({**OK, "Resource": "arn:aws:s3:::bucket"})),
    ("variables", _doc({**OK, "Resource": "arn:aws:iam::*:user/${aws:username}"})),
    (
        "condition-numbers-and-bools",
        _doc(
            {
                **OK,
                "Condition": {
                    "NumericLessThan": {"s3:max-keys": 10},
                    "Bool": {"aws:SecureTransport": True},
                },
            }
        ),
    ),
    (
        "set-qualifier-if-exists",
        _doc({**OK, "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]}}}),
    ),
    ("empty-sids-repeat", _doc({**OK, "Sid": ""}, {**OK, "Sid": ""})),
]


@pytest.mark.parametrize("text", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted_identity_policies(text: str) -> None:
    parse_policy_document(text, kind=PolicyKind.IDENTITY)


def test_parsed_form() -> None:
    document = parse_policy_document(
        _doc({
            "Sid": "S1", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
            "Condition": {"ForAllValues:StringEqualsIfExists": {"AWS:TagKeys": ["a", "b"]}, "NumericEquals": {"x:n": 1.5}},
        }),
        kind=PolicyKind.IDENTITY,
    )  # fmt: skip
    assert document.version == "2012-10-17" and document.uses_variables
    (statement,) = document.statements
    assert statement.effect is Effect.DENY and statement.sid == "S1"
    assert statement.actions == ("iam:*", "sts:*") and statement.not_action
    assert statement.resources == ("*",) and not statement.not_resource
    first, second = statement.conditions
    assert first.qualifier is SetQualifier.FOR_ALL_VALUES and first.base == "StringEquals"
    assert first.if_exists and first.key == "aws:tagkeys" and first.values == ("a", "b")
    assert second.values == ("1.5",)


def test_legacy_version_is_the_default_and_disables_variables() -> None:
    document = parse_policy_document(json.dumps({"Statement": OK}), kind=PolicyKind.IDENTITY)
    assert document.version == "2008-10-17" and not document.uses_variables


def test_trust_principal_forms() -> None:
    document = parse_policy_document(
        _doc(
            {**TRUST_OK, "Principal": "*"},
            {
                **TRUST_OK,
                "Principal": {
                    "AWS": ["123456789012", "arn:aws:iam::123456789012:role/r"],
                    "Service": "ecs-tasks.amazonaws.com",
                },
            },
            {"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
        ),
        kind=PolicyKind.TRUST,
    )
    everyone, listed, negated = document.statements
    assert everyone.principal == PrincipalSet(everyone=True)
    assert listed.principal is not None and listed.principal.entries == (
        ("AWS", "123456789012"), ("AWS", "arn:aws:iam::123456789012:role/r"), ("Service", "ecs-tasks.amazonaws.com"),
    )  # fmt: skip
    assert negated.not_principal and negated.resources == ()


def test_documents_are_hashable_values() -> None:
    text = _doc(OK)
    assert parse_policy_document(text, kind=PolicyKind.IDENTITY) == parse_policy_document(
        text, kind=PolicyKind.IDENTITY
    )
    assert hash(parse_policy_document(text, kind=PolicyKind.IDENTITY))
