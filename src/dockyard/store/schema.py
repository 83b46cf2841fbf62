"""Tables. Every mutable aggregate row has a ``version`` column for optimistic concurrency.

SQLAlchemy's ``version_id_col`` makes an UPDATE carry ``WHERE version = <read version>`` and
raises ``StaleDataError`` when another writer got there first; the unit of work retries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value
        return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UtcDateTime}


class AccessKeyRow(Base):
    __tablename__ = "access_keys"

    access_key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    principal_arn: Mapped[str] = mapped_column(String(2048))
    user_name: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="Active")
    created_at: Mapped[datetime]


class ClusterRow(Base):
    __tablename__ = "clusters"
    __table_args__ = (UniqueConstraint("region", "name", name="uq_clusters_region_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class TaskDefinitionFamilyRow(Base):
    """Per-family revision counter: revisions only ever increase, even across deletions."""

    __tablename__ = "task_definition_families"

    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    family: Mapped[str] = mapped_column(String(255), primary_key=True)
    last_revision: Mapped[int] = mapped_column(Integer, default=0)


class TaskDefinitionRow(Base):
    __tablename__ = "task_definitions"
    __table_args__ = (
        UniqueConstraint("region", "family", "revision", name="uq_task_definitions_revision"),
        Index("ix_task_definitions_status", "region", "status", "family", "revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    family: Mapped[str] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    document: Mapped[dict[str, Any]]
    registered_at: Mapped[datetime]
    deregistered_at: Mapped[datetime | None]
    delete_requested_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class TagRow(Base):
    __tablename__ = "tags"

    resource_arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class AccountSettingRow(Base):
    __tablename__ = "account_settings"

    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal_arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


class ContainerInstanceRow(Base):
    __tablename__ = "container_instances"
    __table_args__ = (Index("ix_container_instances_cluster", "region", "cluster", "status"),)

    instance_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    cluster: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    cpu: Mapped[int] = mapped_column(Integer, server_default="0")
    memory: Mapped[int] = mapped_column(Integer, server_default="0")
    ports: Mapped[str] = mapped_column(String(4096), server_default="")
    """Registered CPU / MEMORY and the agent's reserved ``port/protocol`` list: placement's
    inputs, copied out of ``document`` so they can be read without decoding it."""
    document: Mapped[dict[str, Any]]
    registered_at: Mapped[datetime]
    last_heartbeat_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class TaskRow(Base):
    """A task: indexed columns for the queries ListTasks, placement and the agent channel make;
    everything else (containers, overrides, timestamps, reasons) in ``document``."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_cluster_desired", "region", "cluster", "desired_status", "family"),
        Index("ix_tasks_instance", "instance_id", "last_status"),
        Index("ix_tasks_client_token", "region", "cluster", "client_token"),
        Index("ix_tasks_stopped_at", "stopped_at"),
        Index("ix_tasks_service", "region", "cluster", "service_name"),
    )

    task_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    cluster: Mapped[str] = mapped_column(String(255))
    instance_id: Mapped[str | None] = mapped_column(String(32))
    family: Mapped[str] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(Integer)
    started_by: Mapped[str | None] = mapped_column(String(128))
    group_name: Mapped[str | None] = mapped_column(String(255))
    service_name: Mapped[str | None] = mapped_column(String(255))
    launch_type: Mapped[str] = mapped_column(String(16))
    last_status: Mapped[str] = mapped_column(String(16))
    desired_status: Mapped[str] = mapped_column(String(16))
    client_token: Mapped[str | None] = mapped_column(String(64))
    cpu: Mapped[int] = mapped_column(Integer)
    memory: Mapped[int] = mapped_column(Integer)
    ports: Mapped[str] = mapped_column(String(2048))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ServiceRow(Base):
    """A service: the columns ListServices, DescribeClusters and the controller filter on;
    the rest (deployments, events, configuration, controller state) in ``document``."""

    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("region", "cluster", "name", name="uq_services_region_cluster_name"),
        Index("ix_services_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    cluster: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    scheduling_strategy: Mapped[str] = mapped_column(String(16))
    launch_type: Mapped[str] = mapped_column(String(32))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ElbResourceRow(Base):
    """An ELBv2 resource (load balancer, listener, rule, target group) as a document keyed by
    its ARN; ``parent_arn`` links listeners to their load balancer and rules to their
    listener; ``name`` is unique per region and kind for load balancers and target groups."""

    __tablename__ = "elb_resources"
    __table_args__ = (
        UniqueConstraint("region", "kind", "name", name="uq_elb_resources_region_kind_name"),
        Index("ix_elb_resources_parent", "parent_arn"),
        Index("ix_elb_resources_kind", "region", "kind"),
    )

    arn: Mapped[str] = mapped_column(String(512), primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(64))
    parent_arn: Mapped[str | None] = mapped_column(String(512))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


# --- CloudWatch Logs ------------------------------------------------------------------------

from sqlalchemy import BigInteger, Text  # noqa: E402  (kept with the Logs tables they serve)

LOG_NAME = String(512).with_variant(String(512, collation="C"), "postgresql")
"""Log group and stream names compare byte-wise on both backends (SQLite's default BINARY),
so name order, prefix ranges and page boundaries agree with AWS's lexicographic order."""

EVENT_ID = BigInteger().with_variant(Integer, "sqlite")
"""SQLite only auto-increments an ``INTEGER PRIMARY KEY``."""


class LogGroupRow(Base):
    __tablename__ = "log_groups"
    __table_args__ = (UniqueConstraint("region", "name", name="uq_log_groups_region_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(LOG_NAME)
    creation_time: Mapped[int] = mapped_column(BigInteger)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    kms_key_id: Mapped[str | None] = mapped_column(String(256))
    log_group_class: Mapped[str] = mapped_column(String(32))


class LogStreamRow(Base):
    """A stream and its running summary (first/last event, bytes), updated by each put."""

    __tablename__ = "log_streams"
    __table_args__ = (UniqueConstraint("group_id", "name", name="uq_log_streams_group_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(LOG_NAME)
    creation_time: Mapped[int] = mapped_column(BigInteger)
    first_event_timestamp: Mapped[int | None] = mapped_column(BigInteger)
    last_event_timestamp: Mapped[int | None] = mapped_column(BigInteger)
    last_ingestion_time: Mapped[int | None] = mapped_column(BigInteger)
    stored_bytes: Mapped[int] = mapped_column(BigInteger)


class LogEventRow(Base):
    """One event; ``id`` is the insertion sequence that orders events of equal timestamp."""

    __tablename__ = "log_events"
    __table_args__ = (
        Index("ix_log_events_stream", "group_id", "stream_id", "timestamp", "id"),
        Index("ix_log_events_group", "group_id", "timestamp", "id"),
    )

    id: Mapped[int] = mapped_column(EVENT_ID, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(Integer)
    stream_id: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    ingestion_time: Mapped[int] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text)
