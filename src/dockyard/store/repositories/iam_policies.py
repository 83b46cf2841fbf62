"""IAM policies in the store: inline policies, managed policies with their versions, and
attachments of managed policies to users, groups and roles.

The base of :class:`~dockyard.store.repositories.iam.IamRepository`; use that. Owners are named
by (:class:`OwnerKind`, unique id). AWS managed policies have no rows: they are attached by their
built-in id and described from ``domain/iam_managed.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dockyard.domain.iam import (
    AttachedEntity,
    ManagedPolicy,
    OwnerKind,
    PolicyVersion,
    Tags,
    name_key,
)
from dockyard.store.schema_iam import (
    IamAttachmentRow,
    IamGroupRow,
    IamInlinePolicyRow,
    IamManagedPolicyRow,
    IamPolicyVersionRow,
    IamRoleRow,
    IamUserRow,
)

_ENTITY_TABLES: dict[OwnerKind, tuple[Any, Any]] = {
    OwnerKind.USER: (IamUserRow, IamUserRow.user_id),
    OwnerKind.GROUP: (IamGroupRow, IamGroupRow.group_id),
    OwnerKind.ROLE: (IamRoleRow, IamRoleRow.role_id),
}


class IamPolicyStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- inline policies --------------------------------------------------------------------

    def inline_documents(self, kind: OwnerKind, owner_id: str) -> dict[str, str]:
        """The owner's inline policies, name → document, in name order."""
        query = (
            select(IamInlinePolicyRow.name, IamInlinePolicyRow.document)
            .where(*_inline_owner(kind, owner_id))
            .order_by(IamInlinePolicyRow.name)
        )
        return {name: document for name, document in self._session.execute(query)}

    def get_inline(self, kind: OwnerKind, owner_id: str, name: str) -> str | None:
        row = self._session.get(IamInlinePolicyRow, (kind.value, owner_id, name))
        return None if row is None else row.document

    def inline_names(
        self, kind: OwnerKind, owner_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[str]:
        query = select(IamInlinePolicyRow.name).where(*_inline_owner(kind, owner_id))
        if after is not None:
            query = query.where(IamInlinePolicyRow.name > after)
        query = query.order_by(IamInlinePolicyRow.name).limit(limit)
        return list(self._session.scalars(query))

    def put_inline(self, kind: OwnerKind, owner_id: str, name: str, document: str) -> None:
        row = self._session.get(IamInlinePolicyRow, (kind.value, owner_id, name))
        if row is None:
            self._session.add(
                IamInlinePolicyRow(
                    owner_kind=kind.value, owner_id=owner_id, name=name, document=document
                )
            )
        else:
            row.document = document

    def delete_inline(self, kind: OwnerKind, owner_id: str, name: str) -> bool:
        result = self._session.execute(
            delete(IamInlinePolicyRow).where(
                *_inline_owner(kind, owner_id), IamInlinePolicyRow.name == name
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def count_inline(self, kind: OwnerKind, owner_id: str) -> int:
        query = (
            select(func.count())
            .select_from(IamInlinePolicyRow)
            .where(*_inline_owner(kind, owner_id))
        )
        return int(self._session.scalar(query) or 0)

    # --- managed policies and versions ------------------------------------------------------

    def get_policy(self, name: str) -> ManagedPolicy | None:
        """The local managed policy called ``name`` (names are unique whatever the path)."""
        query = select(IamManagedPolicyRow).where(IamManagedPolicyRow.name_key == name_key(name))
        row = self._session.scalars(query).first()
        return None if row is None else _policy(row)

    def list_policies(self, *, path_prefix: str = "/") -> list[ManagedPolicy]:
        """Every local managed policy under ``path_prefix``, by name (an account holds at most
        a few thousand; callers merge the built-ins and page in memory)."""
        query = (
            select(IamManagedPolicyRow)
            .where(IamManagedPolicyRow.path.startswith(path_prefix, autoescape=True))
            .order_by(IamManagedPolicyRow.name_key)
        )
        return [_policy(row) for row in self._session.scalars(query)]

    def add_policy(self, policy: ManagedPolicy, first: PolicyVersion) -> None:
        self._session.add(
            IamManagedPolicyRow(
                policy_id=policy.policy_id,
                name=policy.name,
                name_key=name_key(policy.name),
                path=policy.path,
                description=policy.description,
                default_version_id=policy.default_version_id,
                next_version=policy.next_version,
                tags=dict(policy.tags),
                created_at=policy.created_at,
                updated_at=policy.updated_at,
            )
        )
        self.add_version(policy.policy_id, first)

    def update_policy(self, policy: ManagedPolicy) -> None:
        """Write the default version, version counter, update date and tags."""
        row = self._session.get(IamManagedPolicyRow, policy.policy_id)
        if row is None:
            raise KeyError(policy.policy_id)
        row.default_version_id = policy.default_version_id
        row.next_version = policy.next_version
        row.updated_at = policy.updated_at
        row.tags = dict(policy.tags)

    def delete_policy(self, policy_id: str) -> None:
        """Delete the policy and all its versions (attachments must be gone already)."""
        self._session.execute(
            delete(IamPolicyVersionRow).where(IamPolicyVersionRow.policy_id == policy_id)
        )
        self._session.execute(
            delete(IamManagedPolicyRow).where(IamManagedPolicyRow.policy_id == policy_id)
        )

    def versions(self, policy: ManagedPolicy) -> list[PolicyVersion]:
        """The policy's versions, newest first (AWS's order), the default one flagged."""
        query = select(IamPolicyVersionRow).where(IamPolicyVersionRow.policy_id == policy.policy_id)
        found = [
            PolicyVersion(
                row.version_id,
                row.document,
                row.created_at,
                is_default=row.version_id == policy.default_version_id,
            )
            for row in self._session.scalars(query)
        ]
        return sorted(found, key=lambda v: int(v.version_id[1:]), reverse=True)

    def get_version(self, policy: ManagedPolicy, version_id: str) -> PolicyVersion | None:
        row = self._session.get(IamPolicyVersionRow, (policy.policy_id, version_id))
        if row is None:
            return None
        return PolicyVersion(
            row.version_id,
            row.document,
            row.created_at,
            is_default=row.version_id == policy.default_version_id,
        )

    def add_version(self, policy_id: str, version: PolicyVersion) -> None:
        self._session.add(
            IamPolicyVersionRow(
                policy_id=policy_id,
                version_id=version.version_id,
                document=version.document,
                created_at=version.created_at,
            )
        )

    def delete_version(self, policy_id: str, version_id: str) -> None:
        self._session.execute(
            delete(IamPolicyVersionRow).where(
                IamPolicyVersionRow.policy_id == policy_id,
                IamPolicyVersionRow.version_id == version_id,
            )
        )

    # --- attachments ------------------------------------------------------------------------

    def attach(self, kind: OwnerKind, owner_id: str, policy_id: str) -> bool:
        """Attach; False when it already was attached (AWS: a no-op)."""
        key = (kind.value, owner_id, policy_id)
        if self._session.get(IamAttachmentRow, key) is not None:
            return False
        self._session.add(
            IamAttachmentRow(owner_kind=kind.value, owner_id=owner_id, policy_id=policy_id)
        )
        return True

    def detach(self, kind: OwnerKind, owner_id: str, policy_id: str) -> bool:
        result = self._session.execute(
            delete(IamAttachmentRow).where(
                IamAttachmentRow.owner_kind == kind.value,
                IamAttachmentRow.owner_id == owner_id,
                IamAttachmentRow.policy_id == policy_id,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def attached_policy_ids(self, kind: OwnerKind, owner_id: str) -> list[str]:
        query = select(IamAttachmentRow.policy_id).where(
            IamAttachmentRow.owner_kind == kind.value, IamAttachmentRow.owner_id == owner_id
        )
        return list(self._session.scalars(query))

    def policies_by_id(self, policy_ids: Iterable[str]) -> dict[str, ManagedPolicy]:
        """Local managed policies by id (built-in ids are simply absent)."""
        ids = list(policy_ids)
        if not ids:
            return {}
        query = select(IamManagedPolicyRow).where(IamManagedPolicyRow.policy_id.in_(ids))
        return {row.policy_id: _policy(row) for row in self._session.scalars(query)}

    def attachment_counts(self, policy_ids: Iterable[str] | None = None) -> dict[str, int]:
        """How many users, groups and roles each policy is attached to (absent: none)."""
        query = select(IamAttachmentRow.policy_id, func.count()).group_by(
            IamAttachmentRow.policy_id
        )
        if policy_ids is not None:
            query = query.where(IamAttachmentRow.policy_id.in_(list(policy_ids)))
        return {policy_id: int(count) for policy_id, count in self._session.execute(query)}

    def entities_for_policy(self, policy_id: str) -> list[AttachedEntity]:
        """Users, groups and roles the policy is attached to, by kind then name."""
        found: list[AttachedEntity] = []
        for kind, (table, id_column) in _ENTITY_TABLES.items():
            query = (
                select(id_column, table.name)
                .join(IamAttachmentRow, IamAttachmentRow.owner_id == id_column)
                .where(
                    IamAttachmentRow.owner_kind == kind.value,
                    IamAttachmentRow.policy_id == policy_id,
                )
                .order_by(table.name_key)
            )
            found.extend(AttachedEntity(kind, i, n) for i, n in self._session.execute(query))
        return found

    def delete_owner(self, kind: OwnerKind, owner_id: str) -> None:
        """Forget an owner's inline policies and attachments (its row is deleted elsewhere)."""
        self._session.execute(delete(IamInlinePolicyRow).where(*_inline_owner(kind, owner_id)))
        self._session.execute(
            delete(IamAttachmentRow).where(
                IamAttachmentRow.owner_kind == kind.value, IamAttachmentRow.owner_id == owner_id
            )
        )


def _inline_owner(kind: OwnerKind, owner_id: str) -> tuple[Any, Any]:
    return (IamInlinePolicyRow.owner_kind == kind.value, IamInlinePolicyRow.owner_id == owner_id)


def _policy(row: IamManagedPolicyRow) -> ManagedPolicy:
    tags: Tags = tuple((str(k), str(v)) for k, v in (row.tags or {}).items())
    return ManagedPolicy(
        policy_id=row.policy_id,
        name=row.name,
        path=row.path,
        default_version_id=row.default_version_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        description=row.description,
        next_version=row.next_version,
        tags=tags,
    )


__all__ = ["IamPolicyStore"]
