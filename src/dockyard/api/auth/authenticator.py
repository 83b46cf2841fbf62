"""Turns a signed request into a :class:`Principal`, or the AWS error for why it cannot.

Secrets are decrypted once and cached in memory for :data:`KEY_CACHE_SECONDS`, so the store is
not read on every request; an unknown key always goes to the store, so new keys work at once.
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
from dockyard.domain.errors import InvalidSignature, UnrecognizedClient
from dockyard.domain.identity import ADMIN_USER_NAME, Principal, StoredAccessKey
from dockyard.infra.clock import Clock
from dockyard.infra.crypto import SecretBox
from dockyard.infra.settings import MAX_CLOCK_SKEW_SECONDS
from dockyard.store import Store

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


@dataclass(frozen=True, slots=True)
class _CachedKey:
    secret: str
    principal: Principal
    loaded_at: datetime


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
        if not signature_matches(request, claim, key.secret):
            raise InvalidSignature(SIGNATURE_MISMATCH_MESSAGE)
        return Authenticated(key.principal, claim)

    def forget(self, access_key_id: str) -> None:
        """Drop a cached key (called when a key changes)."""
        with self._lock:
            self._cache.pop(access_key_id, None)

    def _lookup(self, access_key_id: str, now: datetime) -> _CachedKey:
        with self._lock:
            cached = self._cache.get(access_key_id)
        if cached and (now - cached.loaded_at).total_seconds() < KEY_CACHE_SECONDS:
            return cached
        stored = self._store.read(lambda uow: uow.access_keys.get(access_key_id))
        if stored is None or not stored.is_active:
            raise UnrecognizedClient("The security token included in the request is invalid.")
        fresh = _CachedKey(self._box.decrypt(stored.secret_encrypted), self._principal(stored), now)
        with self._lock:
            self._cache[access_key_id] = fresh
        return fresh

    def _principal(self, key: StoredAccessKey) -> Principal:
        return Principal(
            arn=key.principal_arn,
            account_id=self._account_id,
            user_name=key.user_name,
            access_key_id=key.access_key_id,
            is_admin=key.user_name == ADMIN_USER_NAME,
        )
