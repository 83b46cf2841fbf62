"""Secrets Manager secrets and their versions; every value sealed with the envelope cipher.

Python API::

    repo = SecretRepository(uow.session, cipher)     # cipher = deps.secret_box.envelope()
    repo.find(region, secret_id, now)        -> Secret | None   (name, ARN or partial ARN)
    repo.in_region(region, now)                   -> list[Secret]    (creation order)
    repo.arn_for(region, name)               -> str | None
    repo.create(secret)                      -> None            (metadata and tags)
    repo.save(secret, pruned=())             -> None            (metadata, tags, stages)
    repo.add_value(secret, version, value)   -> None            (seals ``value``)
    repo.value(secret, version_id)           -> str | bytes
    repo.purge(secret)                       -> None
    repo.purge_expired(region, now)          -> int
    repo.get_secret_value(region, secret_id, version_id=None, version_stage=None, now=...)
                                             -> SecretValue     (decrypted)

Secrets past their deletion date are invisible to :meth:`find` and :meth:`list` (reads never
write) and removed by :meth:`purge_expired`, which every Secrets Manager write runs first, so a
scheduled deletion takes effect at its date without a background sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from dockyard.domain.secrets import (
    Secret,
    SecretsNotFound,
    SecretVersion,
    identifies,
    require_live,
    select_version,
)
from dockyard.infra.envelope import EnvelopeCipher
from dockyard.store.schema_secrets import SecretRow, SecretVersionRow

__all__ = ["SecretRepository", "SecretValue"]


@dataclass(frozen=True, slots=True)
class SecretValue:
    """One decrypted secret version (for GetSecretValue and task start)."""

    arn: str
    name: str
    version_id: str
    stages: tuple[str, ...]
    created_at: datetime
    string: str | None = None
    binary: bytes | None = None


def _context(arn: str, version_id: str) -> bytes:
    return f"secretsmanager:secret\x00{arn}\x00{version_id}".encode()


class SecretRepository:
    def __init__(self, session: Session, cipher: EnvelopeCipher) -> None:
        self._session = session
        self._cipher = cipher

    # --- reads ---------------------------------------------------------------------------

    def _row(self, region: str, secret_id: str) -> SecretRow | None:
        base = select(SecretRow).where(SecretRow.region == region)
        if not secret_id.startswith("arn:"):
            return self._session.scalars(base.where(SecretRow.name == secret_id)).first()
        exact = self._session.scalars(base.where(SecretRow.arn == secret_id)).first()
        if exact is not None:
            return exact
        # A partial ARN (no -XXXXXX suffix): the name is everything after "secret:".
        _, sep, name = secret_id.partition(":secret:")
        row = self._session.scalars(base.where(SecretRow.name == name)).first() if sep else None
        return row if row is not None and identifies(_metadata(row), secret_id) else None

    def find(self, region: str, secret_id: str, now: datetime) -> Secret | None:
        row = self._row(region, secret_id)
        if row is None:
            return None
        if _expired(row, now):
            return None
        return self._load([row])[0]

    def in_region(self, region: str, now: datetime) -> list[Secret]:
        rows = self._session.scalars(
            select(SecretRow).where(SecretRow.region == region).order_by(SecretRow.id)
        )
        return self._load([row for row in rows if not _expired(row, now)])

    def arn_for(self, region: str, name: str) -> str | None:
        row = self._row(region, name)
        return None if row is None else row.arn

    def _load(self, rows: list[SecretRow]) -> list[Secret]:
        versions: dict[int, list[SecretVersion]] = {row.id: [] for row in rows}
        if versions:
            found = self._session.scalars(
                select(SecretVersionRow)
                .where(SecretVersionRow.secret_id.in_(list(versions)))
                .order_by(SecretVersionRow.id)
            )
            for v in found:
                versions[v.secret_id].append(
                    SecretVersion(
                        version_id=v.version_id,
                        stages=tuple(str(s) for s in v.stages.get("stages", [])),
                        created_at=v.created_at,
                        binary=v.binary,
                    )
                )
        return [_metadata(row, tuple(versions[row.id])) for row in rows]

    def value(self, secret: Secret, version_id: str) -> str | bytes:
        """The plaintext of one version: ``str`` for SecretString, ``bytes`` for binary."""
        row = self._version_row(secret, version_id)
        if row is None:
            raise SecretsNotFound()
        plain = self._cipher.open(row.sealed, context=_context(secret.arn, version_id))
        return plain if row.binary else plain.decode()

    def get_secret_value(
        self,
        region: str,
        secret_id: str,
        version_id: str | None = None,
        version_stage: str | None = None,
        *,
        now: datetime,
    ) -> SecretValue:
        """The decrypted version GetSecretValue would return (AWSCURRENT by default); raises
        its errors (ResourceNotFoundException, InvalidRequestException when marked for
        deletion)."""
        secret = self.find(region, secret_id, now)
        if secret is None:
            raise SecretsNotFound()
        require_live(secret)
        version = select_version(secret, version_id, version_stage)
        plain = self.value(secret, version.version_id)
        return SecretValue(
            arn=secret.arn,
            name=secret.name,
            version_id=version.version_id,
            stages=version.stages,
            created_at=version.created_at,
            string=plain if isinstance(plain, str) else None,
            binary=plain if isinstance(plain, bytes) else None,
        )

    # --- writes --------------------------------------------------------------------------

    def create(self, secret: Secret) -> None:
        self._session.add(
            SecretRow(
                region=secret.region,
                name=secret.name,
                arn=secret.arn,
                description=secret.description,
                kms_key_id=secret.kms_key_id,
                created_at=secret.created_at,
                last_changed=secret.last_changed,
                tags=dict(secret.tags),
            )
        )
        self._session.flush()

    def save(self, secret: Secret, pruned: tuple[str, ...] = ()) -> None:
        """Write the metadata, tags and every version's stages; forget ``pruned`` versions."""
        row = self._require_row(secret)
        row.description = secret.description
        row.kms_key_id = secret.kms_key_id
        row.last_changed = secret.last_changed
        row.deleted_at = secret.deleted_at
        row.deletion_date = secret.deletion_date
        row.tags = dict(secret.tags)
        flag_modified(row, "tags")  # always bump the row's version: writers of one secret conflict
        if pruned:
            self._session.execute(
                delete(SecretVersionRow).where(
                    SecretVersionRow.secret_id == row.id,
                    SecretVersionRow.version_id.in_(list(pruned)),
                )
            )
        stages = {v.version_id: v.stages for v in secret.versions}
        for v in self._session.scalars(
            select(SecretVersionRow).where(SecretVersionRow.secret_id == row.id)
        ):
            if v.version_id in stages and tuple(v.stages.get("stages", [])) != stages[v.version_id]:
                v.stages = {"stages": list(stages[v.version_id])}

    def add_value(self, secret: Secret, version: SecretVersion, value: str | bytes) -> None:
        """Store a new version's sealed value (call :meth:`save` for the stages of the others)."""
        row = self._require_row(secret)
        plain = value.encode() if isinstance(value, str) else value
        self._session.add(
            SecretVersionRow(
                secret_id=row.id,
                version_id=version.version_id,
                stages={"stages": list(version.stages)},
                created_at=version.created_at,
                binary=isinstance(value, bytes),
                sealed=self._cipher.seal(plain, context=_context(secret.arn, version.version_id)),
            )
        )
        self._session.flush()

    def purge(self, secret: Secret) -> None:
        row = self._require_row(secret)
        self._purge_row(row)

    def purge_expired(self, region: str, now: datetime) -> int:
        rows = list(
            self._session.scalars(
                select(SecretRow).where(
                    SecretRow.region == region,
                    SecretRow.deletion_date.is_not(None),
                    SecretRow.deletion_date <= now,
                )
            )
        )
        for row in rows:
            self._purge_row(row)
        return len(rows)

    def _purge_row(self, row: SecretRow) -> None:
        self._session.execute(delete(SecretVersionRow).where(SecretVersionRow.secret_id == row.id))
        self._session.delete(row)
        self._session.flush()

    def _require_row(self, secret: Secret) -> SecretRow:
        row = self._session.scalars(
            select(SecretRow).where(SecretRow.region == secret.region, SecretRow.arn == secret.arn)
        ).first()
        if row is None:
            raise SecretsNotFound()
        return row

    def _version_row(self, secret: Secret, version_id: str) -> SecretVersionRow | None:
        row = self._require_row(secret)
        return self._session.scalars(
            select(SecretVersionRow).where(
                SecretVersionRow.secret_id == row.id, SecretVersionRow.version_id == version_id
            )
        ).first()


def _expired(row: SecretRow, now: datetime) -> bool:
    return row.deletion_date is not None and row.deletion_date <= now


def _metadata(row: SecretRow, versions: tuple[SecretVersion, ...] = ()) -> Secret:
    tags: Any = row.tags or {}
    return Secret(
        region=row.region,
        name=row.name,
        arn=row.arn,
        created_at=row.created_at,
        last_changed=row.last_changed,
        description=row.description,
        kms_key_id=row.kms_key_id,
        deleted_at=row.deleted_at,
        deletion_date=row.deletion_date,
        tags={str(k): str(v) for k, v in tags.items()},
        versions=versions,
    )
