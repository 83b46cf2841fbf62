"""Task-role credentials held by the agent: the values, the id → task registry the credentials
endpoint reads, and when to refresh. No I/O, no clock (``now`` is a parameter).

::

    TaskResources.prepare ──register(id, task)──▶ CredentialsRegistry ◀──lookup(id)── endpoint
                          ──update(id, creds)───▶        ▲
    refresh timer (refresh_delay) ──update──────────────┘   forget(id) when the task stops

A credentials id is a bearer secret: whoever knows it gets the task role's credentials, so ids
come from a CSPRNG (:func:`new_credentials_id`), are never logged, and are forgotten the moment
their task stops. Only ``TaskApplication`` credentials are ever registered; the execution role's
stay with the agent.

Invariant: an id maps to exactly one task for its whole life; :meth:`CredentialsRegistry.update`
never resurrects a forgotten id (a refresh finishing after the task stopped is dropped).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "MIN_REFRESH_DELAY",
    "REFRESH_MARGIN_FLOOR",
    "REFRESH_MARGIN_SHARE",
    "CredentialsEntry",
    "CredentialsRegistry",
    "RoleCredentials",
    "new_credentials_id",
    "refresh_delay",
]

REFRESH_MARGIN_SHARE = 0.25
"""Refresh once less than this share of the credentials' lifetime remains..."""

REFRESH_MARGIN_FLOOR = timedelta(minutes=15)
"""...or less than this (whichever comes first), so an SDK that caches credentials until
a few minutes before ``Expiration`` always finds fresh ones at the endpoint."""

MIN_REFRESH_DELAY = 5.0
"""Seconds: the shortest wait before a refresh, so short-lived or already-expiring credentials
cannot make the agent hammer the control plane."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleCredentials:
    """Temporary credentials for a role. The secret parts stay out of ``repr``."""

    role_arn: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    token: str = field(repr=False)
    expiration: datetime

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> RoleCredentials:
        """The agent channel's answer; raises ValueError when a member is missing or bad."""
        try:
            expiration = datetime.fromisoformat(str(wire["Expiration"]).replace("Z", "+00:00"))
            values = {
                k: str(wire[k]) for k in ("RoleArn", "AccessKeyId", "SecretAccessKey", "Token")
            }
        except KeyError as exc:
            raise ValueError(f"malformed credentials: no {exc.args[0]}") from None
        except ValueError:
            raise ValueError("malformed credentials: Expiration is not ISO-8601") from None
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=UTC)
        return cls(
            role_arn=values["RoleArn"],
            access_key_id=values["AccessKeyId"],
            secret_access_key=values["SecretAccessKey"],
            token=values["Token"],
            expiration=expiration,
        )

    def to_wire(self) -> dict[str, str]:
        """ECS's credentials endpoint body (``Expiration`` as ISO-8601 UTC, second precision)."""
        return {
            "RoleArn": self.role_arn,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "Token": self.token,
            "Expiration": self.expiration.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def refresh_delay(received_at: datetime, expiration: datetime, *, now: datetime) -> float:
    """Seconds from ``now`` until credentials received at ``received_at`` should be refreshed.

    The margin before expiry is the larger of :data:`REFRESH_MARGIN_SHARE` of the lifetime and
    :data:`REFRESH_MARGIN_FLOOR`, but never more than half the lifetime (15-minute credentials
    would otherwise be refreshed at once, forever). Never less than :data:`MIN_REFRESH_DELAY`.
    """
    lifetime = max(expiration - received_at, timedelta(0))
    margin = min(max(lifetime * REFRESH_MARGIN_SHARE, REFRESH_MARGIN_FLOOR), lifetime / 2)
    return max((expiration - margin - now).total_seconds(), MIN_REFRESH_DELAY)


def new_credentials_id() -> str:
    """An unguessable credentials id: a version-4 UUID (122 bits from ``os.urandom``), the
    shape ECS's ids have."""
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class CredentialsEntry:
    """What an id stands for. ``credentials`` is None until the first fetch succeeds."""

    task_arn: str
    credentials: RoleCredentials | None = None


class CredentialsRegistry:
    """id → the task's current ``TaskApplication`` credentials. Thread-safe."""

    def __init__(self) -> None:
        self._entries: dict[str, CredentialsEntry] = {}
        self._lock = threading.Lock()

    def register(self, credentials_id: str, task_arn: str) -> None:
        """Make ``credentials_id`` known (uninitialised until :meth:`update`). Idempotent;
        raises ValueError if the id already belongs to another task."""
        with self._lock:
            entry = self._entries.get(credentials_id)
            if entry is not None and entry.task_arn != task_arn:
                raise ValueError("credentials id already in use by another task")
            if entry is None:
                self._entries[credentials_id] = CredentialsEntry(task_arn)

    def update(self, credentials_id: str, credentials: RoleCredentials) -> bool:
        """Store fresh credentials; False (and nothing stored) if the id was forgotten."""
        with self._lock:
            entry = self._entries.get(credentials_id)
            if entry is None:
                return False
            self._entries[credentials_id] = CredentialsEntry(entry.task_arn, credentials)
            return True

    def lookup(self, credentials_id: str) -> CredentialsEntry | None:
        with self._lock:
            return self._entries.get(credentials_id)

    def forget(self, credentials_id: str) -> None:
        with self._lock:
            self._entries.pop(credentials_id, None)

    def __contains__(self, credentials_id: object) -> bool:
        with self._lock:
            return credentials_id in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
