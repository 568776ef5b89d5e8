"""`renubu db seed --synthetic N`: deterministic scale data for benchmarks.

Bulk inserts of plain tuples in large batches (no ORM objects), so 100 000 customers with their
contracts and snapshots load in seconds. The same N on the same database gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Base, CompanySettings, Customer, Tenant, User

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

BATCH = 5000
CUSTOMERS_PER_CSM = 400
_PREFIX = 0x5E3D_0000_0000_0000  # marks synthetic ids: easy to spot, never clashing with uuid4/5

_TABLE_CODES = {
    "customers": 1,
    "contracts": 2,
    "customer_financials": 3,
    "customer_intelligence": 4,
    "customer_usage_metrics": 5,
    "customer_engagement": 6,
    "users": 7,
}
_WORDS = [
    "Apex",
    "Birch",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Xenon",
    "Yarrow",
    "Zephyr",
]
_SUFFIXES = ("Labs", "Systems", "Health", "Logistics", "Analytics", "Foods", "Energy", "Media")
_INDUSTRIES = ("SaaS", "Healthcare", "Logistics", "Retail", "Finance", "Energy", "Media")
_PLANS = ("invest", "expand", "manage", "monitor", None, None)
_TRENDS = ("up", "flat", "down")

Progress = Callable[[int, int], None]


def synthetic_id(table: str, index: int) -> uuid.UUID:
    return uuid.UUID(int=(_PREFIX << 64) | (_TABLE_CODES[table] << 48) | index)


@dataclass
class SyntheticReport:
    customers: int
    rows: int
    first_index: int


async def seed_synthetic(
    db: Database,
    count: int,
    *,
    tenant_slug: str,
    today: dt.date,
    progress: Progress | None = None,
) -> SyntheticReport:
    """Add `count` customers after the synthetic ones already there, in one transaction."""
    if count < 0:
        raise ValueError("the number of synthetic customers cannot be negative")
    now = dt.datetime.now(dt.UTC)
    async with db.engine.begin() as conn:
        tenant_id = await conn.scalar(select(Tenant.id).where(Tenant.slug == tenant_slug))
        if tenant_id is None:
            raise LookupError(f"unknown tenant {tenant_slug!r}: run `renubu db seed` first")
        anchor = await conn.scalar(
            select(CompanySettings.seed_anchor_date).where(CompanySettings.tenant_id == tenant_id)
        )
        anchor = anchor or today
        start = (
            await conn.execute(
                select(func.count())
                .select_from(Customer)
                .where(Customer.tenant_id == tenant_id, Customer.is_synthetic.is_(True))
            )
        ).scalar_one()
        manager_id = await conn.scalar(
            select(User.id)
            .where(User.tenant_id == tenant_id, User.role == "manager")
            .order_by(User.email)
            .limit(1)
        )
        owners = await _ensure_csms(conn, tenant_id, manager_id, start + count, now)
        rows = 0
        for batch_start in range(start, start + count, BATCH):
            batch_end = min(batch_start + BATCH, start + count)
            tables = _build(range(batch_start, batch_end), tenant_id, owners, anchor, now)
            for name, items in tables.items():
                await conn.execute(insert(Base.metadata.tables[name]), items)
                rows += len(items)
            if progress:
                progress(batch_end - start, count)
    return SyntheticReport(customers=count, rows=rows, first_index=start)


async def _ensure_csms(
    conn: AsyncConnection,
    tenant_id: uuid.UUID,
    manager_id: uuid.UUID | None,
    total: int,
    now: dt.datetime,
) -> list[uuid.UUID]:
    needed = max(1, math.ceil(total / CUSTOMERS_PER_CSM)) if total else 0
    ids = [synthetic_id("users", i) for i in range(needed)]
    have = set((await conn.scalars(select(User.id).where(User.id.in_(ids)))).all() if ids else [])
    levels = ("junior", "mid", "senior", "expert")
    missing = [
        {
            "id": uid,
            "tenant_id": tenant_id,
            "email": f"csm{i:05d}@synthetic.renubu.test",
            "name": f"Synthetic CSM {i:05d}",
            "title": "Customer Success Manager",
            "role": "csm",
            "experience_level": levels[i % 4],
            "manager_id": manager_id,
            "is_active": True,
            "created_at": now,
        }
        for i, uid in enumerate(ids)
        if uid not in have
    ]
    if missing:
        await conn.execute(insert(Base.metadata.tables["users"]), missing)
    return ids


def _build(
    indexes: range, tenant_id: uuid.UUID, owners: list[uuid.UUID], anchor: dt.date, now: dt.datetime
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in _TABLE_CODES if name != "users"}
    for i in indexes:
        rng = random.Random(i * 7919 + 17)
        cid = synthetic_id("customers", i)
        name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {rng.choice(_SUFFIXES)} {i:06d}"
        arr = float(rng.choice((15, 25, 40, 50, 75, 100, 120, 150, 180, 250, 400)) * 1000)
        renewal = anchor + dt.timedelta(days=rng.randint(-45, 420))
        term = rng.choice((12, 12, 24))
        start = renewal - dt.timedelta(days=365 * term // 12)
        health = rng.randint(20, 98)
        out["customers"].append(
            {
                "id": cid,
                "tenant_id": tenant_id,
                "name": name,
                "name_key": name.casefold(),
                "slug": f"synthetic-{i:06d}",
                "domain": f"synthetic-{i:06d}.example",
                "industry": rng.choice(_INDUSTRIES),
                "owner_id": owners[i // CUSTOMERS_PER_CSM],
                "account_plan": rng.choice(_PLANS),
                "ae_email": None,
                "sa_email": None,
                "executive_sponsor_email": None,
                "is_synthetic": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        out["contracts"].append(
            {
                "id": synthetic_id("contracts", i),
                "customer_id": cid,
                "start_date": start,
                "end_date": renewal,
                "arr": arr,
                "term_months": term,
                "seats": rng.randint(5, 500),
                "status": "active",
                "signed_on": None,
            }
        )
        out["customer_financials"].append(
            {
                "id": synthetic_id("customer_financials", i),
                "customer_id": cid,
                "valid_from": start,
                "valid_to": None,
                "current_arr": arr,
                "previous_arr": round(arr / 1.08, 2),
                "projected_arr": round(arr * 1.05, 2),
                "trend": rng.choice(_TRENDS),
                "growth_rate": 8.0,
                "payment_status": "current",
            }
        )
        snap = anchor - dt.timedelta(days=rng.randint(1, 30))
        out["customer_intelligence"].append(
            {
                "id": synthetic_id("customer_intelligence", i),
                "customer_id": cid,
                "as_of_date": snap,
                "risk_score": float(rng.randint(0, 95)),
                "opportunity_score": float(rng.randint(0, 95)),
                "health_score": float(health),
                "churn_probability": round(rng.uniform(1, 60), 1),
                "expansion_probability": round(rng.uniform(1, 90), 1),
                "health_trend": rng.choice(_TRENDS),
                "usage_trend": rng.choice(_TRENDS),
                "engagement_trend": rng.choice(_TRENDS),
            }
        )
        licensed = rng.randint(10, 500)
        active = rng.randint(1, licensed)
        out["customer_usage_metrics"].append(
            {
                "id": synthetic_id("customer_usage_metrics", i),
                "customer_id": cid,
                "as_of_date": snap,
                "active_users": active,
                "licensed_users": licensed,
                "utilization_rate": round(100 * active / licensed, 1),
                "trend": rng.choice(_TRENDS),
                "adoption_rate": round(rng.uniform(20, 95), 1),
                "last_activity_date": snap,
            }
        )
        out["customer_engagement"].append(
            {
                "id": synthetic_id("customer_engagement", i),
                "customer_id": cid,
                "as_of_date": snap,
                "last_contact_date": snap - dt.timedelta(days=rng.randint(0, 60)),
                "last_qbr_date": snap - dt.timedelta(days=rng.randint(10, 120)),
                "next_qbr_date": snap + dt.timedelta(days=rng.randint(10, 90)),
                "nps_score": rng.randint(0, 10),
                "csat_score": round(rng.uniform(2.5, 5.0), 1),
                "sentiment": rng.choice(("positive", "neutral", "negative")),
                "open_tickets": rng.randint(0, 6),
                "engagement_score": float(rng.randint(20, 95)),
            }
        )
    return out
