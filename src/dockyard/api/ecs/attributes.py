"""ECS PutAttributes / DeleteAttributes / ListAttributes (target type container-instance)."""

from __future__ import annotations

from typing import Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.container_instances import (
    instance_arn,
    parse_instance_ref,
    require_active_cluster,
)
from dockyard.api.ecs.wire import request_cluster
from dockyard.domain.container_instance import (
    CONTAINER_INSTANCE_TARGET,
    Attribute,
    ContainerInstanceStatus,
    validate_attribute,
)
from dockyard.domain.errors import InvalidParameterException, TargetNotFoundException
from dockyard.domain.pagination import decode_token, encode_token, page_size
from dockyard.store.uow import UnitOfWork

MAX_ATTRIBUTES_PER_CALL = 10


def put_attributes(ctx: RequestContext, params: Params) -> Result:
    return _change(ctx, params, delete=False)


def delete_attributes(ctx: RequestContext, params: Params) -> Result:
    return _change(ctx, params, delete=True)


def _change(ctx: RequestContext, params: Params, *, delete: bool) -> Result:
    """Apply every attribute change or none: one transaction, refused whole on any error."""
    cluster = request_cluster(ctx, params)
    items = list(params["attributes"])
    if len(items) > MAX_ATTRIBUTES_PER_CALL:
        raise InvalidParameterException(
            f"attributes can have at most {MAX_ATTRIBUTES_PER_CALL} items."
        )
    changes: dict[str, list[Attribute]] = {}
    for item in items:
        if item.get("targetType", CONTAINER_INSTANCE_TARGET) != CONTAINER_INSTANCE_TARGET:
            raise InvalidParameterException("targetType must be container-instance.")
        target = item.get("targetId")
        if not target:
            raise InvalidParameterException("targetId is required for container instances.")
        attribute = Attribute(item["name"], None if delete else item.get("value"))
        validate_attribute(attribute)
        changes.setdefault(target, []).append(attribute)

    def write(uow: UnitOfWork) -> None:
        require_active_cluster(ctx, uow, cluster)
        for target, attributes in changes.items():
            instance_id = parse_instance_ref(target, cluster)
            instance = uow.container_instances.get(ctx.region, cluster, instance_id or "")
            if instance is None or instance.status is ContainerInstanceStatus.INACTIVE:
                raise TargetNotFoundException(f"Could not find {target}.")
            if delete:
                instance = instance.without_attributes({a.name for a in attributes})
            else:
                instance = instance.with_attributes(tuple(attributes))
            uow.container_instances.save(instance)

    ctx.store.write(write)
    return {"attributes": [dict(item) for item in items]}


def list_attributes(ctx: RequestContext, params: Params) -> Result:
    """Attributes of the cluster's ACTIVE / DRAINING instances, ordered by (instance, name)."""
    cluster = request_cluster(ctx, params)
    if params["targetType"] != CONTAINER_INSTANCE_TARGET:
        raise InvalidParameterException("targetType must be container-instance.")
    name, value = params.get("attributeName"), params.get("attributeValue")
    if value is not None and name is None:
        raise InvalidParameterException("attributeValue requires attributeName.")
    limit = page_size(params.get("maxResults"), default=100)
    token = params.get("nextToken")
    after = tuple(decode_token("ListAttributes", token, (str, str))) if token else None

    def read(uow: UnitOfWork) -> list[dict[str, Any]]:
        require_active_cluster(ctx, uow, cluster)
        instances = uow.container_instances.list_page(
            ctx.region, cluster, statuses=("ACTIVE", "DRAINING"), after=None, limit=100_000
        )
        rows = []
        for instance in instances:
            for attribute in instance.attributes:
                if name not in (None, attribute.name) or value not in (None, attribute.value):
                    continue
                if after is not None and (instance.instance_id, attribute.name) <= after:
                    continue
                rows.append(
                    {
                        "key": (instance.instance_id, attribute.name),
                        "wire": {
                            "name": attribute.name,
                            "value": attribute.value,
                            "targetType": CONTAINER_INSTANCE_TARGET,
                            "targetId": instance_arn(ctx, instance),
                        },
                    }
                )
        return rows

    rows = ctx.store.read(read)
    page = rows[:limit]
    result: Result = {
        "attributes": [{k: v for k, v in row["wire"].items() if v is not None} for row in page]
    }
    if len(rows) > limit:
        result["nextToken"] = encode_token("ListAttributes", list(page[-1]["key"]))
    return result
