"""The error tree of the load-balancer data plane.

::

    LbError                        anything the data plane refuses or fails to do
    ├── InvalidDataPlane           render(): the input has problems (all listed in .problems)
    ├── HaproxyNotFound            no haproxy binary on PATH or in /usr/sbin
    ├── ConfigInvalid              `haproxy -c` refused a rendered config (.output says why)
    ├── ProcessFailed              HAProxy did not start, or a reload did not take
    └── RuntimeApiError            the Runtime API (stats / master socket)
        ├── RuntimeUnavailable     cannot connect, or no answer within the named timeout
        └── CommandFailed          HAProxy answered with an error (.command, .reply)
            └── ServerNotFound     "No such server." / "No such backend."

None of these is an ELBv2 API error: the control plane decides what a client sees.
"""

from __future__ import annotations

__all__ = [
    "CommandFailed",
    "ConfigInvalid",
    "HaproxyNotFound",
    "InvalidDataPlane",
    "LbError",
    "ProcessFailed",
    "RuntimeApiError",
    "RuntimeUnavailable",
    "ServerNotFound",
]


class LbError(Exception):
    """Base of every error raised by :mod:`dockyard.lb`."""


class InvalidDataPlane(LbError):
    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__("invalid data plane: " + "; ".join(problems))
        self.problems = problems


class HaproxyNotFound(LbError):
    pass


class ConfigInvalid(LbError):
    def __init__(self, output: str) -> None:
        super().__init__(f"haproxy refused the configuration: {output.strip()}")
        self.output = output


class ProcessFailed(LbError):
    pass


class RuntimeApiError(LbError):
    pass


class RuntimeUnavailable(RuntimeApiError):
    pass


class CommandFailed(RuntimeApiError):
    def __init__(self, command: str, reply: str) -> None:
        super().__init__(f"haproxy refused {command!r}: {reply.strip()}")
        self.command = command
        self.reply = reply


class ServerNotFound(CommandFailed):
    pass
