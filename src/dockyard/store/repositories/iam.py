"""IAM and STS persistence: users, groups, roles, inline and managed policies, attachments,
access-key changes and STS sessions.

Built on a unit of work's session: ``IamRepository(uow.session)``. Methods take and return
domain values (``domain/iam.py``); a missing object is ``None`` / ``False`` and the caller words
the error. Lookups by name are case-insensitive (IAM's rule). Lists page by an exclusive
``after`` key (the name key, lower-cased) and return at most ``limit`` items; ask for one more
than a page to learn whether it is truncated.

For the authorizer, :meth:`IamRepository.policies_for_user` and
:meth:`IamRepository.policies_for_role` return every identity policy that applies to a
principal in three queries; for authentication, :meth:`IamRepository.get_session` returns an
STS session by its ``ASIA…`` key id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from dockyard.domain.iam import (
    Group,
    OwnerKind,
    Role,
    Tags,
    User,
    name_key,
)
from dockyard.domain.iam_managed import builtin_by_id
from dockyard.store.repositories.iam_policies import IamPolicyStore
from dockyard.store.repositories.iam_sessions import StsSessionStore
from dockyard.store.schema import AccessKeyRow
from dockyard.store.schema_iam import (
    IamAttachmentRow,
    IamGroupMemberRow,
    IamGroupRow,
    IamInlinePolicyRow,
    IamManagedPolicyRow,
    IamPolicyVersionRow,
    IamRoleRow,
    IamUserRow,
)


class IamRepository(IamPolicyStore, StsSessionStore):
    """Users, groups and roles; policies and attachments come from :class:`IamPolicyStore`,
    STS sessions from :class:`StsSessionStore`."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)

    # --- users ------------------------------------------------------------------------------

    def get_user(self, name: str) -> User | None:
        row = self._user_row(name)
        return None if row is None else _user(row)

    def user_names(self, user_ids: Iterable[str]) -> dict[str, str]:
        ids = list(user_ids)
        if not ids:
            return {}
        rows = self._session.execute(
            select(IamUserRow.user_id, IamUserRow.name).where(IamUserRow.user_id.in_(ids))
        )
        return {user_id: name for user_id, name in rows}

    def list_users(
        self, *, path_prefix: str = "/", after: str | None = None, limit: int = 100
    ) -> list[User]:
        query = select(IamUserRow).where(IamUserRow.path.startswith(path_prefix, autoescape=True))
        if after is not None:
            query = query.where(IamUserRow.name_key > after)
        query = query.order_by(IamUserRow.name_key).limit(limit)
        return [_user(row) for row in self._session.scalars(query)]

    def add_user(self, user: User) -> None:
        self._session.add(
            IamUserRow(
                user_id=user.user_id,
                name=user.name,
                name_key=name_key(user.name),
                path=user.path,
                tags=_tags_out(user.tags),
                created_at=user.created_at,
            )
        )

    def update_user(self, user: User, *, principal_arn: str) -> None:
        """Write ``user``'s name, path and tags over the row with its id; the user's access
        keys follow a rename or a new path (their ``user_name`` and ``principal_arn``)."""
        row = self._session.get(IamUserRow, user.user_id)
        if row is None:
            raise KeyError(user.user_id)
        old_name = row.name
        row.name, row.name_key, row.path = user.name, name_key(user.name), user.path
        row.tags = _tags_out(user.tags)
        self._session.execute(
            update(AccessKeyRow)
            .where(AccessKeyRow.user_name == old_name)
            .values(user_name=user.name, principal_arn=principal_arn)
        )

    def delete_user(self, user_id: str) -> None:
        self._session.execute(delete(IamUserRow).where(IamUserRow.user_id == user_id))

    def _user_row(self, name: str) -> IamUserRow | None:
        query = select(IamUserRow).where(IamUserRow.name_key == name_key(name))
        return self._session.scalars(query).first()

    # --- access keys (rows live in ``access_keys``; reads go through uow.access_keys) --------

    def set_access_key_status(self, access_key_id: str, status: str) -> None:
        self._session.execute(
            update(AccessKeyRow)
            .where(AccessKeyRow.access_key_id == access_key_id)
            .values(status=status)
        )

    def delete_access_key(self, access_key_id: str) -> None:
        self._session.execute(
            delete(AccessKeyRow).where(AccessKeyRow.access_key_id == access_key_id)
        )

    # --- groups -----------------------------------------------------------------------------

    def get_group(self, name: str) -> Group | None:
        query = select(IamGroupRow).where(IamGroupRow.name_key == name_key(name))
        row = self._session.scalars(query).first()
        return None if row is None else _group(row)

    def list_groups(
        self, *, path_prefix: str = "/", after: str | None = None, limit: int = 100
    ) -> list[Group]:
        query = select(IamGroupRow).where(IamGroupRow.path.startswith(path_prefix, autoescape=True))
        if after is not None:
            query = query.where(IamGroupRow.name_key > after)
        query = query.order_by(IamGroupRow.name_key).limit(limit)
        return [_group(row) for row in self._session.scalars(query)]

    def add_group(self, group: Group) -> None:
        self._session.add(
            IamGroupRow(
                group_id=group.group_id,
                name=group.name,
                name_key=name_key(group.name),
                path=group.path,
                created_at=group.created_at,
            )
        )

    def delete_group(self, group_id: str) -> None:
        self._session.execute(delete(IamGroupRow).where(IamGroupRow.group_id == group_id))

    def add_member(self, group_id: str, user_id: str) -> bool:
        """Add the user to the group; False when it already was a member."""
        if self._session.get(IamGroupMemberRow, (group_id, user_id)) is not None:
            return False
        self._session.add(IamGroupMemberRow(group_id=group_id, user_id=user_id))
        return True

    def remove_member(self, group_id: str, user_id: str) -> bool:
        result = self._session.execute(
            delete(IamGroupMemberRow).where(
                IamGroupMemberRow.group_id == group_id, IamGroupMemberRow.user_id == user_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def group_members(
        self, group_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[User]:
        query = (
            select(IamUserRow)
            .join(IamGroupMemberRow, IamGroupMemberRow.user_id == IamUserRow.user_id)
            .where(IamGroupMemberRow.group_id == group_id)
        )
        if after is not None:
            query = query.where(IamUserRow.name_key > after)
        query = query.order_by(IamUserRow.name_key).limit(limit)
        return [_user(row) for row in self._session.scalars(query)]

    def groups_for_user(
        self, user_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[Group]:
        query = (
            select(IamGroupRow)
            .join(IamGroupMemberRow, IamGroupMemberRow.group_id == IamGroupRow.group_id)
            .where(IamGroupMemberRow.user_id == user_id)
        )
        if after is not None:
            query = query.where(IamGroupRow.name_key > after)
        query = query.order_by(IamGroupRow.name_key).limit(limit)
        return [_group(row) for row in self._session.scalars(query)]

    def count_members(self, group_id: str) -> int:
        return self._count(IamGroupMemberRow, IamGroupMemberRow.group_id == group_id)

    def count_groups_for_user(self, user_id: str) -> int:
        return self._count(IamGroupMemberRow, IamGroupMemberRow.user_id == user_id)

    # --- roles ------------------------------------------------------------------------------

    def get_role(self, name: str) -> Role | None:
        query = select(IamRoleRow).where(IamRoleRow.name_key == name_key(name))
        row = self._session.scalars(query).first()
        return None if row is None else _role(row)

    def list_roles(
        self, *, path_prefix: str = "/", after: str | None = None, limit: int = 100
    ) -> list[Role]:
        query = select(IamRoleRow).where(IamRoleRow.path.startswith(path_prefix, autoescape=True))
        if after is not None:
            query = query.where(IamRoleRow.name_key > after)
        query = query.order_by(IamRoleRow.name_key).limit(limit)
        return [_role(row) for row in self._session.scalars(query)]

    def add_role(self, role: Role) -> None:
        row = IamRoleRow(role_id=role.role_id, created_at=role.created_at)
        _fill_role(row, role)
        self._session.add(row)

    def update_role(self, role: Role) -> None:
        """Write ``role``'s mutable fields (trust, description, duration, tags) over its row."""
        row = self._session.get(IamRoleRow, role.role_id)
        if row is None:
            raise KeyError(role.role_id)
        _fill_role(row, role)

    def delete_role(self, role_id: str) -> None:
        self._session.execute(delete(IamRoleRow).where(IamRoleRow.role_id == role_id))

    # --- identity policies for the authorizer ------------------------------------------------

    def policies_for_user(self, user_name: str) -> list[tuple[str, str]]:
        """Every identity policy that applies to the user, as (label, document JSON) pairs:
        the user's inline policies, the default versions of managed policies attached to the
        user, and the same for every group the user belongs to. Empty for an unknown user.

        Labels are unique and say where a policy comes from: ``user/NAME/POLICY`` or
        ``group/NAME/POLICY`` for inline policies, the policy ARN's resource part
        (``policy/PATH/NAME``, ``aws:policy/PATH/NAME`` for AWS managed ones) for managed
        policies. Three queries: the user, the inline policies, the attachments with their
        default documents (AWS managed documents come from ``domain/iam_managed``).
        """
        row = self._user_row(user_name)
        if row is None:
            return []
        groups = select(IamGroupMemberRow.group_id).where(IamGroupMemberRow.user_id == row.user_id)
        owners = or_(
            and_(_kind_is(IamInlinePolicyRow, OwnerKind.USER), _owner_is(IamInlinePolicyRow, row)),
            and_(
                _kind_is(IamInlinePolicyRow, OwnerKind.GROUP),
                IamInlinePolicyRow.owner_id.in_(groups),
            ),
        )
        inline = self._session.execute(
            select(
                IamInlinePolicyRow.owner_kind,
                func.coalesce(IamGroupRow.name, row.name),
                IamInlinePolicyRow.name,
                IamInlinePolicyRow.document,
            )
            .outerjoin(IamGroupRow, IamGroupRow.group_id == IamInlinePolicyRow.owner_id)
            .where(owners)
            .order_by(IamInlinePolicyRow.owner_kind.desc(), IamInlinePolicyRow.name)
        )
        found = [(f"{kind}/{owner}/{name}", doc) for kind, owner, name, doc in inline]
        attached = or_(
            and_(
                _kind_is(IamAttachmentRow, OwnerKind.USER), IamAttachmentRow.owner_id == row.user_id
            ),
            and_(
                _kind_is(IamAttachmentRow, OwnerKind.GROUP), IamAttachmentRow.owner_id.in_(groups)
            ),
        )
        return found + self._attached_documents(attached)

    def policies_for_role(self, role_name: str) -> list[tuple[str, str]]:
        """Every identity policy of the role: its inline policies (``role/NAME/POLICY``) and
        the default versions of its attached managed policies (labelled as in
        :meth:`policies_for_user`). Empty for an unknown role. Three queries."""
        query = select(IamRoleRow.role_id, IamRoleRow.name).where(
            IamRoleRow.name_key == name_key(role_name)
        )
        found_role = self._session.execute(query).first()
        if found_role is None:
            return []
        role_id, name = found_role
        inline = self._session.execute(
            select(IamInlinePolicyRow.name, IamInlinePolicyRow.document)
            .where(
                _kind_is(IamInlinePolicyRow, OwnerKind.ROLE),
                IamInlinePolicyRow.owner_id == role_id,
            )
            .order_by(IamInlinePolicyRow.name)
        )
        found = [(f"role/{name}/{policy}", doc) for policy, doc in inline]
        attached = and_(
            _kind_is(IamAttachmentRow, OwnerKind.ROLE), IamAttachmentRow.owner_id == role_id
        )
        return found + self._attached_documents(attached)

    def _attached_documents(self, where: Any) -> list[tuple[str, str]]:
        query = (
            select(
                IamAttachmentRow.policy_id,
                IamManagedPolicyRow.path,
                IamManagedPolicyRow.name,
                IamPolicyVersionRow.document,
            )
            .outerjoin(
                IamManagedPolicyRow, IamManagedPolicyRow.policy_id == IamAttachmentRow.policy_id
            )
            .outerjoin(
                IamPolicyVersionRow,
                and_(
                    IamPolicyVersionRow.policy_id == IamManagedPolicyRow.policy_id,
                    IamPolicyVersionRow.version_id == IamManagedPolicyRow.default_version_id,
                ),
            )
            .where(where)
            .distinct()
        )
        found: dict[str, str] = {}
        for policy_id, path, name, document in self._session.execute(query):
            if document is not None:
                found[f"policy{path}{name}"] = document
                continue
            builtin = builtin_by_id(policy_id)
            if builtin is not None:
                found[f"aws:policy{builtin.policy.path}{builtin.policy.name}"] = builtin.document
        return sorted(found.items())

    def _count(self, table: Any, *where: Any) -> int:
        query = select(func.count()).select_from(table).where(*where)
        return int(self._session.scalar(query) or 0)


def _kind_is(table: Any, kind: OwnerKind) -> Any:
    return table.owner_kind == kind.value


def _owner_is(table: Any, row: IamUserRow) -> Any:
    return table.owner_id == row.user_id


def _tags_in(raw: dict[str, Any] | None) -> Tags:
    return tuple((str(k), str(v)) for k, v in (raw or {}).items())


def _tags_out(tags: Tags) -> dict[str, Any]:
    return dict(tags)


def _user(row: IamUserRow) -> User:
    return User(row.user_id, row.name, row.path, row.created_at, _tags_in(row.tags))


def _group(row: IamGroupRow) -> Group:
    return Group(row.group_id, row.name, row.path, row.created_at)


def _fill_role(row: IamRoleRow, role: Role) -> None:
    row.name, row.name_key, row.path = role.name, name_key(role.name), role.path
    row.trust_document = role.trust_document
    row.description = role.description
    row.max_session_duration = role.max_session_duration
    row.tags = _tags_out(role.tags)


def _role(row: IamRoleRow) -> Role:
    return Role(
        role_id=row.role_id,
        name=row.name,
        path=row.path,
        trust_document=row.trust_document,
        created_at=row.created_at,
        description=row.description,
        max_session_duration=row.max_session_duration,
        tags=_tags_in(row.tags),
    )


__all__ = ["IamRepository"]
