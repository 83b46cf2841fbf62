"""LabelParameterVersion and the tag operations for ``ResourceType=Parameter``."""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ssm.wire import repo, store_write, tags_of
from dockyard.domain.parameter_versions import LabelResult, label_version, not_found
from dockyard.domain.parameters import (
    MAX_TAGS,
    InvalidResourceId,
    InvalidResourceType,
    Parameter,
    TooManyTagsError,
)
from dockyard.store.repositories.parameters import ParameterRepository
from dockyard.store.uow import UnitOfWork


def label_parameter_version(ctx: RequestContext, params: Params) -> Result:
    name: str = params["Name"]
    version = params.get("ParameterVersion")
    labels: list[str] = list(params["Labels"])

    def write(uow: UnitOfWork) -> LabelResult:
        r = repo(ctx, uow)
        parameter = r.find(ctx.region, name)
        if parameter is None:
            raise not_found(name)
        result = label_version(parameter, None if version is None else int(version), labels)
        r.set_labels(parameter, result.changed)
        return result

    result = store_write(ctx, write)
    return {"InvalidLabels": list(result.invalid), "ParameterVersion": result.version}


def _tagged(ctx: RequestContext, r: ParameterRepository, params: Params) -> Parameter:
    if params["ResourceType"] != "Parameter":
        raise InvalidResourceType("The resource type is not valid.")
    parameter = r.find(ctx.region, params["ResourceId"])
    if parameter is None:
        raise InvalidResourceId("The resource ID is not valid. Verify the ID and try again.")
    return parameter


def add_tags_to_resource(ctx: RequestContext, params: Params) -> Result:
    new = tags_of(params["Tags"])

    def write(uow: UnitOfWork) -> None:
        r = repo(ctx, uow)
        parameter = _tagged(ctx, r, params)
        merged = {**parameter.tags, **new}
        if len(merged) > MAX_TAGS:
            raise TooManyTagsError("The Tags parameter contains too many tags.")
        r.set_tags(parameter, merged)

    store_write(ctx, write)
    return {}


def remove_tags_from_resource(ctx: RequestContext, params: Params) -> Result:
    keys = set(params["TagKeys"])

    def write(uow: UnitOfWork) -> None:
        r = repo(ctx, uow)
        parameter = _tagged(ctx, r, params)
        r.set_tags(parameter, {k: v for k, v in parameter.tags.items() if k not in keys})

    store_write(ctx, write)
    return {}


def list_tags_for_resource(ctx: RequestContext, params: Params) -> Result:
    parameter = ctx.store.read(lambda uow: _tagged(ctx, repo(ctx, uow), params))
    return {"TagList": [{"Key": k, "Value": v} for k, v in sorted(parameter.tags.items())]}
