"""The audit trail.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", EVENT_ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_time", TZ, nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("event_source", sa.String(64), nullable=False),
        sa.Column("event_name", sa.String(128), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("principal_arn", sa.String(2048), nullable=False),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("access_key_id", sa.String(128), nullable=False),
        sa.Column("source_ip", sa.String(64), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("error_code", sa.String(128), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_events_time", "audit_events", ["event_time"])
    op.create_index("ix_audit_events_principal", "audit_events", ["principal_arn", "event_time"])
