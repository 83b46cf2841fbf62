"""ECS task-definition operations: Register/Describe/List/ListFamilies/Deregister/Delete."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.wire import tags_from_wire, tags_to_wire
from dockyard.domain import arns
from dockyard.domain.errors import ClientException, InvalidParameterException
from dockyard.domain.pagination import decode_token, encode_token, page_size
from dockyard.domain.tags import merge_tags
from dockyard.domain.task_definition import (
    TaskDefinition,
    TaskDefinitionStatus,
    build_task_definition,
    registration_from_request,
    task_definition_to_document,
    validate_registration,
)
from dockyard.store.uow import UnitOfWork

MAX_DELETE_BATCH = 10
NOT_FOUND = "Unable to describe task definition."


def parse_task_definition_ref(ref: str) -> tuple[str, int | None]:
    """``family``, ``family:revision`` or a task-definition ARN → (family, revision or None)."""
    text = ref
    if ref.startswith("arn:"):
        parsed = arns.parse_arn(ref)
        if parsed is None or parsed.resource_type != "task-definition":
            raise ClientException(f"Invalid revision number. Number: {ref}")
        text = parsed.resource_path
    family, sep, revision = text.partition(":")
    if not sep:
        return family, None
    if not revision.isdigit() or int(revision) < 1:
        raise ClientException(f"Invalid revision number. Number: {revision}")
    return family, int(revision)


def register_task_definition(ctx: RequestContext, params: Params) -> Result:
    registration = registration_from_request(params)
    validate_registration(registration)
    tags = tags_from_wire(params.get("tags"))
    merge_tags({}, tags)

    def write(uow: UnitOfWork) -> TaskDefinition:
        revision = uow.task_definitions.next_revision(ctx.region, registration.family)
        td = build_task_definition(
            registration,
            revision=revision,
            registered_at=ctx.now,
            registered_by=ctx.principal.arn,
        )
        uow.task_definitions.add(ctx.region, td)
        if tags:  # a new revision's ARN has never carried tags
            uow.tags.replace(_arn(ctx, td), dict(tags))
        return td

    td = ctx.store.write(write)
    result: Result = {"taskDefinition": _to_wire(ctx, td)}
    if tags:
        result["tags"] = tags_to_wire(dict(tags))
    return result


def describe_task_definition(ctx: RequestContext, params: Params) -> Result:
    """A family alone means its latest ACTIVE revision; a revision may be INACTIVE."""
    family, revision = parse_task_definition_ref(params["taskDefinition"])
    include = set(params.get("include") or ())

    def read(uow: UnitOfWork) -> tuple[TaskDefinition | None, dict[str, str]]:
        if revision is None:
            td = uow.task_definitions.latest_active(ctx.region, family)
        else:
            td = uow.task_definitions.get(ctx.region, family, revision)
        tags = uow.tags.get(_arn(ctx, td)) if td and "TAGS" in include else {}
        return td, tags

    td, tags = ctx.store.read(read)
    if td is None:
        raise ClientException(NOT_FOUND)
    result: Result = {"taskDefinition": _to_wire(ctx, td)}
    if "TAGS" in include:
        result["tags"] = tags_to_wire(tags)
    return result


def list_task_definitions(ctx: RequestContext, params: Params) -> Result:
    """``familyPrefix`` is, as in ECS, the *full* family name to list."""
    limit = page_size(params.get("maxResults"), default=100)
    descending = params.get("sort") == "DESC"
    status = params.get("status") or "ACTIVE"
    token = params.get("nextToken")
    after = None
    if token:
        key = decode_token("ListTaskDefinitions", token, (str, int))
        after = (str(key[0]), int(key[1]))
    page = ctx.store.read(
        lambda uow: uow.task_definitions.list_page(
            ctx.region,
            family=params.get("familyPrefix"),
            family_prefix=None,
            status=status,
            descending=descending,
            after=after,
            limit=limit,
        )
    )
    result: Result = {
        "taskDefinitionArns": [
            arns.task_definition_arn(ctx.region, ctx.account_id, f, r) for f, r in page
        ]
    }
    if len(page) == limit:
        result["nextToken"] = encode_token("ListTaskDefinitions", list(page[-1]))
    return result


def list_task_definition_families(ctx: RequestContext, params: Params) -> Result:
    limit = page_size(params.get("maxResults"), default=100)
    token = params.get("nextToken")
    after = str(decode_token("ListTaskDefinitionFamilies", token)[0]) if token else None
    page = ctx.store.read(
        lambda uow: uow.task_definitions.list_families_page(
            ctx.region,
            family_prefix=params.get("familyPrefix"),
            status=params.get("status") or "ACTIVE",
            after=after,
            limit=limit,
        )
    )
    result: Result = {"families": page}
    if len(page) == limit:
        result["nextToken"] = encode_token("ListTaskDefinitionFamilies", [page[-1]])
    return result


def deregister_task_definition(ctx: RequestContext, params: Params) -> Result:
    family, revision = parse_task_definition_ref(params["taskDefinition"])
    if revision is None:
        raise ClientException("Invalid revision number. Number: null")

    def write(uow: UnitOfWork) -> TaskDefinition:
        td = uow.task_definitions.get(ctx.region, family, revision)
        if td is None or td.status is TaskDefinitionStatus.DELETE_IN_PROGRESS:
            raise ClientException("The specified task definition does not exist.")
        if td.status is TaskDefinitionStatus.ACTIVE:
            td = replace(td, status=TaskDefinitionStatus.INACTIVE, deregistered_at=ctx.now)
            uow.task_definitions.save(ctx.region, td)
        return td

    return {"taskDefinition": _to_wire(ctx, ctx.store.write(write))}


def delete_task_definitions(ctx: RequestContext, params: Params) -> Result:
    """Move INACTIVE revisions to DELETE_IN_PROGRESS; each refusal is a ``failures`` entry."""
    refs = list(params["taskDefinitions"])
    if len(refs) > MAX_DELETE_BATCH:
        raise InvalidParameterException(
            f"taskDefinitions can have at most {MAX_DELETE_BATCH} items."
        )
    parsed = [(ref, *parse_task_definition_ref(ref)) for ref in refs]

    def write(uow: UnitOfWork) -> tuple[list[TaskDefinition], list[dict[str, str]]]:
        deleted, failures = [], []
        for ref, family, revision in parsed:
            td = uow.task_definitions.get(ctx.region, family, revision) if revision else None
            failure = _delete_refusal(td)
            if failure or td is None:
                failures.append({"arn": ref, "reason": failure or "", "detail": ""})
                continue
            if td.status is TaskDefinitionStatus.INACTIVE:
                td = replace(
                    td, status=TaskDefinitionStatus.DELETE_IN_PROGRESS, delete_requested_at=ctx.now
                )
                uow.task_definitions.save(ctx.region, td)
            deleted.append(td)
        return deleted, failures

    deleted, failures = ctx.store.write(write)
    return {"taskDefinitions": [_to_wire(ctx, td) for td in deleted], "failures": failures}


def _delete_refusal(td: TaskDefinition | None) -> str | None:
    if td is None:
        return (
            "The specified task definition does not exist. Specify a valid account, "
            "family, revision and try again."
        )
    if td.status is TaskDefinitionStatus.ACTIVE:
        return (
            "The specified task definition is still in ACTIVE status. Please deregister "
            "the target and try again."
        )
    return None


def _arn(ctx: RequestContext, td: TaskDefinition) -> str:
    return arns.task_definition_arn(ctx.region, ctx.account_id, td.family, td.revision)


def _to_wire(ctx: RequestContext, td: TaskDefinition) -> dict[str, Any]:
    document = task_definition_to_document(td)
    document["taskDefinitionArn"] = _arn(ctx, td)
    return document
