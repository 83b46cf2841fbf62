"""A process-wide cache of decoded aggregates keyed by (key, version).

Rows carry a version column bumped by every change (``schema.py``), so a cached value is valid
exactly while its row still has the cached version — whichever process changed it. Readers
fetch only (key, version) pairs and decode the rows that changed. Thread-safe; bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

MAX_ENTRIES = 50_000
"""Enough for every live task of a large single-node cluster; a full cache is cleared."""


class VersionedCache(Generic[V]):
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: dict[Hashable, tuple[int, V]] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: Hashable, version: int) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == version else None

    def put(self, key: Hashable, version: int, value: V) -> None:
        with self._lock:
            if len(self._entries) >= self._max and key not in self._entries:
                self._entries.clear()
            self._entries[key] = (version, value)
