"""The wildcard dialects and policy variables, on the Pattern primitive itself."""

from __future__ import annotations

import pytest

from dockyard.domain.policy.patterns import Dialect, Pattern, Variable, Wild, tokenize

E1 = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"

DIALECTS = [
    # Resource: a * ending a segment crosses colons; any other wildcard stays in its segment
    ("res-star", Dialect.RESOURCE, "*", E1, True),
    ("res-short-final-star", Dialect.RESOURCE, "arn:aws:ecs:*", E1, True),
    ("res-star-before-colon", Dialect.RESOURCE, "arn:aws:*:cluster/prod", E1, True),
    ("res-infix-star-stays", Dialect.RESOURCE, "arn:aws:ecs:us*2:cluster/prod", E1, False),
    (
        "res-infix-star-in-segment",
        Dialect.RESOURCE,
        "arn:aws:ecs:us-*-1:123456789012:cluster/prod",
        E1,
        True,
    ),
    (
        "res-question-not-colon",
        Dialect.RESOURCE,
        "arn:aws:ecs:us-east-1?123456789012:cluster/prod",
        E1,
        False,
    ),
    ("res-double-star", Dialect.RESOURCE, "arn:**", E1, True),
    # ArnLike: wildcards in the first five components never match a colon
    ("arn-all-star", Dialect.ARN, "*", E1, True),
    ("arn-six-stars", Dialect.ARN, "arn:*:*:*:*:*", E1, True),
    ("arn-region-star-cannot-eat-account", Dialect.ARN, "arn:aws:ecs:*:cluster/prod", E1, False),
    ("arn-short-pattern-last-part-takes-rest", Dialect.ARN, "arn:aws:*", E1, True),
    (
        "arn-resource-star-crosses",
        Dialect.ARN,
        "arn:aws:logs:*:*:log-group:*",
        "arn:aws:logs:r:1:log-group:g:log-stream:s",
        True,
    ),
    ("arn-too-few-components", Dialect.ARN, "arn:*:*:*:*:*", "arn:aws:ecs:x", False),
    ("arn-case-sensitive", Dialect.ARN, E1.upper(), E1, False),
    # plain: * and ? match anything
    ("plain-star-crosses", Dialect.PLAIN, "a*z", "a:b/c:z", True),
    ("plain-question", Dialect.PLAIN, "a?c", "a:c", True),
    ("plain-anchored", Dialect.PLAIN, "b", "abc", False),
    ("plain-newline", Dialect.PLAIN, "a*", "a\nb", True),
]


@pytest.mark.parametrize(
    ("dialect", "pattern", "value", "expected"),
    [c[1:] for c in DIALECTS],
    ids=[c[0] for c in DIALECTS],
)
def test_dialects(dialect: Dialect, pattern: str, value: str, expected: bool) -> None:
    assert Pattern(pattern, dialect=dialect).matches(value, {}) is expected


def test_tokenize() -> None:
    tokens = tokenize(
        "a*${aws:UserName}?${*}${?}${$}${x, 'd'}${ }${open", wildcards=True, variables=True
    )
    assert tokens[:4] == ("a", Wild.STAR, tokens[2], Wild.ONE)
    assert isinstance(tokens[2], Variable) and tokens[2].key == "aws:username"
    assert tokens[4] == "*?$"
    assert isinstance(tokens[5], Variable) and (tokens[5].key, tokens[5].default) == ("x", "d")
    assert tokens[6] == "${ }${open"


def test_tokenize_without_variables_or_wildcards() -> None:
    assert tokenize("a*${x}", wildcards=False, variables=False) == ("a*${x}",)


VARIABLES = [
    (
        "resolved",
        "arn:aws:s3:::b/${aws:username}/*",
        {"aws:username": ("bob",)},
        "arn:aws:s3:::b/bob/x",
        True,
    ),
    (
        "other-user",
        "arn:aws:s3:::b/${aws:username}/*",
        {"aws:username": ("al",)},
        "arn:aws:s3:::b/bob/x",
        False,
    ),
    (
        "missing-is-unresolvable",
        "arn:aws:s3:::b/${aws:username}/*",
        {},
        "arn:aws:s3:::b/bob/x",
        None,
    ),
    (
        "multivalued-is-unresolvable",
        "arn:aws:s3:::b/${aws:username}",
        {"aws:username": ("a", "b")},
        "arn:aws:s3:::b/a",
        None,
    ),
    (
        "value-is-literal-not-wildcard",
        "arn:aws:s3:::b/${aws:username}",
        {"aws:username": ("*",)},
        "arn:aws:s3:::b/bob",
        False,
    ),
    (
        "value-star-matches-itself",
        "arn:aws:s3:::b/${aws:username}",
        {"aws:username": ("*",)},
        "arn:aws:s3:::b/*",
        True,
    ),
    (
        "default-used-when-missing",
        "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}",
        {},
        "arn:aws:s3:::b/shared",
        True,
    ),
    (
        "default-ignored-when-present",
        "arn:aws:s3:::b/${aws:principaltag/team, 'shared'}",
        {"aws:principaltag/team": ("red",)},
        "arn:aws:s3:::b/red",
        True,
    ),
    ("literal-star-variable", "arn:aws:s3:::b/${*}", {}, "arn:aws:s3:::b/*", True),
    ("literal-star-variable-not-wildcard", "arn:aws:s3:::b/${*}", {}, "arn:aws:s3:::b/x", False),
    ("literal-dollar-and-question", "arn:aws:s3:::b/${$}${?}", {}, "arn:aws:s3:::b/$?", True),
    (
        "value-with-colon-then-star",
        "arn:aws:s3:::b/${aws:username}*",
        {"aws:username": ("x:y",)},
        "arn:aws:s3:::b/x:yz",
        True,
    ),
]


@pytest.mark.parametrize(
    ("pattern", "context", "value", "expected"),
    [c[1:] for c in VARIABLES],
    ids=[c[0] for c in VARIABLES],
)
def test_policy_variables(
    pattern: str, context: dict[str, tuple[str, ...]], value: str, expected: bool | None
) -> None:
    compiled = Pattern(pattern, dialect=Dialect.RESOURCE, variables=True)
    assert compiled.is_dynamic == (
        "${" in pattern and "${*}" not in pattern and "${$}" not in pattern
    )
    assert compiled.matches(value, context) is expected


def test_variables_are_text_in_the_legacy_language() -> None:
    compiled = Pattern("arn:aws:s3:::b/${aws:username}", dialect=Dialect.RESOURCE, variables=False)
    assert not compiled.is_dynamic
    assert compiled.matches("arn:aws:s3:::b/${aws:username}", {"aws:username": ("bob",)}) is True
    assert compiled.matches("arn:aws:s3:::b/bob", {"aws:username": ("bob",)}) is False


def test_ignore_case_exact_with_variable() -> None:
    compiled = Pattern(
        "${aws:username}", dialect=Dialect.PLAIN, wildcards=False, variables=True, ignore_case=True
    )
    assert compiled.matches("BOB", {"aws:username": ("bob",)}) is True
