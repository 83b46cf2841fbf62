"""Container instances carry their registered CPU, MEMORY and reserved ports as columns, so
placement reads capacity without decoding every instance's document.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("container_instances") as batch:
        batch.add_column(sa.Column("cpu", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("memory", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("ports", sa.String(4096), nullable=False, server_default=""))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT instance_id, document FROM container_instances")).all()
    for instance_id, document in rows:
        doc = json.loads(document) if isinstance(document, str) else document
        cpu, memory, ports = capacity(doc.get("registeredResources") or [])
        bind.execute(
            sa.text(
                "UPDATE container_instances SET cpu = :cpu, memory = :memory, ports = :ports "
                "WHERE instance_id = :id"
            ),
            {"cpu": cpu, "memory": memory, "ports": ports, "id": instance_id},
        )


def capacity(resources: list[Any]) -> tuple[int, int, str]:
    by_name: dict[str, Any] = {r["name"]: r for r in resources}
    ports = [
        f"{p}/{proto}"
        for name, proto in (("PORTS", "tcp"), ("PORTS_UDP", "udp"))
        for p in (by_name.get(name) or {}).get("stringSetValue") or []
        if str(p).isdigit()
    ]
    cpu = int((by_name.get("CPU") or {}).get("integerValue") or 0)
    memory = int((by_name.get("MEMORY") or {}).get("integerValue") or 0)
    return cpu, memory, ",".join(ports)


def downgrade() -> None:
    with op.batch_alter_table("container_instances") as batch:
        batch.drop_column("ports")
        batch.drop_column("memory")
        batch.drop_column("cpu")
