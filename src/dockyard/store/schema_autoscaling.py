"""Application Auto Scaling tables: targets, policies, scheduled actions, activities.

Each aggregate is a document plus the columns it is looked up or ordered by; mutable rows carry
a ``version`` for optimistic concurrency (see ``schema``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dockyard.store.schema import Base

ARN = String(1600)


class ScalableTargetRow(Base):
    __tablename__ = "autoscaling_targets"
    __table_args__ = (
        UniqueConstraint("region", "resource_id", name="uq_autoscaling_targets_resource"),
        Index("ix_autoscaling_targets_clamp", "clamp_pending"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(1600))
    clamp_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ScalingPolicyRow(Base):
    __tablename__ = "autoscaling_policies"
    __table_args__ = (
        UniqueConstraint("region", "resource_id", "name", name="uq_autoscaling_policies_name"),
    )

    arn: Mapped[str] = mapped_column(ARN, primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(1600))
    name: Mapped[str] = mapped_column(String(256))
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ScheduledActionRow(Base):
    __tablename__ = "autoscaling_scheduled_actions"
    __table_args__ = (
        UniqueConstraint("region", "resource_id", "name", name="uq_autoscaling_scheduled_name"),
        Index("ix_autoscaling_scheduled_next_fire", "next_fire"),
    )

    arn: Mapped[str] = mapped_column(ARN, primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(1600))
    name: Mapped[str] = mapped_column(String(256))
    next_fire: Mapped[datetime | None]
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ScalingActivityRow(Base):
    __tablename__ = "autoscaling_activities"
    __table_args__ = (
        Index("ix_autoscaling_activities_resource", "region", "resource_id", "started_at"),
    )

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(1600))
    started_at: Mapped[datetime]
    document: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
