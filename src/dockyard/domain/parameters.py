"""SSM Parameter Store: the parameter aggregate, its naming rules, tiers and AWS's errors.

A parameter is a name plus up to :data:`MAX_VERSIONS` versions; each version is a full
snapshot (type, value, tier, description, pattern, data type, labels). SecureString values are
held sealed (``ParameterVersion.value`` is then the opaque ciphertext, base64), everything else
in plaintext; opening a sealed value is the store's job, not this module's.

Errors (all ``ApiError``, codes as SSM names them)::

    ParameterNotFound  ParameterAlreadyExists  ParameterVersionNotFound
    ParameterMaxVersionLimitExceeded  ParameterVersionLabelLimitExceeded
    HierarchyLevelLimitExceededException  ParameterPatternMismatchException
    InvalidAllowedPatternException  InvalidFilterKey / InvalidFilterOption / InvalidFilterValue
    InvalidNextToken  InvalidResourceType  InvalidResourceId  TooManyTagsError
    SsmValidationException (ValidationException)

Pure: no I/O, clock or randomness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from dockyard.domain.errors import ApiError

MAX_VERSIONS = 100
"""AWS keeps the latest 100 versions and deletes the oldest on the 101st write."""
MAX_LABELS_PER_VERSION = 10
MAX_HIERARCHY_LEVELS = 15
STANDARD_VALUE_LIMIT = 4096
ADVANCED_VALUE_LIMIT = 8192
MAX_TAGS = 50
DEFAULT_KEY_ID = "alias/aws/ssm"

STRING, STRING_LIST, SECURE_STRING = "String", "StringList", "SecureString"
STANDARD, ADVANCED, INTELLIGENT = "Standard", "Advanced", "Intelligent-Tiering"
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")

_NAME_CHARS = re.compile(r"^[a-zA-Z0-9_.\-/]+$")
_RESERVED = re.compile(r"^/?(aws|ssm)", re.IGNORECASE)

NAME_RULES = (
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a '
    "path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a "
    "mix of letters, numbers and the following 3 symbols .-_"
)


class ParameterNotFound(ApiError):
    code = "ParameterNotFound"


class ParameterAlreadyExists(ApiError):
    code = "ParameterAlreadyExists"

    def __init__(self) -> None:
        super().__init__(
            "The parameter already exists. To overwrite this value, set the overwrite option in "
            "the request to true."
        )


class ParameterVersionNotFound(ApiError):
    code = "ParameterVersionNotFound"


class ParameterMaxVersionLimitExceeded(ApiError):
    code = "ParameterMaxVersionLimitExceeded"


class ParameterVersionLabelLimitExceeded(ApiError):
    code = "ParameterVersionLabelLimitExceeded"


class HierarchyLevelLimitExceededException(ApiError):
    code = "HierarchyLevelLimitExceededException"


class ParameterPatternMismatchException(ApiError):
    code = "ParameterPatternMismatchException"


class InvalidAllowedPatternException(ApiError):
    code = "InvalidAllowedPatternException"


class InvalidFilterKey(ApiError):
    code = "InvalidFilterKey"


class InvalidFilterOption(ApiError):
    code = "InvalidFilterOption"


class InvalidFilterValue(ApiError):
    code = "InvalidFilterValue"


class InvalidNextToken(ApiError):
    code = "InvalidNextToken"


class InvalidResourceType(ApiError):
    code = "InvalidResourceType"


class InvalidResourceId(ApiError):
    code = "InvalidResourceId"


class TooManyTagsError(ApiError):
    code = "TooManyTagsError"


class SsmValidationException(ApiError):
    code = "ValidationException"


@dataclass(frozen=True, slots=True)
class ParameterVersion:
    """One version. ``value`` is plaintext, except for SecureString where it is the opaque
    sealed value in base64 (what SSM answers without ``WithDecryption``)."""

    version: int
    type: str
    value: str
    tier: str
    data_type: str
    modified_at: datetime
    modified_user: str
    description: str | None = None
    allowed_pattern: str | None = None
    key_id: str | None = None
    labels: tuple[str, ...] = ()

    @property
    def secure(self) -> bool:
        return self.type == SECURE_STRING


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter with its retained versions, oldest first (``versions[-1]`` is the latest).

    Invariant: ``1 <= len(versions) <= MAX_VERSIONS``; version numbers strictly increase.
    """

    region: str
    name: str
    arn: str
    versions: tuple[ParameterVersion, ...]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def latest(self) -> ParameterVersion:
        return self.versions[-1]


def parameter_arn(region: str, account: str, name: str) -> str:
    """``arn:aws:ssm:R:A:parameter/NAME``; a leading ``/`` of NAME is not doubled."""
    return f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def name_from_arn(arn: str) -> str:
    """The parameter name an ARN points at: ``parameter/a/b`` is ``/a/b``, ``parameter/a``
    is ``a`` (a name holding ``/`` must be fully qualified, so this is unambiguous)."""
    _, _, resource = arn.partition(":parameter/")
    if not resource:
        raise SsmValidationException(f"Invalid parameter ARN: {arn}")
    return "/" + resource if "/" in resource else resource


def check_name(name: str) -> None:
    """AWS's rules for a parameter name being created (reads accept any name)."""
    if "/" in name and not name.startswith("/"):
        raise SsmValidationException("Parameter name must be a fully qualified name.")
    if not _NAME_CHARS.match(name) or _RESERVED.match(name) or "//" in name:
        raise SsmValidationException(NAME_RULES)
    check_depth(name)


def check_depth(name_or_path: str) -> None:
    levels = [part for part in name_or_path.split("/") if part]
    if len(levels) > MAX_HIERARCHY_LEVELS:
        raise HierarchyLevelLimitExceededException(
            "A hierarchy can have a maximum of 15 levels. For more information, see Requirements "
            "and constraints for parameter names in the AWS Systems Manager User Guide."
        )


def check_path(path: str) -> None:
    """A GetParametersByPath path: fully qualified, AWS's characters, at most 15 levels."""
    if not path.startswith("/") or (path != "/" and not _NAME_CHARS.match(path)):
        raise SsmValidationException(
            "The parameter doesn't meet the parameter name requirements. The parameter name "
            'must begin with a forward slash "/". ' + NAME_RULES
        )
    check_depth(path)


def effective_tier(requested: str | None, previous: str | None, value: str) -> str:
    """The tier a new version is stored in; Standard unless asked, kept, or needed.

    Intelligent-Tiering picks Advanced only when the value is too big for Standard. An
    Advanced parameter never goes back to Standard (AWS refuses the downgrade).
    """
    if requested == INTELLIGENT:
        tier = ADVANCED if len(value) > STANDARD_VALUE_LIMIT or previous == ADVANCED else STANDARD
    else:
        tier = requested or previous or STANDARD
    if previous == ADVANCED and tier == STANDARD and requested is not None:
        raise SsmValidationException(
            "This parameter uses the advanced-parameter tier. You can't downgrade a parameter "
            "from the advanced-parameter tier to the standard-parameter tier. If necessary, you "
            "can delete the advanced parameter and recreate it as a standard parameter."
        )
    return tier


def check_value(value: str, tier: str, allowed_pattern: str | None) -> None:
    """Size for the tier, then the allowed pattern (never quoting the value)."""
    if tier == STANDARD and len(value) > STANDARD_VALUE_LIMIT:
        raise SsmValidationException(
            "Standard tier parameters support a maximum parameter value of 4096 characters. To "
            "create a larger parameter value, upgrade the parameter to use the advanced-parameter "
            "tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/"
            "userguide/parameter-store-advanced-parameters.html"
        )
    if len(value) > ADVANCED_VALUE_LIMIT:
        raise SsmValidationException(
            "Advanced tier parameters support a maximum parameter value of 8192 characters."
        )
    if allowed_pattern is None:
        return
    try:
        pattern = re.compile(allowed_pattern)
    except re.error:
        raise InvalidAllowedPatternException(
            "The allowed pattern is not a valid regular expression."
        ) from None
    if not pattern.fullmatch(value):
        raise ParameterPatternMismatchException(
            f"Parameter value, cannot be validated against allowedPattern: {allowed_pattern}"
        )


def check_data_type(data_type: str, type_: str) -> None:
    if data_type not in DATA_TYPES:
        raise SsmValidationException(
            f"The following data type is not supported: {data_type} (Data type names are all "
            "lowercase.)"
        )
    if data_type != "text" and type_ != STRING:
        raise SsmValidationException(
            f"Data type {data_type} is only supported for parameters of type String."
        )


def check_key_id(key_id: str | None, type_: str) -> None:
    if key_id is not None and type_ != SECURE_STRING:
        raise SsmValidationException("KeyId is required for SecureString type parameter only.")


__all__ = [
    "ADVANCED",
    "DEFAULT_KEY_ID",
    "INTELLIGENT",
    "MAX_LABELS_PER_VERSION",
    "MAX_VERSIONS",
    "SECURE_STRING",
    "STANDARD",
    "STRING",
    "STRING_LIST",
    "Parameter",
    "ParameterVersion",
    "check_name",
    "check_path",
    "check_value",
    "effective_tier",
    "name_from_arn",
    "parameter_arn",
]
