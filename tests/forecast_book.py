"""A small handmade book for the forecast tests (today = TEST_TODAY = 2025-09-24), owned by
Fiona, a CSM who owns nothing else. The figures each customer contributes are worked out by hand
in tests/cli/test_forecast_cli.py and tests/services/forecast/test_forecast_service.py."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Contract,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    Tenant,
    User,
)

OWNER = "fiona@forecast.test"
D = dt.date


async def add_book(database: Database, tenant_slug: str = "acme-cs") -> None:
    async with database.sessions() as session, session.begin():
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
        assert tenant is not None
        fiona = User(tenant_id=tenant.id, email=OWNER, name="Fiona Forecast", role="csm")
        session.add(fiona)
        await session.flush()

        def customer(name: str) -> Customer:
            slug = name.lower()
            row = Customer(
                tenant_id=tenant.id,
                name=name,
                slug=f"fc-{slug}",
                domain=f"{slug}.forecast.test",
                owner_id=fiona.id,
            )
            session.add(row)
            return row

        def term(
            c: Customer,
            start: dt.date,
            end: dt.date,
            arr: float,
            *,
            signed: dt.date | None = None,
            status: str = "active",
        ) -> None:
            session.add(
                Contract(
                    customer_id=c.id,
                    start_date=start,
                    end_date=end,
                    arr=arr,
                    term_months=12,
                    signed_on=signed,
                    status=status,
                )
            )

        def intel(c: Customer, risk: float | None, churn: float | None) -> None:
            session.add(
                CustomerIntelligence(
                    customer_id=c.id,
                    as_of_date=D(2025, 9, 1),
                    risk_score=risk,
                    churn_probability=churn,
                )
            )

        names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]
        alpha, bravo, charlie, delta, echo, foxtrot, golf = (customer(n) for n in names)
        await session.flush()
        # Alpha: renews 2025-09-30 at 100 000, the next term (120 000) signed on 2025-09-10
        term(alpha, D(2024, 10, 1), D(2025, 9, 30), 100_000, signed=D(2024, 9, 20))
        term(alpha, D(2025, 10, 1), D(2026, 9, 30), 120_000, signed=D(2025, 9, 10))
        # Bravo: renews 2025-10-31 at 50 000, risk score 70
        term(bravo, D(2024, 11, 1), D(2025, 10, 31), 50_000)
        intel(bravo, 70, 20)
        # Charlie: renews 2025-12-31 at 80 000, healthy
        term(charlie, D(2025, 1, 1), D(2025, 12, 31), 80_000)
        intel(charlie, 20, 10)
        # Delta: renews 2025-11-30 at 40 000, the contract cancelled
        term(delta, D(2024, 12, 1), D(2025, 11, 30), 40_000, status="cancelled")
        # Echo: ended 2025-08-31 at 30 000, nothing signed (24 days overdue)
        term(echo, D(2024, 9, 1), D(2025, 8, 31), 30_000)
        # Foxtrot: 60 000 ended 2025-05-31, renewed at 54 000 (ends 2026-05-31)
        term(foxtrot, D(2024, 6, 1), D(2025, 5, 31), 60_000, signed=D(2024, 5, 20))
        term(foxtrot, D(2025, 6, 1), D(2026, 5, 31), 54_000, signed=D(2025, 5, 20))
        # Golf: 20 000 ended 2025-02-28, renewed at 26 000 (ends 2026-02-28); since 2025-03-01
        # the financial record says 28 000; churn probability 35 %
        term(golf, D(2024, 3, 1), D(2025, 2, 28), 20_000, signed=D(2024, 2, 20))
        term(golf, D(2025, 3, 1), D(2026, 2, 28), 26_000, signed=D(2025, 2, 25))
        session.add(
            CustomerFinancials(customer_id=golf.id, valid_from=D(2025, 3, 1), current_arr=28_000)
        )
        intel(golf, 10, 35)
