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


def lower_context(context: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The request context with lower-cased key names (IAM matches key names that way)."""
    return {k.lower(): tuple(v) for k, v in context.items()}


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
        "evaluation",
        "resource_dynamic",
        "static",
    )

    def __init__(self, statement: Statement, *, policy: str, variables: bool) -> None:
        self.deny = statement.effect is Effect.DENY
        decision = Decision.EXPLICIT_DENY if self.deny else Decision.ALLOW
        self.evaluation = Evaluation(decision, policy, statement.sid)
        self._not_action = statement.not_action
        self._action = ActionMatcher(statement.actions)
        self._not_resource = statement.not_resource
        self._resources = tuple(
            Pattern(r, dialect=Dialect.RESOURCE, variables=variables) for r in statement.resources
        )
        self._resources_all = any(p.matches_all for p in self._resources)
        self._conditions = tuple(
            CompiledCondition(c, variables=variables) for c in statement.conditions
        )
        self.resource_dynamic = any(p.is_dynamic for p in self._resources)
        self.static = not self._conditions and not self.resource_dynamic

    def covers_action(self, action: str) -> bool:
        """Whether Action / NotAction lets this statement apply to ``action`` (lower-cased)."""
        return self._action.matches(action) != self._not_action

    def covers_resource(self, resource: str, context: Context) -> bool:
        """Whether Resource / NotResource lets this statement apply to ``resource``."""
        if self._resources_all:
            return not self._not_resource
        hit = False
        for pattern in self._resources:
            outcome = pattern.matches(resource, context)
            if outcome is None and self._not_resource:
                return False
            if outcome:
                hit = True
                break
        return hit != self._not_resource

    def applies_to(self, resource: str, context: Context) -> bool:
        """Resource (when it has a variable) and conditions; the action is already known.

        ``context`` has lower-cased keys. A plain loop: this is the per-request hot path.
        """
        if self.resource_dynamic and not self.covers_resource(resource, context):
            return False
        for condition in self._conditions:  # noqa: SIM110 (all(genexpr) is slower here)
            if not condition.evaluate(context):
                return False
        return True


@lru_cache(maxsize=4096)
def action_regex(actions: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex for Action patterns (``*`` any run, ``?`` any one char)."""
    return re.compile("|".join(_action_source(a) for a in actions), re.IGNORECASE | re.DOTALL)


def _action_source(action: str) -> str:
    glob = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in action)
    return f"(?:{glob})"


class ActionMatcher:
    """Action patterns, matched against a lower-cased action: exact names by set lookup,
    ``prefix*`` by ``startswith``, anything else by one regex built on first use."""

    __slots__ = ("_any", "_exact", "_prefixes", "_regex", "_rest")

    def __init__(self, actions: tuple[str, ...]) -> None:
        lowered = [a.lower() for a in actions]
        self._any = "*" in lowered
        self._exact = frozenset(a for a in lowered if "*" not in a and "?" not in a)
        self._prefixes = tuple(
            a[:-1] for a in lowered if a.endswith("*") and "*" not in a[:-1] and "?" not in a
        )
        prefixed = {p + "*" for p in self._prefixes}
        self._rest = tuple(a for a in lowered if a not in self._exact and a not in prefixed)
        self._regex: re.Pattern[str] | None = None

    def matches(self, action: str) -> bool:
        if self._any or action in self._exact or action.startswith(self._prefixes):
            return True
        if not self._rest:
            return False
        if self._regex is None:
            self._regex = action_regex(self._rest)
        return self._regex.fullmatch(action) is not None


Candidates = tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]


class _ActionPlan:
    """The statements that can apply to one action (denies, allows), and a per-resource memo.

    The memo holds, per resource, either the final Evaluation (when no remaining candidate has
    a condition or a policy variable in its Resource) or the candidates still to check
    against the context. Resource matching of a static pattern never depends on the context,
    so both are pure functions of (action, resource).
    """

    __slots__ = ("allows", "denies", "memo")

    def __init__(self, statements: Sequence[CompiledStatement]) -> None:
        self.denies = tuple(s for s in statements if s.deny)
        self.allows = tuple(s for s in statements if not s.deny)
        self.memo: dict[str, Evaluation | Candidates] = {}

    def evaluate(self, resource: str, raw_context: Mapping[str, tuple[str, ...]]) -> Evaluation:
        entry = self.memo.get(resource)
        if entry is None:
            entry = self._candidates(resource)
            if len(self.memo) >= RESOURCE_MEMO_SIZE:
                self.memo.clear()
            self.memo[resource] = entry
        if isinstance(entry, Evaluation):
            return entry
        denies, allows = entry
        context = lower_context(raw_context)
        for statement in denies:
            if statement.applies_to(resource, context):
                return statement.evaluation
        for statement in allows:
            if statement.applies_to(resource, context):
                return statement.evaluation
        return IMPLICIT_DENY

    def _candidates(self, resource: str) -> Evaluation | Candidates:
        def keep(s: CompiledStatement) -> bool:
            return s.resource_dynamic or s.covers_resource(resource, EMPTY_CONTEXT)

        denies = tuple(s for s in self.denies if keep(s))
        allows = tuple(s for s in self.allows if keep(s))
        if any(not s.static for s in denies):
            return denies, allows
        if denies:
            return denies[0].evaluation
        if any(not s.static for s in allows):
            return denies, allows
        return allows[0].evaluation if allows else IMPLICIT_DENY


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
        hit = plan.memo.get(request.resource)
        if isinstance(hit, Evaluation):  # the common case: no condition left to check
            return hit
        return plan.evaluate(request.resource, request.context)

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
