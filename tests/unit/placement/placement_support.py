"""Shared helpers for placement tests: a seeded rng, an instance builder, and a stand-in for the
cluster query language used only while ``dockyard.placement.query`` has not landed."""

from __future__ import annotations

import importlib
import random
import re
import sys
import types
from collections.abc import Mapping
from typing import Any

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement import InstanceSnapshot

AZ = "ecs.availability-zone"


class SeededRandom:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


def instance(name: str, *, az: str | None = None, groups: Mapping[str, int] | None = None, **kw: Any) -> InstanceSnapshot:
    base: dict[str, Any] = {"instance_id": name, "active": True, "connected": True, "cpu": 1024, "memory": 1000}
    attributes = dict(kw.pop("attributes", {}))
    if az is not None:
        attributes[AZ] = az
    base.update(kw)
    counts = dict(groups or {})
    base.setdefault("running_tasks_count", sum(counts.values()))
    return InstanceSnapshot(attributes=attributes, group_counts=counts, **base)


# --- stand-in query language (only installed if the real one is missing) -------------------

class _StubQueryError(InvalidParameterException):
    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.position = position


_PREDICATE = re.compile(r"^\s*(\S+)\s*(==|!=|in)\s*(.+?)\s*$")


class _StubQuery:
    """``[not(] subject (==|!=|in) value [)]`` joined by `` and ``: enough for these tests."""

    def __init__(self, text: str) -> None:
        self.parts = []
        for part in text.split(" and "):
            part = part.strip()
            negate = part.startswith("not(") and part.endswith(")")
            body = part[4:-1] if negate else part
            match = _PREDICATE.match(body)
            if match is None:
                raise _StubQueryError(f"cannot parse {text!r}")
            self.parts.append((negate, *match.groups()))

    def matches(self, target: Any) -> bool:
        return all(self._one(target, *part) for part in self.parts)

    @staticmethod
    def _one(target: Any, negate: bool, subject: str, op: str, value: str) -> bool:
        values = [v.strip(" '") for v in value.strip("[]").split(",")] if op == "in" else [value]
        if subject == "task:group":
            hit = any(v in target.task_groups for v in values)
        else:
            if subject.startswith("attribute:"):
                actual = target.attributes.get(subject[len("attribute:"):])
            elif subject == "runningTasksCount":
                actual = str(target.running_tasks_count)
            else:
                actual = target.ec2_instance_id
            hit = actual in values
        result = (not hit) if op == "!=" else hit
        return result != negate


def ensure_query_language() -> None:
    """Install the stand-in as ``dockyard.placement.query`` unless the real one imports."""
    try:
        importlib.import_module("dockyard.placement.query")
    except ImportError:
        module = types.ModuleType("dockyard.placement.query")
        module.Query = _StubQuery  # type: ignore[attr-defined]
        module.QueryError = _StubQueryError  # type: ignore[attr-defined]
        module.compile_cached = _StubQuery  # type: ignore[attr-defined]
        sys.modules["dockyard.placement.query"] = module


ensure_query_language()
