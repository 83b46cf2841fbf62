"""Envelope encryption for values at rest (SSM SecureString, Secrets Manager secrets).

Key hierarchy::

    master.key (data dir, Fernet key bytes)
        └── HKDF-SHA256(info=KEK_INFO) ──► key-encryption key (KEK, 256 bit, never stored)
                └── AES-GCM wraps ──► data key (random 256 bit, one per sealed value)
                        └── AES-GCM encrypts ──► the value

A sealed value is one opaque blob::

    version (1) | key nonce (12) | wrapped data key (32 + 16 tag) | data nonce (12) | ciphertext+tag

Only the wrapped data key is stored, never the data key or the KEK. ``context`` (the resource's
ARN and version, say) is AES-GCM associated data for both the wrap and the value, so a blob
copied to another row, version or resource fails to open. Plaintexts never appear in an
exception or a log line raised from here.

Purity: no I/O; randomness comes from the injected :class:`~dockyard.infra.ids.RandomSource`.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dockyard.infra.ids import RandomSource, SecureRandom

KEK_INFO = b"dockyard/envelope/key-encryption-key/v1"
"""HKDF ``info`` that separates the KEK from any other key derived from the master key."""

FORMAT_VERSION = 1
KEY_BYTES = 32
"""AES-256 for both the KEK and the data keys."""
NONCE_BYTES = 12
"""AES-GCM's standard 96-bit nonce; random nonces are safe because each data key seals once."""
TAG_BYTES = 16
_WRAP_PREFIX = b"dockyard-data-key\x00"
_HEADER = 1 + NONCE_BYTES + KEY_BYTES + TAG_BYTES + NONCE_BYTES


def derive_kek(master_key: bytes) -> bytes:
    """The key-encryption key derived from the master key's bytes (deterministic)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=KEK_INFO)
    return hkdf.derive(master_key)


class EnvelopeCipher:
    """Seals and opens values under a KEK; every :meth:`seal` uses a fresh data key."""

    def __init__(self, kek: bytes, rng: RandomSource | None = None) -> None:
        if len(kek) != KEY_BYTES:
            raise ValueError("the key-encryption key must be 32 bytes")
        self._kek = AESGCM(kek)
        self._rng: RandomSource = rng or SecureRandom()

    @classmethod
    def from_master_key(cls, master_key: bytes, rng: RandomSource | None = None) -> EnvelopeCipher:
        return cls(derive_kek(master_key), rng)

    def seal(self, plaintext: bytes, *, context: bytes) -> bytes:
        """An opaque blob holding ``plaintext`` that opens only with the same ``context``."""
        data_key = self._rng.token_bytes(KEY_BYTES)
        key_nonce = self._rng.token_bytes(NONCE_BYTES)
        data_nonce = self._rng.token_bytes(NONCE_BYTES)
        wrapped = self._kek.encrypt(key_nonce, data_key, _WRAP_PREFIX + context)
        ciphertext = AESGCM(data_key).encrypt(data_nonce, plaintext, context)
        return bytes([FORMAT_VERSION]) + key_nonce + wrapped + data_nonce + ciphertext

    def open(self, blob: bytes, *, context: bytes) -> bytes:
        """The plaintext; ``ValueError`` when the blob is malformed, altered, sealed under
        another master key or for another context."""
        if len(blob) < _HEADER + TAG_BYTES or blob[0] != FORMAT_VERSION:
            raise ValueError("not a sealed value of a known format")
        at = 1
        key_nonce = blob[at : at + NONCE_BYTES]
        at += NONCE_BYTES
        wrapped = blob[at : at + KEY_BYTES + TAG_BYTES]
        at += KEY_BYTES + TAG_BYTES
        data_nonce = blob[at : at + NONCE_BYTES]
        ciphertext = blob[at + NONCE_BYTES :]
        try:
            data_key = self._kek.decrypt(key_nonce, wrapped, _WRAP_PREFIX + context)
            return AESGCM(data_key).decrypt(data_nonce, ciphertext, context)
        except InvalidTag:
            raise ValueError("sealed value cannot be opened (wrong key or context)") from None


__all__ = ["KEK_INFO", "EnvelopeCipher", "derive_kek"]
