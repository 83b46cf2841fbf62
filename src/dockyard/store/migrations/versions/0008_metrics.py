"""CloudWatch metric points (raw and minute rollups).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
POINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metric_points",
        sa.Column("id", POINT_ID, primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("namespace", sa.String(255), nullable=False),
        sa.Column("metric", sa.String(255), nullable=False),
        sa.Column("dimensions", sa.String(2048), nullable=False),
        sa.Column("timestamp", TZ, nullable=False),
        sa.Column("resolution", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("count", sa.Float(), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_metric_points_series",
        "metric_points",
        ["region", "namespace", "metric", "dimensions", "timestamp"],
    )
    op.create_index("ix_metric_points_age", "metric_points", ["resolution", "timestamp"])


def downgrade() -> None:
    op.drop_table("metric_points")
