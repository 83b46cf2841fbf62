"""Tasks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("task_id", sa.String(32), primary_key=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("cluster", sa.String(255), nullable=False),
        sa.Column("instance_id", sa.String(32), nullable=True),
        sa.Column("family", sa.String(255), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(128), nullable=True),
        sa.Column("group_name", sa.String(255), nullable=True),
        sa.Column("service_name", sa.String(255), nullable=True),
        sa.Column("launch_type", sa.String(16), nullable=False),
        sa.Column("last_status", sa.String(16), nullable=False),
        sa.Column("desired_status", sa.String(16), nullable=False),
        sa.Column("client_token", sa.String(64), nullable=True),
        sa.Column("cpu", sa.Integer(), nullable=False),
        sa.Column("memory", sa.Integer(), nullable=False),
        sa.Column("ports", sa.String(2048), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("stopped_at", TZ, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_tasks_cluster_desired", "tasks", ["region", "cluster", "desired_status", "family"]
    )
    op.create_index("ix_tasks_instance", "tasks", ["instance_id", "last_status"])
    op.create_index("ix_tasks_client_token", "tasks", ["region", "cluster", "client_token"])
    op.create_index("ix_tasks_stopped_at", "tasks", ["stopped_at"])


def downgrade() -> None:
    op.drop_table("tasks")
