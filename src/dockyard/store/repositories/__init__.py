"""One repository per aggregate; each maps rows to domain values and back."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError


def require_version(stored: int, expected: int, what: str) -> None:
    """Optimistic concurrency across transactions: the row must still carry the version the
    caller read, or StaleDataError (which ``Store.write`` retries on fresh data)."""
    if stored != expected:
        raise StaleDataError(f"{what} changed since it was read")
