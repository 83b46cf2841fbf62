"""ELBv2 resources (load balancers, listeners, rules, target groups) as documents.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "elb_resources",
        sa.Column("arn", sa.String(512), primary_key=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=True),
        sa.Column("parent_arn", sa.String(512), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "kind", "name", name="uq_elb_resources_region_kind_name"),
    )
    op.create_index("ix_elb_resources_parent", "elb_resources", ["parent_arn"])
    op.create_index("ix_elb_resources_kind", "elb_resources", ["region", "kind"])


def downgrade() -> None:
    op.drop_table("elb_resources")
