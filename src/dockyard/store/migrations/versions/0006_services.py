"""ECS services, and an index for a service's tasks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("cluster", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scheduling_strategy", sa.String(16), nullable=False),
        sa.Column("launch_type", sa.String(32), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "cluster", "name", name="uq_services_region_cluster_name"),
    )
    op.create_index("ix_services_status", "services", ["status"])
    op.create_index("ix_tasks_service", "tasks", ["region", "cluster", "service_name"])


def downgrade() -> None:
    op.drop_index("ix_tasks_service", table_name="tasks")
    op.drop_index("ix_services_status", table_name="services")
    op.drop_table("services")
