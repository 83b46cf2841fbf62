"""Process-wide settings with documented defaults.

The account id and default region are settings, never constants sprinkled in code: every ARN
Dockyard mints is built from the request's region (its SigV4 signing scope) and this account id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 8780
"""Fixed default port of the control plane (documented in the README)."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_ACCOUNT_ID = "123456789012"
"""The account id AWS uses in its own documentation examples."""

DEFAULT_REGION = "us-east-1"

MAX_CLOCK_SKEW_SECONDS = 15 * 60
"""AWS rejects a SigV4 request whose X-Amz-Date is more than 15 minutes off the server clock."""


def default_data_dir() -> Path:
    """``$DOCKYARD_DATA_DIR``, else ``$XDG_DATA_HOME/dockyard``, else
    ``~/.local/share/dockyard``."""
    explicit = os.environ.get("DOCKYARD_DATA_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "dockyard"


@dataclass(frozen=True, slots=True)
class Settings:
    """What one control-plane process was started with.

    Invariant: ``db_url`` is a SQLAlchemy URL; when not given it is SQLite inside ``data_dir``.
    """

    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = DEFAULT_REGION
    db_url: str | None = None
    scaling_profile: str = "aws"
    """Target-tracking alarm cadence: ``aws`` or ``fast`` (``dockyard up``'s default)."""
    lb_bind_address: str = "127.0.0.1"
    """Where load-balancer listeners bind (``--lb-address``)."""
    task_healthy_after_seconds: float = 40.0
    """ECS counts a service task without health checks healthy 40 s after RUNNING; tests and
    demos may shorten it (``--task-healthy-after``)."""

    @property
    def database_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.data_dir / 'dockyard.db'}"

    @property
    def endpoint_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"
