"""The public surface: names, Query's contract, subjects(), the compile cache."""

from __future__ import annotations

import dataclasses

import pytest
from tests.unit.placement.query.query_support import DEFAULT, Target

import dockyard.placement.query as query_package
from dockyard.placement.query import Query, QueryError, compile_cached, compile_expression


def test_exported_names() -> None:
    assert sorted(query_package.__all__) == [
        "MAX_EXPRESSION_LENGTH", "Query", "QueryError", "QueryTarget", "compile_cached", "compile_expression",
    ]
    for name in query_package.__all__:
        assert hasattr(query_package, name)
    assert query_package.MAX_EXPRESSION_LENGTH == 2000


def test_query_keeps_its_text_and_is_immutable() -> None:
    query = compile_expression("runningTasksCount == 1")
    assert isinstance(query, Query)
    assert query.text == "runningTasksCount == 1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.text = "other"  # type: ignore[misc]
    assert "runningTasksCount == 1" in repr(query)


SUBJECTS = [
    ("attribute:ecs.availability-zone == a and not(task:group == db)", {"attribute:ecs.availability-zone", "task:group"}),
    ("AGENTVERSION < 1.2 or agentconnected == false", {"agentVersion", "agentConnected"}),
    ("ec2InstanceId == i-1 and ec2InstanceId != i-2", {"ec2InstanceId"}),
    ("registeredAt < 2018-01-01 or runningTasksCount == 0 or attribute:x exists", {"registeredAt", "runningTasksCount", "attribute:x"}),
    ("Attribute:ecs.os-type == linux", {"attribute:ecs.os-type"}),
]


@pytest.mark.parametrize(("expression", "subjects"), SUBJECTS, ids=[e for e, _ in SUBJECTS])
def test_subjects_are_canonically_spelled(expression: str, subjects: set[str]) -> None:
    assert compile_expression(expression).subjects() == subjects


def test_compile_cached_returns_the_same_query() -> None:
    first = compile_cached("attribute:stack == prod and runningTasksCount < 3")
    assert compile_cached("attribute:stack == prod and runningTasksCount < 3") is first
    assert first.matches(DEFAULT)


def test_compile_cached_raises_every_time_for_a_bad_expression() -> None:
    for _ in range(2):
        with pytest.raises(QueryError):
            compile_cached("runningTasksCount > many")


def test_compile_cached_is_bounded() -> None:
    assert compile_cached.cache_info().maxsize == 1024


def test_a_query_is_evaluated_many_times_against_different_targets() -> None:
    query = compile_expression("attribute:stack in [prod, qa] and runningTasksCount < 3")
    targets = [Target(attributes={"stack": s}, running_tasks_count=n) for s in ("prod", "qa", "dev") for n in (0, 5)]
    assert [query.matches(t) for t in targets] == [True, False, True, False, False, False]
