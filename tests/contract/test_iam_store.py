"""IamRepository on SQLite and PostgreSQL: the admin user from the migration, case-insensitive
names, the identity policies that apply to a user or a role, sessions and their purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.errors import ConcurrentModificationError
from dockyard.domain.iam import (
    Group,
    ManagedPolicy,
    OwnerKind,
    PolicyVersion,
    Role,
    StoredSession,
    User,
    token_digest,
)
from dockyard.domain.iam_managed import builtin_by_name
from dockyard.store import Store
from dockyard.store.repositories.iam import IamRepository
from dockyard.store.uow import UnitOfWork

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _id(prefix: str, n: int) -> str:
    return f"{prefix}{n:017d}"


def doc(sid: str) -> str:
    return f'{{"Version":"2012-10-17","Statement":[{{"Sid":"{sid}","Effect":"Allow","Action":"ecs:*","Resource":"*"}}]}}'


def write(store: Store, fn):  # type: ignore[no-untyped-def]
    return store.write(lambda uow: fn(IamRepository(uow.session)))


def read(store: Store, fn):  # type: ignore[no-untyped-def]
    return store.read(lambda uow: fn(IamRepository(uow.session)))


def test_the_migration_creates_the_admin_user(store: Store) -> None:
    admin = read(store, lambda r: r.get_user("dockyard-admin"))
    assert admin is not None and admin.path == "/" and admin.user_id.startswith("AIDA")
    assert len(admin.user_id) == 21


def test_names_are_unique_without_regard_to_case(store: Store) -> None:
    write(store, lambda r: r.add_user(User(_id("AIDA", 1), "Alice", "/", T0)))
    assert read(store, lambda r: r.get_user("ALICE")).name == "Alice"
    with pytest.raises(ConcurrentModificationError):  # a unique race, retried, then given up
        store.write(
            lambda uow: IamRepository(uow.session).add_user(User(_id("AIDA", 2), "alice", "/", T0)),
            retries=0,
        )


def test_policies_for_user_gathers_inline_attached_and_group_policies(store: Store) -> None:
    user = User(_id("AIDA", 1), "alice", "/", T0)
    other = User(_id("AIDA", 2), "bob", "/", T0)
    group = Group(_id("AGPA", 1), "devs", "/", T0)
    policy = ManagedPolicy(_id("ANPA", 1), "Team", "/t/", "v2", T0, T0, next_version=3)
    admin = builtin_by_name("/", "AdministratorAccess")
    assert admin is not None

    def setup(r: IamRepository) -> None:
        r.add_user(user)
        r.add_user(other)
        r.add_group(group)
        r.add_member(group.group_id, user.user_id)
        r.put_inline(OwnerKind.USER, user.user_id, "mine", doc("Mine"))
        r.put_inline(OwnerKind.USER, other.user_id, "theirs", doc("Theirs"))
        r.put_inline(OwnerKind.GROUP, group.group_id, "shared", doc("Shared"))
        r.add_policy(policy, PolicyVersion("v1", doc("Old"), T0))
        r.add_version(policy.policy_id, PolicyVersion("v2", doc("Current"), T0))
        r.attach(OwnerKind.USER, user.user_id, policy.policy_id)
        r.attach(OwnerKind.GROUP, group.group_id, policy.policy_id)
        r.attach(OwnerKind.GROUP, group.group_id, admin.policy.policy_id)

    write(store, setup)
    found = read(store, lambda r: r.policies_for_user("ALICE"))
    assert found == [
        ("user/alice/mine", doc("Mine")),
        ("group/devs/shared", doc("Shared")),
        ("aws:policy/AdministratorAccess", admin.document),
        ("policy/t/Team", doc("Current")),
    ]
    assert read(store, lambda r: r.policies_for_user("bob")) == [("user/bob/theirs", doc("Theirs"))]
    assert read(store, lambda r: r.policies_for_user("nobody")) == []


def test_policies_for_role(store: Store) -> None:
    role = Role(_id("AROA", 1), "svc", "/", "{}", T0)
    execution = builtin_by_name("/service-role/", "AmazonECSTaskExecutionRolePolicy")
    assert execution is not None

    def setup(r: IamRepository) -> None:
        r.add_role(role)
        r.put_inline(OwnerKind.ROLE, role.role_id, "inline", doc("Inline"))
        r.attach(OwnerKind.ROLE, role.role_id, execution.policy.policy_id)

    write(store, setup)
    assert read(store, lambda r: r.policies_for_role("SVC")) == [
        ("role/svc/inline", doc("Inline")),
        ("aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", execution.document),
    ]
    assert read(store, lambda r: r.policies_for_role("ghost")) == []


def test_sessions_round_trip_and_purge(store: Store) -> None:
    def session(key: str, expires: datetime, source: str = "") -> StoredSession:
        return StoredSession(
            access_key_id=key,
            secret_encrypted=b"\x00secret",
            token_sha256=token_digest("tok-" + key),
            role_arn="arn:aws:iam::123456789012:role/r",
            role_id=_id("AROA", 1),
            role_name="r",
            session_name="s",
            expires_at=expires,
            created_at=T0,
            source=source,
        )

    live, dead = session("ASIALIVE", T0 + timedelta(hours=1)), session("ASIADEAD", T0)
    task = session("ASIATASK", T0 + timedelta(hours=6), source="arn:task/1")

    def setup(r: IamRepository) -> None:
        for s in (live, dead, task):
            r.add_session(s)

    write(store, setup)
    got = read(store, lambda r: r.get_session("ASIALIVE"))
    assert got == live and got.token_matches("tok-ASIALIVE")
    assert write(store, lambda r: r.purge_expired_sessions(T0 + timedelta(minutes=1))) == 1
    assert read(store, lambda r: r.get_session("ASIADEAD")) is None
    assert write(store, lambda r: r.delete_sessions_from("arn:task/1")) == 1
    assert read(store, lambda r: r.get_session("ASIATASK")) is None
    assert read(store, lambda r: r.get_session("ASIALIVE")) is not None


def test_deleting_owner_rows_and_counts(store: Store) -> None:
    user = User(_id("AIDA", 9), "carol", "/", T0)
    group = Group(_id("AGPA", 9), "g", "/", T0)

    def setup(uow: UnitOfWork) -> None:
        r = IamRepository(uow.session)
        r.add_user(user)
        r.add_group(group)
        assert r.add_member(group.group_id, user.user_id)
        assert not r.add_member(group.group_id, user.user_id)

    store.write(setup)
    assert read(
        store, lambda r: (r.count_members(group.group_id), r.count_groups_for_user(user.user_id))
    ) == (1, 1)
    assert write(store, lambda r: r.remove_member(group.group_id, user.user_id))
    assert not write(store, lambda r: r.remove_member(group.group_id, user.user_id))
