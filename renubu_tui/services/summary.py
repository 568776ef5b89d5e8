"""A plain-text picture of a CSM's book by renewal stage, for `renubu` before the TUI.

Small books only: it loads the contracts in force into Python. The ranked queue at scale is the
queue service's job.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Contract, Customer
from renubu_tui.domain.config import DomainConfig
from renubu_tui.domain.stages import days_until_renewal, stage_for_days
from renubu_tui.services.lookup import tenant_by_slug, user_by_email


@dataclass(frozen=True)
class BookSummary:
    tenant: str
    user_email: str
    user_name: str
    today: dt.date
    customers: int
    by_stage: list[tuple[str, int]]
    soonest: list[tuple[str, int, str]]


async def book_summary(
    db: Database, tenant_slug: str, email: str | None, today: dt.date
) -> BookSummary:
    config = DomainConfig.default()
    async with db.sessions() as session:
        tenant = await tenant_by_slug(session, tenant_slug)
        user = await user_by_email(session, tenant, email)
        rows = (
            await session.execute(
                select(Customer.name, Contract.end_date)
                .outerjoin(
                    Contract,
                    and_(Contract.customer_id == Customer.id, Contract.start_date <= today),
                )
                .where(Customer.owner_id == user.id)
                .order_by(Customer.name, Contract.start_date.desc())
            )
        ).all()
    # The contract in force is the latest one started by today; if it has ended, the renewal is
    # overdue (DOMAIN §1).
    renewal: dict[str, dt.date | None] = {}
    for name, end in rows:
        renewal.setdefault(name, end)
    counts: Counter[str] = Counter()
    soonest = []
    for name, end in renewal.items():
        days = days_until_renewal(end, today)
        stage = stage_for_days(days, config.stages)
        counts[stage.name if stage else "No renewal"] += 1
        if days is not None and stage is not None:
            soonest.append((name, days, stage.name))
    order = [s.name for s in config.stages] + ["No renewal"]
    soonest.sort(key=lambda r: (r[1], r[0]))
    return BookSummary(
        tenant=tenant_slug,
        user_email=user.email,
        user_name=user.name,
        today=today,
        customers=len(renewal),
        by_stage=[(name, counts[name]) for name in order if counts[name]],
        soonest=soonest[:10],
    )
