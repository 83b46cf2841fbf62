"""``DataPlaneController``: make the running HAProxy serve a desired data plane.

Plan, then apply (style guide §7): :meth:`DataPlaneController.apply` renders the desired
:class:`~dockyard.lb.model.DataPlane` (refusing an invalid one before touching anything),
plans with :func:`~dockyard.lb.diff.plan_change` against what it last applied, then:

* **unchanged** → nothing;
* **runtime-only** → writes the new config without reloading (so a restart serves it) and
  runs the Runtime API operations; if any fails, the running state is unknown, so it falls
  back to a reload with a full state push;
* **reload** → writes, starts or reloads HAProxy, then runs the post-reload state pushes.

:meth:`DataPlaneController.ensure_running` restarts a dead HAProxy from the last applied
config and pushes every server's state again.

Invariant: ``current`` is the last data plane HAProxy fully serves, or None when that is
unknown (nothing applied yet, or an apply failed part way); None makes the next apply a
reload with a full state push. One caller at a time (one serial worker owns the controller).
"""

from __future__ import annotations

import logging

from dockyard.lb.diff import (
    AddServer,
    DataPlaneChange,
    RuntimeOp,
    SetServerState,
    SetServerWeight,
    plan_change,
)
from dockyard.lb.errors import RuntimeApiError
from dockyard.lb.model import DataPlane
from dockyard.lb.process import ProcessSupervisor
from dockyard.lb.render import render
from dockyard.lb.runtime import HaproxyRuntime

__all__ = ["DataPlaneController", "apply_op"]

log = logging.getLogger(__name__)


def apply_op(runtime: HaproxyRuntime, op: RuntimeOp) -> None:
    """Run one planned operation through the Runtime API."""
    if isinstance(op, AddServer):
        runtime.add_server(op.backend, op.server)
    elif isinstance(op, SetServerState):
        runtime.set_server_state(op.backend, op.server, op.state)
    elif isinstance(op, SetServerWeight):
        runtime.set_server_weight(op.backend, op.server, op.weight)
    else:
        runtime.delete_server(op.backend, op.server)


class DataPlaneController:
    def __init__(self, process: ProcessSupervisor, runtime: HaproxyRuntime) -> None:
        self._process = process
        self._runtime = runtime
        self._current: DataPlane | None = None

    @property
    def current(self) -> DataPlane | None:
        return self._current

    def apply(self, desired: DataPlane) -> DataPlaneChange:
        """Serve ``desired``; returns the change that was made."""
        config = render(desired)
        previous = self._current if self._process.is_running() else None
        change = plan_change(previous, desired)
        if change.unchanged:
            return change
        self._current = None
        if change.reload_needed:
            self._reload(config, desired, change)
        else:
            self._process.write_config(config)
            try:
                self._run(change.runtime_ops)
            except RuntimeApiError as error:
                log.warning("runtime change failed (%s); reloading instead", error)
                change = plan_change(None, desired)
                self._reload(config, desired, change)
        self._current = desired
        return change

    def ensure_running(self) -> bool:
        """Restart HAProxy if it died; True when it did. Nothing to do before the first apply."""
        current = self._current
        if current is None and not self._process.is_running():
            return False
        if not self._process.ensure_running():
            return False
        log.warning("haproxy was not running; restarted it")
        if current is not None:
            self._run(plan_change(None, current).runtime_ops)
        return True

    def _reload(self, config: str, desired: DataPlane, change: DataPlaneChange) -> None:
        log.info("haproxy reload: %s", "; ".join(change.reload_reasons))
        if self._process.start_or_reload(config):
            change = plan_change(None, desired)  # a fresh start: every state from scratch
        self._run(change.runtime_ops)

    def _run(self, ops: tuple[RuntimeOp, ...]) -> None:
        for op in ops:
            apply_op(self._runtime, op)
