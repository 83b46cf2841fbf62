"""The agent's local state in its data dir, so a restarted agent re-adopts its tasks.

::

    DATA_DIR/agent.json            {cluster: {instance id → containerInstanceArn}}
    DATA_DIR/tasks/<task id>.json  one TaskRecord each (see record.py)

Writes are atomic (write a temp file, fsync-free rename): a crash leaves the old or the new
file, never half of one.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from dockyard.agent.record import TaskRecord

log = logging.getLogger("dockyard.agent")

__all__ = ["LocalState"]


class LocalState:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.tasks_dir = data_dir / "tasks"
        self.tasks_dir.mkdir(parents=True, exist_ok=True)

    def instances(self, cluster: str) -> list[str]:
        """containerInstanceArns this agent registered in ``cluster`` before."""
        doc = self._read(self.data_dir / "agent.json") or {}
        return list((doc.get("clusters") or {}).get(cluster) or [])

    def save_instances(self, cluster: str, arns: list[str]) -> None:
        path = self.data_dir / "agent.json"
        doc = self._read(path) or {}
        doc.setdefault("clusters", {})[cluster] = arns
        _write(path, doc)

    def save_task(self, record: TaskRecord) -> None:
        _write(self.tasks_dir / f"{record.task_id}.json", record.to_json())

    def forget_task(self, task_id: str) -> None:
        (self.tasks_dir / f"{task_id}.json").unlink(missing_ok=True)

    def load_tasks(self) -> list[TaskRecord]:
        records = []
        for path in sorted(self.tasks_dir.glob("*.json")):
            doc = self._read(path)
            if doc is None:
                continue
            try:
                records.append(TaskRecord.from_json(doc))
            except (KeyError, ValueError, TypeError) as exc:
                log.warning("ignoring unreadable task state %s: %s", path, exc)
        return records

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except ValueError as exc:
            log.warning("ignoring corrupt state file %s: %s", path, exc)
            return None
        return doc if isinstance(doc, dict) else None


def _write(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(doc))
    tmp.replace(path)
