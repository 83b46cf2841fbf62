"""What a request asks to do, in IAM's terms: the action, the resource ARNs, the service's
condition keys.

Pure functions of (service, operation, parameters, region, account). The table follows the
Service Authorization Reference where Dockyard implements the operation:

* **ECS** — operations naming a cluster, service, task, container instance or task definition
  are checked against those ARNs (a list parameter such as ``clusters`` or ``tasks`` yields one
  ARN per element, and the request needs all of them); ``RunTask``/``StartTask`` against the
  task definition; ``ecs:cluster`` is set to the cluster ARN whenever the request names a
  cluster (or implies ``default``). Create, list and account-level operations use ``*``.
  A task definition named by family alone (no revision) becomes ``family:*``.
* **Everything else** — every top-level parameter ending in ``Arn``/``ARN`` (or a list ending in
  ``Arns``/``ARNs``) that holds ARNs; SSM parameter names and paths, CloudWatch alarm names,
  CloudWatch Logs group and stream names, IAM user/role/group names (path ``/``) and Secrets
  Manager ids become the ARNs AWS would check; otherwise ``*``.

Secrets Manager ARNs end in a random suffix the name does not carry; :class:`ResourceLookups`
lets the shell resolve a secret's name to its real ARN (a store read) before evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockyard.domain import arns

IAM_PREFIX = {"monitoring": "cloudwatch"}
"""Signing names whose IAM action prefix differs (CloudWatch signs as ``monitoring``)."""

GLOBAL_SERVICES = frozenset({"iam", "sts"})
"""Services whose ARNs carry no region."""

UNCHECKED_ACTIONS = frozenset({"sts:GetCallerIdentity"})
"""Actions AWS never denies: GetCallerIdentity needs no permission."""


@dataclass(frozen=True, slots=True)
class AccessTarget:
    """One request in IAM's terms. ``resources`` is never empty (``("*",)`` at least)."""

    action: str
    resources: tuple[str, ...]
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResourceLookups:
    """Store-backed resolutions the pure table cannot do. Each returns None when unknown."""

    secret_arn: Callable[[str, str], str | None] = lambda _region, _name: None
    """(region, secret name) → the secret's ARN with its random suffix."""

    trust_names: Callable[[str, str], bool] = lambda _role_arn, _principal_arn: False
    """(role ARN, caller ARN) → True when the role's trust policy allows that caller by its
    exact ARN. Within one account such a resource-based grant is enough for sts:AssumeRole
    without an identity policy (IAM's evaluation logic)."""


def iam_action(signing_name: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(signing_name, signing_name)}:{operation}"


def access_target(
    signing_name: str,
    operation: str,
    params: Mapping[str, Any],
    *,
    region: str,
    account_id: str,
    lookups: ResourceLookups | None = None,
) -> AccessTarget:
    """The action, resources and service condition keys of one request."""
    action = iam_action(signing_name, operation)
    if signing_name == "ecs":
        resources, context = _ecs(operation, params, region, account_id)
    else:
        facts = _Facts(region, account_id, lookups or ResourceLookups())
        resources = _generic(signing_name, params, facts)
        context = {}
    return AccessTarget(action, tuple(dict.fromkeys(resources)) or ("*",), context)


# --- ECS --------------------------------------------------------------------------------------

_ECS_STAR = frozenset(
    {
        "CreateCluster",
        "ListClusters",
        "RegisterTaskDefinition",
        "ListTaskDefinitions",
        "ListTaskDefinitionFamilies",
        "DescribeTaskDefinition",
        "DeregisterTaskDefinition",
        "DeleteTaskDefinitions",
        "ListAccountSettings",
        "PutAccountSetting",
        "PutAccountSettingDefault",
        "DeleteAccountSetting",
        "DiscoverPollEndpoint",
        "ListServicesByNamespace",
        "CreateCapacityProvider",
        "DescribeCapacityProviders",
    }
)
"""ECS operations checked against ``*`` (no resource-level permissions)."""

_ECS_CLUSTER_ONLY = frozenset(
    {
        "DeleteCluster",
        "UpdateCluster",
        "UpdateClusterSettings",
        "PutClusterCapacityProviders",
        "RegisterContainerInstance",
        "DeregisterContainerInstance",
        "ListContainerInstances",
        "PutAttributes",
        "DeleteAttributes",
        "ListAttributes",
        "SubmitTaskStateChange",
        "SubmitContainerStateChange",
        "SubmitAttachmentStateChanges",
        "Poll",
    }
)
"""ECS operations checked against the cluster they name."""

_ECS_LISTS_WITH_CLUSTER = frozenset({"ListServices", "ListTasks"})
"""List operations: resource ``*``, but ``ecs:cluster`` still set."""


def _ecs(
    operation: str, params: Mapping[str, Any], region: str, account: str
) -> tuple[list[str], dict[str, str]]:
    cluster = arns.name_from_cluster_ref(str(params.get("cluster") or "default"))
    cluster_arn = arns.cluster_arn(region, account, cluster)
    context = {"ecs:cluster": cluster_arn}
    if operation in _ECS_STAR:
        return ["*"], ({} if operation != "DiscoverPollEndpoint" else context)
    if operation in _ECS_LISTS_WITH_CLUSTER:
        return ["*"], context
    if operation == "DescribeClusters":
        names = params.get("clusters") or ["default"]
        return [arns.cluster_arn(region, account, arns.name_from_cluster_ref(n)) for n in names], {}
    if operation in _ECS_CLUSTER_ONLY:
        return [cluster_arn], context
    if operation in ("TagResource", "UntagResource", "ListTagsForResource"):
        return [str(params.get("resourceArn") or "*")], {}
    if operation in ("RunTask", "StartTask"):
        return [_task_definition_arn(str(params.get("taskDefinition", "")), region, account)], (
            context
        )
    if operation == "CreateService":
        name = str(params.get("serviceName", ""))
        return [arns.service_arn(region, account, cluster, name)], context
    refs = _ecs_refs(operation, params)
    if refs is None:
        return ["*"], context
    kind, values = refs
    return [_ecs_child_arn(kind, v, cluster, region, account) for v in values], context


def _ecs_refs(operation: str, params: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """(kind, references) for operations that name services, tasks or container instances."""
    for key, kind in (
        ("service", "service"),
        ("services", "service"),
        ("task", "task"),
        ("tasks", "task"),
        ("containerInstance", "container-instance"),
        ("containerInstances", "container-instance"),
    ):
        value = params.get(key)
        if value:
            return kind, [str(v) for v in (value if isinstance(value, list) else [value])]
    return None


def _ecs_child_arn(kind: str, ref: str, cluster: str, region: str, account: str) -> str:
    if ref.startswith("arn:"):
        return ref
    return arns.ecs_arn(region, account, f"{kind}/{cluster}/{ref}")


def _task_definition_arn(ref: str, region: str, account: str) -> str:
    if ref.startswith("arn:"):
        return ref
    family, _, revision = ref.partition(":")
    return arns.ecs_arn(region, account, f"task-definition/{family}:{revision or '*'}")


# --- other services ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    region: str
    account: str
    lookups: ResourceLookups


def _generic(service: str, params: Mapping[str, Any], facts: _Facts) -> list[str]:
    found = list(_arn_params(params))
    named = _NAMED.get(service)
    if named is not None:
        found.extend(named(params, facts))
    return found or ["*"]


def _arn_params(params: Mapping[str, Any]) -> Iterable[str]:
    for key, value in params.items():
        lowered = key.lower()
        if lowered.endswith("arn") and isinstance(value, str) and value.startswith("arn:"):
            yield value
        elif lowered.endswith("arns") and isinstance(value, list):
            yield from (v for v in value if isinstance(v, str) and v.startswith("arn:"))


def _ssm(params: Mapping[str, Any], facts: _Facts) -> list[str]:
    names = [params["Name"]] if isinstance(params.get("Name"), str) else []
    names += [n for n in params.get("Names") or [] if isinstance(n, str)]
    if isinstance(params.get("Path"), str):
        names.append(params["Path"])
    if params.get("ResourceType") == "Parameter" and isinstance(params.get("ResourceId"), str):
        names.append(params["ResourceId"])
    return [_parameter_arn(n, facts) for n in names]


def _parameter_arn(name: str, facts: _Facts) -> str:
    if name.startswith("arn:"):
        return _strip_selector_arn(name)
    base = name.split(":", 1)[0]
    return f"arn:aws:ssm:{facts.region}:{facts.account}:parameter/{base.lstrip('/')}"


def _strip_selector_arn(arn: str) -> str:
    """``arn:…:parameter/x:3`` → ``arn:…:parameter/x`` (a version or label selector)."""
    head, _, resource = arn.partition(":parameter/")
    return f"{head}:parameter/{resource.split(':', 1)[0]}" if resource else arn


def _secretsmanager(params: Mapping[str, Any], facts: _Facts) -> list[str]:
    ref = params.get("SecretId") or params.get("Name")
    if not isinstance(ref, str):
        return []
    if ref.startswith("arn:"):  # SecretId may be the ARN itself (a key not ending in "Arn")
        return [ref]
    resolved = facts.lookups.secret_arn(facts.region, ref)
    if resolved is not None:
        return [resolved]
    return [f"arn:aws:secretsmanager:{facts.region}:{facts.account}:secret:{ref}"]


def _cloudwatch(params: Mapping[str, Any], facts: _Facts) -> list[str]:
    names = [params["AlarmName"]] if isinstance(params.get("AlarmName"), str) else []
    names += [n for n in params.get("AlarmNames") or [] if isinstance(n, str)]
    return [f"arn:aws:cloudwatch:{facts.region}:{facts.account}:alarm:{n}" for n in names]


def _logs(params: Mapping[str, Any], facts: _Facts) -> list[str]:
    group = params.get("logGroupName")
    if not isinstance(group, str):
        return []
    base = f"arn:aws:logs:{facts.region}:{facts.account}:log-group:{group}"
    stream = params.get("logStreamName")
    return [f"{base}:log-stream:{stream}" if isinstance(stream, str) else f"{base}:*"]


def _iam(params: Mapping[str, Any], facts: _Facts) -> list[str]:
    base = f"arn:aws:iam::{facts.account}"
    path = str(params.get("Path") or "/")
    found = []
    for key, kind in (("UserName", "user"), ("RoleName", "role"), ("GroupName", "group")):
        value = params.get(key)
        if isinstance(value, str):
            found.append(f"{base}:{kind}{path}{value}")
    if not found and isinstance(params.get("PolicyName"), str) and "PolicyDocument" in params:
        found.append(f"{base}:policy{path}{params['PolicyName']}")
    return found


_NAMED: dict[str, Callable[[Mapping[str, Any], _Facts], list[str]]] = {
    "ssm": _ssm,
    "secretsmanager": _secretsmanager,
    "monitoring": _cloudwatch,
    "logs": _logs,
    "iam": _iam,
}
