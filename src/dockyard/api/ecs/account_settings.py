"""ECS PutAccountSetting / PutAccountSettingDefault / ListAccountSettings."""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.account_settings import (
    ACCOUNT_DEFAULT_PRINCIPAL,
    AWS_DEFAULTS,
    AccountSetting,
    effective_settings,
    validate_setting,
)
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.pagination import decode_token, encode_token, page_size
from dockyard.store.uow import UnitOfWork


def put_account_setting(ctx: RequestContext, params: Params) -> Result:
    """Set a setting for the caller, or for ``principalArn`` (only the admin may name others)."""
    name, value = params["name"], params["value"]
    validate_setting(name, value)
    principal = params.get("principalArn") or ctx.principal.arn
    if principal != ctx.principal.arn and not ctx.principal.is_admin:
        raise InvalidParameterException(
            "Only the root user can modify the settings of other principals."
        )
    setting = AccountSetting(name, value, principal)
    ctx.store.write(lambda uow: uow.account_settings.put(ctx.region, setting))
    return {"setting": _to_wire(setting)}


def put_account_setting_default(ctx: RequestContext, params: Params) -> Result:
    name, value = params["name"], params["value"]
    validate_setting(name, value)
    stored = AccountSetting(name, value, ACCOUNT_DEFAULT_PRINCIPAL)
    ctx.store.write(lambda uow: uow.account_settings.put(ctx.region, stored))
    return {"setting": _to_wire(AccountSetting(name, value, ctx.root_arn))}


def delete_account_setting(ctx: RequestContext, params: Params) -> Result:
    """Remove the caller's (or ``principalArn``'s) explicit setting; its effective value returns
    to the account default."""
    name = params["name"]
    validate_setting(name, AWS_DEFAULTS.get(name, ""))
    principal = params.get("principalArn") or ctx.principal.arn
    if principal != ctx.principal.arn and not ctx.principal.is_admin:
        raise InvalidParameterException(
            "Only the root user can modify the settings of other principals."
        )
    removed = ctx.store.write(lambda uow: uow.account_settings.delete(ctx.region, principal, name))
    if removed is None:
        raise InvalidParameterException(f"The account setting {name} is not set for {principal}.")
    return {"setting": _to_wire(removed)}


def list_account_settings(ctx: RequestContext, params: Params) -> Result:
    """Explicit settings of a principal, or with ``effectiveSettings`` the resolved values."""
    principal = params.get("principalArn") or ctx.principal.arn
    limit = page_size(params.get("maxResults"), default=10)
    token = params.get("nextToken")
    after = str(decode_token("ListAccountSettings", token)[0]) if token else None

    def read(uow: UnitOfWork) -> list[AccountSetting]:
        return uow.account_settings.list(ctx.region)

    stored = ctx.store.read(read)
    if params.get("effectiveSettings"):
        settings = effective_settings(stored, principal_arn=principal, root_arn=ctx.root_arn)
    else:
        settings = [s for s in stored if s.principal_arn == principal]
    settings = [
        s
        for s in settings
        if params.get("name") in (None, s.name)
        and params.get("value") in (None, s.value)
        and (after is None or s.name > after)
    ]
    page = settings[:limit]
    result: Result = {"settings": [_to_wire(s) for s in page]}
    if len(settings) > limit:
        result["nextToken"] = encode_token("ListAccountSettings", [page[-1].name])
    return result


def _to_wire(setting: AccountSetting) -> dict[str, str]:
    return {
        "name": setting.name,
        "value": setting.value,
        "principalArn": setting.principal_arn,
        "type": setting.type,
    }
