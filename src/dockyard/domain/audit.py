"""The audit trail's record: one call, who made it, what was decided (CloudTrail's shape).

Invariant: an :class:`AuditEvent` never carries request parameters or response values, so no
secret can reach the trail; ``resources`` are ARNs (or ``*``) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Lookup", "Discover")

DECISION_ALLOW = "Allow"
DECISION_EXPLICIT_DENY = "ExplicitDeny"
DECISION_IMPLICIT_DENY = "ImplicitDeny"
DECISION_UNAUTHENTICATED = "Unauthenticated"


def is_read_only(operation: str) -> bool:
    return operation.startswith(READ_ONLY_PREFIXES)


def event_source(iam_prefix: str) -> str:
    """CloudTrail's ``eventSource``: ``ecs`` → ``ecs.amazonaws.com``."""
    return f"{iam_prefix}.amazonaws.com"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    event_id: str
    event_time: datetime
    region: str
    event_source: str
    event_name: str
    principal_arn: str
    user_name: str
    access_key_id: str
    source_ip: str
    resources: tuple[str, ...]
    decision: str
    error_code: str | None = None
    error_message: str | None = None

    @property
    def read_only(self) -> bool:
        return is_read_only(self.event_name)

    @property
    def denied(self) -> bool:
        return self.decision != DECISION_ALLOW


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A LookupEvents filter: at most one attribute (CloudTrail's rule), a time window, and a
    cursor (events older than ``before_id``), newest first."""

    start: datetime | None = None
    end: datetime | None = None
    attribute: str | None = None
    value: str | None = None
    before_id: int | None = None
    limit: int = 50
