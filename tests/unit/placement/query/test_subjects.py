"""Each subject: what it reads, how it compares, and what happens when the value is absent."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from tests.unit.placement.query.query_support import REGISTERED, Target, matches

# --- attribute:<name> -------------------------------------------------------------------

NO_ATTRIBUTES = Target(attributes={})
NAME_ONLY = Target(attributes={"ecs.capability.efs": None})

# Decision (README): a missing attribute satisfies no positive comparison and every negative
# one; a name-only attribute has no value, so it compares like a missing one but exists.
MISSING_ATTRIBUTE = [
    ("attribute:stack == prod", NO_ATTRIBUTES, False),
    ("attribute:stack != prod", NO_ATTRIBUTES, True),
    ("attribute:stack in [prod, dev]", NO_ATTRIBUTES, False),
    ("attribute:stack not_in [prod, dev]", NO_ATTRIBUTES, True),
    ("attribute:stack =~ .*", NO_ATTRIBUTES, False),
    ("attribute:stack !~ .*", NO_ATTRIBUTES, True),
    ("attribute:stack exists", NO_ATTRIBUTES, False),
    ("attribute:stack !exists", NO_ATTRIBUTES, True),
    ("attribute:ecs.capability.efs exists", NAME_ONLY, True),
    ("attribute:ecs.capability.efs !exists", NAME_ONLY, False),
    ("attribute:ecs.capability.efs == x", NAME_ONLY, False),
    ("attribute:ecs.capability.efs != x", NAME_ONLY, True),
    ("attribute:ecs.capability.efs =~ .*", NAME_ONLY, False),
    ("attribute:ecs.capability.efs == ''", NAME_ONLY, False),  # no value is not the empty value
]


@pytest.mark.parametrize(("expression", "target", "expected"), MISSING_ATTRIBUTE, ids=[e for e, _, _ in MISSING_ATTRIBUTE])
def test_missing_and_name_only_attributes(expression: str, target: Target, expected: bool) -> None:
    assert matches(expression, target) is expected


def test_attribute_names_are_case_sensitive_but_the_prefix_is_not() -> None:
    assert matches("ATTRIBUTE:stack == prod")
    assert not matches("attribute:Stack == prod")


def test_attribute_names_take_ecs_name_characters() -> None:
    target = Target(attributes={"team/owner_1.x-y": "ops@example.com:5"})
    assert matches("attribute:team/owner_1.x-y == ops@example.com:5", target)


# --- agentConnected ----------------------------------------------------------------------

AGENT_CONNECTED = [
    ("agentConnected == true", True, True),
    ("agentConnected == true", False, False),
    ("agentConnected == false", False, True),
    ("agentConnected != true", False, True),
    ("agentConnected == TRUE", True, True),
    ("agentConnected in [true, false]", False, True),
    ("agentConnected not_in [true]", False, True),
    ("agentConnected =~ t.*", True, True),
    ("agentConnected =~ t.*", False, False),
    ("agentConnected !~ t.*", False, True),
]


@pytest.mark.parametrize(
    ("expression", "connected", "expected"), AGENT_CONNECTED, ids=[f"{e} [{c}]" for e, c, _ in AGENT_CONNECTED]
)
def test_agent_connected(expression: str, connected: bool, expected: bool) -> None:
    assert matches(expression, Target(agent_connected=connected)) is expected


# --- agentVersion ------------------------------------------------------------------------

AGENT_VERSION = [
    ("agentVersion < 1.14.5", "1.9.0", True),  # numeric per component, not lexicographic
    ("agentVersion > 1.9.0", "1.14.5", True),
    ("agentVersion < 1.14.5", "1.14.5", False),
    ("agentVersion <= 1.14.5", "1.14.5", True),
    ("agentVersion == 1.14", "1.14.0", True),  # trailing zeros do not count
    ("agentVersion >= 1.14.5", "1.14.10", True),
    ("agentVersion > 1.14.5", "1.14.5-rc1", False),  # a suffix is ignored
    ("agentVersion == 1.51.0", "v1.51.0", True),
    ("agentVersion != 1.14.5", "1.15.0", True),
    ("agentVersion < 2", "1.99.99", True),
]


@pytest.mark.parametrize(
    ("expression", "version", "expected"), AGENT_VERSION, ids=[f"{v} {e}" for e, v, _ in AGENT_VERSION]
)
def test_agent_version_compares_as_a_version(expression: str, version: str, expected: bool) -> None:
    assert matches(expression, Target(agent_version=version)) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("agentVersion == 1.0", False), ("agentVersion != 1.0", True), ("agentVersion < 99", False),
     ("agentVersion > 0", False)],
)
def test_no_agent_version_satisfies_only_not_equals(expression: str, expected: bool) -> None:
    for absent in (None, "unknown"):
        assert matches(expression, Target(agent_version=absent)) is expected


# --- ec2InstanceId -----------------------------------------------------------------------

EC2_INSTANCE_ID = [
    ("ec2InstanceId == i-abcd1234", True),
    ("ec2InstanceId != i-abcd1234", False),
    ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", True),
    ("ec2InstanceId not_in [i-wxyx7890]", True),
    ("ec2InstanceId =~ i-abcd.*", True),
    ("ec2InstanceId !~ i-abcd.*", False),
    ("EC2INSTANCEID == i-abcd1234", True),  # subjects are matched in any case
]


@pytest.mark.parametrize(("expression", "expected"), EC2_INSTANCE_ID, ids=[e for e, _ in EC2_INSTANCE_ID])
def test_ec2_instance_id(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


# --- registeredAt ------------------------------------------------------------------------

# The default target registered at 2018-06-18T22:28:28Z.
REGISTERED_AT = [
    ("registeredAt == 2018-06-18T22:28:28+00:00", True),
    ("registeredAt == 2018-06-18T22:28:28Z", True),
    ("registeredAt == 2018-06-18T22:28:28", True),  # no offset: UTC
    ("registeredAt == 2018-06-19T00:28:28+02:00", True),  # the same instant elsewhere
    ("registeredAt == 2018-06-18T22:28:28.000Z", True),
    ("registeredAt > 2018-06-18", True),  # a date alone is midnight UTC
    ("registeredAt < 2018-06-19", True),
    ("registeredAt >= 2018-06-18T22:28:28Z", True),
    ("registeredAt > 2018-06-18T22:28:28Z", False),
    ("registeredAt <= 2018-06-18T22:28:27Z", False),
    ("registeredAt != 2018-06-18T22:28:28Z", False),
    ("registeredAt < 2018-06-18T22:28:28-01:00", True),  # 23:28:28Z
    ("registeredAt < '2018-06-18T22:28:29Z'", True),
]


@pytest.mark.parametrize(("expression", "expected"), REGISTERED_AT, ids=[e for e, _ in REGISTERED_AT])
def test_registered_at_compares_instants(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


def test_registered_at_of_a_target_in_another_zone_or_naive() -> None:
    elsewhere = REGISTERED.astimezone(timezone(timedelta(hours=-7)))
    naive = REGISTERED.replace(tzinfo=None)
    for moment in (elsewhere, naive):
        assert matches("registeredAt == 2018-06-18T22:28:28Z", Target(registered_at=moment))


def test_no_registration_time_satisfies_only_not_equals() -> None:
    target = Target(registered_at=None)
    assert not matches("registeredAt < 2100-01-01", target)
    assert not matches("registeredAt > 1970-01-01", target)
    assert matches("registeredAt != 2018-06-18", target)


# --- runningTasksCount -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("expression", "count", "expected"),
    [("runningTasksCount == 0", 0, True), ("runningTasksCount < 3", 2, True), ("runningTasksCount < 3", 10, False),
     ("runningTasksCount > 9", 10, True), ("runningTasksCount >= +10", 10, True), ("runningTasksCount > -1", 0, True)],
)
def test_running_tasks_count_compares_integers(expression: str, count: int, expected: bool) -> None:
    assert matches(expression, Target(running_tasks_count=count)) is expected


# --- task:group --------------------------------------------------------------------------

NO_TASKS = Target(task_groups=frozenset())
DATABASE = Target(task_groups=frozenset({"database", "service:production"}))

TASK_GROUP = [
    # affinity: some running task on the instance is in the group
    ("task:group == service:production", DATABASE, True),
    ("task:group == service:production", NO_TASKS, False),
    # anti-affinity: no running task on the instance is in the group
    ("not(task:group == database)", DATABASE, False),
    ("not(task:group == database)", NO_TASKS, True),
    ("task:group != database", DATABASE, False),  # the same as not(==)
    ("task:group != database", NO_TASKS, True),
    ("task:group in [database, cache]", DATABASE, True),
    ("task:group in [cache, queue]", DATABASE, False),
    ("task:group not_in [cache, queue]", DATABASE, True),
    ("task:group not_in [database]", DATABASE, False),
    ("task:group =~ service:.*", DATABASE, True),
    ("task:group =~ service:.*", NO_TASKS, False),
    ("task:group !~ data.*", DATABASE, False),
    ("task:group !~ data.*", NO_TASKS, True),
    ("task:group == family:web and not(task:group == database)", Target(), True),
]


@pytest.mark.parametrize(("expression", "target", "expected"), TASK_GROUP, ids=[f"{e} [{sorted(t.task_groups)}]" for e, t, _ in TASK_GROUP])
def test_task_group_affinity_and_anti_affinity(expression: str, target: Target, expected: bool) -> None:
    assert matches(expression, target) is expected

