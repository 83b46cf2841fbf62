"""GetParametersByPath, DescribeParameters and GetParameterHistory (sorted, paginated reads)."""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ssm.wire import (
    filters_of,
    history_to_wire,
    metadata_to_wire,
    page_after,
    paged,
    parameter_to_wire,
    repo,
    value_of,
)
from dockyard.domain.parameter_filters import (
    ParameterFilter,
    check_by_path_filters,
    check_unique_keys,
    labelled,
    legacy_filter,
    matches,
    under_path,
)
from dockyard.domain.parameter_versions import not_found
from dockyard.domain.parameters import (
    Parameter,
    ParameterVersion,
    SsmValidationException,
    check_path,
)
from dockyard.store.uow import UnitOfWork

BY_PATH_PAGE = 10
DESCRIBE_PAGE = 50
HISTORY_PAGE = 50


def get_parameters_by_path(ctx: RequestContext, params: Params) -> Result:
    path: str = params["Path"]
    check_path(path)
    recursive = bool(params.get("Recursive"))
    filters = filters_of(params)
    check_by_path_filters(filters)
    check_unique_keys(filters)
    decrypt = bool(params.get("WithDecryption"))
    after = page_after("GetParametersByPath", params)
    limit = int(params.get("MaxResults") or BY_PATH_PAGE)

    def read(uow: UnitOfWork) -> Result:
        r = repo(ctx, uow)
        prefix = None if path == "/" else path.rstrip("/") + "/"
        chosen: list[tuple[Parameter, ParameterVersion]] = []
        for parameter in r.in_region(ctx.region, prefix=prefix):
            if not under_path(parameter.name, path, recursive=recursive):
                continue
            version = labelled(parameter, filters)
            if version is not None and matches(parameter, version, filters):
                chosen.append((parameter, version))
        page, extra = paged("GetParametersByPath", chosen, after, limit, lambda pv: pv[0].name)
        return {
            "Parameters": [parameter_to_wire(p, v, value_of(r, p, v, decrypt)) for p, v in page],
            **extra,
        }

    return ctx.store.read(read)


def describe_parameters(ctx: RequestContext, params: Params) -> Result:
    filters = _describe_filters(params)
    after = page_after("DescribeParameters", params)
    limit = int(params.get("MaxResults") or DESCRIBE_PAGE)

    def read(uow: UnitOfWork) -> Result:
        found = [p for p in repo(ctx, uow).in_region(ctx.region) if matches(p, p.latest, filters)]
        page, extra = paged("DescribeParameters", found, after, limit, lambda p: p.name)
        return {"Parameters": [metadata_to_wire(p) for p in page], **extra}

    return ctx.store.read(read)


def _describe_filters(params: Params) -> list[ParameterFilter]:
    legacy = params.get("Filters") or []
    modern = filters_of(params)
    if legacy and modern:
        raise SsmValidationException(
            "You can use either Filters or ParameterFilters in a single request."
        )
    filters = [legacy_filter(f["Key"], f["Values"]) for f in legacy] or modern
    check_unique_keys(filters)
    return filters


def get_parameter_history(ctx: RequestContext, params: Params) -> Result:
    name: str = params["Name"]
    decrypt = bool(params.get("WithDecryption"))
    after = page_after("GetParameterHistory", params)
    limit = int(params.get("MaxResults") or HISTORY_PAGE)

    def read(uow: UnitOfWork) -> Result:
        r = repo(ctx, uow)
        parameter = r.find(ctx.region, name)
        if parameter is None:
            raise not_found(name)
        page, extra = paged(
            "GetParameterHistory",
            parameter.versions,
            after,
            limit,
            lambda v: f"{v.version:012d}",
        )
        return {
            "Parameters": [
                history_to_wire(parameter, v, value_of(r, parameter, v, decrypt)) for v in page
            ],
            **extra,
        }

    return ctx.store.read(read)
