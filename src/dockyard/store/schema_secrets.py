"""SSM Parameter Store and Secrets Manager tables (migration 0011).

Values that must stay secret are stored only as sealed blobs (``infra/envelope.py``: wrapped
data key + nonce + AES-GCM ciphertext, bound to the row's ARN and version). Plain ``String`` /
``StringList`` parameter values are stored as text. Parents carry a ``version`` column for
optimistic concurrency; every write of a child touches its parent, so concurrent writers of one
parameter or secret conflict and are retried by the unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dockyard.store.schema import Base

PARAMETER_NAME = String(2048)
ARN = String(2200)


class ParameterRow(Base):
    __tablename__ = "ssm_parameters"
    __table_args__ = (
        UniqueConstraint("region", "name", name="uq_ssm_parameters_region_name"),
        Index("ix_ssm_parameters_arn", "arn"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(PARAMETER_NAME)
    arn: Mapped[str] = mapped_column(ARN)
    latest_version: Mapped[int] = mapped_column(Integer)
    tags: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ParameterVersionRow(Base):
    __tablename__ = "ssm_parameter_versions"
    __table_args__ = (
        UniqueConstraint("parameter_id", "number", name="uq_ssm_parameter_versions_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parameter_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    value_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    value_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    tier: Mapped[str] = mapped_column(String(32))
    data_type: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    allowed_pattern: Mapped[str | None] = mapped_column(Text, nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    labels: Mapped[dict[str, Any]]
    """``{"labels": [...]}`` (a JSON object, like the other documents)."""
    modified_at: Mapped[datetime]
    modified_user: Mapped[str] = mapped_column(String(2048))


class SecretRow(Base):
    __tablename__ = "secretsmanager_secrets"
    __table_args__ = (
        UniqueConstraint("region", "name", name="uq_secretsmanager_secrets_region_name"),
        Index("ix_secretsmanager_secrets_arn", "arn"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(512))
    arn: Mapped[str] = mapped_column(String(700))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    kms_key_id: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    created_at: Mapped[datetime]
    last_changed: Mapped[datetime]
    deleted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    deletion_date: Mapped[datetime | None] = mapped_column(nullable=True)
    tags: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class SecretVersionRow(Base):
    __tablename__ = "secretsmanager_versions"
    __table_args__ = (
        UniqueConstraint("secret_id", "version_id", name="uq_secretsmanager_versions_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    secret_id: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[str] = mapped_column(String(64))
    stages: Mapped[dict[str, Any]]
    """``{"stages": [...]}``."""
    created_at: Mapped[datetime]
    binary: Mapped[bool] = mapped_column(Boolean)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
