"""ELBv2 resources: rows of ``elb_resources`` ↔ :mod:`dockyard.domain.elb` values, keyed by
ARN (the API edge builds ARNs; this module only stores them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dockyard.domain.elb import (
    Action,
    Condition,
    ForwardTarget,
    HealthCheck,
    Listener,
    LoadBalancer,
    LoadBalancerType,
    Rule,
    Target,
    TargetGroup,
)
from dockyard.store.schema import ElbResourceRow

T = TypeVar("T")
LB, LISTENER, RULE, TG = "lb", "listener", "rule", "tg"


class ElbRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- generic ---------------------------------------------------------------------
    def _get(self, arn: str, kind: str) -> ElbResourceRow | None:
        row = self._session.get(ElbResourceRow, arn)
        return row if row is not None and row.kind == kind else None

    def _rows(
        self, region: str, kind: str, *, parent: str | None = None, names: Iterable[str] = ()
    ) -> list[ElbResourceRow]:
        r = ElbResourceRow
        query = select(r).where(r.region == region, r.kind == kind)
        if parent is not None:
            query = query.where(r.parent_arn == parent)
        wanted = list(names)
        if wanted:
            query = query.where(r.name.in_(wanted))
        return list(self._session.scalars(query.order_by(r.created_at, r.arn)))

    def _put(
        self,
        arn: str,
        *,
        region: str,
        kind: str,
        name: str | None,
        parent: str | None,
        created_at: datetime,
        document: dict[str, Any],
        version: int | None,
    ) -> int:
        """Insert (``version`` None) or update optimistically; returns the new version."""
        row = self._session.get(ElbResourceRow, arn)
        if version is None:
            row = ElbResourceRow(arn=arn, region=region, kind=kind, name=name, parent_arn=parent)
            self._session.add(row)
        elif row is None or row.version != version:
            raise StaleDataError(f"{arn} changed since read")
        row.created_at = created_at
        row.document = document
        self._session.flush()
        return row.version

    def everything(
        self,
    ) -> tuple[dict[str, Listener], dict[str, Rule], dict[str, TargetGroup]]:
        """Every listener, rule and target group of every region, by ARN (the data plane)."""
        rows = self._session.scalars(
            select(ElbResourceRow).where(ElbResourceRow.kind.in_((LISTENER, RULE, TG)))
        )
        listeners, rules, groups = {}, {}, {}
        for row in rows:
            if row.kind == LISTENER:
                listeners[row.arn] = _listener(row)
            elif row.kind == RULE:
                rules[row.arn] = _rule(row)
            else:
                groups[row.arn] = _tg(row)
        return listeners, rules, groups

    def dns_names(self) -> list[str]:
        """The DNS names of every load balancer of every region."""
        rows = self._session.scalars(select(ElbResourceRow).where(ElbResourceRow.kind == LB))
        return [_lb(row).dns_name for row in rows]

    def delete(self, arn: str) -> None:
        row = self._session.get(ElbResourceRow, arn)
        if row is not None:
            self._session.delete(row)
            self._session.flush()

    def children(self, parent_arn: str) -> list[str]:
        r = ElbResourceRow
        return list(self._session.scalars(select(r.arn).where(r.parent_arn == parent_arn)))

    # --- load balancers ------------------------------------------------------------------
    def load_balancer(self, arn: str) -> LoadBalancer | None:
        row = self._get(arn, LB)
        return None if row is None else _lb(row)

    def load_balancers(
        self, region: str, names: Iterable[str] = ()
    ) -> list[tuple[str, LoadBalancer]]:
        return [(row.arn, _lb(row)) for row in self._rows(region, LB, names=names)]

    def put_load_balancer(self, arn: str, lb: LoadBalancer, *, new: bool) -> LoadBalancer:
        doc = {
            "id": lb.lb_id,
            "type": lb.type.value,
            "scheme": lb.scheme,
            "ipAddressType": lb.ip_address_type,
            "securityGroups": list(lb.security_groups),
        }
        version = self._put(
            arn,
            region=lb.region,
            kind=LB,
            name=lb.name,
            parent=None,
            created_at=lb.created_at,
            document=doc,
            version=None if new else lb.version,
        )
        return _replace_version(lb, version)

    # --- listeners -----------------------------------------------------------------------
    def listener(self, arn: str) -> Listener | None:
        row = self._get(arn, LISTENER)
        return None if row is None else _listener(row)

    def listeners(
        self, region: str, load_balancer_arn: str | None = None
    ) -> list[tuple[str, Listener]]:
        return [
            (r.arn, _listener(r)) for r in self._rows(region, LISTENER, parent=load_balancer_arn)
        ]

    def put_listener(
        self, arn: str, region: str, listener: Listener, *, created_at: datetime, new: bool
    ) -> Listener:
        doc = {
            "id": listener.listener_id,
            "port": listener.port,
            "protocol": listener.protocol,
            "defaultActions": [_action_doc(a) for a in listener.default_actions],
        }
        version = self._put(
            arn,
            region=region,
            kind=LISTENER,
            name=None,
            parent=listener.load_balancer_arn,
            created_at=created_at,
            document=doc,
            version=None if new else listener.version,
        )
        return _replace_version(listener, version)

    # --- rules ---------------------------------------------------------------------------
    def rule(self, arn: str) -> Rule | None:
        row = self._get(arn, RULE)
        return None if row is None else _rule(row)

    def rules(self, region: str, listener_arn: str | None = None) -> list[tuple[str, Rule]]:
        return [(r.arn, _rule(r)) for r in self._rows(region, RULE, parent=listener_arn)]

    def put_rule(self, arn: str, region: str, rule: Rule, *, created_at: datetime) -> None:
        row = self._session.get(ElbResourceRow, arn)
        doc = {
            "id": rule.rule_id,
            "priority": rule.priority,
            "conditions": [[c.field, list(c.values), c.key] for c in rule.conditions],
            "actions": [_action_doc(a) for a in rule.actions],
        }
        self._put(
            arn,
            region=region,
            kind=RULE,
            name=None,
            parent=rule.listener_arn,
            created_at=created_at,
            document=doc,
            version=None if row is None else row.version,
        )

    # --- target groups -------------------------------------------------------------------
    def target_group(self, arn: str) -> TargetGroup | None:
        row = self._get(arn, TG)
        return None if row is None else _tg(row)

    def target_groups(
        self, region: str, names: Iterable[str] = ()
    ) -> list[tuple[str, TargetGroup]]:
        return [(row.arn, _tg(row)) for row in self._rows(region, TG, names=names)]

    def put_target_group(self, arn: str, tg: TargetGroup, *, new: bool) -> TargetGroup:
        h = tg.health
        doc = {
            "id": tg.tg_id,
            "protocol": tg.protocol,
            "port": tg.port,
            "targetType": tg.target_type,
            "vpcId": tg.vpc_id,
            "protocolVersion": tg.protocol_version,
            "health": [
                h.protocol,
                h.port,
                h.path,
                h.interval_seconds,
                h.timeout_seconds,
                h.healthy_threshold,
                h.unhealthy_threshold,
                h.matcher,
                h.enabled,
            ],
            "attributes": [list(a) for a in tg.attributes],
            "targets": [
                [
                    t.target_id,
                    t.port,
                    t.registered_at.isoformat(),
                    t.deregistered_at.isoformat() if t.deregistered_at else None,
                    t.availability_zone,
                ]
                for t in tg.targets
            ],
        }
        version = self._put(
            arn,
            region=tg.region,
            kind=TG,
            name=tg.name,
            parent=None,
            created_at=tg.created_at,
            document=doc,
            version=None if new else tg.version,
        )
        return _replace_version(tg, version)


def _replace_version(value: T, version: int) -> T:
    return replace(value, version=version)  # type: ignore[type-var]


def _lb(row: ElbResourceRow) -> LoadBalancer:
    d = row.document
    return LoadBalancer(
        name=row.name or "",
        region=row.region,
        lb_id=d["id"],
        type=LoadBalancerType(d["type"]),
        scheme=d["scheme"],
        created_at=row.created_at,
        ip_address_type=d["ipAddressType"],
        security_groups=tuple(d["securityGroups"]),
        version=row.version,
    )


def _listener(row: ElbResourceRow) -> Listener:
    d = row.document
    return Listener(
        listener_id=d["id"],
        load_balancer_arn=row.parent_arn or "",
        port=d["port"],
        protocol=d["protocol"],
        default_actions=tuple(_action(a) for a in d["defaultActions"]),
        version=row.version,
    )


def _rule(row: ElbResourceRow) -> Rule:
    d = row.document
    return Rule(
        rule_id=d["id"],
        listener_arn=row.parent_arn or "",
        priority=d["priority"],
        conditions=tuple(Condition(f, tuple(v), k) for f, v, k in d["conditions"]),
        actions=tuple(_action(a) for a in d["actions"]),
    )


def _tg(row: ElbResourceRow) -> TargetGroup:
    d = row.document
    return TargetGroup(
        name=row.name or "",
        region=row.region,
        tg_id=d["id"],
        protocol=d["protocol"],
        port=d["port"],
        target_type=d["targetType"],
        vpc_id=d["vpcId"],
        health=HealthCheck(*d["health"]),
        created_at=row.created_at,
        attributes=tuple((k, v) for k, v in d["attributes"]),
        targets=tuple(
            Target(i, p, datetime.fromisoformat(r), datetime.fromisoformat(x) if x else None, az)
            for i, p, r, x, az in d["targets"]
        ),
        protocol_version=d["protocolVersion"],
        version=row.version,
    )


def _action_doc(a: Action) -> dict[str, Any]:
    return {
        "type": a.type,
        "forward": [[f.target_group_arn, f.weight] for f in a.forward],
        "config": [list(c) for c in a.config],
        "order": a.order,
        "stickiness": a.stickiness_seconds,
    }


def _action(d: dict[str, Any]) -> Action:
    return Action(
        type=d["type"],
        forward=tuple(ForwardTarget(arn, w) for arn, w in d["forward"]),
        config=tuple((k, v) for k, v in d["config"]),
        order=d["order"],
        stickiness_seconds=d["stickiness"],
    )
