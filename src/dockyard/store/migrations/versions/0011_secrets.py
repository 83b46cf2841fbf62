"""SSM Parameter Store and Secrets Manager (``store/schema_secrets.py``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    _parameters()
    _secrets()


def _parameters() -> None:
    op.create_table(
        "ssm_parameters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(2048), nullable=False),
        sa.Column("arn", sa.String(2200), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "name", name="uq_ssm_parameters_region_name"),
    )
    op.create_index("ix_ssm_parameters_arn", "ssm_parameters", ["arn"])
    op.create_table(
        "ssm_parameter_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("parameter_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("data_type", sa.String(128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("allowed_pattern", sa.Text(), nullable=True),
        sa.Column("key_id", sa.String(256), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("modified_at", TZ, nullable=False),
        sa.Column("modified_user", sa.String(2048), nullable=False),
        sa.UniqueConstraint("parameter_id", "number", name="uq_ssm_parameter_versions_number"),
    )


def _secrets() -> None:
    op.create_table(
        "secretsmanager_secrets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("arn", sa.String(700), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("kms_key_id", sa.String(2048), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_changed", TZ, nullable=False),
        sa.Column("deleted_at", TZ, nullable=True),
        sa.Column("deletion_date", TZ, nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("region", "name", name="uq_secretsmanager_secrets_region_name"),
    )
    op.create_index("ix_secretsmanager_secrets_arn", "secretsmanager_secrets", ["arn"])
    op.create_table(
        "secretsmanager_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("secret_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.String(64), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("binary", sa.Boolean(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint("secret_id", "version_id", name="uq_secretsmanager_versions_id"),
    )


def downgrade() -> None:
    op.drop_table("secretsmanager_versions")
    op.drop_index("ix_secretsmanager_secrets_arn", table_name="secretsmanager_secrets")
    op.drop_table("secretsmanager_secrets")
    op.drop_table("ssm_parameter_versions")
    op.drop_index("ix_ssm_parameters_arn", table_name="ssm_parameters")
    op.drop_table("ssm_parameters")
