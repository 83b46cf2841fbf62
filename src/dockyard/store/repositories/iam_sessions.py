"""STS sessions in the store: temporary credentials minted by AssumeRole or for task roles.

The base of :class:`~dockyard.store.repositories.iam.IamRepository`; use that. The secret is
stored encrypted and the session token only as its SHA-256 (``StoredSession.token_matches``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from dockyard.domain.iam import StoredSession
from dockyard.store.schema_iam import StsSessionRow


class StsSessionStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_session(self, stored: StoredSession) -> None:
        self._session.add(
            StsSessionRow(
                access_key_id=stored.access_key_id,
                secret_encrypted=stored.secret_encrypted,
                token_sha256=stored.token_sha256,
                role_arn=stored.role_arn,
                role_id=stored.role_id,
                role_name=stored.role_name,
                session_name=stored.session_name,
                source=stored.source,
                expires_at=stored.expires_at,
                created_at=stored.created_at,
            )
        )

    def get_session(self, access_key_id: str) -> StoredSession | None:
        """The session of an ``ASIA…`` key, expired or not (check :meth:`StoredSession.
        is_expired` and :meth:`StoredSession.token_matches`); None when unknown or purged."""
        row = self._session.get(StsSessionRow, access_key_id)
        return None if row is None else _stored_session(row)

    def delete_session(self, access_key_id: str) -> bool:
        result = self._session.execute(
            delete(StsSessionRow).where(StsSessionRow.access_key_id == access_key_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def delete_sessions_from(self, source: str) -> int:
        """Forget every session minted for ``source`` (a stopped task's credentials)."""
        result = self._session.execute(delete(StsSessionRow).where(StsSessionRow.source == source))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def delete_sessions_of_role(self, role_id: str) -> int:
        """Forget every session of a role (it is being deleted: a later role of the same name
        must not inherit them)."""
        result = self._session.execute(
            delete(StsSessionRow).where(StsSessionRow.role_id == role_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def purge_expired_sessions(self, now: datetime) -> int:
        """Delete sessions that expired before ``now``; how many went."""
        result = self._session.execute(delete(StsSessionRow).where(StsSessionRow.expires_at <= now))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _stored_session(row: StsSessionRow) -> StoredSession:
    return StoredSession(
        access_key_id=row.access_key_id,
        secret_encrypted=row.secret_encrypted,
        token_sha256=row.token_sha256,
        role_arn=row.role_arn,
        role_id=row.role_id,
        role_name=row.role_name,
        session_name=row.session_name,
        expires_at=row.expires_at,
        created_at=row.created_at,
        source=row.source,
    )


__all__ = ["StsSessionStore"]
