"""Precedence, parentheses, boolean spellings, quoting, lists and whitespace."""

from __future__ import annotations

import pytest
from tests.unit.placement.query.query_support import matches

# T = stack == prod (true), F = stack == dev (false); runningTasksCount is 1.
T, F = "attribute:stack == prod", "attribute:stack == dev"

PRECEDENCE = [
    # not > and > or
    (f"{T} or {F} and {F}", True),  # T or (F and F)
    (f"({T} or {F}) and {F}", False),
    (f"{F} and {F} or {T}", True),  # (F and F) or T
    (f"{F} and ({F} or {T})", False),
    (f"not {T} or {T}", True),  # (not T) or T
    (f"not ({T} or {T})", False),
    (f"not {F} and {F}", False),  # (not F) and F
    (f"not({F} and {F})", True),
    (f"not not {T}", True),
    (f"!!{T}", True),
    (f"{T} and {T} and {T} and {F}", False),
    (f"{F} or {F} or {F} or {T}", True),
    (f"(({T}))", True),
    (f"((({F}) or ({T})) and (not ({F})))", True),
]


@pytest.mark.parametrize(("expression", "expected"), PRECEDENCE, ids=[e for e, _ in PRECEDENCE])
def test_precedence_and_parentheses(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


BOOLEAN_SPELLINGS = [
    (f"{T} && {F}", False),
    (f"{T} AND {T}", True),
    (f"{F} || {T}", True),
    (f"{F} OR {F}", False),
    (f"!({T})", False),
    (f"NOT({F})", True),
    (f"Not {F}", True),
    (f"{T}&&{T}||{F}", True),
]


@pytest.mark.parametrize(("expression", "expected"), BOOLEAN_SPELLINGS, ids=[e for e, _ in BOOLEAN_SPELLINGS])
def test_boolean_spellings(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


QUOTING_AND_LISTS = [
    ("attribute:stack == 'prod'", True),
    ('attribute:stack == "prod"', True),
    ("attribute:stack in ['dev', \"prod\"]", True),
    ("attribute:stack in [dev,prod]", True),
    ("attribute:stack in [ dev , prod ]", True),
    ("attribute:stack in [dev, 'prod', qa]", True),
    ("attribute:stack == 'pr od'", False),  # quotes keep spaces
    ("attribute:stack == and", False),  # a keyword in value position is a value
    ("attribute:stack == 'and' or attribute:stack == prod", True),
]


@pytest.mark.parametrize(("expression", "expected"), QUOTING_AND_LISTS, ids=[e for e, _ in QUOTING_AND_LISTS])
def test_quoting_and_lists(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


def test_quoted_values_may_hold_any_character() -> None:
    from tests.unit.placement.query.query_support import Target

    target = Target(attributes={"motto": "it's (a) [b], c == d and e"})
    assert matches('attribute:motto == "it\'s (a) [b], c == d and e"', target)
    assert matches("attribute:motto =~ 'it.s \\(a\\).*'", target)


WHITESPACE = [
    "attribute:stack==prod",
    "  attribute:stack == prod  ",
    "attribute:stack\t==\nprod",
    "not(attribute:stack==dev)&&runningTasksCount>=1",
    "(attribute:stack == prod)and(runningTasksCount == 1)",
]


@pytest.mark.parametrize("expression", WHITESPACE)
def test_whitespace_is_free(expression: str) -> None:
    assert matches(expression)


def test_keywords_need_a_word_boundary() -> None:
    """``notable`` and ``order`` are values, not ``not`` / ``or``."""
    from tests.unit.placement.query.query_support import Target

    target = Target(attributes={"a": "notable", "b": "order"})
    assert matches("attribute:a == notable and attribute:b == order", target)
