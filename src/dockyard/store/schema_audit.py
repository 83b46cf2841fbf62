"""The audit trail (``store/repositories/audit.py``): one row per authenticated or refused call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dockyard.store.schema import Base

EVENT_ID = BigInteger().with_variant(Integer, "sqlite")


class AuditEventRow(Base):
    """Who called what on which resources, from where, and what was decided.

    Never holds request parameters or responses: secret values cannot reach the trail.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_time", "event_time"),
        Index("ix_audit_events_principal", "principal_arn", "event_time"),
    )

    id: Mapped[int] = mapped_column(EVENT_ID, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_time: Mapped[datetime]
    region: Mapped[str] = mapped_column(String(32))
    event_source: Mapped[str] = mapped_column(String(64))
    event_name: Mapped[str] = mapped_column(String(128))
    read_only: Mapped[bool] = mapped_column(Boolean)
    principal_arn: Mapped[str] = mapped_column(String(2048))
    user_name: Mapped[str] = mapped_column(String(128))
    access_key_id: Mapped[str] = mapped_column(String(128))
    source_ip: Mapped[str] = mapped_column(String(64))
    resources: Mapped[str] = mapped_column(Text)
    """A JSON array of ARNs (text, so ResourceName lookups can match it with LIKE)."""
    decision: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(128), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
