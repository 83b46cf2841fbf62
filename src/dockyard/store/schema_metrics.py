"""CloudWatch metric points (``store/repositories/metrics.py``) and alarms
(``store/repositories/alarms.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dockyard.store.schema import Base

POINT_ID = BigInteger().with_variant(Integer, "sqlite")


class MetricPointRow(Base):
    """One statistic set at one timestamp; ``resolution`` 1 (raw) or 60 (a minute rollup)."""

    __tablename__ = "metric_points"
    __table_args__ = (
        Index(
            "ix_metric_points_series", "region", "namespace", "metric", "dimensions", "timestamp"
        ),
        Index("ix_metric_points_age", "resolution", "timestamp"),
    )

    id: Mapped[int] = mapped_column(POINT_ID, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    namespace: Mapped[str] = mapped_column(String(255))
    metric: Mapped[str] = mapped_column(String(255))
    dimensions: Mapped[str] = mapped_column(String(2048))
    timestamp: Mapped[datetime]
    resolution: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(32))
    sum: Mapped[float] = mapped_column(Float)
    count: Mapped[float] = mapped_column(Float)
    minimum: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)


class AlarmRow(Base):
    """One metric alarm: its configuration as a document, its state in columns."""

    __tablename__ = "cloudwatch_alarms"
    __table_args__ = (UniqueConstraint("region", "name", name="uq_cloudwatch_alarms_region_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    config: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(32))
    state_reason: Mapped[str] = mapped_column(Text)
    state_reason_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    state_updated: Mapped[datetime]
    configuration_updated: Mapped[datetime]


class AlarmHistoryRow(Base):
    """One DescribeAlarmHistory item (StateUpdate, ConfigurationUpdate or Action)."""

    __tablename__ = "cloudwatch_alarm_history"
    __table_args__ = (Index("ix_cloudwatch_alarm_history_alarm", "region", "alarm", "timestamp"),)

    id: Mapped[int] = mapped_column(POINT_ID, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    alarm: Mapped[str] = mapped_column(String(255))
    timestamp: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)
