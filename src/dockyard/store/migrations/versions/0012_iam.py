"""IAM users, groups, roles, policies, STS sessions.

Also creates the IAM user row of the bootstrap admin ``dockyard-admin`` (the root of trust),
so it shows in GetUser / ListUsers like any user; on a data dir that already has its access
key, the user's create date is the key's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

import secrets
import string
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
ENTITY_ID = sa.String(32)
ADMIN_USER_NAME = "dockyard-admin"


def _version() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("version", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "iam_users",
        sa.Column("user_id", ENTITY_ID, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _version(),
        sa.UniqueConstraint("name_key", name="uq_iam_users_name"),
    )
    op.create_table(
        "iam_groups",
        sa.Column("group_id", ENTITY_ID, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _version(),
        sa.UniqueConstraint("name_key", name="uq_iam_groups_name"),
    )
    op.create_table(
        "iam_group_members",
        sa.Column("group_id", ENTITY_ID, primary_key=True),
        sa.Column("user_id", ENTITY_ID, primary_key=True),
    )
    op.create_index("ix_iam_group_members_user", "iam_group_members", ["user_id"])
    op.create_table(
        "iam_roles",
        sa.Column("role_id", ENTITY_ID, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("trust_document", sa.Text(), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column("max_session_duration", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _version(),
        sa.UniqueConstraint("name_key", name="uq_iam_roles_name"),
    )
    _policies()
    _sessions()
    _admin_user()


def _policies() -> None:
    op.create_table(
        "iam_inline_policies",
        sa.Column("owner_kind", sa.String(8), primary_key=True),
        sa.Column("owner_id", ENTITY_ID, primary_key=True),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("document", sa.Text(), nullable=False),
    )
    op.create_table(
        "iam_managed_policies",
        sa.Column("policy_id", ENTITY_ID, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column("default_version_id", sa.String(16), nullable=False),
        sa.Column("next_version", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        _version(),
        sa.UniqueConstraint("name_key", name="uq_iam_managed_policies_name"),
    )
    op.create_table(
        "iam_policy_versions",
        sa.Column("policy_id", ENTITY_ID, primary_key=True),
        sa.Column("version_id", sa.String(16), primary_key=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "iam_attachments",
        sa.Column("owner_kind", sa.String(8), primary_key=True),
        sa.Column("owner_id", ENTITY_ID, primary_key=True),
        sa.Column("policy_id", ENTITY_ID, primary_key=True),
    )
    op.create_index("ix_iam_attachments_policy", "iam_attachments", ["policy_id"])


def _sessions() -> None:
    op.create_table(
        "sts_sessions",
        sa.Column("access_key_id", sa.String(32), primary_key=True),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("role_arn", sa.String(2048), nullable=False),
        sa.Column("role_id", ENTITY_ID, nullable=False),
        sa.Column("role_name", sa.String(64), nullable=False),
        sa.Column("session_name", sa.String(64), nullable=False),
        sa.Column("source", sa.String(2048), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_sts_sessions_expires", "sts_sessions", ["expires_at"])
    op.create_index("ix_sts_sessions_source", "sts_sessions", ["source"])


def _admin_user() -> None:
    """The bootstrap admin as an IAM user (its id is drawn here, once, like AWS's)."""
    bind = op.get_bind()
    created = bind.execute(
        sa.text("SELECT MIN(created_at) FROM access_keys WHERE user_name = :name"),
        {"name": ADMIN_USER_NAME},
    ).scalar()
    if isinstance(created, str):  # SQLite hands back text for a raw query
        created = datetime.fromisoformat(created)
    if created is None:
        created = datetime.now(UTC)
    elif created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    alphabet = string.ascii_uppercase + string.digits
    user_id = "AIDA" + "".join(secrets.choice(alphabet) for _ in range(17))
    users = sa.table(
        "iam_users",
        sa.column("user_id", sa.String),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("path", sa.String),
        sa.column("tags", sa.JSON),
        sa.column("created_at", TZ),
        sa.column("version", sa.Integer),
    )
    op.bulk_insert(
        users,
        [
            {
                "user_id": user_id,
                "name": ADMIN_USER_NAME,
                "name_key": ADMIN_USER_NAME,
                "path": "/",
                "tags": {},
                "created_at": created,
                "version": 1,
            }
        ],
    )


def downgrade() -> None:
    for table in (
        "sts_sessions",
        "iam_attachments",
        "iam_policy_versions",
        "iam_managed_policies",
        "iam_inline_policies",
        "iam_roles",
        "iam_group_members",
        "iam_groups",
        "iam_users",
    ):
        op.drop_table(table)
