"""Access keys (secrets stay encrypted; decryption happens in the auth shell)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dockyard.domain.identity import StoredAccessKey
from dockyard.store.schema import AccessKeyRow


class AccessKeyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, access_key_id: str) -> StoredAccessKey | None:
        row = self._session.get(AccessKeyRow, access_key_id)
        return _to_domain(row) if row else None

    def for_user(self, user_name: str) -> list[StoredAccessKey]:
        rows = self._session.scalars(
            select(AccessKeyRow).where(AccessKeyRow.user_name == user_name)
        )
        return [_to_domain(r) for r in rows]

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(AccessKeyRow)) or 0)

    def add(self, key: StoredAccessKey) -> None:
        self._session.add(
            AccessKeyRow(
                access_key_id=key.access_key_id,
                secret_encrypted=key.secret_encrypted,
                principal_arn=key.principal_arn,
                user_name=key.user_name,
                status=key.status,
                created_at=key.created_at,
            )
        )


def _to_domain(row: AccessKeyRow) -> StoredAccessKey:
    return StoredAccessKey(
        access_key_id=row.access_key_id,
        secret_encrypted=row.secret_encrypted,
        principal_arn=row.principal_arn,
        user_name=row.user_name,
        status=row.status,
        created_at=row.created_at,
    )
