"""IAM and STS as values: users, groups, roles, managed policies and their versions, sessions.

IAM is global: its ARNs carry the account and no region
(``arn:aws:iam::ACCOUNT:user/PATH/NAME``). Names of users, groups, roles and managed policies
are unique per account *without regard to case* (AWS: "you cannot create resources named both
MyResource and myresource"), so the store keys them by :func:`name_key`.

Pure: no clock, no randomness (ids are built from bytes the caller drew), no I/O.

Glossary:

- **owner**: the user, group or role an inline policy or an attachment belongs to, named by
  its :class:`OwnerKind` and its unique id (``AIDA…``, ``AGPA…``, ``AROA…``).
- **inline policy**: a policy document embedded in one owner (PutUserPolicy...).
- **managed policy**: a standalone policy with an ARN and up to five versions, one of them the
  default (the one that applies); *AWS managed* ones are built in (``iam_managed.py``).
- **session**: temporary credentials (``ASIA…`` key, secret, session token) minted by
  AssumeRole (or for a task role) for one role until their expiration.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from dockyard.domain.errors import IamLimitExceeded, InvalidInput, ValidationError

USER_ID_PREFIX = "AIDA"
GROUP_ID_PREFIX = "AGPA"
ROLE_ID_PREFIX = "AROA"
POLICY_ID_PREFIX = "ANPA"
ACCESS_KEY_PREFIX = "AKIA"
SESSION_KEY_PREFIX = "ASIA"
ENTITY_ID_SUFFIX_LENGTH = 17
"""AWS's unique ids are a four-letter type prefix and 17 upper-case letters and digits."""

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

DEFAULT_MAX_SESSION_DURATION = 3600
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
_ID_ALPHABET = string.ascii_uppercase + string.digits
_WHITESPACE_RE = re.compile(r"\s")


class OwnerKind(StrEnum):
    """Who may hold inline policies and attachments."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"


Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    name: str
    path: str
    created_at: datetime
    tags: Tags = ()

    def arn(self, account_id: str) -> str:
        return entity_arn(account_id, "user", self.path, self.name)


@dataclass(frozen=True, slots=True)
class Group:
    group_id: str
    name: str
    path: str
    created_at: datetime

    def arn(self, account_id: str) -> str:
        return entity_arn(account_id, "group", self.path, self.name)


@dataclass(frozen=True, slots=True)
class Role:
    """Invariant: ``trust_document`` passed the policy engine's TRUST validation on write."""

    role_id: str
    name: str
    path: str
    trust_document: str
    created_at: datetime
    description: str | None = None
    max_session_duration: int = DEFAULT_MAX_SESSION_DURATION
    tags: Tags = ()

    def arn(self, account_id: str) -> str:
        return entity_arn(account_id, "role", self.path, self.name)


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A managed policy's metadata; its documents are :class:`PolicyVersion` values.

    ``aws_managed`` policies are built in, attachable and immutable; their ARN has ``aws`` in
    the account position. ``next_version`` numbers the next created version (``v<n>``): AWS
    never reuses a version id, so deleting the newest version does not give its id back.
    """

    policy_id: str
    name: str
    path: str
    default_version_id: str
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    next_version: int = 2
    aws_managed: bool = False
    tags: Tags = ()

    def arn(self, account_id: str) -> str:
        owner = "aws" if self.aws_managed else account_id
        return f"arn:aws:iam::{owner}:policy{self.path}{self.name}"


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version_id: str
    document: str
    created_at: datetime
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """Where a policy ARN points: a local or AWS managed policy named ``name`` under ``path``."""

    aws_managed: bool
    path: str
    name: str


@dataclass(frozen=True, slots=True)
class AttachedEntity:
    """One user, group or role a managed policy is attached to."""

    kind: OwnerKind
    entity_id: str
    name: str


@dataclass(frozen=True, slots=True)
class StoredSession:
    """Temporary credentials as the store keeps them: the secret encrypted, the session token
    only as its SHA-256 (a token is a bearer secret; its hash is enough to check it).

    ``source`` says who obtained them (the caller's ARN for AssumeRole, a service principal
    such as ``ecs-tasks.amazonaws.com`` or a task ARN for task roles).
    """

    access_key_id: str
    secret_encrypted: bytes
    token_sha256: str
    role_arn: str
    role_id: str
    role_name: str
    session_name: str
    expires_at: datetime
    created_at: datetime
    source: str = ""

    @property
    def user_id(self) -> str:
        """AWS's ``aws:userid`` of an assumed-role session: ``AROA…:session-name``."""
        return f"{self.role_id}:{self.session_name}"

    def assumed_role_arn(self, account_id: str) -> str:
        return f"arn:aws:sts::{account_id}:assumed-role/{self.role_name}/{self.session_name}"

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def token_matches(self, session_token: str) -> bool:
        """Constant-time check of a presented ``X-Amz-Security-Token``."""
        return hmac.compare_digest(token_digest(session_token), self.token_sha256)


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    """What a minted session hands out once, in clear (never stored as such)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime
    role_arn: str
    role_id: str
    session_name: str
    assumed_role_arn: str = field(default="")

    @property
    def assumed_role_id(self) -> str:
        return f"{self.role_id}:{self.session_name}"


# --- names, paths, ids, ARNs ---------------------------------------------------------------


def name_key(name: str) -> str:
    """The case-insensitive uniqueness key of an IAM name."""
    return name.lower()


def entity_id(prefix: str, raw: bytes) -> str:
    """``prefix`` + 17 upper-case letters and digits drawn from ``raw`` (≥ 17 random bytes)."""
    if len(raw) < ENTITY_ID_SUFFIX_LENGTH:
        raise ValueError("entity ids need 17 random bytes")
    suffix = "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in raw[:ENTITY_ID_SUFFIX_LENGTH])
    return prefix + suffix


def entity_arn(account_id: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


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


def parse_policy_arn(arn: str, account_id: str) -> PolicyRef | None:
    """The policy an ARN names (``None`` when it is not a policy ARN of this account or AWS)."""
    prefix = "arn:aws:iam::"
    if not arn.startswith(prefix):
        return None
    owner, _, resource = arn[len(prefix) :].partition(":")
    if owner not in (account_id, "aws") or not resource.startswith("policy/"):
        return None
    full = resource[len("policy") :]
    path, _, name = full.rpartition("/")
    if not name:
        return None
    return PolicyRef(aws_managed=owner == "aws", path=path + "/", name=name)


def role_name_from_arn(arn: str, account_id: str) -> str | None:
    """The role name in ``arn:aws:iam::ACCOUNT:role/PATH/NAME`` of this account, else None."""
    prefix = f"arn:aws:iam::{account_id}:role/"
    if not arn.startswith(prefix):
        return None
    name = arn.rsplit("/", 1)[1]
    return name or None


# --- documents and quotas ------------------------------------------------------------------


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
        bound = (
            "greater than or equal to 3600" if seconds < 3600 else "less than or equal to 43200"
        )
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


def token_digest(session_token: str) -> str:
    return hashlib.sha256(session_token.encode("utf-8")).hexdigest()


def check_owner_quota(count: int, limit: int, quota: str) -> None:
    """LimitExceeded ``Cannot exceed quota for <quota>: <limit>`` when ``count`` is at it."""
    if count >= limit:
        raise IamLimitExceeded(f"Cannot exceed quota for {quota}: {limit}")


__all__ = [
    "AttachedEntity",
    "Group",
    "IssuedCredentials",
    "ManagedPolicy",
    "OwnerKind",
    "PolicyRef",
    "PolicyVersion",
    "Role",
    "StoredSession",
    "User",
]
