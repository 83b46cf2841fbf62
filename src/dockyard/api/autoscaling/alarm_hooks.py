"""Where target-tracking policies create and delete their CloudWatch alarms.

The API cannot import the CloudWatch implementation (a sibling), so the composition root
plugs one in::

    from dockyard.api.autoscaling import alarm_hooks
    alarm_hooks.configure(manager, profile="fast")   # before serving requests

Until then a no-op manager is used (policies are stored; no alarms exist) and the profile is
``aws`` (see ``domain/autoscaling_alarms.PROFILES``). Calls happen after the policy's
transaction committed; a failure is logged and does not undo the policy.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from dockyard.domain.autoscaling_alarms import PROFILES, AlarmSpec

log = logging.getLogger("dockyard.autoscaling")


class AlarmManager(Protocol):
    """Creates or replaces (same name) and deletes metric alarms in one region."""

    def put_alarm(self, region: str, spec: AlarmSpec) -> None: ...

    def delete_alarms(self, region: str, names: Sequence[str]) -> None: ...


class NoAlarmManager:
    """The default: remembers nothing, creates nothing."""

    def put_alarm(self, region: str, spec: AlarmSpec) -> None:
        return None

    def delete_alarms(self, region: str, names: Sequence[str]) -> None:
        return None


class _Slot:
    manager: AlarmManager = NoAlarmManager()
    profile: str = "aws"


def configure(manager: AlarmManager, *, profile: str = "aws") -> None:
    """Install the process's alarm manager and alarm cadence profile (``aws`` or ``fast``)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown alarm profile {profile!r}; choose from {sorted(PROFILES)}")
    _Slot.manager = manager
    _Slot.profile = profile


def profile() -> str:
    return _Slot.profile


def put_alarms(region: str, specs: Sequence[AlarmSpec]) -> None:
    for spec in specs:
        try:
            _Slot.manager.put_alarm(region, spec)
        except Exception:  # the policy stands; the operator sees why its alarm is missing
            log.exception("creating alarm %s failed", spec.name)


def delete_alarms(region: str, names: Sequence[str]) -> None:
    if not names:
        return
    try:
        _Slot.manager.delete_alarms(region, names)
    except Exception:
        log.exception("deleting alarms %s failed", ", ".join(names))
