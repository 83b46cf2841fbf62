"""CloudWatch metric points (``store/repositories/metrics.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String
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
