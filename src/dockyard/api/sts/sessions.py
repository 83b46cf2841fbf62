"""Minting temporary credentials for a role: AssumeRole's, and (reused) ECS task roles'.

A session is an ``ASIA…`` access key id, a 40-character secret and a long opaque session token,
valid until an expiration. The store keeps the secret encrypted with the master key and the token
only as its SHA-256; the clear values are returned once, to the caller. Expired sessions are
purged lazily each time one is minted (and by :func:`purge_expired`).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from dockyard.api.context import Dependencies
from dockyard.domain.iam import (
    IssuedCredentials,
    Role,
    StoredSession,
    token_digest,
)
from dockyard.infra.ids import access_key_id, secret_access_key
from dockyard.store.repositories.iam import IamRepository
from dockyard.store.uow import UnitOfWork

SESSION_KEY_PREFIX = "ASIA"
SESSION_TOKEN_BYTES = 240
"""Random bytes in a session token: 320 base64 characters, about the length of AWS's tokens
(SDKs and proxies are used to tokens of several hundred characters)."""


def mint_role_session(
    uow: UnitOfWork,
    deps: Dependencies,
    *,
    role: Role,
    session_name: str,
    duration_seconds: int,
    now: datetime,
    source: str = "",
) -> IssuedCredentials:
    """Store a new session for ``role`` inside ``uow``'s transaction and return its clear
    credentials. ``source`` records who obtained it (caller ARN, service principal or task
    ARN; see :meth:`IamRepository.delete_sessions_from`). The caller has already checked the
    trust policy and the duration; call ``deps.identity.changed()`` after the commit."""
    repo = IamRepository(uow.session)
    repo.purge_expired_sessions(now)
    key_id = access_key_id(deps.rng, prefix=SESSION_KEY_PREFIX)
    secret = secret_access_key(deps.rng)
    token = base64.b64encode(deps.rng.token_bytes(SESSION_TOKEN_BYTES)).decode("ascii")
    expiration = now + timedelta(seconds=duration_seconds)
    role_arn = role.arn(deps.settings.account_id)
    repo.add_session(
        StoredSession(
            access_key_id=key_id,
            secret_encrypted=deps.secret_box.encrypt(secret),
            token_sha256=token_digest(token),
            role_arn=role_arn,
            role_id=role.role_id,
            role_name=role.name,
            session_name=session_name,
            expires_at=expiration,
            created_at=now,
            source=source,
        )
    )
    return IssuedCredentials(
        access_key_id=key_id,
        secret_access_key=secret,
        session_token=token,
        expiration=expiration,
        role_arn=role_arn,
        role_id=role.role_id,
        session_name=session_name,
        assumed_role_arn=(
            f"arn:aws:sts::{deps.settings.account_id}:assumed-role/{role.name}/{session_name}"
        ),
    )


def purge_expired(deps: Dependencies) -> int:
    """Delete every expired session now (for the housekeeping sweep); how many went."""
    now = deps.clock.now()
    return deps.store.write(lambda uow: IamRepository(uow.session).purge_expired_sessions(now))
