"""Malformed expressions: a QueryError (an InvalidParameterException) naming the position."""

from __future__ import annotations

import pytest

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.query import QueryError, compile_expression

# (expression, position, a phrase of the message). Positions are 0-based offsets.
SYNTAX_ERRORS = [
    ("", 0, "the expression is empty"),
    ("   ", 0, "the expression is empty"),
    ("x" * 2001, 2000, "at most 2000 characters"),
    ("attribute:stack", 15, "ends too early: expected an operator after 'attribute:stack'"),
    ("attribute:stack  prod", 17, "unexpected 'prod': expected an operator after 'attribute:stack'"),
    ("attribute:stack ==", 18, "ends too early: expected a value after '=='"),
    ("attribute:stack == ", 18, "ends too early: expected a value after '=='"),
    ("attribute:stack === prod", 18, "unexpected '=': expected a value after '=='"),
    ("attribute:stack <> prod", 17, "unexpected '>': expected a value after '<'"),
    ("attribute:stack like prod", 16, "expected an operator"),
    ("attribute:stack !inx [a]", 16, "unexpected '!inx'"),
    ("attribute:stack == prod extra", 24, "unexpected 'extra': expected and, or or the end"),
    ("attribute:stack == prod and", 27, "ends too early: expected a subject"),
    ("attribute:stack == prod or or runningTasksCount == 1", 27, "expected a subject"),
    ("(attribute:stack == prod", 24, "ends too early: expected and, or or ')'"),
    ("attribute:stack == prod)", 23, "unexpected ')'"),
    ("((attribute:stack == prod)", 26, "expected and, or or ')'"),
    ("()", 1, "unexpected ')': expected a subject"),
    ("not", 3, "ends too early: expected a subject"),
    ("attribute:stack in [a, b", 24, "ends too early: expected ',' or ']'"),
    ("attribute:stack in [a b]", 22, "unexpected 'b': expected ',' or ']'"),
    ("attribute:stack in [a,]", 22, "unexpected ']': expected a value after ','"),
    ("attribute:stack in []", 20, "unexpected ']': expected a value after '['"),
    ("attribute:stack in (a, b)", 19, "an argument list takes square brackets"),
    ("attribute:stack == 'prod", 19, "unterminated quoted string"),
    ("attribute:stack == prod%", 23, "unexpected '%'"),
]

SUBJECT_ERRORS = [
    ("foo == bar", 0, "expected a subject (agentConnected, agentVersion, attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount, task:group), found 'foo'"),
    ("instanceId == i-abcd1234", 0, "found 'instanceId'; instanceId is a spread field, not a query subject; use ec2InstanceId"),
    ("attribute:stack == prod and host == a", 28, "found 'host'"),
    ("attribute: == prod", 0, "an attribute subject needs a name"),
    ("task:name == web", 0, "found 'task:name'"),
    ("== prod", 0, "unexpected '=='"),
    ("foo == bar extra", 0, "found 'foo'"),  # the first problem, left to right
]

TYPE_ERRORS = [
    ("runningTasksCount > abc", 20, "runningTasksCount compares with integers, not 'abc'"),
    ("runningTasksCount == 1.5", 21, "integers"),
    ("agentConnected == maybe", 18, "agentConnected is true or false, not 'maybe'"),
    ("agentVersion < latest", 15, "agentVersion compares with versions like 1.14.5, not 'latest'"),
    ("agentVersion < 1.14.x", 15, "versions like 1.14.5"),
    ("registeredAt > yesterday", 15, "registeredAt compares with dates like 2018-06-18T22:28:28Z"),
    ("registeredAt > 2018-13-01", 15, "not '2018-13-01'"),
    ("registeredAt > 2018-06-18T22:28", 15, "dates like"),
    ("attribute:x =~ '['", 15, "invalid regular expression '['"),
    ("task:group !~ '(unclosed'", 14, "invalid regular expression"),
    ("attribute:x =~ '\\p{Alpha}+'", 15, "invalid regular expression"),  # Java-only syntax
    # an operator the subject does not take: reported at its argument
    ("ec2InstanceId > i-1", 16, "> does not apply to ec2InstanceId (it takes ==, !=, in, not_in, =~, !~)"),
    ("attribute:stack >= prod", 19, ">= does not apply to attribute:stack"),
    ("runningTasksCount in [1, 2]", 21, "in does not apply to runningTasksCount"),
    ("agentVersion =~ 1.*", 16, "=~ does not apply to agentVersion"),
    ("registeredAt matches 2018.*", 21, "matches does not apply to registeredAt"),
    ("task:group < b", 13, "< does not apply to task:group"),
    # exists is for attributes; a list is for in / not_in: reported at the operator
    ("runningTasksCount exists", 18, "exists applies to attribute:<name> subjects only"),
    ("task:group !exists", 11, "!exists applies to attribute:<name>"),
    ("attribute:stack == [a, b]", 16, "a list [...] needs in / not_in, not =="),
    ("attribute:stack =~ [a.*]", 16, "needs in / not_in, not =~"),
    ("not(attribute:stack == a) and runningTasksCount > x", 50, "integers"),
]

ALL_ERRORS = SYNTAX_ERRORS + SUBJECT_ERRORS + TYPE_ERRORS


@pytest.mark.parametrize(("expression", "position", "phrase"), ALL_ERRORS, ids=[e[:40] or "empty" for e, _, _ in ALL_ERRORS])
def test_error_names_its_position(expression: str, position: int, phrase: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_expression(expression)
    error = caught.value
    assert error.position == position
    assert phrase in error.reason
    assert error.message == f"Invalid query expression at position {position}: {error.reason}"


def test_error_is_an_invalid_parameter_exception() -> None:
    with pytest.raises(InvalidParameterException) as caught:
        compile_expression("attribute:stack")
    assert caught.value.code == "InvalidParameterException"
    assert caught.value.http_status == 400


def test_two_thousand_characters_are_allowed() -> None:
    padding = " " * (2000 - len("attribute:stack == prod"))
    assert len("attribute:stack == prod" + padding) == 2000
    compile_expression("attribute:stack == prod" + padding)


def test_position_counts_across_lines() -> None:
    with pytest.raises(QueryError) as caught:
        compile_expression("attribute:stack == prod\nand\nfoo == bar")
    assert caught.value.position == 28
