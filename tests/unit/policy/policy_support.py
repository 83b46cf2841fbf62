"""Builders for policy tests: documents from statement dicts, and one-line evaluations."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from dockyard.domain.policy import (
    AccessRequest,
    Decision,
    NamedPolicy,
    PolicyDocument,
    PolicyKind,
    compile_policies,
    parse_policy_document,
)

ACCOUNT = "123456789012"
CLUSTER = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"


def identity(*statements: dict[str, Any], version: str | None = "2012-10-17") -> PolicyDocument:
    body: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        body["Version"] = version
    return parse_policy_document(json.dumps(body), kind=PolicyKind.IDENTITY)


def allow(
    action: str | list[str] = "*", resource: str | list[str] = "*", **extra: Any
) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(
    action: str | list[str] = "*", resource: str | list[str] = "*", **extra: Any
) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def ctx(**values: str | Sequence[str]) -> dict[str, tuple[str, ...]]:
    """``ctx(aws__SourceIp="1.2.3.4")`` → ``{"aws:SourceIp": ("1.2.3.4",)}`` (``__`` is ``:``)."""
    return {
        k.replace("__", ":"): (v,) if isinstance(v, str) else tuple(v) for k, v in values.items()
    }


def decide(
    statements: Sequence[dict[str, Any]] | PolicyDocument,
    action: str,
    resource: str = "*",
    context: Mapping[str, tuple[str, ...]] | None = None,
) -> Decision:
    document = statements if isinstance(statements, PolicyDocument) else identity(*statements)
    compiled = compile_policies([NamedPolicy("p", document)])
    return compiled.evaluate(AccessRequest(action, resource, context or {})).decision


A = Decision.ALLOW
D = Decision.EXPLICIT_DENY
I = Decision.IMPLICIT_DENY  # noqa: E741
