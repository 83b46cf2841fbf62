"""Every example of the ECS guide ("Cluster query language" and task placement constraints),
on instances that should and should not match it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.unit.placement.query.query_support import Target, matches

G2_IN_1A = Target(attributes={"ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1a"})
G2_IN_1D = Target(attributes={"ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1d"})
T2_SMALL = Target(attributes={"ecs.instance-type": "t2.small", "ecs.availability-zone": "us-east-1c", "stack": "prod"})

EXAMPLES = [
    ("attribute:ecs.instance-type == t2.small", T2_SMALL, True),
    ("attribute:ecs.instance-type == t2.small", G2_IN_1A, False),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", G2_IN_1A, True),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", T2_SMALL, False),
    ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", G2_IN_1A, True),
    ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", G2_IN_1D, False),
    ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", T2_SMALL, False),
    ("task:group == service:production", Target(task_groups=frozenset({"service:production"})), True),
    ("task:group == service:production", Target(task_groups=frozenset({"service:staging"})), False),
    ("not(task:group == database)", Target(task_groups=frozenset({"service:web"})), True),
    ("not(task:group == database)", Target(task_groups=frozenset({"database"})), False),
    ("runningTasksCount == 1", Target(running_tasks_count=1), True),
    ("runningTasksCount == 1", Target(running_tasks_count=0), False),
    ("agentVersion < 1.14.5", Target(agent_version="1.9.0"), True),
    ("agentVersion < 1.14.5", Target(agent_version="1.14.5"), False),
    ("registeredAt < 2018-02-13", Target(registered_at=datetime(2018, 2, 12, 23, 59, 59, tzinfo=UTC)), True),
    ("registeredAt < 2018-02-13", Target(registered_at=datetime(2018, 2, 13, tzinfo=UTC)), False),
    ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", Target(ec2_instance_id="i-wxyx7890"), True),
    ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", Target(ec2_instance_id="i-00000000"), False),
    ("attribute:stack == prod", T2_SMALL, True),
    ("attribute:stack != prod", T2_SMALL, False),
    ("attribute:stack != prod", G2_IN_1A, True),  # no stack attribute at all
    ("attribute:ecs.os-type == linux", Target(), True),
    ("attribute:ecs.instance-type =~ t2.*", T2_SMALL, True),
]


@pytest.mark.parametrize(
    ("expression", "target", "expected"),
    EXAMPLES,
    ids=[f"{e} [{'match' if x else 'no match'} {i}]" for i, (e, _, x) in enumerate(EXAMPLES)],
)
def test_documented_example(expression: str, target: Target, expected: bool) -> None:
    assert matches(expression, target) is expected
