"""Opaque, stable pagination tokens.

A token encodes the sort key of the last item returned, so a page boundary stays correct when
items are added or removed between calls (unlike an offset). The encoding is url-safe base64 of
a small JSON array; it is not a secret, only opaque.
"""

from __future__ import annotations

import base64
import binascii
import json

from dockyard.domain.errors import InvalidParameterException

TOKEN_VERSION = 1


def encode_token(scope: str, last_key: list[str | int]) -> str:
    """A token that resumes ``scope`` (e.g. an operation name) after ``last_key``."""
    raw = json.dumps([TOKEN_VERSION, scope, last_key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(scope: str, token: str, key_types: tuple[type, ...] = (str,)) -> list[str | int]:
    """The sort key a token resumes after; InvalidParameterException when it is not ours.

    Invariant: the returned key has exactly ``len(key_types)`` items of those types, so
    callers may index and convert it without further checks.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        version, token_scope, last_key = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise InvalidParameterException("Invalid token.") from exc
    if version != TOKEN_VERSION or token_scope != scope or not isinstance(last_key, list):
        raise InvalidParameterException("Invalid token.")
    if len(last_key) != len(key_types) or not all(
        type(item) is kind for item, kind in zip(last_key, key_types, strict=True)
    ):
        raise InvalidParameterException("Invalid token.")
    return last_key


def page_size(max_results: int | None, default: int, maximum: int = 100) -> int:
    """``maxResults`` with ECS's default and bounds (1..100)."""
    if max_results is None:
        return default
    if not 1 <= max_results <= maximum:
        raise InvalidParameterException(f"maxResults must be between 1 and {maximum}.")
    return max_results
