"""Who hears that SetAlarmState changed an alarm's state.

AWS fires an alarm's actions on every state change, SetAlarmState's included. The API cannot
reach the alarm evaluation loop (``control/`` sits above ``api/``), so the composition root
plugs it in::

    from dockyard.api.cloudwatch import state_hooks
    state_hooks.configure(alarm_controller)      # before serving requests

Until then nobody listens and the loop notices the change on its next evaluation. Calls happen
after the state's transaction committed; a failing listener is logged and does not undo it.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("dockyard.cloudwatch")

__all__ = ["AlarmStateListener", "configure", "state_set"]


class AlarmStateListener(Protocol):
    """Told that an alarm moved from ``previous`` to ``state`` through the API; must return
    quickly (queue the work) and may be called from any thread."""

    def state_set(self, region: str, name: str, previous: str, state: str) -> None: ...


class _Slot:
    listener: AlarmStateListener | None = None


def configure(listener: AlarmStateListener | None) -> None:
    """Install the process's listener (None removes it)."""
    _Slot.listener = listener


def state_set(region: str, name: str, previous: str, state: str) -> None:
    listener = _Slot.listener
    if listener is None or previous == state:
        return
    try:
        listener.state_set(region, name, previous, state)
    except Exception:  # the state stands; the next evaluation still sees it
        log.exception("notifying the alarm loop of %s's new state failed", name)
