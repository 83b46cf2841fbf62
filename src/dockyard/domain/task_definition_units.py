"""Task-level ``cpu`` and ``memory`` strings, normalised the way RegisterTaskDefinition does.

ECS accepts ``cpu`` as CPU units (``"1024"``) or vCPUs (``"1 vCPU"``, ``"0.25 vcpu"``), and
``memory`` as MiB (``"2048"``) or GB (``"2GB"``, ``"2 GB"``), and stores integers (units / MiB).
1 vCPU = 1024 units and 1 GB = 1024 MiB, as in the ECS task-size table.

An unparsable value answers ``InvalidParameterException: Invalid 'cpu' setting for task.``, the
code and text real ECS gives for ``cpu: ""``.

Pure. Invariant: a returned value is a positive integer.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from dockyard.domain.errors import InvalidParameterException

__all__ = ["parse_task_cpu", "parse_task_memory"]

UNITS_PER_VCPU = 1024
MIB_PER_GB = 1024
_MAX_INT32 = 2**31 - 1
"""ECS stores these in 32-bit integers; anything larger is not a setting it would accept."""

_CPU_SUFFIXES: dict[str, int] = {"": 1, "vcpu": UNITS_PER_VCPU, "vcpus": UNITS_PER_VCPU}
_MEMORY_SUFFIXES: dict[str, int] = {"": 1, "mb": 1, "mib": 1, "gb": MIB_PER_GB, "gib": MIB_PER_GB}
_QUANTITY = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[A-Za-z]*)\s*$")


def parse_task_cpu(value: object) -> int:
    """``"1024"`` / ``"1 vCPU"`` / ``"0.25 vcpu"`` → CPU units."""
    return _parse(value, _CPU_SUFFIXES, "cpu")


def parse_task_memory(value: object) -> int:
    """``"2048"`` / ``"2GB"`` / ``"2 GB"`` → MiB."""
    return _parse(value, _MEMORY_SUFFIXES, "memory")


def _parse(value: object, suffixes: dict[str, int], member: str) -> int:
    error = InvalidParameterException(f"Invalid '{member}' setting for task.")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise error
    match = _QUANTITY.match(value)
    if match is None or match["unit"].lower() not in suffixes:
        raise error
    try:
        amount = Decimal(match["number"]) * suffixes[match["unit"].lower()]
    except InvalidOperation:
        raise error from None
    if amount != amount.to_integral_value() or not 0 < amount <= _MAX_INT32:
        raise error
    return int(amount)
