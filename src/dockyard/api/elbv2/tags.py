"""ELBv2 tags: AddTags, RemoveTags, DescribeTags on load balancers, target groups, listeners
and rules (all kept in the shared tag table, by ARN)."""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.elb import ElbError
from dockyard.store.uow import UnitOfWork

MAX_TAGS = 50


def add_tags(ctx: RequestContext, params: Params) -> Result:
    arns = list(params["ResourceArns"])
    new = {t["Key"]: t.get("Value", "") for t in params["Tags"]}

    def write(uow: UnitOfWork) -> None:
        for arn in arns:
            _require(uow, arn)
            merged = uow.tags.get(arn) | new
            if len(merged) > MAX_TAGS:
                raise ElbError("TooManyTags", f"A resource can have at most {MAX_TAGS} tags")
            uow.tags.replace(arn, merged)

    ctx.store.write(write)
    return {}


def remove_tags(ctx: RequestContext, params: Params) -> Result:
    arns = list(params["ResourceArns"])
    keys = set(params["TagKeys"])

    def write(uow: UnitOfWork) -> None:
        for arn in arns:
            _require(uow, arn)
            uow.tags.replace(arn, {k: v for k, v in uow.tags.get(arn).items() if k not in keys})

    ctx.store.write(write)
    return {}


def describe_tags(ctx: RequestContext, params: Params) -> Result:
    arns = list(params["ResourceArns"])

    def read(uow: UnitOfWork) -> dict[str, dict[str, str]]:
        for arn in arns:
            _require(uow, arn)
        return uow.tags.get_many(arns)

    tags = ctx.store.read(read)
    return {
        "TagDescriptions": [
            {"ResourceArn": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags[arn].items()]}
            for arn in arns
        ]
    }


_NOT_FOUND = {
    ":loadbalancer/": "LoadBalancerNotFound",
    ":targetgroup/": "TargetGroupNotFound",
    ":listener/": "ListenerNotFound",
    ":listener-rule/": "RuleNotFound",
}


def _require(uow: UnitOfWork, arn: str) -> None:
    code = next((c for marker, c in _NOT_FOUND.items() if marker in arn), None)
    if code is None:
        raise ElbError("ValidationError", f"'{arn}' is not a valid load balancing resource ARN")
    found = (
        uow.elb.load_balancer(arn)
        or uow.elb.target_group(arn)
        or uow.elb.listener(arn)
        or uow.elb.rule(arn)
    )
    if found is None:
        raise ElbError(code, f"Resource '{arn}' not found")
