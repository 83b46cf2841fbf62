"""Load-balancer DNS names that resolve on this host: a marked block of /etc/hosts lines.

Each control plane owns the lines that end with its own marker (derived from its data dir), so
several Dockyards on one machine do not undo each other. Best effort: an unwritable hosts
file only means the names do not resolve (the listeners still answer on their address).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("dockyard.lb")

HOSTS_FILE = Path("/etc/hosts")


def marker_for(data_dir: Path) -> str:
    return (
        "dockyard-elb-"
        + hashlib.sha1(str(data_dir).encode(), usedforsecurity=False).hexdigest()[:8]
    )


def with_names(text: str, marker: str, names: Iterable[str], address: str) -> str:
    """``text`` (a hosts file) with exactly our lines for ``names``. Pure."""
    kept = [line for line in text.splitlines() if not line.rstrip().endswith(f"# {marker}")]
    ours = [f"{address} {name}  # {marker}" for name in sorted(set(names))]
    return "\n".join(kept + ours) + "\n"


def update(path: Path, marker: str, names: Iterable[str], address: str) -> bool:
    """Rewrite ``path`` in place if our block changed; True when it did."""
    try:
        current = path.read_text()
        wanted = with_names(current, marker, names, address)
        if wanted == current:
            return False
        path.write_text(wanted)  # in place: /etc/hosts is often a bind mount
        return True
    except OSError as exc:
        log.warning("cannot update %s for load-balancer names: %s", path, exc)
        return False
