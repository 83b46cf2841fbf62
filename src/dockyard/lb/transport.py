"""One HAProxy CLI command over a unix socket: connect, send, half-close, read to EOF.

HAProxy's stats socket answers one command per connection in non-interactive mode; the master
socket (``-S``) waits for the client's end of input before it closes, hence the half-close.

Contract: :meth:`SocketTransport.send` returns HAProxy's whole reply text, or raises
:class:`~dockyard.lb.errors.RuntimeUnavailable` when the socket is missing, refuses, or does
not finish answering within ``timeout`` seconds (a bound on each wait for bytes).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Protocol

from dockyard.lb.errors import RuntimeUnavailable

__all__ = ["COMMAND_TIMEOUT", "CommandTransport", "SocketTransport"]

COMMAND_TIMEOUT = 5.0
"""Runtime API commands answer from memory in milliseconds; ``show stat`` on a thousand
servers takes tens. Five seconds means HAProxy is wedged, not busy."""

READ_CHUNK = 65536


class CommandTransport(Protocol):
    """Sends one CLI line and returns the reply (the seam tests replace)."""

    def send(self, command: str) -> str: ...


class SocketTransport:
    """A :class:`CommandTransport` over the unix socket at ``path``."""

    def __init__(self, path: Path | str, *, timeout: float = COMMAND_TIMEOUT) -> None:
        self.path = str(path)
        self.timeout = timeout

    def send(self, command: str) -> str:
        if "\n" in command:
            raise ValueError("a CLI command is one line")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(self.timeout)
                conn.connect(self.path)
                conn.sendall(command.encode() + b"\n")
                conn.shutdown(socket.SHUT_WR)
                return _read_all(conn).decode(errors="replace")
        except OSError as error:  # includes TimeoutError and ConnectionRefusedError
            raise RuntimeUnavailable(f"{self.path}: {command.split(' ')[0]}: {error}") from error


def _read_all(conn: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while chunk := conn.recv(READ_CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)
