"""Who is calling: principals and their access keys.

The request context carries a :class:`Principal`; the IAM issue adds policy evaluation on top of
it without changing how handlers receive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ADMIN_USER_NAME = "dockyard-admin"
"""The bootstrap administrator created on first start (the root of trust)."""


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def user_arn(account_id: str, user_name: str) -> str:
    return f"arn:aws:iam::{account_id}:user/{user_name}"


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``is_admin`` marks the bootstrap root of trust, whose calls
    skip policy evaluation.

    ``kind`` is ``"user"`` (an IAM user's long-term key) or ``"assumed-role"`` (temporary
    credentials from AssumeRole or a task role). For an assumed role ``user_name`` is the
    session name, ``role_name`` the role whose policies apply and ``arn`` the STS
    assumed-role ARN. ``user_id`` is AWS's ``aws:userid`` (``AIDA…`` or ``AROA…:session``);
    empty when the store does not know it.
    """

    arn: str
    account_id: str
    user_name: str
    access_key_id: str
    is_admin: bool = False
    kind: str = "user"
    role_name: str | None = None
    role_arn: str | None = None
    user_id: str = ""

    @property
    def is_assumed_role(self) -> bool:
        return self.kind == "assumed-role"


@dataclass(frozen=True, slots=True)
class StoredAccessKey:
    """An access key as the store keeps it: the secret only ever encrypted."""

    access_key_id: str
    secret_encrypted: bytes
    principal_arn: str
    user_name: str
    status: str
    created_at: datetime

    @property
    def is_active(self) -> bool:
        return self.status == "Active"
