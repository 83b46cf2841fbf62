"""The cluster query language: every operator and subject, precedence, quoting, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.query import QueryError, compile_cached, compile_expression


@dataclass(frozen=True)
class Target:
    instance_id: str = "0" * 32
    ec2_instance_id: str = "i-abcd1234"
    attributes: dict[str, str | None] = field(default_factory=lambda: {
        "ecs.instance-type": "t2.small", "ecs.availability-zone": "us-east-1a",
        "stack": "prod", "ecs.capability.container-health-check": None,
    })
    agent_connected: bool = True
    agent_version: str | None = "1.14.5"
    registered_at: datetime | None = datetime(2018, 6, 18, 22, 28, 28, tzinfo=UTC)
    running_tasks_count: int = 1
    task_groups: frozenset[str] = frozenset({"service:production"})


T = Target()

MATCHES = [
    ("attribute:ecs.instance-type == t2.small", True),
    ("attribute:ecs.instance-type equals t2.small", True),
    ("attribute:ecs.instance-type != t2.small", False),
    ("attribute:ecs.instance-type not_equals m5.large", True),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", True),
    ("attribute:ecs.availability-zone in ['us-east-1b', 'us-east-1c']", False),
    ("attribute:ecs.availability-zone not_in [us-east-1b]", True),
    ("attribute:ecs.availability-zone !in [us-east-1a]", False),
    ("attribute:ecs.instance-type =~ t2.*", True),
    ("attribute:ecs.instance-type matches t2", False),  # full match, as Java's matches()
    ("attribute:ecs.instance-type !~ m5.*", True),
    ("attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d", True),
    ("attribute:ecs.capability.container-health-check exists", True),
    ("attribute:missing exists", False),
    ("attribute:missing !exists", True),
    ("attribute:missing not_exists", True),
    ("attribute:missing == x", False),
    ("attribute:missing != x", True),
    ("attribute:stack == 'prod'", True),
    ('attribute:stack == "prod"', True),
    ("task:group == service:production", True),
    ("not(task:group == database)", True),
    ("task:group in [database, service:production]", True),
    ("task:group != service:production", False),
    ("runningTasksCount == 1", True),
    ("runningTasksCount > 1", False),
    ("runningTasksCount >= 1", True),
    ("runningTasksCount less_than 2", True),
    ("agentVersion < 1.14.6", True),
    ("agentVersion > 1.9.0", True),  # numeric per component, not lexicographic
    ("agentVersion >= 1.14.5", True),
    ("registeredAt < 2018-06-19", True),
    ("registeredAt > 2018-06-18T22:28:27Z", True),
    ("registeredAt == 2018-06-18T22:28:28+00:00", True),
    ("registeredAt <= 2018-06-18T22:28:28", True),
    ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", True),
    ("ec2InstanceId =~ i-abcd.*", True),
    ("agentConnected == true", True),
    ("agentConnected != true", False),
    ("attribute:stack == dev or attribute:stack == prod and runningTasksCount == 1", True),
    ("(attribute:stack == dev or attribute:stack == prod) and runningTasksCount == 2", False),
    ("attribute:stack == dev || attribute:stack == prod && !(runningTasksCount > 3)", True),
    ("not attribute:stack == prod or runningTasksCount == 1", True),  # not binds tighter than or
    ("NOT(attribute:stack == prod) AND runningTasksCount == 1", False),  # keywords any case
]


@pytest.mark.parametrize(("expression", "expected"), MATCHES, ids=[e for e, _ in MATCHES])
def test_matches(expression: str, expected: bool) -> None:
    assert compile_expression(expression).matches(T) is expected


ERRORS = [
    ("", 0, "empty"),
    ("attribute:stack", 15, "ends too early"),
    ("attribute:stack ===", 18, "unexpected"),
    ("attribute:stack == prod and", 27, "ends too early"),
    ("(attribute:stack == prod", 24, "ends too early"),
    ("foo == bar", 0, "expected a subject"),
    ("instanceId == abc", 0, "expected a subject"),
    ("runningTasksCount > abc", 20, "integers"),
    ("agentConnected == maybe", 18, "true or false"),
    ("attribute:x =~ '['", 15, "regular expression"),
    ("ec2InstanceId > i-1", 16, "does not apply"),
    ("registeredAt > yesterday", 15, "dates"),
    ("attribute:stack == prod extra", 24, "unexpected"),
    ("attribute:stack == [a, b]", 16, "in / not_in"),
    ("runningTasksCount exists", 18, "attribute"),
    ("x" * 2001, 2000, "2000"),
]


@pytest.mark.parametrize(("expression", "position", "text"), ERRORS, ids=[e[:30] or "empty" for e, _, _ in ERRORS])
def test_errors_name_their_position(expression: str, position: int, text: str) -> None:
    with pytest.raises(QueryError) as exc:
        compile_expression(expression)
    assert exc.value.position == position
    assert text in exc.value.message and f"position {position}" in exc.value.message
    assert isinstance(exc.value, InvalidParameterException)


def test_subjects_and_cache() -> None:
    query = compile_cached("attribute:ecs.availability-zone == a and not(task:group == db)")
    assert query.subjects() == {"attribute:ecs.availability-zone", "task:group"}
    assert compile_cached("attribute:ecs.availability-zone == a and not(task:group == db)") is query


PREDICATES = [e for e, _ in MATCHES if " and " not in e.lower() and " or " not in e.lower()
              and "&&" not in e and "||" not in e]


@given(st.sampled_from(PREDICATES), st.sampled_from(PREDICATES))
def test_boolean_algebra(a: str, b: str) -> None:
    va, vb = compile_expression(a).matches(T), compile_expression(b).matches(T)
    assert compile_expression(f"not({a})").matches(T) is (not va)
    assert compile_expression(f"({a}) and ({b})").matches(T) is (va and vb)
    assert compile_expression(f"({a}) or ({b})").matches(T) is (va or vb)
