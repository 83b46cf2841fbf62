"""PutParameter, GetParameter, GetParameters, DeleteParameter, DeleteParameters.

Values are plaintext only inside a request: SecureString versions are sealed by the repository
before they reach the store and opened only for ``WithDecryption``. No value is logged or put in
an error message.
"""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ssm.wire import parameter_to_wire, repo, store_write, tags_of, value_of
from dockyard.domain.errors import ApiError
from dockyard.domain.parameter_versions import (
    PutRequest,
    next_version,
    not_found,
    parse_reference,
    select,
    selector_of,
)
from dockyard.domain.parameters import ParameterVersion, parameter_arn
from dockyard.store.uow import UnitOfWork


def put_parameter(ctx: RequestContext, params: Params) -> Result:
    req = PutRequest(
        name=params["Name"],
        value=params["Value"],
        type=params.get("Type"),
        description=params.get("Description"),
        key_id=params.get("KeyId"),
        allowed_pattern=params.get("AllowedPattern"),
        tier=params.get("Tier"),
        data_type=params.get("DataType"),
        overwrite=bool(params.get("Overwrite")),
        with_tags=bool(params.get("Tags")),
    )
    tags = tags_of(params.get("Tags"))

    def write(uow: UnitOfWork) -> ParameterVersion:
        r = repo(ctx, uow)
        existing = r.find(ctx.region, req.name)
        version, dropped = next_version(existing, req, now=ctx.now, user=ctx.principal.arn)
        arn = existing.arn if existing else parameter_arn(ctx.region, ctx.account_id, req.name)
        r.put_version(ctx.region, arn, req.name, version, dropped=dropped, tags=tags)
        return version

    version = store_write(ctx, write)
    return {"Version": version.version, "Tier": version.tier}


def get_parameter(ctx: RequestContext, params: Params) -> Result:
    ref = parse_reference(params["Name"])
    decrypt = bool(params.get("WithDecryption"))

    def read(uow: UnitOfWork) -> Result:
        r = repo(ctx, uow)
        parameter = r.find(ctx.region, ref.name_or_arn)
        if parameter is None:
            raise not_found(ref.text)
        version = select(parameter, ref)
        value = value_of(r, parameter, version, decrypt)
        return parameter_to_wire(parameter, version, value, selector_of(ref))

    return {"Parameter": ctx.store.read(read)}


def get_parameters(ctx: RequestContext, params: Params) -> Result:
    names: list[str] = list(dict.fromkeys(params["Names"]))
    decrypt = bool(params.get("WithDecryption"))

    def read(uow: UnitOfWork) -> Result:
        r = repo(ctx, uow)
        found: list[Result] = []
        invalid: list[str] = []
        for text in names:
            ref = parse_reference(text)
            parameter = r.find(ctx.region, ref.name_or_arn)
            try:
                if parameter is None:
                    raise not_found(text)
                version = select(parameter, ref)
            except ApiError:
                invalid.append(text)
                continue
            value = value_of(r, parameter, version, decrypt)
            found.append(parameter_to_wire(parameter, version, value, selector_of(ref)))
        return {"Parameters": found, "InvalidParameters": invalid}

    return ctx.store.read(read)


def delete_parameter(ctx: RequestContext, params: Params) -> Result:
    name: str = params["Name"]

    def write(uow: UnitOfWork) -> None:
        r = repo(ctx, uow)
        parameter = r.find(ctx.region, name)
        if parameter is None or not r.delete(ctx.region, parameter.name):
            raise not_found(name)

    store_write(ctx, write)
    return {}


def delete_parameters(ctx: RequestContext, params: Params) -> Result:
    names: list[str] = list(dict.fromkeys(params["Names"]))

    def write(uow: UnitOfWork) -> Result:
        r = repo(ctx, uow)
        deleted: list[str] = []
        invalid: list[str] = []
        for name in names:
            parameter = r.find(ctx.region, name)
            if parameter is not None and r.delete(ctx.region, parameter.name):
                deleted.append(name)
            else:
                invalid.append(name)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    return store_write(ctx, write)
