"""Every operator and each of its spellings, on a string subject and on an ordered one."""

from __future__ import annotations

import pytest
from tests.unit.placement.query.query_support import matches

# (expression, expected) against the default target: instance type t2.small, 1 running task.
STRING_OPERATORS = [
    ("attribute:ecs.instance-type == t2.small", True),
    ("attribute:ecs.instance-type equals t2.small", True),
    ("attribute:ecs.instance-type == t2.micro", False),
    ("attribute:ecs.instance-type != t2.micro", True),
    ("attribute:ecs.instance-type not_equals t2.micro", True),
    ("attribute:ecs.instance-type != t2.small", False),
    ("attribute:ecs.instance-type in [t2.micro, t2.small]", True),
    ("attribute:ecs.instance-type in [t2.micro, m5.large]", False),
    ("attribute:ecs.instance-type in t2.small", True),  # one value without brackets
    ("attribute:ecs.instance-type !in [t2.micro, m5.large]", True),
    ("attribute:ecs.instance-type not_in [t2.micro, m5.large]", True),
    ("attribute:ecs.instance-type not_in [t2.small]", False),
    ("attribute:ecs.instance-type =~ t2.*", True),
    ("attribute:ecs.instance-type matches t2.*", True),
    ("attribute:ecs.instance-type =~ m5.*", False),
    ("attribute:ecs.instance-type !~ m5.*", True),
    ("attribute:ecs.instance-type not_matches m5.*", True),
    ("attribute:ecs.instance-type !~ t2.*", False),
    ("attribute:ecs.capability.container-health-check exists", True),
    ("attribute:ecs.capability.container-health-check !exists", False),
    ("attribute:ecs.capability.container-health-check not_exists", False),
    ("attribute:ecs.gpu exists", False),
    ("attribute:ecs.gpu !exists", True),
    ("attribute:ecs.gpu not_exists", True),
]

ORDERED_OPERATORS = [
    ("runningTasksCount == 1", True),
    ("runningTasksCount equals 1", True),
    ("runningTasksCount != 1", False),
    ("runningTasksCount not_equals 2", True),
    ("runningTasksCount > 0", True),
    ("runningTasksCount greater_than 1", False),
    ("runningTasksCount >= 1", True),
    ("runningTasksCount greater_than_equal 2", False),
    ("runningTasksCount < 2", True),
    ("runningTasksCount less_than 1", False),
    ("runningTasksCount <= 1", True),
    ("runningTasksCount less_than_equal 0", False),
]


@pytest.mark.parametrize(("expression", "expected"), STRING_OPERATORS, ids=[e for e, _ in STRING_OPERATORS])
def test_string_operators(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


@pytest.mark.parametrize(("expression", "expected"), ORDERED_OPERATORS, ids=[e for e, _ in ORDERED_OPERATORS])
def test_ordered_operators(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


OPERATOR_WORDS_ANY_CASE = [
    "attribute:stack EQUALS prod",
    "attribute:stack Not_Equals dev",
    "attribute:stack IN [prod]",
    "attribute:stack NOT_IN [dev]",
    "attribute:stack !IN [dev]",
    "attribute:stack MATCHES pr.*",
    "attribute:stack NOT_MATCHES dev.*",
    "attribute:stack EXISTS",
    "attribute:nothing NOT_EXISTS",
    "runningTasksCount GREATER_THAN_EQUAL 1",
]


@pytest.mark.parametrize("expression", OPERATOR_WORDS_ANY_CASE)
def test_operator_words_are_case_insensitive(expression: str) -> None:
    assert matches(expression)


REGEX_IS_A_FULL_MATCH = [
    ("attribute:stack =~ pro", False),  # Java's matches(): the whole value, not a prefix
    ("attribute:stack =~ rod", False),
    ("attribute:stack =~ .rod", True),
    ("attribute:stack =~ 'pr(o|e)d'", True),
    ("attribute:stack =~ 'PROD'", False),  # case-sensitive, as in Java
    ("attribute:stack =~ '(?i)PROD'", True),  # an inline flag both dialects know
    ("attribute:ecs.instance-type =~ 't2\\.(micro|small)'", True),
]


@pytest.mark.parametrize(("expression", "expected"), REGEX_IS_A_FULL_MATCH, ids=[e for e, _ in REGEX_IS_A_FULL_MATCH])
def test_regex_is_a_full_match(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


WILDCARDS_ARE_LITERAL_OUTSIDE_REGEX = [
    ("attribute:ecs.instance-type == t2.*", False),  # ECS documents no wildcard for ==
    ("attribute:ecs.instance-type in [t2.*]", False),
    ("attribute:ecs.instance-type =~ t2.*", True),
]


@pytest.mark.parametrize(
    ("expression", "expected"), WILDCARDS_ARE_LITERAL_OUTSIDE_REGEX, ids=[e for e, _ in WILDCARDS_ARE_LITERAL_OUTSIDE_REGEX]
)
def test_star_is_literal_outside_regex(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


def test_star_in_a_value_matches_itself() -> None:
    from tests.unit.placement.query.query_support import Target

    assert matches("attribute:pattern == t2.*", Target(attributes={"pattern": "t2.*"}))
