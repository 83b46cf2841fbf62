"""CloudWatch Logs: log groups, log streams and log events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NAME = sa.String(512).with_variant(sa.String(512, collation="C"), "postgresql")
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "log_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("kms_key_id", sa.String(256), nullable=True),
        sa.Column("log_group_class", sa.String(32), nullable=False),
        sa.UniqueConstraint("region", "name", name="uq_log_groups_region_name"),
    )
    op.create_table(
        "log_streams",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("first_event_timestamp", sa.BigInteger(), nullable=True),
        sa.Column("last_event_timestamp", sa.BigInteger(), nullable=True),
        sa.Column("last_ingestion_time", sa.BigInteger(), nullable=True),
        sa.Column("stored_bytes", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("group_id", "name", name="uq_log_streams_group_name"),
    )
    op.create_table(
        "log_events",
        sa.Column("id", EVENT_ID, primary_key=True, autoincrement=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("ingestion_time", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_log_events_stream", "log_events", ["group_id", "stream_id", "timestamp", "id"]
    )
    op.create_index("ix_log_events_group", "log_events", ["group_id", "timestamp", "id"])


def downgrade() -> None:
    op.drop_table("log_events")
    op.drop_table("log_streams")
    op.drop_table("log_groups")
