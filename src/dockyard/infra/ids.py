"""Identifier generation. Randomness comes from an injected source so tests can pin it."""

from __future__ import annotations

import secrets
import string
from typing import Protocol


class RandomSource(Protocol):
    """Anything that yields random bytes (``secrets`` in production, a seeded RNG in tests)."""

    def token_bytes(self, n: int) -> bytes: ...


class SecureRandom:
    """Cryptographically strong randomness from the OS."""

    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


_ACCESS_KEY_ALPHABET = string.ascii_uppercase + "234567"


def hex_id(rng: RandomSource, nbytes: int = 16) -> str:
    """Lowercase hex id; 16 bytes gives ECS's 32-character task / container-instance ids."""
    return rng.token_bytes(nbytes).hex()


def access_key_id(rng: RandomSource, prefix: str = "AKIA") -> str:
    """A 20-character access key id shaped like AWS's (``AKIA`` + 16 base32 characters)."""
    raw = rng.token_bytes(16)
    return prefix + "".join(_ACCESS_KEY_ALPHABET[b % 32] for b in raw)


def secret_access_key(rng: RandomSource) -> str:
    """A 40-character secret key in AWS's alphabet."""
    alphabet = string.ascii_letters + string.digits + "+/"
    raw = rng.token_bytes(40)
    return "".join(alphabet[b % len(alphabet)] for b in raw)
