"""`renubu db seed`: everything under seeds/, upserted in one transaction.

A failure anywhere rolls the whole seed back, so a database is never left half-seeded. Only
what is known by the seed's today is written: a customer fact dated later arrives when a later
seed (the demo's clock moving on) reaches its day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Base, CompanySettings, Workflow
from renubu_tui.data.seed import files
from renubu_tui.data.seed.files import (
    CUSTOMER_TABLES,
    TenantKeys,
    read_json,
    workflow_version_id,
)
from renubu_tui.data.seed.upsert import SeedReport, upsert
from renubu_tui.domain.journey import renewal_day as journey_renewal_day


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def seed_all(
    db: Database, *, today: dt.date, root: Path | None = None, anchor: dt.date | None = None
) -> SeedReport:
    """Seed configuration, core content and the demo tenant's book as it stands on `today`.

    `anchor` places the portfolio in time (default: a first seed's today, kept from then on).
    Customer facts dated after `today` are left out; seeding again on a later day adds them.
    The Bluesoft journey's events are applied by the services afterwards (services/demo/seeding.py).
    """
    from renubu_tui.resources import seeds_dir

    root = root or seeds_dir()
    report = SeedReport()
    async with db.write() as session:  # the write lock first: the app may be reading meanwhile
        await seed_core(session, root, report)
        await seed_demo_tenant(session, root, report, today=today, anchor=anchor)
    return report


async def seed_core(session: AsyncSession, root: Path, report: SeedReport) -> None:
    await upsert(session, _table("config_entries"), files.config_rows(root), report)
    await upsert(session, _table("saved_actions"), files.saved_action_rows(root), report)
    await upsert(session, _table("workflow_step_library"), files.library_rows(root), report)
    await upsert(session, _table("knowledge_documents"), files.knowledge_rows(root), report)
    for wf in files.workflow_files(root):
        await _upsert_workflow(session, files.workflow_row(wf), report)
    await upsert(session, _table("workflow_chat_branches"), files.branch_rows(root), report)


async def _upsert_workflow(session: AsyncSession, row: dict[str, Any], report: SeedReport) -> None:
    """Insert a core workflow with version 1, or record a new version when its config changed."""
    existing = await session.get(Workflow, row["id"])
    versions = _table("workflow_versions")
    if existing is None:
        number = 1
    elif existing.config == row["config"]:
        report.add("workflows", 0, 0)
        return
    else:
        number = existing.current_version + 1
    await upsert(session, _table("workflows"), [{**row, "current_version": number}], report)
    await upsert(
        session,
        versions,
        [
            {
                "id": workflow_version_id(row["id"], number),
                "workflow_id": row["id"],
                "version_number": number,
                "semver": str(row["config"].get("version", "1.0.0")),
                "config": row["config"],
                "change_note": "seeded" if number == 1 else "updated by seed",
                "created_by": "seed",
            }
        ],
        report,
    )


async def seed_demo_tenant(
    session: AsyncSession,
    root: Path,
    report: SeedReport,
    *,
    today: dt.date,
    anchor: dt.date | None = None,
) -> None:
    keys, tenancy = files.tenant_rows(read_json(root / "demo" / "tenant.json"))
    anchor = await _anchor(session, keys, anchor or today)
    tenancy["company_settings"][0]["seed_anchor_date"] = anchor
    for table in ("tenants", "users"):
        await upsert(session, _table(table), tenancy[table], report)
    await _upsert_company(session, tenancy["company_settings"][0], report)

    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in CUSTOMER_TABLES}
    for customer in read_json(root / "demo" / "portfolio.json")["customers"]:
        for table, items in files.customer_rows(keys, customer, anchor, upto=today).items():
            rows[table].extend(items)
    bluesoft = read_json(root / "demo" / "bluesoft.json")
    renewal_day = journey_renewal_day(anchor, bluesoft)
    for table, items in files.customer_rows(
        keys, bluesoft["customer"], renewal_day, upto=today
    ).items():
        rows[table].extend(items)
    for table in CUSTOMER_TABLES:
        await upsert(session, _table(table), rows[table], report)


async def _anchor(session: AsyncSession, keys: TenantKeys, today: dt.date) -> dt.date:
    """The first seed's today, kept so that re-seeding on another day changes nothing."""
    stored = await session.scalar(
        select(CompanySettings.seed_anchor_date).where(CompanySettings.tenant_id == keys.tenant_id)
    )
    return stored or today


async def _upsert_company(session: AsyncSession, row: dict[str, Any], report: SeedReport) -> None:
    table = _table("company_settings")
    existing = await session.get(CompanySettings, row["tenant_id"])
    if existing is None:
        from sqlalchemy import insert

        await session.execute(insert(table).values(**row))
        report.add(table.name, 1, 0)
        return
    merged = {**existing.settings, **row["settings"]}
    wanted = {**row, "settings": merged}
    changed = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
    for key, value in changed.items():
        setattr(existing, key, value)
    report.add(table.name, 0, 1 if changed else 0)
