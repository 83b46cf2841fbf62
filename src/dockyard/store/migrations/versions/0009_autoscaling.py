"""Application Auto Scaling: scalable targets, policies, scheduled actions, activities.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _named(table: str, unique: str, *extra: sa.Column) -> None:  # type: ignore[type-arg]
    """A per-target named object (policy, scheduled action) keyed by its ARN."""
    op.create_table(
        table,
        sa.Column("arn", sa.String(1600), primary_key=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.String(1600), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        *extra,
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "resource_id", "name", name=unique),
    )


def upgrade() -> None:
    op.create_table(
        "autoscaling_targets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.String(1600), nullable=False),
        sa.Column("clamp_pending", sa.Boolean(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "resource_id", name="uq_autoscaling_targets_resource"),
    )
    op.create_index("ix_autoscaling_targets_clamp", "autoscaling_targets", ["clamp_pending"])
    _named("autoscaling_policies", "uq_autoscaling_policies_name")
    _named(
        "autoscaling_scheduled_actions",
        "uq_autoscaling_scheduled_name",
        sa.Column("next_fire", TZ, nullable=True),
    )
    op.create_index(
        "ix_autoscaling_scheduled_next_fire", "autoscaling_scheduled_actions", ["next_fire"]
    )
    op.create_table(
        "autoscaling_activities",
        sa.Column("activity_id", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.String(1600), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_autoscaling_activities_resource",
        "autoscaling_activities",
        ["region", "resource_id", "started_at"],
    )


def downgrade() -> None:
    for table in (
        "autoscaling_activities",
        "autoscaling_scheduled_actions",
        "autoscaling_policies",
        "autoscaling_targets",
    ):
        op.drop_table(table)
