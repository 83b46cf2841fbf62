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


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``is_admin`` marks the bootstrap root of trust."""

    arn: str
    account_id: str
    user_name: str
    access_key_id: str
    is_admin: bool = False


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
