"""Load-balancer data plane: ELBv2 listeners and target groups served by HAProxy 2.6.

Layout (see ``README.md`` for the diagram and glossary)::

    model.py       pure: DataPlane, Frontend, Rule, Condition, actions, Backend, Server
    validate.py    pure: every problem of a DataPlane
    patterns.py    pure: ELBv2 wildcards → regexes, health-check matchers
    quoting.py     pure: strings as HAProxy configuration words
    rules.py       pure: one listener → one ``frontend`` section
    render.py      pure: DataPlane → haproxy.cfg (byte-identical for equal input)
    diff.py        pure: previous → desired DataPlane = reload, or Runtime API operations
    stats.py       pure: ``show stat`` CSV → ServerHealth, ProxyCounters
    proctable.py   pure: master CLI ``show proc`` → ProcTable
    errors.py      the error tree
    transport.py   shell: one CLI command over a unix socket, COMMAND_TIMEOUT
    runtime.py     shell: HaproxyRuntime Protocol, HaproxyRuntimeClient (stats socket)
    process.py     shell: ProcessSupervisor Protocol, HaproxyProcess (start, reload, restart)
    controller.py  shell: DataPlaneController.apply / ensure_running (plan, then apply)
    fakes.py       FakeHaproxyRuntime, FakeProcessSupervisor for unit tests

Imports only :mod:`dockyard.domain`, :mod:`dockyard.infra` and the standard library.
"""

from dockyard.lb.controller import DataPlaneController, apply_op
from dockyard.lb.diff import (
    AddServer,
    DataPlaneChange,
    DeleteServer,
    RuntimeOp,
    SetServerState,
    SetServerWeight,
    plan_change,
)
from dockyard.lb.errors import (
    CommandFailed,
    ConfigInvalid,
    HaproxyNotFound,
    InvalidDataPlane,
    LbError,
    ProcessFailed,
    RuntimeApiError,
    RuntimeUnavailable,
    ServerNotFound,
)
from dockyard.lb.model import (
    Action,
    Algorithm,
    Backend,
    Condition,
    ConditionKind,
    DataPlane,
    FixedResponseAction,
    ForwardAction,
    Frontend,
    HealthCheck,
    HealthProtocol,
    Mode,
    RedirectAction,
    RedirectStatus,
    Rule,
    Server,
    ServerState,
    Timeouts,
    WeightedBackend,
)
from dockyard.lb.process import HaproxyPaths, HaproxyProcess, ProcessSupervisor, find_haproxy
from dockyard.lb.render import render
from dockyard.lb.runtime import HaproxyRuntime, HaproxyRuntimeClient
from dockyard.lb.stats import ProxyCounters, ProxyKind, ServerHealth, ServerStatus
from dockyard.lb.validate import validate

__all__ = [
    "Action",
    "AddServer",
    "Algorithm",
    "Backend",
    "CommandFailed",
    "Condition",
    "ConditionKind",
    "ConfigInvalid",
    "DataPlane",
    "DataPlaneChange",
    "DataPlaneController",
    "DeleteServer",
    "FixedResponseAction",
    "ForwardAction",
    "Frontend",
    "HaproxyNotFound",
    "HaproxyPaths",
    "HaproxyProcess",
    "HaproxyRuntime",
    "HaproxyRuntimeClient",
    "HealthCheck",
    "HealthProtocol",
    "InvalidDataPlane",
    "LbError",
    "Mode",
    "ProcessFailed",
    "ProcessSupervisor",
    "ProxyCounters",
    "ProxyKind",
    "RedirectAction",
    "RedirectStatus",
    "Rule",
    "RuntimeApiError",
    "RuntimeOp",
    "RuntimeUnavailable",
    "Server",
    "ServerHealth",
    "ServerNotFound",
    "ServerState",
    "ServerStatus",
    "SetServerState",
    "SetServerWeight",
    "Timeouts",
    "WeightedBackend",
    "apply_op",
    "find_haproxy",
    "plan_change",
    "render",
    "validate",
]
