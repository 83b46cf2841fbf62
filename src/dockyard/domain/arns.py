"""ECS ARNs in the long format (the default for every account since 2021-04-01).

Pure string functions. Each builder takes the region and account explicitly: the region is the
one the request was signed for, the account the server's setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTITION = "aws"

_ARN_RE = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)$"
)


@dataclass(frozen=True, slots=True)
class Arn:
    """A parsed ARN. ``resource`` is everything after the account field."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """``cluster`` for ``cluster/x``; ``task-definition`` for ``task-definition/f:1``."""
        return re.split(r"[/:]", self.resource, maxsplit=1)[0]

    @property
    def resource_path(self) -> str:
        """What follows the resource type and its separator."""
        parts = re.split(r"[/:]", self.resource, maxsplit=1)
        return parts[1] if len(parts) > 1 else ""

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """The ARN's parts, or None when ``text`` is not ARN-shaped."""
    match = _ARN_RE.match(text)
    if match is None:
        return None
    return Arn(**match.groupdict())


def is_arn(text: str) -> bool:
    return text.startswith("arn:") and parse_arn(text) is not None


def ecs_arn(region: str, account: str, resource: str) -> str:
    return f"arn:{PARTITION}:ecs:{region}:{account}:{resource}"


def cluster_arn(region: str, account: str, name: str) -> str:
    return ecs_arn(region, account, f"cluster/{name}")


def task_definition_arn(region: str, account: str, family: str, revision: int) -> str:
    return ecs_arn(region, account, f"task-definition/{family}:{revision}")


def service_arn(region: str, account: str, cluster: str, name: str) -> str:
    return ecs_arn(region, account, f"service/{cluster}/{name}")


def task_arn(region: str, account: str, cluster: str, task_id: str) -> str:
    return ecs_arn(region, account, f"task/{cluster}/{task_id}")


def container_arn(region: str, account: str, cluster: str, task_id: str, container_id: str) -> str:
    return ecs_arn(region, account, f"container/{cluster}/{task_id}/{container_id}")


def container_instance_arn(region: str, account: str, cluster: str, instance_id: str) -> str:
    return ecs_arn(region, account, f"container-instance/{cluster}/{instance_id}")


def capacity_provider_arn(region: str, account: str, name: str) -> str:
    return ecs_arn(region, account, f"capacity-provider/{name}")


def name_from_cluster_ref(ref: str) -> str:
    """A cluster reference (short name or ARN) reduced to the cluster name.

    ``arn:aws:ecs:r:a:cluster/prod`` → ``prod``; ``prod`` → ``prod``. A malformed ARN is returned
    unchanged so lookups miss cleanly instead of raising.
    """
    if not ref.startswith("arn:"):
        return ref
    arn = parse_arn(ref)
    if arn is None or arn.resource_type != "cluster":
        return ref
    return arn.resource_path


def elb_arn(region: str, account: str, resource: str) -> str:
    return f"arn:{PARTITION}:elasticloadbalancing:{region}:{account}:{resource}"


def load_balancer_arn(region: str, account: str, kind: str, name: str, lb_id: str) -> str:
    """``kind`` is ``app`` or ``net``."""
    return elb_arn(region, account, f"loadbalancer/{kind}/{name}/{lb_id}")


def target_group_arn(region: str, account: str, name: str, tg_id: str) -> str:
    return elb_arn(region, account, f"targetgroup/{name}/{tg_id}")


def listener_arn(lb_arn: str, listener_id: str) -> str:
    """``…:loadbalancer/app/NAME/ID`` → ``…:listener/app/NAME/ID/LISTENER``."""
    return lb_arn.replace(":loadbalancer/", ":listener/", 1) + f"/{listener_id}"


def rule_arn(listener: str, rule_id: str) -> str:
    return listener.replace(":listener/", ":listener-rule/", 1) + f"/{rule_id}"
