"""Assembles a control-plane process: store, credentials, protocol catalog, dispatcher, app."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from starlette.applications import Starlette

from dockyard.api import (
    autoscaling,
    cloudtrail,
    cloudwatch,
    ecs,
    elbv2,
    iam,
    logs,
    protocol,
    secretsmanager,
    ssm,
    sts,
)
from dockyard.api.agent_channel import AgentNotifier
from dockyard.api.app import create_app
from dockyard.api.audit import AuditTrail
from dockyard.api.auth.authenticator import Authenticator
from dockyard.api.auth.authorizer import Authorizer
from dockyard.api.auth.bootstrap import ensure_admin_credentials
from dockyard.api.auth.policy_source import (
    StorePolicySource,
    secret_arn_lookup,
    trust_names_lookup,
)
from dockyard.api.auth.resources import ResourceLookups
from dockyard.api.context import Dependencies, Handler
from dockyard.api.dispatch import Dispatcher
from dockyard.api.housekeeping import Background
from dockyard.api.protocol import schema
from dockyard.infra.clock import Clock, SystemClock
from dockyard.infra.crypto import load_or_create_master_key
from dockyard.infra.ids import RandomSource, SecureRandom
from dockyard.infra.settings import Settings
from dockyard.store import Store

log = logging.getLogger("dockyard.server")

HANDLERS: dict[str, dict[str, Handler]] = {
    "ecs": ecs.OPERATIONS,
    "logs": logs.OPERATIONS,
    "elbv2": elbv2.OPERATIONS,
    "cloudwatch": cloudwatch.OPERATIONS,
    "application-autoscaling": autoscaling.OPERATIONS,
    "iam": iam.OPERATIONS,
    "sts": sts.OPERATIONS,
    "cloudtrail": cloudtrail.OPERATIONS,
    "ssm": ssm.OPERATIONS,
    "secretsmanager": secretsmanager.OPERATIONS,
}
"""Every service Dockyard implements operations for (others answer UnknownOperation)."""


BackgroundFactory = Callable[[Dependencies], Sequence[Background]]
"""Builds the parts that run beside the API (the service controller) from its dependencies;
the command line composes them, since ``api`` may not import ``control``."""


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    rng: RandomSource | None = None,
    background: BackgroundFactory | None = None,
) -> Starlette:
    """Migrate the store, ensure the admin credentials exist, and return the ASGI app."""
    dispatcher = build_dispatcher(settings, clock=clock, rng=rng)
    parts = list(background(dispatcher.deps)) if background else []
    if dispatcher.audit is not None:
        parts.append(dispatcher.audit)  # stopped last: flushes the calls made while stopping
    return create_app(dispatcher, parts)


def build_dispatcher(
    settings: Settings, *, clock: Clock | None = None, rng: RandomSource | None = None
) -> Dispatcher:
    """The request pipeline over a migrated store with bootstrap credentials in place."""
    clock = clock or SystemClock()
    rng = rng or SecureRandom()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.database_url)
    box = load_or_create_master_key(settings.data_dir)
    key_id, _ = ensure_admin_credentials(
        store,
        box,
        data_dir=settings.data_dir,
        account_id=settings.account_id,
        clock=clock,
        rng=rng,
    )
    log.info("admin access key %s (credentials in %s)", key_id, settings.data_dir)
    deps = Dependencies(
        settings=settings,
        store=store,
        clock=clock,
        rng=rng,
        notifier=AgentNotifier(),
        box=box,
    )
    catalog = protocol.Catalog()
    warm_up(catalog, HANDLERS)
    authenticator = Authenticator(store, box, clock, settings.account_id)
    authorizer = Authorizer(StorePolicySource(store), clock)
    deps.identity.subscribe(authenticator.forget_all)
    deps.identity.subscribe(authorizer.invalidate)
    return Dispatcher(
        catalog=catalog,
        handlers=HANDLERS,
        authenticator=authenticator,
        deps=deps,
        authorizer=authorizer,
        lookups=ResourceLookups(
            secret_arn=secret_arn_lookup(store, box), trust_names=trust_names_lookup(store)
        ),
        audit=AuditTrail(store, clock),
    )


def warm_up(catalog: protocol.Catalog, handlers: dict[str, dict[str, Handler]]) -> None:
    """Compile the shapes of every implemented operation now, so the first request of each
    does not pay for it (about 40 ms for all of ECS)."""
    for service, operations in handlers.items():
        spec = catalog.get(service)
        for name in operations:
            operation = spec.model.operation_model(name)
            schema.input_node(spec.model, operation)
            schema.output_node(spec.model, operation)
