"""ECS ``failures[].reason`` strings placement reports, in one place.

Resource and attribute reasons are the API's codes [DG-web:api_failures_messages]. The two
constraint reasons are the strings ECS itself shows, trailing full stop included: RunTask
failures read ``"MemberOf placement constraint unsatisfied."`` (aws/amazon-ecs-agent#3044)
and service events quote ``"DistinctInstance placement constraint unsatisfied."``
(aws/containers-roadmap#1201); the developer guide's table prints the first without the stop.
``INACTIVE`` is Dockyard's own: ECS never offers a DRAINING instance, so it has no code.
"""

from __future__ import annotations

AGENT = "AGENT"
"""The instance's agent is disconnected."""
INACTIVE = "INACTIVE"
"""The instance is not ACTIVE (DRAINING, or deregistering)."""
CPU = "RESOURCE:CPU"
MEMORY = "RESOURCE:MEMORY"
PORTS = "RESOURCE:PORTS"
PORTS_UDP = "RESOURCE:PORTS_UDP"
ATTRIBUTE = "ATTRIBUTE"
"""The instance lacks one of the task definition's ``requiresAttributes``."""
MEMBER_OF = "MemberOf placement constraint unsatisfied."
DISTINCT_INSTANCE = "DistinctInstance placement constraint unsatisfied."
