"""Turns a signed request into a :class:`Principal`, or the AWS error for why it cannot.

Two kinds of keys: an IAM user's long-term ``AKIA…`` key (table ``access_keys``) and a
temporary ``ASIA…`` session key from AssumeRole or an ECS task role (``iam_sessions``), which
must come with its ``X-Amz-Security-Token`` and stops working at its expiration. A task-role
session (``source`` is the task's ARN) also stops working once its task has stopped.

Secrets are decrypted once and cached in memory for :data:`KEY_CACHE_SECONDS`, so the store is
not read on every request; an unknown key always goes to the store, so new keys work at once.
IAM writes in this process clear the cache at once (``forget_all``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from dockyard.api.auth.sigv4 import (
    SignatureClaim,
    SignedRequest,
    check_clock_skew,
    parse_authorization,
    signature_matches,
)
from dockyard.domain.errors import ApiError, InvalidSignature, UnrecognizedClient
from dockyard.domain.iam import StoredSession
from dockyard.domain.identity import ADMIN_USER_NAME, Principal, StoredAccessKey
from dockyard.domain.task_status import TaskStatus
from dockyard.infra.clock import Clock
from dockyard.infra.crypto import SecretBox
from dockyard.infra.settings import MAX_CLOCK_SKEW_SECONDS
from dockyard.store import Store
from dockyard.store.repositories.iam import IamRepository
from dockyard.store.uow import UnitOfWork

KEY_CACHE_SECONDS = 30.0
"""A deactivated or deleted key stops working within this many seconds."""

SIGNATURE_MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation "
    "for details."
)


@dataclass(frozen=True, slots=True)
class Authenticated:
    principal: Principal
    claim: SignatureClaim


INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."
EXPIRED_TOKEN_MESSAGE = "The security token included in the request is expired"


@dataclass(frozen=True, slots=True)
class _CachedKey:
    secret: str
    principal: Principal
    loaded_at: datetime
    session: StoredSession | None = None


class Authenticator:
    """Verifies SigV4 signatures against the store's access keys."""

    def __init__(self, store: Store, box: SecretBox, clock: Clock, account_id: str) -> None:
        self._store = store
        self._box = box
        self._clock = clock
        self._account_id = account_id
        self._cache: dict[str, _CachedKey] = {}
        self._lock = threading.Lock()

    def authenticate(self, request: SignedRequest) -> Authenticated:
        claim = parse_authorization(request)
        now = self._clock.now()
        check_clock_skew(claim, now, MAX_CLOCK_SKEW_SECONDS)
        key = self._lookup(claim.access_key_id, now)
        if key.session is not None:
            _check_session(key.session, request.header("x-amz-security-token"), now)
        if not signature_matches(request, claim, key.secret):
            raise InvalidSignature(SIGNATURE_MISMATCH_MESSAGE)
        return Authenticated(key.principal, claim)

    def forget(self, access_key_id: str) -> None:
        """Drop a cached key (called when a key changes)."""
        with self._lock:
            self._cache.pop(access_key_id, None)

    def forget_source(self, source: str) -> None:
        """Drop cached session keys minted for ``source`` (a task that just stopped), so they
        are re-checked against the store at their next use."""
        with self._lock:
            for key_id in [
                k for k, v in self._cache.items() if v.session and v.session.source == source
            ]:
                del self._cache[key_id]

    def forget_all(self) -> None:
        """Drop every cached key (IAM changed in this process)."""
        with self._lock:
            self._cache.clear()

    def _lookup(self, access_key_id: str, now: datetime) -> _CachedKey:
        with self._lock:
            cached = self._cache.get(access_key_id)
        if cached and (now - cached.loaded_at).total_seconds() < KEY_CACHE_SECONDS:
            return cached
        fresh = self._store.read(lambda uow: self._load(uow, access_key_id, now))
        with self._lock:
            self._cache[access_key_id] = fresh
        return fresh

    def _load(self, uow: UnitOfWork, access_key_id: str, now: datetime) -> _CachedKey:
        stored = uow.access_keys.get(access_key_id)
        if stored is not None:
            if not stored.is_active:
                raise UnrecognizedClient(INVALID_TOKEN_MESSAGE)
            user = IamRepository(uow.session).get_user(stored.user_name)
            principal = self._principal(stored, user.user_id if user else "")
            return _CachedKey(self._box.decrypt(stored.secret_encrypted), principal, now)
        session = IamRepository(uow.session).get_session(access_key_id)
        if session is None or _task_has_stopped(uow, session.source):
            raise UnrecognizedClient(INVALID_TOKEN_MESSAGE)
        principal = Principal(
            arn=session.assumed_role_arn(self._account_id),
            account_id=self._account_id,
            user_name=session.session_name,
            access_key_id=access_key_id,
            kind="assumed-role",
            role_name=session.role_name,
            role_arn=session.role_arn,
            user_id=session.user_id,
        )
        return _CachedKey(self._box.decrypt(session.secret_encrypted), principal, now, session)

    def _principal(self, key: StoredAccessKey, user_id: str) -> Principal:
        return Principal(
            arn=key.principal_arn,
            account_id=self._account_id,
            user_name=key.user_name,
            access_key_id=key.access_key_id,
            is_admin=key.user_name == ADMIN_USER_NAME,
            user_id=user_id,
        )


def _check_session(session: StoredSession, token: str | None, now: datetime) -> None:
    """A session key needs its token, unexpired (STS's errors and wording)."""
    if not token or not session.token_matches(token):
        raise UnrecognizedClient(INVALID_TOKEN_MESSAGE)
    if session.is_expired(now):
        raise ApiError(EXPIRED_TOKEN_MESSAGE, code="ExpiredTokenException", http_status=403)


def _task_has_stopped(uow: UnitOfWork, source: str) -> bool:
    """True when ``source`` names an ECS task that is stopped or gone (its role credentials
    die with it); False for sessions not minted for a task."""
    if not source.startswith("arn:aws:ecs:") or ":task/" not in source:
        return False
    cluster_and_id = source.split(":task/", 1)[1]
    cluster, _, task_id = cluster_and_id.rpartition("/")
    region = source.split(":")[3]
    task = uow.tasks.get(region, cluster, task_id)
    return task is None or task.last_status is TaskStatus.STOPPED
