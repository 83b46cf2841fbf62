"""The typed form of an IAM policy document, as :func:`parse_policy_document` returns it (pure).

A document is a value: frozen, hashable, and free of JSON. Strings are kept exactly as written
(the evaluator compiles them); condition keys are lower-cased because IAM matches key names
case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

VERSION_2012 = "2012-10-17"
"""The current policy language: policy variables (``${aws:username}``) are substituted."""
VERSION_2008 = "2008-10-17"
"""The legacy language, and the default when ``Version`` is absent: ``${...}`` is literal text."""
VERSIONS = (VERSION_2012, VERSION_2008)


class PolicyKind(Enum):
    """Where a document is attached, which decides the elements it may (or must) carry.

    ``IDENTITY``: a user, group or role policy (inline or managed) — Resource required,
    Principal forbidden. ``TRUST``: a role's ``AssumeRolePolicyDocument`` — Principal required,
    Resource forbidden.
    """

    IDENTITY = "identity"
    TRUST = "trust"


class Effect(Enum):
    ALLOW = "Allow"
    DENY = "Deny"


class SetQualifier(Enum):
    """The set prefix of a condition operator, for multivalued context keys."""

    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``operator: {key: values}`` pair of a Condition block.

    ``operator`` is the operator as written (``ForAnyValue:StringLikeIfExists``); ``base`` is
    the bare operator (``StringLike``). ``key`` is lower-cased. Values are strings (JSON numbers
    and booleans are turned into their JSON text).
    """

    operator: str
    base: str
    qualifier: SetQualifier | None
    if_exists: bool
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PrincipalSet:
    """A ``Principal`` / ``NotPrincipal`` element.

    ``everyone`` is the bare string ``"*"``. ``entries`` are ``(type, value)`` pairs with type
    one of ``AWS``, ``Service``, ``Federated``, ``CanonicalUser``.
    """

    everyone: bool
    entries: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. ``not_action`` / ``not_resource`` / ``not_principal`` say that the
    matching tuple came from the ``Not…`` element. ``resources`` is empty in trust policies."""

    effect: Effect
    sid: str | None
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] = ()
    not_resource: bool = False
    principal: PrincipalSet | None = None
    not_principal: bool = False
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A parsed, validated policy document."""

    kind: PolicyKind
    version: str
    statements: tuple[Statement, ...]
    id: str | None = None

    @property
    def uses_variables(self) -> bool:
        """Whether ``${...}`` is a policy variable (only in the 2012-10-17 language)."""
        return self.version == VERSION_2012
