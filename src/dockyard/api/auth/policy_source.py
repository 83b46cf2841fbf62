"""Identity policies from the IAM store, for the authorizer.

A user's policies are their inline policies, the managed policies attached to them and those of
their groups; an assumed-role session's are its role's (``store/repositories/iam.py``).
Secrets Manager names resolve to their suffixed ARNs here too, for resource matching.
"""

from __future__ import annotations

from collections.abc import Callable

from dockyard.domain.errors import ApiError
from dockyard.domain.identity import Principal
from dockyard.domain.policy import Effect, PolicyKind, parse_policy_document
from dockyard.infra.crypto import SecretBox
from dockyard.store import Store
from dockyard.store.repositories.iam import IamRepository
from dockyard.store.repositories.secrets import SecretRepository


class StorePolicySource:
    """Reads a principal's identity policies (one read transaction, three queries)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def policies_for(self, principal: Principal) -> list[tuple[str, str]]:
        if principal.is_assumed_role and principal.role_name:
            role = principal.role_name
            return self._store.read(lambda uow: IamRepository(uow.session).policies_for_role(role))
        name = principal.user_name
        return self._store.read(lambda uow: IamRepository(uow.session).policies_for_user(name))


def secret_arn_lookup(store: Store, box: SecretBox) -> Callable[[str, str], str | None]:
    """(region, secret name) → the secret's ARN with its random suffix, for resource matching
    (one indexed read; None for an unknown name)."""
    cipher = box.envelope()

    def lookup(region: str, name: str) -> str | None:
        return store.read(lambda uow: SecretRepository(uow.session, cipher).arn_for(region, name))

    return lookup


def trust_names_lookup(store: Store) -> Callable[[str, str], bool]:
    """(role ARN, caller ARN) → whether the role's trust policy has an Allow statement naming the
    caller's exact ARN as an ``AWS`` principal (not the account, not a wildcard)."""

    def lookup(role_arn: str, principal_arn: str) -> bool:
        name = role_arn.rsplit("/", 1)[-1]
        role = store.read(lambda uow: IamRepository(uow.session).get_role(name))
        if role is None:
            return False
        try:
            document = parse_policy_document(role.trust_document, kind=PolicyKind.TRUST)
        except ApiError:
            return False
        return any(
            statement.effect is Effect.ALLOW
            and statement.principal is not None
            and not statement.not_principal
            and ("AWS", principal_arn) in statement.principal.entries
            for statement in document.statements
        )

    return lookup
