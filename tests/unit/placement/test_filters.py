"""Filters: every rejection reason, constraints, groups, failures listing every shortfall."""

from __future__ import annotations

import pytest
from tests.unit.placement.placement_support import SeededRandom, instance

from dockyard.placement import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    TaskDemand,
    place_tasks,
)
from dockyard.placement import reasons as R

DISTINCT = PlacementConstraint("distinctInstance")


def member_of(expression: str) -> PlacementConstraint:
    return PlacementConstraint("memberOf", expression)


def reasons_of(pool: list[InstanceSnapshot], demand: TaskDemand, **kw: object) -> dict[str, tuple[str, ...]]:
    result = place_tasks(demand, pool, count=1, rng=SeededRandom(1), **kw)  # type: ignore[arg-type]
    assert result.placements == ()
    return {f.instance_id: f.reasons for f in result.failures}


@pytest.mark.parametrize(
    ("snapshot", "demand", "kw", "reasons"),
    [
        (instance("a", connected=False), TaskDemand(1, 1), {}, (R.AGENT,)),
        (instance("a", active=False), TaskDemand(1, 1), {}, (R.INACTIVE,)),
        (instance("a", active=False, connected=False), TaskDemand(1, 1), {}, (R.AGENT, R.INACTIVE)),
        (instance("a", connected=False), TaskDemand(2000, 1), {}, (R.AGENT, R.CPU)),
        (instance("a", used_ports=frozenset({(80, "tcp"), (53, "udp")})),
         TaskDemand(2000, 2000, frozenset({(80, "tcp"), (53, "udp")})), {},
         (R.CPU, R.MEMORY, R.PORTS, R.PORTS_UDP)),
        (instance("a"), TaskDemand(1, 1, required_attributes=(("com.amazonaws.ecs.capability.logging-driver.awslogs", None),)),
         {}, (R.ATTRIBUTE,)),
        (instance("a", attributes={"ecs.os-type": "windows"}),
         TaskDemand(1, 1, required_attributes=(("ecs.os-type", "linux"),)), {}, (R.ATTRIBUTE,)),
        (instance("a", az="us-east-1a"), TaskDemand(1, 1),
         {"constraints": [member_of("attribute:ecs.availability-zone == us-east-1b")]}, (R.MEMBER_OF,)),
        (instance("a", az="us-east-1a"), TaskDemand(5000, 1),
         {"constraints": [member_of("attribute:ecs.availability-zone == us-east-1b")] * 2},
         (R.CPU, R.MEMBER_OF)),
        (instance("a", groups={"family:web": 1}), TaskDemand(1, 1), {"group": "family:web", "constraints": [DISTINCT]},
         (R.DISTINCT_INSTANCE,)),
        (instance("a", memory=10, groups={"family:web": 1}), TaskDemand(1, 100),
         {"group": "family:web", "constraints": [DISTINCT, member_of("attribute:x == y")]},
         (R.MEMORY, R.DISTINCT_INSTANCE, R.MEMBER_OF)),
    ],
    ids=["agent", "inactive", "agent-and-inactive", "agent-and-cpu", "every-resource", "attribute-missing",
         "attribute-value", "member-of", "member-of-once-with-cpu", "distinct-instance", "all-in-request-order"],
)
def test_rejection_reasons(snapshot: InstanceSnapshot, demand: TaskDemand, kw: dict[str, object],
                           reasons: tuple[str, ...]) -> None:
    assert reasons_of([snapshot], demand, **kw) == {"a": reasons}


def test_reason_strings_match_ecs() -> None:
    assert R.MEMBER_OF == "MemberOf placement constraint unsatisfied."
    assert R.DISTINCT_INSTANCE == "DistinctInstance placement constraint unsatisfied."
    assert (R.CPU, R.MEMORY, R.PORTS, R.PORTS_UDP, R.AGENT, R.ATTRIBUTE) == (
        "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS", "RESOURCE:PORTS_UDP", "AGENT", "ATTRIBUTE")


def test_required_attribute_present_passes() -> None:
    demand = TaskDemand(1, 1, required_attributes=(("ecs.capability.secrets", None), ("ecs.os-type", "linux")))
    pool = [instance("a", attributes={"ecs.capability.secrets": None, "ecs.os-type": "linux"})]
    assert place_tasks(demand, pool, count=1, rng=SeededRandom(1)).placements == ("a",)


def test_member_of_keeps_only_matching_instances() -> None:
    pool = [instance(f"{z}{n}", az=z) for z in "ab" for n in range(3)]
    result = place_tasks(TaskDemand(1, 1), pool, count=6, rng=SeededRandom(4),
                         constraints=[member_of("attribute:ecs.availability-zone == a")])
    assert set(result.placements) <= {"a0", "a1", "a2"} and len(result.placements) == 6


def test_distinct_instance_one_task_per_instance_then_failures() -> None:
    pool = [instance("a"), instance("b"), instance("c", groups={"family:web": 1})]
    result = place_tasks(TaskDemand(1, 1), pool, count=3, rng=SeededRandom(1), group="family:web",
                         constraints=[DISTINCT])
    assert sorted(result.placements) == ["a", "b"]
    assert {f.instance_id: f.reasons for f in result.failures} == {
        "a": (R.DISTINCT_INSTANCE,), "b": (R.DISTINCT_INSTANCE,), "c": (R.DISTINCT_INSTANCE,)}


def test_distinct_instance_other_groups_do_not_count() -> None:
    pool = [instance("a", groups={"family:db": 2})]
    result = place_tasks(TaskDemand(1, 1), pool, count=1, rng=SeededRandom(1), group="family:web",
                         constraints=[DISTINCT])
    assert result.placements == ("a",)


def test_anonymous_group_counts_only_this_batch() -> None:
    pool = [instance("a", groups={"family:web": 1}), instance("b")]
    result = place_tasks(TaskDemand(1, 1), pool, count=3, rng=SeededRandom(1), constraints=[DISTINCT])
    assert sorted(result.placements) == ["a", "b"]


def test_member_of_sees_the_batch_own_proposals() -> None:
    # Anti-affinity with its own group: after one proposal an instance no longer matches.
    pool = [instance("a"), instance("b")]
    result = place_tasks(TaskDemand(1, 1), pool, count=3, rng=SeededRandom(1), group="family:web",
                         constraints=[member_of("not(task:group == family:web)")])
    assert sorted(result.placements) == ["a", "b"]
    assert {f.reasons for f in result.failures} == {(R.MEMBER_OF,)}


def test_running_tasks_count_includes_proposals() -> None:
    pool = [instance("a"), instance("b"), instance("c", groups={"x": 1})]
    result = place_tasks(TaskDemand(1, 1), pool, count=3, rng=SeededRandom(2),
                         constraints=[member_of("runningTasksCount == 0")])
    assert sorted(result.placements) == ["a", "b"]


def test_full_instance_after_batch_reports_its_shortfall_with_the_rest() -> None:
    pool = [instance("a", memory=1000), instance("b", connected=False)]
    result = place_tasks(TaskDemand(1, 600), pool, count=2, rng=SeededRandom(1),
                         strategies=[PlacementStrategy("binpack", "memory")])
    assert result.placements == ("a",)
    assert {f.instance_id: f.reasons for f in result.failures} == {"a": (R.MEMORY,), "b": (R.AGENT,)}


def test_all_placed_means_no_failures_even_with_rejected_instances() -> None:
    pool = [instance("a"), instance("b", connected=False)]
    assert place_tasks(TaskDemand(1, 1), pool, count=1, rng=SeededRandom(1)).failures == ()
