"""Trust-policy evaluation for ``sts:AssumeRole`` (pure).

A role's trust policy says *who* may assume it. :func:`evaluate_trust` matches a statement when
its Action (or NotAction) covers the action, its Principal (or NotPrincipal) covers the caller
and its conditions hold; Deny beats Allow beats the implicit deny, as for identity policies.

Principal forms:

``"*"``                                   everyone, services included
``{"AWS": "*"}``                          every AWS principal (not a service)
``{"AWS": "123456789012"}`` or
``{"AWS": "arn:aws:iam::123456789012:root"}``  every principal of that account
``{"AWS": "arn:aws:iam::ACCT:user/NAME"}``   that user; a role ARN also covers that role's
                                          sessions (``arn:aws:sts::ACCT:assumed-role/NAME/…``)
``{"Service": "ecs-tasks.amazonaws.com"}``  that service (case-insensitive)
``{"Federated": …}``, ``{"CanonicalUser": …}``  compared with the caller's ARN

What this module does *not* decide (the STS handler's part, AWS's rule for AssumeRole):

* An account principal (``"123456789012"`` / ``…:root``) delegates to the account: the trust
  policy then trusts *every* principal of that account, and the caller's own identity policies
  must also allow ``sts:AssumeRole`` on the role ARN (evaluate the caller's
  :class:`~dockyard.domain.policy.engine.CompiledPolicySet` with that request).
* Across accounts the caller's identity policies must allow it in every case.
* Only a trust statement naming the caller's own ARN, in the role's own account, suffices on
  its own, as a resource-based policy does in AWS.
* An explicit Deny in the caller's identity policies always wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from dockyard.domain.policy.conditions import CompiledCondition
from dockyard.domain.policy.document import Effect, PolicyDocument, PrincipalSet, Statement
from dockyard.domain.policy.engine import (
    EMPTY_CONTEXT,
    IMPLICIT_DENY,
    Decision,
    Evaluation,
    action_regex,
)

_ACCOUNT = re.compile(r"\d{12}")
_ROOT = re.compile(r"arn:[^:]+:iam::(\d{12}):root")
_ROLE = re.compile(r"arn:([^:]+):iam::(\d{12}):role/(?:.*/)?([^/]+)")
_SESSION = re.compile(r"arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/.+")


@dataclass(frozen=True, slots=True)
class TrustPrincipal:
    """Who asks to assume the role: an IAM user / role-session ARN and its account, or an AWS
    service (``service="ecs-tasks.amazonaws.com"``) acting on the account's behalf."""

    arn: str
    account_id: str
    service: str | None = None


def evaluate_trust(
    document: PolicyDocument,
    *,
    principal: TrustPrincipal,
    action: str = "sts:AssumeRole",
    context: Mapping[str, tuple[str, ...]] = EMPTY_CONTEXT,
    policy_name: str | None = None,
) -> Evaluation:
    """Whether ``document`` (a trust policy) lets ``principal`` perform ``action``.

    ``policy_name`` is reported in the Evaluation (the role ARN, say). The caller's identity
    policies are *not* consulted here; see the module docstring.
    """
    lowered = {k.lower(): tuple(v) for k, v in context.items()}
    allowed: Evaluation | None = None
    for statement, conditions in _compiled(document):
        if not _applies(statement, conditions, principal, action.lower(), lowered):
            continue
        if statement.effect is Effect.DENY:
            return Evaluation(Decision.EXPLICIT_DENY, policy_name, statement.sid)
        if allowed is None:
            allowed = Evaluation(Decision.ALLOW, policy_name, statement.sid)
    return allowed or IMPLICIT_DENY


_Compiled = tuple[tuple[Statement, tuple[CompiledCondition, ...]], ...]


@lru_cache(maxsize=1024)
def _compiled(document: PolicyDocument) -> _Compiled:
    variables = document.uses_variables
    return tuple(
        (s, tuple(CompiledCondition(c, variables=variables) for c in s.conditions))
        for s in document.statements
    )


def _applies(
    statement: Statement,
    conditions: tuple[CompiledCondition, ...],
    principal: TrustPrincipal,
    action: str,
    context: Mapping[str, tuple[str, ...]],
) -> bool:
    if (action_regex(statement.actions).fullmatch(action) is not None) == statement.not_action:
        return False
    if statement.principal is None:
        return False
    if principal_matches(statement.principal, principal) == statement.not_principal:
        return False
    return all(c.evaluate(context) for c in conditions)


def principal_matches(principals: PrincipalSet, principal: TrustPrincipal) -> bool:
    """Whether ``principal`` is one of ``principals`` (see the module docstring for forms)."""
    if principals.everyone:
        return True
    return any(_entry_matches(kind, value, principal) for kind, value in principals.entries)


def _entry_matches(kind: str, value: str, principal: TrustPrincipal) -> bool:
    if kind == "Service":
        return principal.service is not None and value.lower() == principal.service.lower()
    if principal.service is not None:
        return False
    if kind != "AWS":
        return value == principal.arn
    if value == "*":
        return True
    root = _ROOT.fullmatch(value)
    account = value if _ACCOUNT.fullmatch(value) else root.group(1) if root else None
    if account is not None:
        return account == principal.account_id
    return value == principal.arn or _role_covers_session(value, principal.arn)


def _role_covers_session(role_arn: str, caller_arn: str) -> bool:
    role, session = _ROLE.fullmatch(role_arn), _SESSION.fullmatch(caller_arn)
    return bool(role and session and role.groups() == session.groups())
