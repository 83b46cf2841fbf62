"""Parameter and secret repositories on each backend: the decrypted internal API the task-start
path uses, sealing at rest, concurrent-write conflicts, and the lazy purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from dockyard.domain.errors import ApiError
from dockyard.domain.parameter_versions import PutRequest, next_version
from dockyard.domain.parameters import parameter_arn
from dockyard.domain.secrets import (
    AWSCURRENT,
    Secret,
    add_version,
    schedule_deletion,
    secret_arn,
)
from dockyard.infra.envelope import EnvelopeCipher
from dockyard.store import Store, UnitOfWork
from dockyard.store.repositories.parameters import ParameterRepository, ParameterValue
from dockyard.store.repositories.secrets import SecretRepository, SecretValue
from dockyard.store.schema_secrets import ParameterVersionRow, SecretVersionRow

NOW = datetime(2026, 1, 1, tzinfo=UTC)
REGION = "us-east-1"
CIPHER = EnvelopeCipher.from_master_key(Fernet.generate_key())


def _put(store: Store, name: str, value: str, type_: str | None = None) -> None:
    def write(uow: UnitOfWork) -> None:
        repo = ParameterRepository(uow.session, CIPHER)
        existing = repo.find(REGION, name)
        req = PutRequest(name=name, value=value, type=type_, overwrite=existing is not None)
        version, dropped = next_version(existing, req, now=NOW, user="me")
        arn = existing.arn if existing else parameter_arn(REGION, "123456789012", name)
        repo.put_version(REGION, arn, name, version, dropped=dropped)

    store.write(write)


def test_get_parameter_returns_decrypted_values_by_name_arn_and_selector(store: Store) -> None:
    _put(store, "/app/pw", "first", "SecureString")
    _put(store, "/app/pw", "second")
    arn = parameter_arn(REGION, "123456789012", "/app/pw")

    def read(uow: UnitOfWork) -> tuple[ParameterValue, ParameterValue, ParameterValue]:
        repo = ParameterRepository(uow.session, CIPHER)
        return (
            repo.get_parameter(REGION, "/app/pw"),
            repo.get_parameter(REGION, arn, "1"),
            repo.get_parameter(REGION, f"{arn}:1"),
        )

    latest, first, first_again = store.read(read)
    assert (latest.value, latest.version, latest.type) == ("second", 2, "SecureString")
    assert first.value == first_again.value == "first"
    sealed = store.read(
        lambda uow: list(uow.session.scalars(select(ParameterVersionRow.value_sealed)))
    )
    assert all(blob is not None and b"first" not in blob for blob in sealed)
    with pytest.raises(ApiError) as info:
        store.read(lambda uow: ParameterRepository(uow.session, CIPHER).get_parameter(REGION, "/x"))
    assert info.value.code == "ParameterNotFound"


def _secret(store: Store, name: str, *values: str | bytes) -> Secret:
    arn = secret_arn(REGION, "123456789012", name, "Abc123")

    def write(uow: UnitOfWork) -> Secret:
        repo = SecretRepository(uow.session, CIPHER)
        secret = Secret(region=REGION, name=name, arn=arn, created_at=NOW, last_changed=NOW)
        repo.create(secret)
        for i, value in enumerate(values):
            secret, pruned = add_version(
                secret, f"v{i}", stages=(AWSCURRENT,), now=NOW, binary=isinstance(value, bytes)
            )
            repo.add_value(secret, secret.versions[-1], value)
            repo.save(secret, pruned)
        return secret

    return store.write(write)


def test_get_secret_value_decrypts_by_id_stage_and_partial_arn(store: Store) -> None:
    secret = _secret(store, "db", "one", b"\x00two")

    def read(uow: UnitOfWork) -> tuple[SecretValue, SecretValue, SecretValue, str | None]:
        repo = SecretRepository(uow.session, CIPHER)
        return (
            repo.get_secret_value(REGION, "db", now=NOW),
            repo.get_secret_value(REGION, secret.arn, version_stage="AWSPREVIOUS", now=NOW),
            repo.get_secret_value(REGION, secret.arn[:-7], version_id="v0", now=NOW),
            repo.arn_for(REGION, "db"),
        )

    current, previous, by_id, arn = store.read(read)
    assert current.binary == b"\x00two" and current.string is None
    assert previous.string == by_id.string == "one"
    assert arn == secret.arn
    blobs = store.read(lambda uow: list(uow.session.scalars(select(SecretVersionRow.sealed))))
    assert all(b"one" not in blob and b"two" not in blob for blob in blobs)


def test_a_version_sealed_for_one_secret_does_not_open_for_another(store: Store) -> None:
    _secret(store, "a", "value-a")
    _secret(store, "b", "value-b")

    def swap(uow: UnitOfWork) -> None:
        rows = list(uow.session.scalars(select(SecretVersionRow).order_by(SecretVersionRow.id)))
        rows[0].sealed, rows[1].sealed = rows[1].sealed, rows[0].sealed

    store.write(swap)
    with pytest.raises(ValueError):
        store.read(
            lambda uow: SecretRepository(uow.session, CIPHER).get_secret_value(REGION, "a", now=NOW)
        )


def test_expired_secrets_vanish_and_are_purged(store: Store) -> None:
    secret = _secret(store, "old", "x")
    store.write(
        lambda uow: SecretRepository(uow.session, CIPHER).save(
            schedule_deletion(secret, now=NOW, window_days=7, force=False)
        )
    )
    later = NOW + timedelta(days=7, seconds=1)

    def look(uow: UnitOfWork, when: datetime) -> tuple[Secret | None, int]:
        repo = SecretRepository(uow.session, CIPHER)
        return repo.find(REGION, "old", when), len(repo.in_region(REGION, when))

    found, listed = store.read(lambda uow: look(uow, NOW + timedelta(days=6)))
    assert found is not None and found.scheduled_for_deletion and listed == 1
    assert store.read(lambda uow: look(uow, later)) == (None, 0)
    purged = store.write(
        lambda uow: SecretRepository(uow.session, CIPHER).purge_expired(REGION, later)
    )
    assert purged == 1
    assert store.read(lambda uow: list(uow.session.scalars(select(SecretVersionRow)))) == []
