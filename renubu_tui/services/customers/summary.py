"""A plain-text picture of a CSM's book by renewal stage, for `renubu` before the TUI.

Each customer's stage is the one every other view shows (`domain.assessment.assess` over the
queue's own facts, with the tenant's configuration): a renewal workflow running for it can make
it more urgent than its days. Small books only: one row per customer of the CSM comes back to
Python; the ranked queue at scale is the queue service's job.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from renubu_tui.data.engine import Database
from renubu_tui.domain.assessment import assess
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.customers.lookup import acting_user
from renubu_tui.services.queue.sql import Dialect, Part, assessment_select, customer_day

NO_RENEWAL = "No renewal"


@dataclass(frozen=True)
class BookSummary:
    tenant: str
    user_email: str
    user_name: str
    today: dt.date
    customers: int
    by_stage: list[tuple[str, int]]
    soonest: list[tuple[str, int, str]]  # (customer, days until renewal, stage)


async def book_summary(
    db: Database, tenant_slug: str, email: str | None, today: dt.date
) -> BookSummary:
    async with db.sessions() as session:
        tenant, user = await acting_user(session, tenant_slug, email)
    config = await ConfigService(db).get(tenant.id)
    statement = assessment_select(tenant.id, today, Dialect(db.dialect), part=Part((user.id,)))
    async with db.sessions() as session:
        rows = [r._mapping for r in (await session.execute(statement)).all()]
    counts: Counter[str] = Counter()
    soonest = []
    for row in rows:
        stage = assess(customer_day(row), config).stage.name
        counts[stage or NO_RENEWAL] += 1
        if row["days"] is not None and stage is not None:
            soonest.append((row["customer_name"], row["days"], stage))
    order = [s.name for s in config.stages] + [NO_RENEWAL]
    soonest.sort(key=lambda r: (r[1], r[0]))
    return BookSummary(
        tenant=tenant_slug,
        user_email=user.email,
        user_name=user.name,
        today=today,
        customers=len(rows),
        by_stage=[(name, counts[name]) for name in order if counts[name]],
        soonest=soonest[:10],
    )
