"""STS operations: GetCallerIdentity and AssumeRole.

AssumeRole checks, in order: the session name's pattern, that no session policy was asked for
(Dockyard does not narrow sessions), the role (a missing role or another account's is refused
like an untrusted one, as AWS does), the role's trust policy for the caller, then the duration
(900 s up to the role's MaxSessionDuration; one hour when a role session assumes a role).
"""

from __future__ import annotations

from collections.abc import Mapping

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.sts.sessions import mint_role_session
from dockyard.domain.errors import StsAccessDenied, ValidationError
from dockyard.domain.iam import (
    IssuedCredentials,
    role_name_from_arn,
)
from dockyard.domain.iam_rules import (
    session_duration,
    validate_session_name,
)
from dockyard.domain.policy import PolicyKind, TrustPrincipal, evaluate_trust, parse_policy_document
from dockyard.store.repositories.iam import IamRepository
from dockyard.store.uow import UnitOfWork

ASSUME_ROLE = "sts:AssumeRole"


def get_caller_identity(ctx: RequestContext, params: Params) -> Result:
    return {"UserId": caller_user_id(ctx), "Account": ctx.account_id, "Arn": ctx.principal.arn}


def caller_user_id(ctx: RequestContext) -> str:
    """``aws:userid`` of the caller: ``AIDA…`` for a user, ``AROA…:session`` for a session."""
    principal = ctx.principal
    if principal.user_id:
        return principal.user_id

    def read(uow: UnitOfWork) -> str:
        repo = IamRepository(uow.session)
        if principal.is_assumed_role:
            session = repo.get_session(principal.access_key_id)
            return "" if session is None else session.user_id
        user = repo.get_user(principal.user_name)
        return "" if user is None else user.user_id

    return ctx.store.read(read)


def assume_role(ctx: RequestContext, params: Params) -> Result:
    role_arn, session_name = params["RoleArn"], params["RoleSessionName"]
    validate_session_name(session_name)
    if params.get("Policy") or params.get("PolicyArns"):
        raise ValidationError(
            "Dockyard does not support session policies (Policy, PolicyArns) in AssumeRole."
        )
    denied = StsAccessDenied(
        f"User: {ctx.principal.arn} is not authorized to perform: {ASSUME_ROLE} on resource: "
        f"{role_arn}"
    )
    role_name = role_name_from_arn(role_arn, ctx.account_id)
    if role_name is None:
        raise denied
    context = trust_context(ctx, params)

    def mint(uow: UnitOfWork) -> IssuedCredentials:
        role = IamRepository(uow.session).get_role(role_name)
        if role is None or role.arn(ctx.account_id) != role_arn:
            raise denied
        document = parse_policy_document(role.trust_document, kind=PolicyKind.TRUST)
        verdict = evaluate_trust(
            document,
            principal=TrustPrincipal(ctx.principal.arn, ctx.account_id),
            action=ASSUME_ROLE,
            context=context,
            policy_name=role_arn,
        )
        if not verdict.allowed:
            raise denied
        duration = session_duration(
            params.get("DurationSeconds"), role, chained=ctx.principal.is_assumed_role
        )
        return mint_role_session(
            uow,
            ctx.deps,
            role=role,
            session_name=session_name,
            duration_seconds=duration,
            now=ctx.now,
            source=ctx.principal.arn,
        )

    issued = ctx.store.write(mint)
    ctx.deps.identity.changed()
    return {
        "Credentials": {
            "AccessKeyId": issued.access_key_id,
            "SecretAccessKey": issued.secret_access_key,
            "SessionToken": issued.session_token,
            "Expiration": issued.expiration,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": issued.assumed_role_id,
            "Arn": issued.assumed_role_arn,
        },
    }


def trust_context(ctx: RequestContext, params: Params) -> Mapping[str, tuple[str, ...]]:
    """The condition keys a trust policy may test for this request."""
    principal = ctx.principal
    context: dict[str, tuple[str, ...]] = {
        "aws:PrincipalArn": (principal.role_arn or principal.arn,),
        "aws:PrincipalAccount": (ctx.account_id,),
        "aws:PrincipalType": ("AssumedRole" if principal.is_assumed_role else "User",),
        "aws:CurrentTime": (ctx.now.strftime("%Y-%m-%dT%H:%M:%SZ"),),
        "aws:EpochTime": (str(int(ctx.now.timestamp())),),
        "aws:RequestedRegion": (ctx.region,),
        "aws:SecureTransport": ("false",),
        "sts:RoleSessionName": (params["RoleSessionName"],),
    }
    if not principal.is_assumed_role:
        context["aws:username"] = (principal.user_name,)
    if principal.user_id:
        context["aws:userid"] = (principal.user_id,)
    if params.get("ExternalId"):
        context["sts:ExternalId"] = (params["ExternalId"],)
    return context
