"""The materialized queue: one row per (customer, workflow type) that needs work on a given day.

Derived data, rebuilt by the queue service from the tables it reads (contracts, snapshots,
executions, configuration) for one tenant and one "today" at a time. Reads are then a walk down
an index in queue order, so the first page costs the same at 60 customers or 100 000. No foreign
keys: it is a cache, dropped and rebuilt, never the record of anything.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, Float, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from renubu_tui.data.models.base import Base, SortKeyType, UTCDateTime, utcnow

ORDER_COLUMNS = ("neg_score", "days_key", "name_key", "customer_id", "type_rank")
NO_DAYS = 2_147_483_647  # days_key of a row without a renewal date: sorts last


class QueueItem(Base):
    __tablename__ = "queue_items"
    __table_args__ = (
        Index("ix_queue_items_order", "tenant_id", "as_of", "visible", *ORDER_COLUMNS),
        Index(
            "ix_queue_items_owner_order",
            "tenant_id",
            "as_of",
            "owner_id",
            "visible",
            *ORDER_COLUMNS,
        ),
        # The Escalated-to-me tab and its count: escalations are few, so only they are indexed
        # (without it the count scans every row of the day: 160 ms at 100 000 customers).
        Index(
            "ix_queue_items_escalated",
            "tenant_id",
            "as_of",
            "escalated_to_id",
            sqlite_where=text("escalated_to_id IS NOT NULL"),
            postgresql_where=text("escalated_to_id IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    workflow_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    type_rank: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    customer_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(SortKeyType)
    score: Mapped[int] = mapped_column(Integer)
    neg_score: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
    days: Mapped[int | None] = mapped_column(Integer)
    days_key: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str | None] = mapped_column(String(40))
    arr: Mapped[float | None] = mapped_column(Float)
    plan: Mapped[str | None] = mapped_column(String(20))
    plan_is_set: Mapped[bool] = mapped_column(Boolean)
    health: Mapped[float | None] = mapped_column(Float)
    opportunity_score: Mapped[float | None] = mapped_column(Float)
    risk_score: Mapped[float | None] = mapped_column(Float)
    experience: Mapped[str | None] = mapped_column(String(20))
    active_workflows: Mapped[int] = mapped_column(Integer)
    execution_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    running_workflow_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    status: Mapped[str] = mapped_column(String(20))
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    snooze_ended: Mapped[bool] = mapped_column(Boolean)
    escalated_to_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    visible: Mapped[bool] = mapped_column(Boolean)


class QueueState(Base):
    """Which (tenant, day) materializations exist, and from which configuration they were built."""

    __tablename__ = "queue_state"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    config_key: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
