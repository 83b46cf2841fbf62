"""Secrets Manager: the secret aggregate, ARNs, secret ids, staging labels and AWS's errors.

A secret has a name, an ARN with a random 6-character suffix, metadata, tags and versions.
Each version is identified by a ``VersionId`` (the request's ``ClientRequestToken``) and holds
staging labels. The value of a version is sealed in the store; this module only sees
:class:`SecretVersion` without values.

Staging rules (AWS): a label is on at most one version; a new version that takes
``AWSCURRENT`` moves the old ``AWSCURRENT`` holder to ``AWSPREVIOUS``; a version with no labels
is *deprecated* and the oldest of those go when a secret holds more than
:data:`MAX_VERSIONS`. A secret scheduled for deletion refuses everything but Describe,
Restore and a forced Delete until its deletion date, then disappears.

Pure: time, randomness (the ARN suffix) and ids are arguments.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from dockyard.domain.errors import ApiError

AWSCURRENT, AWSPREVIOUS, AWSPENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
MAX_VERSIONS = 100
"""Secrets Manager keeps about 100 versions; deprecated (unlabelled) ones go first."""
MAX_STAGES_PER_VERSION = 20
MIN_RECOVERY_DAYS, MAX_RECOVERY_DAYS, DEFAULT_RECOVERY_DAYS = 7, 30, 30
MAX_TAGS = 50
SUFFIX_ALPHABET = string.ascii_letters + string.digits
SUFFIX_LENGTH = 6

_NAME = re.compile(r"^[A-Za-z0-9/_+=.@!\-]{1,512}$")


class SecretsNotFound(ApiError):
    code = "ResourceNotFoundException"

    def __init__(self, message: str = "Secrets Manager can't find the specified secret.") -> None:
        super().__init__(message)


class ResourceExistsException(ApiError):
    code = "ResourceExistsException"


class SecretsInvalidParameter(ApiError):
    code = "InvalidParameterException"


class SecretsInvalidRequest(ApiError):
    code = "InvalidRequestException"


class SecretsValidationException(ApiError):
    code = "ValidationException"


class SecretsInvalidNextToken(ApiError):
    code = "InvalidNextTokenException"


MARKED_FOR_DELETION = (
    "You can't perform this operation on the secret because it was marked for deletion."
)


@dataclass(frozen=True, slots=True)
class SecretVersion:
    version_id: str
    stages: tuple[str, ...]
    created_at: datetime
    binary: bool = False


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret and its versions, oldest first."""

    region: str
    name: str
    arn: str
    created_at: datetime
    last_changed: datetime
    description: str | None = None
    kms_key_id: str | None = None
    deleted_at: datetime | None = None
    deletion_date: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    versions: tuple[SecretVersion, ...] = ()

    @property
    def scheduled_for_deletion(self) -> bool:
        return self.deletion_date is not None

    def version(self, version_id: str) -> SecretVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    def staged(self, stage: str) -> SecretVersion | None:
        return next((v for v in self.versions if stage in v.stages), None)

    def stages_by_version(self) -> dict[str, list[str]]:
        """``VersionIdsToStages``: only versions that hold a label."""
        return {v.version_id: list(v.stages) for v in self.versions if v.stages}


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise SecretsValidationException(
            "Invalid name. Must be a valid name containing alphanumeric characters, or any of "
            "the following: -/_+=.@!"
        )


def arn_suffix(random_bytes: bytes) -> str:
    """Six alphanumerics from six random bytes (the ``-XXXXXX`` of a secret ARN)."""
    return "".join(SUFFIX_ALPHABET[b % len(SUFFIX_ALPHABET)] for b in random_bytes[:SUFFIX_LENGTH])


def secret_arn(region: str, account: str, name: str, suffix: str) -> str:
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}"


def identifies(secret: Secret, secret_id: str) -> bool:
    """Whether ``secret_id`` (a name, a full ARN or an ARN without the suffix) is ``secret``."""
    if not secret_id.startswith("arn:"):
        return secret.name == secret_id
    return secret.arn == secret_id or secret.arn[: -(SUFFIX_LENGTH + 1)] == secret_id


def require_live(secret: Secret) -> Secret:
    if secret.scheduled_for_deletion:
        raise SecretsInvalidRequest(MARKED_FOR_DELETION)
    return secret


def check_value_choice(has_string: bool, has_binary: bool, *, required: bool) -> None:
    if has_string and has_binary:
        raise SecretsInvalidParameter(
            "You can't specify both a binary secret value and a string secret value in the same "
            "secret."
        )
    if required and not (has_string or has_binary):
        raise SecretsInvalidRequest("You must provide either SecretString or SecretBinary.")


def select_version(secret: Secret, version_id: str | None, stage: str | None) -> SecretVersion:
    """The version GetSecretValue reads: by id, by stage (AWSCURRENT by default), or both when
    they agree."""
    if version_id is not None:
        found = secret.version(version_id)
        if found is None or (stage is not None and stage not in found.stages):
            raise SecretsNotFound(
                "Secrets Manager can't find the specified secret value for VersionId: " + version_id
            )
        return found
    wanted = stage or AWSCURRENT
    found = secret.staged(wanted)
    if found is None:
        raise SecretsNotFound(
            f"Secrets Manager can't find the specified secret value for staging label: {wanted}"
        )
    return found


def add_version(
    secret: Secret, version_id: str, *, stages: tuple[str, ...], now: datetime, binary: bool
) -> tuple[Secret, tuple[str, ...]]:
    """``secret`` with a new version holding ``stages`` (labels move to it; AWSCURRENT's old
    holder becomes AWSPREVIOUS), and the ids of deprecated versions pruned past the limit.

    Invariant: each label is on at most one version afterwards.
    """
    if len(stages) > MAX_STAGES_PER_VERSION:
        raise SecretsInvalidParameter("A version can have at most 20 staging labels.")
    new = SecretVersion(version_id=version_id, stages=stages, created_at=now, binary=binary)
    old = secret.staged(AWSCURRENT) if AWSCURRENT in stages else None
    moving = (*stages, AWSPREVIOUS) if old is not None else stages
    versions = [_moved(v, moving) for v in secret.versions]
    if old is not None:
        versions = [_with_previous(v) if v.version_id == old.version_id else v for v in versions]
    versions.append(new)
    kept, pruned = _prune(versions)
    return replace(secret, versions=tuple(kept), last_changed=now), pruned


def _moved(v: SecretVersion, stages: tuple[str, ...]) -> SecretVersion:
    left = tuple(s for s in v.stages if s not in stages)
    return v if left == v.stages else replace(v, stages=left)


def _with_previous(v: SecretVersion) -> SecretVersion:
    return replace(v, stages=(*v.stages, AWSPREVIOUS))


def _prune(versions: list[SecretVersion]) -> tuple[list[SecretVersion], tuple[str, ...]]:
    excess = len(versions) - MAX_VERSIONS
    if excess <= 0:
        return versions, ()
    deprecated = [v.version_id for v in versions if not v.stages][:excess]
    return [v for v in versions if v.version_id not in deprecated], tuple(deprecated)


def schedule_deletion(
    secret: Secret, *, now: datetime, window_days: int | None, force: bool
) -> Secret:
    """``secret`` marked for deletion (``deletion_date`` = now when forced)."""
    if force and window_days is not None:
        raise SecretsInvalidParameter(
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
        )
    if not force and secret.scheduled_for_deletion:
        raise SecretsInvalidRequest(MARKED_FOR_DELETION)
    days = DEFAULT_RECOVERY_DAYS if window_days is None else window_days
    if not force and not MIN_RECOVERY_DAYS <= days <= MAX_RECOVERY_DAYS:
        raise SecretsInvalidParameter(
            "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
        )
    when = now if force else now + timedelta(days=days)
    return replace(secret, deleted_at=now, deletion_date=when)


def restored(secret: Secret) -> Secret:
    return replace(secret, deleted_at=None, deletion_date=None)


def merge_tags(existing: dict[str, str], new: list[tuple[str, str]]) -> dict[str, str]:
    for key, value in new:
        if not key or len(key) > 128 or len(value) > 256:
            raise SecretsValidationException(
                "Tag keys must be 1-128 characters and values at most 256 characters."
            )
        if key.lower().startswith("aws:"):
            raise SecretsInvalidParameter("Tag keys beginning with 'aws:' are reserved.")
    merged = {**existing, **dict(new)}
    if len(merged) > MAX_TAGS:
        raise SecretsValidationException(f"A secret can have at most {MAX_TAGS} tags.")
    return merged


FILTER_KEYS = (
    "name",
    "description",
    "tag-key",
    "tag-value",
    "primary-region",
    "owning-service",
    "all",
)


def filter_matches(secret: Secret, key: str, values: list[str]) -> bool:
    """ListSecrets' filter semantics: prefix matches (name, description and ``all``
    case-insensitive; tags case-sensitive); a value starting with ``!`` negates; values of one
    key are ORed (keys are ANDed by the caller)."""
    return any(_match_one(secret, key, value) for value in values)


def _match_one(secret: Secret, key: str, value: str) -> bool:
    negate = value.startswith("!")
    wanted = value[1:] if negate else value
    found = any(_prefix(candidate, wanted, key) for candidate in _candidates(secret, key, wanted))
    return found != negate


def _candidates(secret: Secret, key: str, wanted: str) -> list[str]:
    if key == "name":
        return [secret.name]
    if key == "description":
        return [secret.description or ""]
    if key == "tag-key":
        return list(secret.tags)
    if key == "tag-value":
        return list(secret.tags.values())
    if key == "primary-region":
        return [secret.region]
    if key == "owning-service":
        return []
    words = [secret.name, secret.description or "", *secret.tags, *secret.tags.values()]
    return [w for text in words for w in re.split(r"[\s/_\-.]+", text) if w] + words


def _prefix(candidate: str, wanted: str, key: str) -> bool:
    if key in ("tag-key", "tag-value"):
        return candidate.startswith(wanted)
    return candidate.lower().startswith(wanted.lower())
