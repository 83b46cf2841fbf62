"""What every handler receives: who calls, where, when, and the shell's dependencies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from dockyard.domain.identity import Principal, root_arn
from dockyard.domain.utilization import UtilizationPoint
from dockyard.infra.clock import Clock
from dockyard.infra.crypto import SecretBox
from dockyard.infra.ids import RandomSource
from dockyard.infra.settings import Settings
from dockyard.store import Store


class InstanceNotifier(Protocol):
    """Wakes whoever waits on these container instances (the agent channel's polls)."""

    def notify(self, instance_ids: Iterable[str]) -> None: ...


class _NoNotifier:
    def notify(self, instance_ids: Iterable[str]) -> None:
        return None


ServiceKey = tuple[str, str, str]
"""(region, cluster, service name)."""


class ServiceWaker(Protocol):
    """Asks the service scheduler to look at services now (their tasks or inputs changed)."""

    def wake(self, keys: Iterable[ServiceKey]) -> None: ...

    def wake_cluster(self, region: str, cluster: str) -> None: ...


class ServiceWakerSlot:
    """Where the service controller plugs in once it exists (it is built after the
    dependencies it uses); wakes before that, or without a controller, go nowhere."""

    def __init__(self) -> None:
        self.target: ServiceWaker | None = None

    def wake(self, keys: Iterable[ServiceKey]) -> None:
        if self.target is not None:
            self.target.wake(list(keys))

    def wake_cluster(self, region: str, cluster: str) -> None:
        if self.target is not None:
            self.target.wake_cluster(region, cluster)


TargetHealthObservation = tuple[str, str | None, str | None]
"""(state, reason, description) of one target as the data plane's health checks see it."""


class DataPlane(Protocol):
    """The load-balancer data plane as the API sees it."""

    def changed(self) -> None:
        """Load balancers, listeners, rules or target groups changed: re-render soon."""

    def health(self, target_group_arn: str) -> dict[tuple[str, int], TargetHealthObservation]:
        """Observed health per (target id, port) of a group's registered targets."""

    def metrics(self) -> str:
        """The data plane's counters in Prometheus' text format."""


class DataPlaneSlot:
    """Where the load-balancer controller plugs in; without one, nothing is observed."""

    def __init__(self) -> None:
        self.target: DataPlane | None = None

    def changed(self) -> None:
        if self.target is not None:
            self.target.changed()

    def health(self, target_group_arn: str) -> dict[tuple[str, int], TargetHealthObservation]:
        return {} if self.target is None else self.target.health(target_group_arn)

    def metrics(self) -> str:
        return "" if self.target is None else self.target.metrics()


class MetricSink(Protocol):
    """Where measured metrics go (the CloudWatch metric store)."""

    def put(self, region: str, points: Sequence[UtilizationPoint]) -> None: ...


class MetricSinkSlot:
    """Where the metric store plugs in; without one, measurements are dropped."""

    def __init__(self) -> None:
        self.target: MetricSink | None = None

    def put(self, region: str, points: Sequence[UtilizationPoint]) -> None:
        if self.target is not None and points:
            self.target.put(region, points)


class IdentityChanges:
    """Who must hear that identities or policies changed: the authenticator's key cache and the
    authorizer's compiled policies subscribe; IAM and STS write handlers call :meth:`changed`
    after their transaction commits. Listeners must be cheap and must not raise."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()


@dataclass(frozen=True, slots=True)
class Dependencies:
    """Long-lived collaborators shared by all requests of one server process."""

    settings: Settings
    store: Store
    clock: Clock
    rng: RandomSource
    notifier: InstanceNotifier = field(default_factory=lambda: _NoNotifier())
    services: ServiceWakerSlot = field(default_factory=ServiceWakerSlot)
    dataplane: DataPlaneSlot = field(default_factory=DataPlaneSlot)
    metrics: MetricSinkSlot = field(default_factory=MetricSinkSlot)
    identity: IdentityChanges = field(default_factory=IdentityChanges)
    box: SecretBox | None = None
    """The master-key box (encrypts secrets at rest); set by the server, absent in pure tests."""

    @property
    def secret_box(self) -> SecretBox:
        if self.box is None:
            raise RuntimeError("this process was built without the data dir's master key")
        return self.box


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request: the authenticated principal, the signing region, the clock reading.

    Invariant: ``region`` is the region of the SigV4 signing scope; ARNs minted for this request
    use it with ``account_id``. A policy check (IAM issue) needs exactly ``principal``,
    ``action`` and the resource ARN, all derivable from here.
    """

    request_id: str
    principal: Principal
    region: str
    service: str
    operation: str
    now: datetime
    deps: Dependencies

    @property
    def account_id(self) -> str:
        return self.deps.settings.account_id

    @property
    def store(self) -> Store:
        return self.deps.store

    @property
    def action(self) -> str:
        """IAM action name, e.g. ``ecs:CreateCluster``."""
        return f"{self.service}:{self.operation}"

    @property
    def root_arn(self) -> str:
        return root_arn(self.account_id)


Params = Mapping[str, Any]
"""Request parameters after protocol parsing and model validation (boto3-kwargs shaped)."""

Result = dict[str, Any]
"""A response shaped like the operation's botocore output shape."""

Handler = Callable[[RequestContext, Params], Result]
