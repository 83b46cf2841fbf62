"""IAM's naming rules and quotas, worded as IAM words its errors (pure).

Names follow ``[\\w+=,.@-]+``, paths ``/`` or ``/…/``; lengths are the botocore model's and are
checked by the protocol layer. Quotas are AWS's defaults: two access keys per user, five
versions per managed policy, ten managed policies per user / group / role, ten groups per user,
and policy sizes counted in non-whitespace characters.
"""

from __future__ import annotations

import re

from dockyard.domain.errors import IamLimitExceeded, InvalidInput, ValidationError
from dockyard.domain.iam import DEFAULT_MAX_SESSION_DURATION, OwnerKind, Role, Tags

MAX_ACCESS_KEYS_PER_USER = 2
MAX_POLICY_VERSIONS = 5
MAX_ATTACHED_POLICIES = 10
"""AWS's default quota of managed policies attached to one user, group or role."""
MAX_GROUPS_PER_USER = 10
MAX_TAGS = 50

INLINE_SIZE_LIMITS = {"user": 2048, "group": 5120, "role": 10240}
"""Aggregate non-whitespace characters of all inline policies of one owner (AWS quotas)."""
MANAGED_POLICY_SIZE_LIMIT = 6144
TRUST_POLICY_SIZE_LIMIT = 2048
"""AWS's default ``ACLSizePerRole`` quota (raisable to 4096 there)."""

MIN_MAX_SESSION_DURATION = 3600
MAX_MAX_SESSION_DURATION = 43200
MIN_SESSION_DURATION = 900
ROLE_CHAINING_MAX_SECONDS = 3600
"""A session assumed by another role's session lasts at most one hour (AWS role chaining)."""

NAME_PATTERN = r"[\w+=,.@-]+"
SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
MAX_PATH_LENGTH = 512
_NAME_RE = re.compile(NAME_PATTERN, re.ASCII)
_SESSION_NAME_RE = re.compile(SESSION_NAME_PATTERN, re.ASCII)
_PATH_RE = re.compile(r"/|/[\x21-\x7e]+/")
_WHITESPACE_RE = re.compile(r"\s")


def pattern_violation(value: str, member: str, pattern: str) -> str:
    return (
        f"Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}"
    )


def validate_name(value: str, member: str) -> None:
    """ValidationError (AWS's wording) unless ``value`` matches ``[\\w+=,.@-]+``; lengths are
    the botocore model's and are checked by the protocol layer."""
    if not _NAME_RE.fullmatch(value):
        raise ValidationError(
            "1 validation error detected: " + pattern_violation(value, member, NAME_PATTERN)
        )


def validate_session_name(value: str) -> None:
    if not _SESSION_NAME_RE.fullmatch(value):
        raise ValidationError(
            "1 validation error detected: "
            + pattern_violation(value, "roleSessionName", SESSION_NAME_PATTERN)
        )


def validate_path(value: str | None, member: str = "path") -> str:
    """The path (``/`` by default); ValidationError unless it is ``/`` or ``/…/``."""
    if value is None:
        return "/"
    if len(value) > MAX_PATH_LENGTH:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_PATH_LENGTH}"
        )
    if not _PATH_RE.fullmatch(value):
        raise ValidationError(
            "1 validation error detected: " + pattern_violation(value, member, PATH_PATTERN)
        )
    return value


def validate_tags(tags: Tags) -> Tags:
    """At most 50 tags with distinct keys (AWS: InvalidInput on duplicates)."""
    keys = [k for k, _ in tags]
    if len(set(keys)) != len(keys):
        raise InvalidInput(
            "Duplicate tag keys found. Please note that Tag keys are case sensitive."
        )
    if len(tags) > MAX_TAGS:
        raise IamLimitExceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    return tags


def merge_tags(current: Tags, added: Tags) -> Tags:
    """``current`` with ``added`` set (a tag key is replaced in place), validated."""
    merged = dict(current)
    merged.update(dict(added))
    return validate_tags(tuple(merged.items()))


def policy_size(document: str) -> int:
    """Size as AWS counts it against quotas: every character but whitespace."""
    return len(_WHITESPACE_RE.sub("", document))


def check_inline_size(
    kind: OwnerKind, owner_name: str, documents: dict[str, str], name: str, document: str
) -> None:
    """LimitExceeded when the owner's inline policies, with ``name`` set to ``document``,
    exceed AWS's aggregate quota for that kind of owner."""
    limit = INLINE_SIZE_LIMITS[kind.value]
    total = sum(policy_size(d) for n, d in documents.items() if n != name) + policy_size(document)
    if total > limit:
        raise IamLimitExceeded(
            f"Maximum policy size of {limit} bytes exceeded for {kind.value} {owner_name}"
        )


def check_managed_size(document: str) -> None:
    if policy_size(document) > MANAGED_POLICY_SIZE_LIMIT:
        raise IamLimitExceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE_LIMIT}")


def check_trust_size(document: str) -> None:
    if policy_size(document) > TRUST_POLICY_SIZE_LIMIT:
        raise IamLimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_SIZE_LIMIT}")


def check_max_session_duration(seconds: int | None) -> int:
    """A role's MaxSessionDuration (3600 by default), ValidationError outside 1–12 hours."""
    if seconds is None:
        return DEFAULT_MAX_SESSION_DURATION
    if not MIN_MAX_SESSION_DURATION <= seconds <= MAX_MAX_SESSION_DURATION:
        bound = "greater than or equal to 3600" if seconds < 3600 else "less than or equal to 43200"
        raise ValidationError(
            f"1 validation error detected: Value '{seconds}' at 'maxSessionDuration' failed to "
            f"satisfy constraint: Member must have value {bound}"
        )
    return seconds


def session_duration(requested: int | None, role: Role, *, chained: bool) -> int:
    """AssumeRole's DurationSeconds: 3600 by default, at most the role's MaxSessionDuration
    (one hour when a role session assumes a role)."""
    seconds = DEFAULT_MAX_SESSION_DURATION if requested is None else requested
    if chained and requested is not None and seconds > ROLE_CHAINING_MAX_SECONDS:
        raise ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed "
            "by role chaining."
        )
    if seconds > role.max_session_duration:
        raise ValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    return min(seconds, ROLE_CHAINING_MAX_SECONDS) if chained else seconds


def version_id(number: int) -> str:
    return f"v{number}"


def check_can_add_version(version_count: int) -> None:
    if version_count >= MAX_POLICY_VERSIONS:
        raise IamLimitExceeded(
            f"A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you create "
            "a new version, you must delete an existing version."
        )


def check_owner_quota(count: int, limit: int, quota: str) -> None:
    """LimitExceeded ``Cannot exceed quota for <quota>: <limit>`` when ``count`` is at it."""
    if count >= limit:
        raise IamLimitExceeded(f"Cannot exceed quota for {quota}: {limit}")
