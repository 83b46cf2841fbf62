"""The envelope cipher: round trips, context binding, key separation, tamper evidence."""

from __future__ import annotations

import random

import pytest
from cryptography.fernet import Fernet

from dockyard.infra.crypto import SecretBox
from dockyard.infra.envelope import EnvelopeCipher, derive_kek

MASTER = Fernet.generate_key()


class SeededRandom:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


def cipher(master: bytes = MASTER) -> EnvelopeCipher:
    return EnvelopeCipher.from_master_key(master)


def test_round_trip_with_the_same_context() -> None:
    blob = cipher().seal(b"hunter2", context=b"arn:x\x001")
    assert cipher().open(blob, context=b"arn:x\x001") == b"hunter2"


def test_blob_never_contains_the_plaintext_and_each_seal_differs() -> None:
    c = cipher()
    first = c.seal(b"correct horse battery staple", context=b"ctx")
    second = c.seal(b"correct horse battery staple", context=b"ctx")
    assert b"correct horse" not in first
    assert first != second
    # Different data keys too: the wrapped keys (bytes 13..61) differ.
    assert first[13:61] != second[13:61]


@pytest.mark.parametrize(
    "other_context",
    [b"arn:x\x002", b"arn:y\x001", b""],
    ids=["other-version", "other-resource", "no-context"],
)
def test_a_blob_does_not_open_under_another_context(other_context: bytes) -> None:
    blob = cipher().seal(b"s3cr3t", context=b"arn:x\x001")
    with pytest.raises(ValueError, match="cannot be opened"):
        cipher().open(blob, context=other_context)


def test_swapping_ciphertexts_between_rows_fails() -> None:
    c = cipher()
    a = c.seal(b"value-a", context=b"row-a")
    b = c.seal(b"value-b", context=b"row-b")
    with pytest.raises(ValueError):
        c.open(a, context=b"row-b")
    with pytest.raises(ValueError):
        c.open(b, context=b"row-a")


def test_another_master_key_cannot_open() -> None:
    blob = cipher().seal(b"s3cr3t", context=b"c")
    with pytest.raises(ValueError):
        cipher(Fernet.generate_key()).open(blob, context=b"c")


@pytest.mark.parametrize(
    "index", [0, 5, 30, 70, -1], ids=["version", "key-nonce", "wrapped", "nonce", "tag"]
)
def test_any_altered_byte_is_detected(index: int) -> None:
    blob = bytearray(cipher().seal(b"s3cr3t", context=b"c"))
    blob[index] ^= 0x01
    with pytest.raises(ValueError):
        cipher().open(bytes(blob), context=b"c")


def test_truncated_blob_is_rejected() -> None:
    with pytest.raises(ValueError, match="known format"):
        cipher().open(b"\x01short", context=b"c")


def test_error_messages_never_quote_the_plaintext() -> None:
    blob = cipher().seal(b"PLAINTEXT-MARKER", context=b"c")
    with pytest.raises(ValueError) as info:
        cipher().open(blob, context=b"d")
    assert "PLAINTEXT-MARKER" not in str(info.value)


def test_kek_is_derived_deterministically_and_differs_from_the_master_key() -> None:
    assert derive_kek(MASTER) == derive_kek(MASTER)
    assert derive_kek(MASTER) != derive_kek(Fernet.generate_key())
    assert len(derive_kek(MASTER)) == 32
    assert derive_kek(MASTER) not in MASTER


def test_injected_randomness_is_used() -> None:
    a = EnvelopeCipher.from_master_key(MASTER, SeededRandom(1)).seal(b"x", context=b"c")
    b = EnvelopeCipher.from_master_key(MASTER, SeededRandom(1)).seal(b"x", context=b"c")
    assert a == b


def test_secret_box_keeps_working_and_offers_the_envelope() -> None:
    box = SecretBox(MASTER)
    assert box.decrypt(box.encrypt("access-secret")) == "access-secret"
    blob = box.envelope().seal(b"v", context=b"c")
    assert SecretBox(MASTER).envelope().open(blob, context=b"c") == b"v"
    assert cipher().open(blob, context=b"c") == b"v"


def test_kek_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        EnvelopeCipher(b"short")
