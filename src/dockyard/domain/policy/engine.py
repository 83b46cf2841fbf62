"""Identity-policy evaluation: compile once, evaluate every request (pure).

:func:`compile_policies` turns a principal's policies into a :class:`CompiledPolicySet`;
:meth:`CompiledPolicySet.evaluate` answers one :class:`AccessRequest` with AWS's rule: an
explicit Deny in any matching statement beats an Allow, which beats the implicit deny.

A statement *matches* a request when its Action (or NotAction) matches the action, its Resource
(or NotResource) matches the resource, and all of its conditions hold. Action matching is
case-insensitive glob matching over ``service:Action``; resource matching is case-sensitive and
segment-aware (see :mod:`.patterns`). A Resource pattern whose policy variable cannot be
resolved matches nothing; a NotResource pattern that cannot be resolved makes its statement
not apply.

Speed: statements are indexed per lower-cased action on first use (a bounded memo), split into
denies and allows. When none of an action's statements has a condition or a policy variable the
decision depends only on the resource and is memoised per resource too, so the common case is
two dict lookups. The context is lower-cased only when a statement needs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from dockyard.domain.policy.conditions import CompiledCondition
from dockyard.domain.policy.document import Effect, PolicyDocument, PolicyKind, Statement
from dockyard.domain.policy.patterns import Context, Dialect, Pattern

ACTION_MEMO_SIZE = 2048
"""Distinct actions indexed per policy set (Dockyard serves a few hundred; the bound only
protects against a caller inventing action names)."""
RESOURCE_MEMO_SIZE = 4096
"""Decisions memoised per action for condition-free statements (one per cluster/ARN in use)."""

EMPTY_CONTEXT: Mapping[str, tuple[str, ...]] = {}


class Decision(Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


@dataclass(frozen=True, slots=True)
class NamedPolicy:
    """A policy and the name the audit trail shows for it: a policy ARN for a managed policy,
    ``user/NAME/inline/POLICY`` (or ``role/…``, ``group/…``) for an inline one."""

    name: str
    document: PolicyDocument


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """What is being attempted: ``action`` (``ecs:RunTask``), ``resource`` (an ARN, or ``*``
    for actions without resource-level permissions) and the condition context (key names
    case-insensitive, each mapped to its values as strings)."""

    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The decision and, unless it is the implicit deny, the policy and Sid that made it."""

    decision: Decision
    policy: str | None = None
    sid: str | None = None

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW


IMPLICIT_DENY = Evaluation(Decision.IMPLICIT_DENY)


class _LazyContext:
    """The request context with lower-cased keys, built on first use."""

    __slots__ = ("_lowered", "_raw")

    def __init__(self, raw: Mapping[str, tuple[str, ...]]) -> None:
        self._raw = raw
        self._lowered: dict[str, tuple[str, ...]] | None = None

    def get(self) -> Context:
        if self._lowered is None:
            self._lowered = {k.lower(): tuple(v) for k, v in self._raw.items()}
        return self._lowered


class CompiledStatement:
    """One statement with its patterns and conditions compiled."""

    __slots__ = (
        "_action",
        "_conditions",
        "_not_action",
        "_not_resource",
        "_resources",
        "_resources_all",
        "deny",
        "policy",
        "sid",
        "static",
    )

    def __init__(self, statement: Statement, *, policy: str, variables: bool) -> None:
        self.policy = policy
        self.sid = statement.sid
        self.deny = statement.effect is Effect.DENY
        self._not_action = statement.not_action
        self._action = action_regex(statement.actions)
        self._not_resource = statement.not_resource
        self._resources = tuple(
            Pattern(r, dialect=Dialect.RESOURCE, variables=variables) for r in statement.resources
        )
        self._resources_all = any(p.matches_all for p in self._resources)
        self._conditions = tuple(
            CompiledCondition(c, variables=variables) for c in statement.conditions
        )
        self.static = not self._conditions and not any(p.is_dynamic for p in self._resources)

    @property
    def evaluation(self) -> Evaluation:
        decision = Decision.EXPLICIT_DENY if self.deny else Decision.ALLOW
        return Evaluation(decision, self.policy, self.sid)

    def covers_action(self, action: str) -> bool:
        """Whether Action / NotAction lets this statement apply to ``action``."""
        return (self._action.fullmatch(action) is not None) != self._not_action

    def covers_resource(self, resource: str, context: _LazyContext) -> bool:
        if self._resources_all:
            return not self._not_resource
        hit = False
        for pattern in self._resources:
            outcome = pattern.matches(resource, context.get() if pattern.is_dynamic else {})
            if outcome is None and self._not_resource:
                return False
            hit = hit or bool(outcome)
            if hit:
                break
        return hit != self._not_resource

    def conditions_hold(self, context: _LazyContext) -> bool:
        if not self._conditions:
            return True
        lowered = context.get()
        return all(c.evaluate(lowered) for c in self._conditions)


@lru_cache(maxsize=4096)
def action_regex(actions: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(_action_source(a) for a in actions), re.IGNORECASE | re.DOTALL)


def _action_source(action: str) -> str:
    return (
        "(?:"
        + "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in action)
        + ")"
    )


class _ActionPlan:
    """The statements that can apply to one action, denies first, and a resource memo."""

    __slots__ = ("allows", "decided", "denies", "static")

    def __init__(self, statements: Sequence[CompiledStatement]) -> None:
        self.denies = tuple(s for s in statements if s.deny)
        self.allows = tuple(s for s in statements if not s.deny)
        self.static = all(s.static for s in statements)
        self.decided: dict[str, Evaluation] = {}

    def decide(self, resource: str, context: _LazyContext) -> Evaluation:
        for statement in self.denies:
            if statement.covers_resource(resource, context) and statement.conditions_hold(context):
                return statement.evaluation
        for statement in self.allows:
            if statement.covers_resource(resource, context) and statement.conditions_hold(context):
                return statement.evaluation
        return IMPLICIT_DENY


class CompiledPolicySet:
    """A principal's identity policies, compiled. Immutable from the outside; the internal
    memos only cache pure functions of the request, so sharing one instance is safe."""

    __slots__ = ("_plans", "policy_names", "statements")

    def __init__(self, statements: Sequence[CompiledStatement], policy_names: Sequence[str]):
        self.statements = tuple(statements)
        self.policy_names = tuple(policy_names)
        self._plans: dict[str, _ActionPlan] = {}

    def evaluate(self, request: AccessRequest) -> Evaluation:
        action = request.action.lower()
        plan = self._plans.get(action)
        if plan is None:
            plan = self._plan(action)
        if not plan.static:
            return plan.decide(request.resource, _LazyContext(request.context))
        hit = plan.decided.get(request.resource)
        if hit is None:
            hit = plan.decide(request.resource, _LazyContext(request.context))
            if len(plan.decided) >= RESOURCE_MEMO_SIZE:
                plan.decided.clear()
            plan.decided[request.resource] = hit
        return hit

    def _plan(self, action: str) -> _ActionPlan:
        plan = _ActionPlan([s for s in self.statements if s.covers_action(action)])
        if len(self._plans) >= ACTION_MEMO_SIZE:
            self._plans.clear()
        self._plans[action] = plan
        return plan

    def __len__(self) -> int:
        return len(self.statements)


def compile_statements(document: PolicyDocument, *, name: str) -> tuple[CompiledStatement, ...]:
    variables = document.uses_variables
    return tuple(
        CompiledStatement(s, policy=name, variables=variables) for s in document.statements
    )


def compile_policies(policies: Sequence[NamedPolicy]) -> CompiledPolicySet:
    """Compile identity policies (a trust policy here is a programming error: ValueError)."""
    statements: list[CompiledStatement] = []
    for policy in policies:
        if policy.document.kind is not PolicyKind.IDENTITY:
            raise ValueError(f"{policy.name} is a {policy.document.kind.value} policy")
        statements.extend(compile_statements(policy.document, name=policy.name))
    return CompiledPolicySet(statements, [p.name for p in policies])
