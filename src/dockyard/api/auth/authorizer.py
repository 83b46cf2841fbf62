"""Authorisation: may this principal perform this action on these resources?

::

    principal ──► compiled policy set (cache: per user / role, invalidated on IAM writes,
                  at most TTL old across processes)
    request ──► AccessTarget (action, resources, ecs:cluster …) + request facts (time, source IP)
            ──► evaluate each resource ──► every resource ALLOW → allowed
                                          any EXPLICIT_DENY / IMPLICIT_DENY → AccessDenied

The bootstrap admin is the root of trust and is never evaluated. Everybody else is denied unless
an identity policy allows (AWS's implicit deny); an explicit Deny in any policy wins. Policies are
compiled once per principal (``domain/policy``) and reused until IAM changes: an IAM write in
this process clears the cache at once (:class:`IdentityChanges`), a write in another process
is seen after :data:`POLICY_CACHE_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dockyard.api.auth.resources import AccessTarget
from dockyard.domain.identity import Principal
from dockyard.domain.policy import (
    AccessRequest,
    CompiledPolicySet,
    Decision,
    NamedPolicy,
    PolicyKind,
    compile_policies,
    parse_policy_document,
)
from dockyard.infra.clock import Clock

log = logging.getLogger("dockyard.auth")

POLICY_CACHE_SECONDS = 5.0
"""How long a compiled policy set is trusted without a change notice (other processes' writes)."""

MAX_CACHED_PRINCIPALS = 4096


class PolicySource(Protocol):
    """Where identity policies come from: (policy name, document JSON) pairs."""

    def policies_for(self, principal: Principal) -> list[tuple[str, str]]: ...


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the request itself tells the conditions: when, from where, to which region."""

    now: datetime
    source_ip: str
    region: str


@dataclass(frozen=True, slots=True)
class AuthorizationResult:
    """The decision for a whole request: allowed only when every resource is allowed.
    ``resource`` is the first resource that was not allowed (or the last one checked)."""

    decision: Decision
    resource: str
    policy: str | None = None
    sid: str | None = None

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW


ADMIN_RESULT_POLICY = "dockyard:bootstrap-admin"


@dataclass(slots=True)
class _Entry:
    policies: CompiledPolicySet
    loaded_at: datetime
    generation: int
    fingerprint: int


class Authorizer:
    """Evaluates requests against compiled, cached identity policies. Thread-safe."""

    def __init__(self, source: PolicySource, clock: Clock) -> None:
        self._source = source
        self._clock = clock
        self._cache: dict[str, _Entry] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """IAM changed: recompile every principal's policies on its next request."""
        with self._lock:
            self._generation += 1
            self._cache.clear()

    def authorize(
        self, principal: Principal, target: AccessTarget, facts: RequestFacts
    ) -> AuthorizationResult:
        if principal.is_admin:
            return AuthorizationResult(Decision.ALLOW, target.resources[0], ADMIN_RESULT_POLICY)
        policies = self._policies(principal)
        context = RequestContextKeys(principal, facts, target.context)
        result = AuthorizationResult(Decision.IMPLICIT_DENY, target.resources[0])
        for resource in target.resources:
            evaluation = policies.evaluate(AccessRequest(target.action, resource, context))
            result = AuthorizationResult(
                evaluation.decision, resource, evaluation.policy, evaluation.sid
            )
            if evaluation.decision is not Decision.ALLOW:
                return result
        return result

    def _policies(self, principal: Principal) -> CompiledPolicySet:
        """The principal's compiled policies. Past :data:`POLICY_CACHE_SECONDS` the texts are
        re-read (one short read) and recompiled only if they changed, so a busy principal
        never stalls the loop compiling policies that are still the same."""
        key = principal.role_arn or principal.arn
        now = self._clock.now()
        with self._lock:
            entry = self._cache.get(key)
            generation = self._generation
        if entry is not None and (now - entry.loaded_at).total_seconds() < POLICY_CACHE_SECONDS:
            return entry.policies
        texts = self._source.policies_for(principal)
        fingerprint = hash(tuple(texts))
        if entry is not None and entry.fingerprint == fingerprint:
            compiled = entry.policies
        else:
            compiled = compile_policies(self._parse(texts))
        with self._lock:
            if generation == self._generation:
                if len(self._cache) >= MAX_CACHED_PRINCIPALS:
                    self._cache.clear()
                self._cache[key] = _Entry(compiled, now, generation, fingerprint)
        return compiled

    @staticmethod
    def _parse(texts: list[tuple[str, str]]) -> list[NamedPolicy]:
        named = []
        for name, text in texts:
            try:
                document = parse_policy_document(text, kind=PolicyKind.IDENTITY)
            except Exception:  # validated on write; a bad stored document grants nothing
                log.warning("ignoring unparsable stored policy %s", name)
                continue
            named.append(NamedPolicy(name=name, document=document))
        return named


class RequestContextKeys(Mapping[str, tuple[str, ...]]):
    """The global ``aws:`` condition keys of a request plus the service's own, computed only
    when a condition asks (most statements have none). Keys are case-insensitive."""

    __slots__ = ("_facts", "_principal", "_service", "_values")

    def __init__(
        self, principal: Principal, facts: RequestFacts, service_keys: Mapping[str, str]
    ) -> None:
        self._principal = principal
        self._facts = facts
        self._service = {k.lower(): v for k, v in service_keys.items()}
        self._values: dict[str, tuple[str, ...]] | None = None

    def _all(self) -> dict[str, tuple[str, ...]]:
        if self._values is None:
            self._values = self._compute()
        return self._values

    def _compute(self) -> dict[str, tuple[str, ...]]:
        p, f = self._principal, self._facts
        values: dict[str, tuple[str, ...]] = {
            "aws:currenttime": (f.now.strftime("%Y-%m-%dT%H:%M:%SZ"),),
            "aws:epochtime": (str(int(f.now.timestamp())),),
            "aws:securetransport": ("false",),
            "aws:requestedregion": (f.region,),
            "aws:principalaccount": (p.account_id,),
            "aws:principalarn": (p.role_arn or p.arn,),
            "aws:principaltype": ("AssumedRole" if p.is_assumed_role else "User",),
            "aws:viaawsservice": ("false",),
        }
        if f.source_ip:
            values["aws:sourceip"] = (f.source_ip,)
        if p.user_id:
            values["aws:userid"] = (p.user_id,)
        if not p.is_assumed_role:
            values["aws:username"] = (p.user_name,)
        values.update({k: (v,) for k, v in self._service.items()})
        return values

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._all()[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def denial_message(principal: Principal, action: str, result: AuthorizationResult) -> str:
    """AWS's wording for a refused call, naming whether a Deny or the lack of an Allow decided."""
    head = f"User: {principal.arn} is not authorized to perform: {action} on resource: "
    if result.decision is Decision.EXPLICIT_DENY:
        return f"{head}{result.resource} with an explicit deny in an identity-based policy"
    return f"{head}{result.resource} because no identity-based policy allows the {action} action"
