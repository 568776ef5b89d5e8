"""Where a tenant's record begins: the first day the book can be shown as it stood.

Time travel (`--as-of`) shows what was recorded by a day; before the record begins there is
nothing to show, and an empty book would read as "no customers, no work" instead of "not
known". The record begins on the earliest of:

- the company's seed anchor (`company_settings.seed_anchor_date`: the day the book was set up);
- the first workflow execution's start (its UTC date);
- the first customer snapshot: intelligence, usage or engagement (`as_of_date`: the day each
  was taken).

Contracts and financial records are not counted: their dates say from when a term or a figure
holds (a contract signed years ago), not when renubu recorded anything. A tenant with none of
these has no record yet (None).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    CompanySettings,
    Customer,
    CustomerEngagement,
    CustomerIntelligence,
    CustomerUsage,
    WorkflowExecution,
)

__all__ = ["record_begins"]


async def record_begins(db: Database, tenant_id: uuid.UUID) -> dt.date | None:
    """The first day of the tenant's record (see the module docstring), or None."""
    async with db.sessions() as session:
        anchor = await session.scalar(
            select(CompanySettings.seed_anchor_date).where(CompanySettings.tenant_id == tenant_id)
        )
        started = await session.scalar(
            select(func.min(WorkflowExecution.started_at)).where(
                WorkflowExecution.tenant_id == tenant_id
            )
        )
        days: list[dt.date | None] = [anchor, _utc_date(started)]
        for model in (CustomerIntelligence, CustomerUsage, CustomerEngagement):
            days.append(
                await session.scalar(
                    select(func.min(model.as_of_date))
                    .join(Customer, Customer.id == model.customer_id)
                    .where(Customer.tenant_id == tenant_id)
                )
            )
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _utc_date(value: dt.datetime | str | None) -> dt.date | None:
    """The UTC date of a timestamp (an aggregate may come back as text on SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.date()
