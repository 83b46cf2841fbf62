"""IAM and STS tables: users, groups and memberships, roles, inline policies, managed policies
with their versions, attachments, and STS sessions (migration 0012).

Names are unique per account without regard to case: each named row has a ``name_key``
(lower-cased) with a unique constraint. Inline policies and attachments name their owner by
kind (``user`` / ``group`` / ``role``) and unique id, so renaming a user touches one row.
An attachment names the policy by its id; AWS managed policies have no row (they are built in,
``domain/iam_managed.py``). Mutable rows carry a ``version`` for optimistic concurrency.
Access keys stay in ``access_keys`` (``schema.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dockyard.store.schema import Base

ENTITY_ID = String(32)
NAME = String(128)
PATH = String(512)


class IamUserRow(Base):
    __tablename__ = "iam_users"
    __table_args__ = (UniqueConstraint("name_key", name="uq_iam_users_name"),)

    user_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(PATH)
    tags: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class IamGroupRow(Base):
    __tablename__ = "iam_groups"
    __table_args__ = (UniqueConstraint("name_key", name="uq_iam_groups_name"),)

    group_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    name: Mapped[str] = mapped_column(NAME)
    name_key: Mapped[str] = mapped_column(NAME)
    path: Mapped[str] = mapped_column(PATH)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class IamGroupMemberRow(Base):
    __tablename__ = "iam_group_members"
    __table_args__ = (Index("ix_iam_group_members_user", "user_id"),)

    group_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)


class IamRoleRow(Base):
    __tablename__ = "iam_roles"
    __table_args__ = (UniqueConstraint("name_key", name="uq_iam_roles_name"),)

    role_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(PATH)
    trust_document: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    max_session_duration: Mapped[int] = mapped_column(Integer)
    tags: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class IamInlinePolicyRow(Base):
    __tablename__ = "iam_inline_policies"

    owner_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    name: Mapped[str] = mapped_column(NAME, primary_key=True)
    document: Mapped[str] = mapped_column(Text)


class IamManagedPolicyRow(Base):
    __tablename__ = "iam_managed_policies"
    __table_args__ = (UniqueConstraint("name_key", name="uq_iam_managed_policies_name"),)

    policy_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    name: Mapped[str] = mapped_column(NAME)
    name_key: Mapped[str] = mapped_column(NAME)
    path: Mapped[str] = mapped_column(PATH)
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    default_version_id: Mapped[str] = mapped_column(String(16))
    next_version: Mapped[int] = mapped_column(Integer)
    tags: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class IamPolicyVersionRow(Base):
    __tablename__ = "iam_policy_versions"

    policy_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    version_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class IamAttachmentRow(Base):
    __tablename__ = "iam_attachments"
    __table_args__ = (Index("ix_iam_attachments_policy", "policy_id"),)

    owner_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)
    policy_id: Mapped[str] = mapped_column(ENTITY_ID, primary_key=True)


class StsSessionRow(Base):
    __tablename__ = "sts_sessions"
    __table_args__ = (
        Index("ix_sts_sessions_expires", "expires_at"),
        Index("ix_sts_sessions_source", "source"),
    )

    access_key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    token_sha256: Mapped[str] = mapped_column(String(64))
    role_arn: Mapped[str] = mapped_column(String(2048))
    role_id: Mapped[str] = mapped_column(ENTITY_ID)
    role_name: Mapped[str] = mapped_column(String(64))
    session_name: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(2048))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
