"""A customer's dated snapshots over time, for trend lines (the context has only the latest).

Every series holds what was known on `today`: rows dated at or before today, the newest `limit`
of them, oldest first (the order a sparkline is drawn in). Missing values stay None.
ARR comes from the financial records that had started by today; a customer without any falls
back to the ARR of its contracts known on today (`domain.contracts`: signed by today, or unsigned
and started by today), by start date, so the series ends at the governing contract's ARR, which
the context shows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Contract,
    CustomerEngagement,
    CustomerFinancials,
    CustomerIntelligence,
    CustomerUsage,
)
from renubu_tui.services.queue.sql import contract_known_on

__all__ = [
    "ArrPoint",
    "EngagementPoint",
    "History",
    "ScorePoint",
    "UsagePoint",
    "snapshot_history",
]


@dataclass(frozen=True)
class ScorePoint:
    date: dt.date
    health: float | None
    risk: float | None
    opportunity: float | None


@dataclass(frozen=True)
class ArrPoint:
    date: dt.date
    arr: float


@dataclass(frozen=True)
class UsagePoint:
    date: dt.date
    active_users: int | None
    licensed_users: int | None
    utilization: float | None


@dataclass(frozen=True)
class EngagementPoint:
    date: dt.date
    nps: int | None
    csat: float | None
    open_tickets: int | None
    engagement: float | None


@dataclass(frozen=True)
class History:
    """Series per subject, each oldest first and at most `limit` long."""

    scores: list[ScorePoint] = field(default_factory=list)
    arr: list[ArrPoint] = field(default_factory=list)
    usage: list[UsagePoint] = field(default_factory=list)
    engagement: list[EngagementPoint] = field(default_factory=list)


async def snapshot_history(
    db: Database, customer_id: uuid.UUID, today: dt.date, limit: int = 12
) -> History:
    """The customer's series as known on `today` (four indexed reads, one session)."""

    def newest(model: Any, column: str, *columns: Any) -> Any:
        date = getattr(model, column)
        return (
            select(date, *columns)
            .where(model.customer_id == customer_id, date <= today)
            .order_by(date.desc())
            .limit(limit)
        )

    i, f, u, e = CustomerIntelligence, CustomerFinancials, CustomerUsage, CustomerEngagement
    async with db.sessions() as session:
        scores = (
            await session.execute(
                newest(i, "as_of_date", i.health_score, i.risk_score, i.opportunity_score)
            )
        ).all()
        arr = (await session.execute(newest(f, "valid_from", f.current_arr))).all()
        if not arr:
            arr = (
                await session.execute(
                    select(Contract.start_date, Contract.arr)
                    .where(Contract.customer_id == customer_id, contract_known_on(Contract, today))
                    .order_by(Contract.start_date.desc())
                    .limit(limit)
                )
            ).all()
        usage = (
            await session.execute(
                newest(u, "as_of_date", u.active_users, u.licensed_users, u.utilization_rate)
            )
        ).all()
        engagement = (
            await session.execute(
                newest(
                    e, "as_of_date", e.nps_score, e.csat_score, e.open_tickets, e.engagement_score
                )
            )
        ).all()
    return History(
        scores=[ScorePoint(*row) for row in reversed(scores)],
        arr=[ArrPoint(row[0], float(row[1])) for row in reversed(arr) if row[1] is not None],
        usage=[UsagePoint(*row) for row in reversed(usage)],
        engagement=[EngagementPoint(*row) for row in reversed(engagement)],
    )
