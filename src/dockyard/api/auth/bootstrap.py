"""First-start credentials: the admin access key and ``DIR/credentials``.

On a data dir with no access keys, mint one for the bootstrap admin, store its secret encrypted
and write an AWS shared-credentials file with the profile ``[dockyard]`` (mode 0600). On later
starts the file is rewritten from the store only if it went missing.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from dockyard.domain.identity import ADMIN_USER_NAME, StoredAccessKey, user_arn
from dockyard.infra.clock import Clock
from dockyard.infra.crypto import SecretBox
from dockyard.infra.ids import RandomSource, access_key_id, secret_access_key
from dockyard.store import Store
from dockyard.store.uow import UnitOfWork

CREDENTIALS_FILE = "credentials"
PROFILE = "dockyard"


def ensure_admin_credentials(
    store: Store,
    box: SecretBox,
    *,
    data_dir: Path,
    account_id: str,
    clock: Clock,
    rng: RandomSource,
) -> tuple[str, str]:
    """The admin (access key id, secret), created on first start; the file is kept in sync."""

    def create_or_load(uow: UnitOfWork) -> StoredAccessKey:
        existing = uow.access_keys.for_user(ADMIN_USER_NAME)
        if existing:
            return existing[0]
        key = StoredAccessKey(
            access_key_id=access_key_id(rng),
            secret_encrypted=box.encrypt(secret_access_key(rng)),
            principal_arn=user_arn(account_id, ADMIN_USER_NAME),
            user_name=ADMIN_USER_NAME,
            status="Active",
            created_at=clock.now(),
        )
        uow.access_keys.add(key)
        return key

    key = store.write(create_or_load)
    try:
        secret = box.decrypt(key.secret_encrypted)
    except ValueError as exc:
        raise SystemExit(
            f"dockyard: the database's access keys were encrypted with another master key than "
            f"{data_dir / 'master.key'}; start with the data dir that created this database."
        ) from exc
    path = data_dir / CREDENTIALS_FILE
    if _file_key(path) != (key.access_key_id, secret):
        write_credentials_file(path, key.access_key_id, secret)
    return key.access_key_id, secret


def write_credentials_file(path: Path, key_id: str, secret: str) -> None:
    """Write the shared-credentials file atomically, readable by the owner only."""
    parser = configparser.ConfigParser()
    parser[PROFILE] = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        parser.write(handle)
    os.replace(tmp, path)


def _file_key(path: Path) -> tuple[str, str] | None:
    if not path.exists():
        return None
    parser = configparser.ConfigParser()
    parser.read(path)
    if PROFILE not in parser:
        return None
    section = parser[PROFILE]
    return section.get("aws_access_key_id", ""), section.get("aws_secret_access_key", "")
