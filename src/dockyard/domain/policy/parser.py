"""Parse and validate an IAM policy document: JSON text → :class:`PolicyDocument` (pure).

Every refusal raises :class:`~dockyard.domain.errors.MalformedPolicyDocument` with the message
IAM gives for it. Checks run in document order, statement by statement, so the first fault in
the text is the one reported.

Element names and Effect values are case-sensitive, as in IAM; condition operator names are
matched as AWS spells them. Validation is syntactic: principals are checked for form here, for
existence by the IAM API (which knows the users and roles).
"""

from __future__ import annotations

import json
import re
from typing import Any

from dockyard.domain.errors import MalformedPolicyDocument
from dockyard.domain.policy.conditions import split_operator
from dockyard.domain.policy.document import (
    VERSION_2008,
    VERSIONS,
    Condition,
    Effect,
    PolicyDocument,
    PolicyKind,
    PrincipalSet,
    Statement,
)

SYNTAX = "Syntax errors in policy."
NO_PRINCIPAL = "Policy document should not specify a principal."
NEED_PRINCIPAL = "Missing required field Principal"
NEED_RESOURCES = "Policy statement must contain resources."
NEED_ACTIONS = "Policy statement must contain actions."
NEED_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
LEGACY = "The policy failed legacy parsing"
DUPLICATE_SID = "Statement IDs (SID) in a single policy must be unique."
SID_CHARS = (
    "Statement IDs (SID) must be alpha-numeric. "
    "Check that your input satisfies the regular expression [0-9A-Za-z]*"
)

_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT = frozenset({
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition",
})  # fmt: skip
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_SID = re.compile(r"[0-9A-Za-z]*")
_VENDOR = re.compile(r"[^:\s]+:\S+")
_ACCOUNT = re.compile(r"\d{12}")
_AWS_PRINCIPAL_ARN = re.compile(r"arn:[^:]+:(iam|sts)::\d{12}:\S+")


def _fail(message: str) -> MalformedPolicyDocument:
    return MalformedPolicyDocument(message)


def parse_policy_document(text: str, *, kind: PolicyKind) -> PolicyDocument:
    """Parse ``text`` as a policy of ``kind``; raise MalformedPolicyDocument when IAM would."""
    try:
        raw = json.loads(text)
    except (ValueError, TypeError):
        raise _fail(SYNTAX) from None
    if not isinstance(raw, dict) or not set(raw) <= _TOP_LEVEL or "Statement" not in raw:
        raise _fail(SYNTAX)
    version = raw.get("Version", VERSION_2008)
    if not isinstance(version, str):
        raise _fail(SYNTAX)
    if version not in VERSIONS:
        raise _fail(LEGACY)
    policy_id = raw.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise _fail(SYNTAX)
    body = raw["Statement"]
    items = [body] if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        raise _fail(SYNTAX)
    statements = tuple(_statement(item, kind) for item in items)
    sids = [s.sid for s in statements if s.sid]
    if len(sids) != len(set(sids)):
        raise _fail(DUPLICATE_SID)
    return PolicyDocument(kind=kind, version=version, statements=statements, id=policy_id)


def _statement(raw: Any, kind: PolicyKind) -> Statement:
    if not isinstance(raw, dict) or not set(raw) <= _STATEMENT:
        raise _fail(SYNTAX)
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise _fail(SYNTAX)
    if sid is not None and not _SID.fullmatch(sid):
        raise _fail(SID_CHARS)
    effect = raw.get("Effect")
    if effect is None:
        raise _fail("Missing required field Effect")
    if not isinstance(effect, str):
        raise _fail(SYNTAX)
    if effect not in ("Allow", "Deny"):
        raise _fail(f"Invalid effect: {effect}")
    principal, not_principal = _principal_element(raw, kind)
    actions, not_action = _actions(raw)
    resources, not_resource = _resources(raw, kind)
    return Statement(
        effect=Effect(effect),
        sid=sid,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principal=principal,
        not_principal=not_principal,
        conditions=_conditions(raw.get("Condition")),
    )


def _strings(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise _fail(SYNTAX)
    return tuple(items)


def _either(raw: dict[str, Any], name: str) -> tuple[tuple[str, ...] | None, bool]:
    """The values of ``name`` or ``Not<name>`` (both at once is a syntax error)."""
    if name in raw and "Not" + name in raw:
        raise _fail(SYNTAX)
    if name in raw:
        return _strings(raw[name]), False
    if "Not" + name in raw:
        return _strings(raw["Not" + name]), True
    return None, False


def _actions(raw: dict[str, Any]) -> tuple[tuple[str, ...], bool]:
    actions, negated = _either(raw, "Action")
    if not actions:
        raise _fail(NEED_ACTIONS)
    for action in actions:
        if action != "*" and not _VENDOR.fullmatch(action):
            raise _fail(NEED_VENDOR)
    return actions, negated


def _resources(raw: dict[str, Any], kind: PolicyKind) -> tuple[tuple[str, ...], bool]:
    if kind is PolicyKind.TRUST:
        for name in ("Resource", "NotResource"):
            if name in raw:
                raise _fail(f"Has prohibited field {name}")
        return (), False
    resources, negated = _either(raw, "Resource")
    if not resources:
        raise _fail(NEED_RESOURCES)
    for resource in resources:
        if resource != "*" and not (resource.startswith("arn:") and resource.count(":") >= 5):
            raise _fail(f'Resource {resource} must be in ARN format or "*".')
    return resources, negated


def _principal_element(raw: dict[str, Any], kind: PolicyKind) -> tuple[PrincipalSet | None, bool]:
    present = [name for name in ("Principal", "NotPrincipal") if name in raw]
    if kind is PolicyKind.IDENTITY:
        if present:
            raise _fail(NO_PRINCIPAL)
        return None, False
    if not present:
        raise _fail(NEED_PRINCIPAL)
    if len(present) == 2:
        raise _fail(SYNTAX)
    name = present[0]
    return _principal(raw[name]), name == "NotPrincipal"


def _principal(value: Any) -> PrincipalSet:
    if value == "*":
        return PrincipalSet(everyone=True)
    if not isinstance(value, dict) or not value or not set(value) <= set(_PRINCIPAL_TYPES):
        raise _fail(SYNTAX)
    entries: list[tuple[str, str]] = []
    for kind_name, values in value.items():
        for item in _strings(values):
            if not _valid_principal(kind_name, item):
                raise _fail(f'Invalid principal in policy: "{kind_name}":"{item}"')
            entries.append((kind_name, item))
    return PrincipalSet(everyone=False, entries=tuple(entries))


def _valid_principal(kind_name: str, value: str) -> bool:
    if kind_name != "AWS":
        return bool(value.strip())
    return value == "*" or bool(_ACCOUNT.fullmatch(value) or _AWS_PRINCIPAL_ARN.fullmatch(value))


def _conditions(raw: Any) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise _fail(SYNTAX)
    out: list[Condition] = []
    for operator_name, block in raw.items():
        parts = split_operator(operator_name)
        if parts is None:
            raise _fail(f"Invalid Condition type : {operator_name}")
        if not isinstance(block, dict):
            raise _fail(SYNTAX)
        qualifier, base, if_exists = parts
        for key, values in block.items():
            if not _VENDOR.fullmatch(key):
                raise _fail(NEED_VENDOR)
            out.append(
                Condition(operator_name, base, qualifier, if_exists, key.lower(), _values(values))
            )
    return tuple(out)


def _values(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    return tuple(_scalar(item) for item in items)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    raise _fail(SYNTAX)
