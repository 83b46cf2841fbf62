"""CloudWatch alarms and alarm history.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
POINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _alarms()


def _alarms() -> None:
    op.create_table(
        "cloudwatch_alarms",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=False),
        sa.Column("state_reason_data", sa.Text(), nullable=True),
        sa.Column("state_updated", TZ, nullable=False),
        sa.Column("configuration_updated", TZ, nullable=False),
        sa.UniqueConstraint("region", "name", name="uq_cloudwatch_alarms_region_name"),
    )
    op.create_table(
        "cloudwatch_alarm_history",
        sa.Column("id", POINT_ID, primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("alarm", sa.String(255), nullable=False),
        sa.Column("timestamp", TZ, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_cloudwatch_alarm_history_alarm",
        "cloudwatch_alarm_history",
        ["region", "alarm", "timestamp"],
    )


def downgrade() -> None:
    op.drop_table("cloudwatch_alarm_history")
    op.drop_table("cloudwatch_alarms")
