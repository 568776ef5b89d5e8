"""`renubu db seed`: everything under seeds/, upserted in one transaction.

A failure anywhere rolls the whole seed back, so a database is never left half-seeded.
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
    at_nine,
    core_workflow_id,
    day,
    read_json,
    workflow_version_id,
)
from renubu_tui.data.seed.ids import key_id
from renubu_tui.data.seed.upsert import SeedReport, upsert
from renubu_tui.domain.journey import renewal_day as journey_renewal_day


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def seed_all(db: Database, *, today: dt.date, root: Path | None = None) -> SeedReport:
    """Seed configuration, core content and the demo tenant; `today` anchors a first seed."""
    from renubu_tui.resources import seeds_dir

    root = root or seeds_dir()
    report = SeedReport()
    async with db.sessions() as session, session.begin():
        await seed_core(session, root, report)
        await seed_demo_tenant(session, root, report, today=today)
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
    session: AsyncSession, root: Path, report: SeedReport, *, today: dt.date
) -> None:
    keys, tenancy = files.tenant_rows(read_json(root / "demo" / "tenant.json"))
    anchor = await _anchor(session, keys, today)
    tenancy["company_settings"][0]["seed_anchor_date"] = anchor
    for table in ("tenants", "users"):
        await upsert(session, _table(table), tenancy[table], report)
    await _upsert_company(session, tenancy["company_settings"][0], report)

    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in CUSTOMER_TABLES}
    for customer in read_json(root / "demo" / "portfolio.json")["customers"]:
        for table, items in files.customer_rows(keys, customer, anchor).items():
            rows[table].extend(items)
    bluesoft = read_json(root / "demo" / "bluesoft.json")
    renewal_day = journey_renewal_day(anchor, bluesoft)
    for table, items in files.customer_rows(keys, bluesoft["customer"], renewal_day).items():
        rows[table].extend(items)
    for table in CUSTOMER_TABLES:
        await upsert(session, _table(table), rows[table], report)
    await _seed_journey(session, keys, bluesoft, renewal_day, report)


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


async def _seed_journey(
    session: AsyncSession,
    keys: TenantKeys,
    journey: dict[str, Any],
    d: dt.date,
    report: SeedReport,
) -> None:
    """Bluesoft's Critical and Emergency executions, their steps, tasks and AI artifacts."""
    customer = journey["customer"]
    cid = keys.customer(customer["domain"])
    owner = keys.user(customer.get("owner"))
    executions, steps, tasks, artifacts = [], [], [], []
    exec_ids: dict[str, Any] = {}
    for e in journey.get("executions", []):
        wid = core_workflow_id(e["workflow"])
        workflow = await session.get(Workflow, wid)
        if workflow is None:
            raise files.SeedFileError(f"bluesoft.json: unknown workflow {e['workflow']!r}")
        step_order = [s["id"] for s in workflow.config.get("steps", [])]
        eid = key_id("execution", cid, e["workflow"], e["started"])
        exec_ids[e["workflow"]] = eid
        executions.append(
            {
                "id": eid,
                "tenant_id": keys.tenant_id,
                "customer_id": cid,
                "workflow_id": wid,
                "workflow_version_id": workflow_version_id(wid, 1),
                "workflow_type": workflow.workflow_type,
                "owner_id": owner,
                "status": e.get("status", "in_progress"),
                "current_step_id": e.get("currentStep"),
                "outputs": e.get("outputs", {}),
                "outcome": e.get("outcome"),
                "started_at": at_nine(d, e.get("started")),
                "completed_at": at_nine(d, e.get("completed")),
            }
        )
        for s in e.get("steps", []):
            started, completed = at_nine(d, s.get("started")), at_nine(d, s.get("completed"))
            if s["stepId"] not in step_order:
                raise files.SeedFileError(
                    f"bluesoft.json: step {s['stepId']!r} is not in workflow {e['workflow']!r}"
                )
            steps.append(
                {
                    "id": key_id("step-execution", eid, s["stepId"], 1),
                    "execution_id": eid,
                    "step_id": s["stepId"],
                    "step_index": step_order.index(s["stepId"]),
                    "attempt": 1,
                    "status": s.get("status", "completed"),
                    "outputs": s.get("outputs"),
                    "chosen_route": s.get("route"),
                    "started_at": started,
                    "completed_at": completed,
                    "duration_ms": int((completed - started).total_seconds() * 1000)
                    if started and completed
                    else None,
                }
            )
    for t in journey.get("tasks", []):
        eid = exec_ids.get(t.get("execution", ""))
        tasks.append(
            {
                "id": key_id("task", cid, t["title"]),
                "tenant_id": keys.tenant_id,
                "customer_id": cid,
                "execution_id": eid,
                "step_id": t.get("step"),
                "title": t["title"],
                "description": t.get("description"),
                "owner_id": keys.user(t.get("owner")) or owner,
                "status": t.get("status", "pending"),
                "priority": t.get("priority", "medium"),
                "due_date": day(d, t.get("due")),
                "completed_at": at_nine(d, t.get("completed")),
            }
        )
    for a in journey.get("artifacts", []):
        artifacts.append(
            {
                "id": key_id("artifact", cid, a["title"]),
                "tenant_id": keys.tenant_id,
                "customer_id": cid,
                "execution_id": exec_ids.get(a.get("execution", "")),
                "step_id": a.get("step"),
                "kind": a.get("kind", "note"),
                "title": a["title"],
                "content": a.get("content", ""),
                "data": a.get("data", {}),
                "created_by_ai": bool(a.get("createdByAi")),
                "model": a.get("model"),
                "status": a.get("status", "draft"),
                "created_at": at_nine(d, a.get("created", 0)),
            }
        )
    await upsert(session, _table("workflow_executions"), executions, report)
    await upsert(session, _table("workflow_step_executions"), steps, report)
    await upsert(session, _table("workflow_tasks"), tasks, report)
    await upsert(session, _table("workflow_task_artifacts"), artifacts, report)
