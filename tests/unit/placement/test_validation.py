"""validate_placement: ECS's limits and shapes, refused before any work."""

from __future__ import annotations

import pytest

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement import PlacementConstraint, PlacementStrategy, validate_placement

C = PlacementConstraint
S = PlacementStrategy


@pytest.mark.parametrize(
    ("constraints", "strategies", "message"),
    [
        ([C("distinctInstance")] * 11, [], "maximum is 10"),
        ([], [S("random")] * 6, "maximum is 5"),
        ([C("sameInstance")], [], "Unsupported placement constraint type"),
        ([], [S("roundRobin")], "Unsupported placement strategy type"),
        ([C("distinctInstance", "attribute:x == y")], [], "cannot be specified for a distinctInstance"),
        ([C("memberOf")], [], "required for a memberOf"),
        ([C("memberOf", "  ")], [], "required for a memberOf"),
        ([C("memberOf", "attribute:x == " + "y" * 2000)], [], "longer than 2000"),
        ([], [S("binpack", "disk")], "valid values are cpu and memory"),
        ([], [S("binpack")], "valid values are cpu and memory"),
        ([], [S("spread")], "requires a field"),
        ([], [S("spread", "zone")], "instanceId, host or attribute:<name>"),
    ],
    ids=["11-constraints", "6-strategies", "unknown-constraint", "unknown-strategy", "distinct-with-expression",
         "member-of-without-expression", "member-of-blank", "expression-too-long", "binpack-disk",
         "binpack-no-field", "spread-no-field", "spread-bad-field"],
)
def test_refused(constraints: list[C], strategies: list[S], message: str) -> None:
    with pytest.raises(InvalidParameterException, match=message):
        validate_placement(constraints, strategies)


@pytest.mark.parametrize(
    ("constraints", "strategies"),
    [
        ([C("distinctInstance")] * 10, [S("random")] * 5),
        ([C("memberOf", "attribute:ecs.instance-type == t2.small")], [S("binpack", "MEMORY"), S("spread", "host")]),
        ([], [S("spread", "instanceId"), S("spread", "attribute:stack"), S("random", "ignored")]),
    ],
    ids=["at-the-limits", "member-of-binpack-host", "spread-fields"],
)
def test_accepted(constraints: list[C], strategies: list[S]) -> None:
    validate_placement(constraints, strategies)


def test_malformed_query_is_an_invalid_parameter() -> None:
    from tests.unit.placement import placement_support  # noqa: F401  (stand-in query language)

    with pytest.raises(InvalidParameterException):
        validate_placement([C("memberOf", "attribute:x ==")], [])
