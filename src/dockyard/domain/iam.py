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
import string
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DEFAULT_MAX_SESSION_DURATION = 3600
"""A role's MaxSessionDuration unless set (AWS: one hour)."""

USER_ID_PREFIX = "AIDA"
GROUP_ID_PREFIX = "AGPA"
ROLE_ID_PREFIX = "AROA"
POLICY_ID_PREFIX = "ANPA"
ACCESS_KEY_PREFIX = "AKIA"
SESSION_KEY_PREFIX = "ASIA"
ENTITY_ID_SUFFIX_LENGTH = 17
"""AWS's unique ids are a four-letter type prefix and 17 upper-case letters and digits."""

_ID_ALPHABET = string.ascii_uppercase + string.digits


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
    assumed_role_arn: str

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


def token_digest(session_token: str) -> str:
    return hashlib.sha256(session_token.encode("utf-8")).hexdigest()
