"""Initial schema: access keys, clusters, task definitions, tags, account settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "access_keys",
        sa.Column("access_key_id", sa.String(128), primary_key=True),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("principal_arn", sa.String(2048), nullable=False),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "name", name="uq_clusters_region_name"),
    )
    op.create_table(
        "task_definition_families",
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("family", sa.String(255), primary_key=True),
        sa.Column("last_revision", sa.Integer(), nullable=False),
    )
    op.create_table(
        "task_definitions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("family", sa.String(255), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("registered_at", TZ, nullable=False),
        sa.Column("deregistered_at", TZ, nullable=True),
        sa.Column("delete_requested_at", TZ, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "family", "revision", name="uq_task_definitions_revision"),
    )
    op.create_index(
        "ix_task_definitions_status",
        "task_definitions",
        ["region", "status", "family", "revision"],
    )
    op.create_table(
        "tags",
        sa.Column("resource_arn", sa.String(2048), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )
    op.create_table(
        "account_settings",
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("principal_arn", sa.String(2048), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "account_settings",
        "tags",
        "task_definitions",
        "task_definition_families",
        "clusters",
        "access_keys",
    ):
        op.drop_table(table)
