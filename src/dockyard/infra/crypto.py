"""Encryption at rest for secrets: access-key secrets here; SSM parameters and Secrets Manager
values through :meth:`SecretBox.envelope` (:mod:`dockyard.infra.envelope`).

A Fernet master key (AES-128-CBC + HMAC-SHA256, from ``cryptography``) lives in the data
directory as ``master.key`` with mode 0600. Losing it makes stored secrets unreadable by design.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from dockyard.infra.envelope import EnvelopeCipher
from dockyard.infra.ids import RandomSource

MASTER_KEY_FILE = "master.key"


class SecretBox:
    """Encrypts and decrypts small secrets with the master key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._key = key

    def envelope(self, rng: RandomSource | None = None) -> EnvelopeCipher:
        """An envelope cipher whose key-encryption key is derived (HKDF-SHA256) from this
        master key, for values sealed per item (see :mod:`dockyard.infra.envelope`)."""
        return EnvelopeCipher.from_master_key(self._key, rng)

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, ciphertext: bytes) -> str:
        """The plaintext; raises ValueError when the ciphertext is not ours or was altered."""
        try:
            return self._fernet.decrypt(ciphertext).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("secret cannot be decrypted with this master key") from exc


def load_or_create_master_key(data_dir: Path) -> SecretBox:
    """The data dir's master key, created (mode 0600, atomically) on first use."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / MASTER_KEY_FILE
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        os.replace(tmp, path)
    return SecretBox(path.read_bytes().strip())
