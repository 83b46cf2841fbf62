"""Condition operators, one table row per case: (operator, key, policy values, request values).

``None`` as the request values means the key is absent from the request context.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.policy.policy_support import A, I, allow, decide

from dockyard.domain.policy import Decision

CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
T = True
F = False

CASES: list[tuple[str, str, str, Any, tuple[str, ...] | None, bool]] = [
    # strings
    ("str-eq", "StringEquals", "aws:username", "bob", ("bob",), T),
    ("str-eq-case", "StringEquals", "aws:username", "bob", ("Bob",), F),
    ("str-eq-no-wildcards", "StringEquals", "aws:username", "b*", ("bob",), F),
    ("str-eq-any-of-values", "StringEquals", "aws:username", ["al", "bob"], ("bob",), T),
    ("str-eq-none-of-values", "StringEquals", "aws:username", ["al", "cy"], ("bob",), F),
    ("str-eq-missing", "StringEquals", "aws:username", "bob", None, F),
    ("str-ne", "StringNotEquals", "aws:username", "bob", ("al",), T),
    ("str-ne-equal", "StringNotEquals", "aws:username", "bob", ("bob",), F),
    ("str-ne-nor", "StringNotEquals", "aws:username", ["al", "bob"], ("bob",), F),
    ("str-ne-nor-none", "StringNotEquals", "aws:username", ["al", "cy"], ("bob",), T),
    ("str-ne-missing-is-true", "StringNotEquals", "aws:username", "bob", None, T),
    ("str-eq-ic", "StringEqualsIgnoreCase", "aws:username", "BOB", ("bob",), T),
    ("str-ne-ic", "StringNotEqualsIgnoreCase", "aws:username", "BOB", ("bob",), F),
    ("str-like", "StringLike", "aws:username", "b*", ("bob",), T),
    ("str-like-question", "StringLike", "aws:username", "b?b", ("bob",), T),
    ("str-like-case", "StringLike", "aws:username", "B*", ("bob",), F),
    ("str-like-crosses-colon", "StringLike", "ecs:cluster", "arn:*/prod", (CLUSTER,), T),
    ("str-not-like", "StringNotLike", "aws:username", "a*", ("bob",), T),
    ("str-not-like-match", "StringNotLike", "aws:username", ["a*", "b*"], ("bob",), F),
    ("str-not-like-missing-is-true", "StringNotLike", "aws:username", "a*", None, T),
    ("key-name-case-insensitive", "StringEquals", "AWS:UserName", "bob", ("bob",), T),
    # numbers
    ("num-eq", "NumericEquals", "s3:max-keys", "10", ("10",), T),
    ("num-eq-forms", "NumericEquals", "s3:max-keys", 10, ("10.0",), T),
    ("num-ne", "NumericNotEquals", "s3:max-keys", ["1", "2"], ("3",), T),
    ("num-ne-nor", "NumericNotEquals", "s3:max-keys", ["1", "2"], ("2",), F),
    ("num-ne-missing-is-true", "NumericNotEquals", "s3:max-keys", "1", None, T),
    ("num-lt", "NumericLessThan", "s3:max-keys", "10", ("9",), T),
    ("num-lt-equal", "NumericLessThan", "s3:max-keys", "10", ("10",), F),
    ("num-le", "NumericLessThanEquals", "s3:max-keys", "10", ("10",), T),
    ("num-gt", "NumericGreaterThan", "s3:max-keys", "10", ("10.5",), T),
    ("num-ge", "NumericGreaterThanEquals", "s3:max-keys", "10", ("9.99",), F),
    ("num-not-a-number", "NumericLessThan", "s3:max-keys", "10", ("ten",), F),
    ("num-policy-not-a-number", "NumericLessThan", "s3:max-keys", "ten", ("1",), F),
    ("num-missing", "NumericLessThan", "s3:max-keys", "10", None, F),
    # dates
    (
        "date-lt-iso",
        "DateLessThan",
        "aws:CurrentTime",
        "2026-01-01T00:00:00Z",
        ("2025-12-31T23:59:59Z",),
        T,
    ),
    (
        "date-lt-iso-later",
        "DateLessThan",
        "aws:CurrentTime",
        "2026-01-01T00:00:00Z",
        ("2026-01-01T00:00:01Z",),
        F,
    ),
    (
        "date-gt-date-only",
        "DateGreaterThan",
        "aws:CurrentTime",
        "2026-01-01",
        ("2026-01-01T00:00:01Z",),
        T,
    ),
    (
        "date-eq-offset",
        "DateEquals",
        "aws:CurrentTime",
        "2026-01-01T01:00:00+01:00",
        ("2026-01-01T00:00:00Z",),
        T,
    ),
    (
        "date-epoch-policy",
        "DateGreaterThanEquals",
        "aws:CurrentTime",
        "1767225600",
        ("2026-01-01T00:00:00Z",),
        T,
    ),
    (
        "date-epoch-request",
        "DateLessThanEquals",
        "aws:EpochTime",
        "2026-01-01T00:00:00Z",
        ("1767225600",),
        T,
    ),
    (
        "date-millis",
        "DateGreaterThan",
        "aws:CurrentTime",
        "2026-01-01T00:00:00Z",
        ("2026-01-01T00:00:00.001Z",),
        T,
    ),
    (
        "date-ne",
        "DateNotEquals",
        "aws:CurrentTime",
        "2026-01-01T00:00:00Z",
        ("2026-01-02T00:00:00Z",),
        T,
    ),
    (
        "date-ne-missing-is-true",
        "DateNotEquals",
        "aws:CurrentTime",
        "2026-01-01T00:00:00Z",
        None,
        T,
    ),
    ("date-garbage", "DateLessThan", "aws:CurrentTime", "2026-01-01T00:00:00Z", ("yesterday",), F),
    # booleans
    ("bool-true", "Bool", "aws:SecureTransport", "true", ("true",), T),
    ("bool-json-true", "Bool", "aws:SecureTransport", True, ("true",), T),
    ("bool-case", "Bool", "aws:SecureTransport", "True", ("TRUE",), T),
    ("bool-false", "Bool", "aws:SecureTransport", "false", ("true",), F),
    ("bool-missing", "Bool", "aws:SecureTransport", "false", None, F),
    # binary
    ("binary-eq", "BinaryEquals", "x:blob", "QmluYXJ5VmFsdWU=", ("QmluYXJ5VmFsdWU=",), T),
    ("binary-ne", "BinaryEquals", "x:blob", "QmluYXJ5VmFsdWU=", ("QmluYXJ5",), F),
    # IP addresses
    ("ip-in-cidr", "IpAddress", "aws:SourceIp", "10.0.0.0/8", ("10.1.2.3",), T),
    ("ip-out-of-cidr", "IpAddress", "aws:SourceIp", "10.0.0.0/8", ("11.1.2.3",), F),
    ("ip-single-address", "IpAddress", "aws:SourceIp", "203.0.113.7", ("203.0.113.7",), T),
    ("ip-host-bits-set", "IpAddress", "aws:SourceIp", "10.1.2.3/8", ("10.9.9.9",), T),
    ("ip-list", "IpAddress", "aws:SourceIp", ["192.0.2.0/24", "10.0.0.0/8"], ("10.1.2.3",), T),
    ("ipv6", "IpAddress", "aws:SourceIp", "2001:db8::/32", ("2001:db8::1",), T),
    ("ipv6-out", "IpAddress", "aws:SourceIp", "2001:db8::/32", ("2001:db9::1",), F),
    ("ipv6-vs-v4-network", "IpAddress", "aws:SourceIp", "0.0.0.0/0", ("2001:db8::1",), F),
    ("ipv4-mapped-ipv6", "IpAddress", "aws:SourceIp", "10.0.0.0/8", ("::ffff:10.1.2.3",), T),
    ("ip-garbage", "IpAddress", "aws:SourceIp", "10.0.0.0/8", ("localhost",), F),
    ("not-ip", "NotIpAddress", "aws:SourceIp", "10.0.0.0/8", ("11.1.2.3",), T),
    ("not-ip-in", "NotIpAddress", "aws:SourceIp", ["192.0.2.0/24", "10.0.0.0/8"], ("10.1.2.3",), F),
    ("not-ip-missing-is-true", "NotIpAddress", "aws:SourceIp", "10.0.0.0/8", None, T),
    ("ip-missing", "IpAddress", "aws:SourceIp", "10.0.0.0/8", None, F),
    # ARNs
    (
        "arn-equals",
        "ArnEquals",
        "aws:PrincipalArn",
        "arn:aws:iam::123456789012:user/bob",
        ("arn:aws:iam::123456789012:user/bob",),
        T,
    ),
    (
        "arn-equals-wildcard",
        "ArnEquals",
        "aws:PrincipalArn",
        "arn:aws:iam::*:user/*",
        ("arn:aws:iam::123456789012:user/bob",),
        T,
    ),
    ("arn-like", "ArnLike", "ecs:cluster", "arn:aws:ecs:*:*:cluster/p*", (CLUSTER,), T),
    ("arn-like-segment", "ArnLike", "ecs:cluster", "arn:aws:ecs:*:cluster/prod", (CLUSTER,), F),
    ("arn-like-case", "ArnLike", "ecs:cluster", "arn:aws:ecs:*:*:cluster/PROD", (CLUSTER,), F),
    ("arn-not-like", "ArnNotLike", "ecs:cluster", "arn:aws:ecs:*:*:cluster/dev", (CLUSTER,), T),
    ("arn-not-equals-match", "ArnNotEquals", "ecs:cluster", CLUSTER, (CLUSTER,), F),
    ("arn-not-like-missing-is-true", "ArnNotLike", "ecs:cluster", "arn:*", None, T),
    ("arn-like-missing", "ArnLike", "ecs:cluster", "arn:*", None, F),
    # Null
    ("null-true-absent", "Null", "aws:TokenIssueTime", "true", None, T),
    ("null-true-present", "Null", "aws:TokenIssueTime", "true", ("2026-01-01T00:00:00Z",), F),
    ("null-false-present", "Null", "aws:TokenIssueTime", "false", ("2026-01-01T00:00:00Z",), T),
    ("null-false-absent", "Null", "aws:TokenIssueTime", False, None, F),
    ("null-empty-values-absent", "Null", "aws:TokenIssueTime", "true", (), T),
    # IfExists
    ("if-exists-missing", "StringEqualsIfExists", "ecs:cluster", CLUSTER, None, T),
    ("if-exists-present-match", "StringEqualsIfExists", "ecs:cluster", CLUSTER, (CLUSTER,), T),
    ("if-exists-present-miss", "StringEqualsIfExists", "ecs:cluster", CLUSTER, ("other",), F),
    ("if-exists-negated-missing", "StringNotEqualsIfExists", "ecs:cluster", CLUSTER, None, T),
    ("if-exists-negated-present", "StringNotEqualsIfExists", "ecs:cluster", CLUSTER, (CLUSTER,), F),
    ("if-exists-ip", "IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8", None, T),
    ("if-exists-bool", "BoolIfExists", "aws:MultiFactorAuthPresent", "true", None, T),
    ("if-exists-bool-present", "BoolIfExists", "aws:MultiFactorAuthPresent", "true", ("false",), F),
    ("if-exists-numeric", "NumericLessThanIfExists", "s3:max-keys", "10", ("11",), F),
    ("if-exists-date", "DateGreaterThanIfExists", "aws:CurrentTime", "2026-01-01", None, T),
    (
        "if-exists-arn",
        "ArnLikeIfExists",
        "ecs:cluster",
        "arn:aws:ecs:*:*:cluster/dev",
        (CLUSTER,),
        F,
    ),
    # multivalued keys without a set qualifier: any request value
    ("multi-no-qualifier", "StringEquals", "aws:TagKeys", "a", ("b", "a"), T),
    ("multi-no-qualifier-negated", "StringNotEquals", "aws:TagKeys", "a", ("b", "a"), F),
    # ForAllValues
    ("all-subset", "ForAllValues:StringEquals", "aws:TagKeys", ["a", "b", "c"], ("a", "b"), T),
    ("all-not-subset", "ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], ("a", "z"), F),
    ("all-missing-is-true", "ForAllValues:StringEquals", "aws:TagKeys", ["a"], None, T),
    ("all-empty-is-true", "ForAllValues:StringEquals", "aws:TagKeys", ["a"], (), T),
    ("all-like", "ForAllValues:StringLike", "aws:TagKeys", ["team*"], ("team", "teamName"), T),
    ("all-negated", "ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], ("a", "b"), T),
    (
        "all-negated-one-hit",
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        ["secret"],
        ("a", "secret"),
        F,
    ),
    ("all-negated-missing", "ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], None, T),
    # ForAnyValue
    ("any-overlap", "ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"], ("z", "b"), T),
    ("any-no-overlap", "ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"], ("y", "z"), F),
    ("any-missing-is-false", "ForAnyValue:StringEquals", "aws:TagKeys", ["a"], None, F),
    ("any-negated-missing-is-false", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"], None, F),
    ("any-negated", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"], ("a", "b"), T),
    (
        "any-negated-all-hit",
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        ["a", "b"],
        ("a", "b"),
        F,
    ),
    ("any-if-exists-missing", "ForAnyValue:StringLikeIfExists", "aws:TagKeys", ["a*"], None, T),
    (
        "all-if-exists-present",
        "ForAllValues:StringLikeIfExists",
        "aws:TagKeys",
        ["a*"],
        ("ab", "c"),
        F,
    ),
]


@pytest.mark.parametrize(
    ("operator", "key", "values", "request_values", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_condition_operator(
    operator: str, key: str, values: Any, request_values: tuple[str, ...] | None, expected: bool
) -> None:
    context = {} if request_values is None else {key: request_values}
    statement = allow("ecs:RunTask", Condition={operator: {key: values}})
    assert decide([statement], "ecs:RunTask", "*", context) is (A if expected else I)


def test_request_key_names_are_case_insensitive() -> None:
    statement = allow("ecs:RunTask", Condition={"IpAddress": {"aws:sourceip": "10.0.0.0/8"}})
    assert decide([statement], "ecs:RunTask", "*", {"AWS:SOURCEIP": ("10.0.0.1",)}) is A


COMBINATIONS: list[tuple[str, dict[str, Any], dict[str, tuple[str, ...]], Decision]] = [
    (
        "keys-in-one-block-and",
        {"StringEquals": {"aws:username": "bob", "ecs:cluster": CLUSTER}},
        {"aws:username": ("bob",), "ecs:cluster": (CLUSTER,)},
        A,
    ),
    (
        "keys-in-one-block-and-one-fails",
        {"StringEquals": {"aws:username": "bob", "ecs:cluster": CLUSTER}},
        {"aws:username": ("bob",), "ecs:cluster": ("x",)},
        I,
    ),
    (
        "blocks-and",
        {"StringEquals": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": "true"}},
        {"aws:username": ("bob",), "aws:SecureTransport": ("true",)},
        A,
    ),
    (
        "blocks-and-one-fails",
        {"StringEquals": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": "true"}},
        {"aws:username": ("bob",), "aws:SecureTransport": ("false",)},
        I,
    ),
    ("empty-condition-block", {}, {}, A),
]


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [c[1:] for c in COMBINATIONS],
    ids=[c[0] for c in COMBINATIONS],
)
def test_condition_combinations(
    condition: dict[str, Any], context: dict[str, tuple[str, ...]], expected: Decision
) -> None:
    assert (
        decide([allow("ecs:RunTask", Condition=condition)], "ecs:RunTask", "*", context) is expected
    )


VARIABLES: list[tuple[str, str, Any, dict[str, tuple[str, ...]], Decision]] = [
    (
        "string-equals-variable",
        "StringEquals",
        "${aws:username}",
        {"aws:username": ("bob",), "x:owner": ("bob",)},
        A,
    ),
    (
        "string-equals-variable-other",
        "StringEquals",
        "${aws:username}",
        {"aws:username": ("bob",), "x:owner": ("al",)},
        I,
    ),
    (
        "string-like-variable-prefix",
        "StringLike",
        "home/${aws:username}/*",
        {"aws:username": ("bob",), "x:owner": ("home/bob/a",)},
        A,
    ),
    (
        "string-like-variable-is-literal",
        "StringLike",
        "${aws:username}",
        {"aws:username": ("b*",), "x:owner": ("bob",)},
        I,
    ),
    ("unresolvable-positive-false", "StringEquals", "${aws:username}", {"x:owner": ("bob",)}, I),
    ("unresolvable-negated-false", "StringNotEquals", "${aws:username}", {"x:owner": ("bob",)}, I),
    (
        "unresolvable-with-default",
        "StringEquals",
        "${aws:username, 'bob'}",
        {"x:owner": ("bob",)},
        A,
    ),
    (
        "arn-like-variable",
        "ArnLike",
        "arn:aws:iam::*:user/${aws:username}",
        {"aws:username": ("bob",), "x:owner": ("arn:aws:iam::123456789012:user/bob",)},
        A,
    ),
    (
        "ignore-case-variable",
        "StringEqualsIgnoreCase",
        "${aws:username}",
        {"aws:username": ("Bob",), "x:owner": ("BOB",)},
        A,
    ),
]


@pytest.mark.parametrize(
    ("operator", "value", "context", "expected"),
    [c[1:] for c in VARIABLES],
    ids=[c[0] for c in VARIABLES],
)
def test_policy_variables_in_conditions(
    operator: str, value: str, context: dict[str, tuple[str, ...]], expected: Decision
) -> None:
    assert (
        decide(
            [allow("ecs:RunTask", Condition={operator: {"x:owner": value}})],
            "ecs:RunTask",
            "*",
            context,
        )
        is expected
    )


def test_variables_in_resources() -> None:
    statements = [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]
    assert (
        decide(statements, "s3:GetObject", "arn:aws:s3:::home/bob/f", {"aws:username": ("bob",)})
        is A
    )
    assert (
        decide(statements, "s3:GetObject", "arn:aws:s3:::home/al/f", {"aws:username": ("bob",)})
        is I
    )
    assert decide(statements, "s3:GetObject", "arn:aws:s3:::home/bob/f", {}) is I


def test_unresolvable_not_resource_makes_the_statement_not_apply() -> None:
    statements = [
        {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::home/${aws:username}/*"},
        allow("s3:*"),
    ]
    assert (
        decide(statements, "s3:GetObject", "arn:aws:s3:::home/al/f", {"aws:username": ("bob",)})
        is Decision.EXPLICIT_DENY
    )
    assert (
        decide(statements, "s3:GetObject", "arn:aws:s3:::home/bob/f", {"aws:username": ("bob",)})
        is A
    )
    assert decide(statements, "s3:GetObject", "arn:aws:s3:::home/al/f", {}) is A


def test_unresolvable_resource_falls_through_to_other_patterns() -> None:
    statements = [allow("s3:*", ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::public/*"])]
    assert decide(statements, "s3:GetObject", "arn:aws:s3:::public/x", {}) is A


def test_legacy_version_treats_variables_as_text() -> None:
    from tests.unit.policy.policy_support import identity

    document = identity(allow("s3:*", "arn:aws:s3:::home/${aws:username}"), version="2008-10-17")
    assert (
        decide(document, "s3:GetObject", "arn:aws:s3:::home/bob", {"aws:username": ("bob",)}) is I
    )
    assert decide(document, "s3:GetObject", "arn:aws:s3:::home/${aws:username}", {}) is A
