"""One customer's change rebuilds only the rows it can move, and they match a full build."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, QueueItem, QueueState, User
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue.service import STALE, QueueFilters, QueueService
from renubu_tui.services.queue.sql import ITEM_COLUMNS
from renubu_tui.services.workflows.actions import ActionService
from renubu_tui.services.workflows.executions import ExecutionService
from tests.conftest import TEST_TODAY
from tests.services.workflows.test_actions_tasks import TENANT

DAYS = (TEST_TODAY, TEST_TODAY + dt.timedelta(days=3))


async def _materialized(db: Database, day: dt.date) -> list[tuple[Any, ...]]:
    columns = [getattr(QueueItem, name) for name in ITEM_COLUMNS]
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(*columns)
                .where(QueueItem.tenant_id == TENANT, QueueItem.as_of == day)
                .order_by(QueueItem.customer_id, QueueItem.workflow_type)
            )
        ).all()
    return [tuple(r) for r in rows]


async def _states(db: Database) -> dict[dt.date, str]:
    async with db.sessions() as s:
        return {st.as_of: st.config_key for st in (await s.scalars(select(QueueState))).all()}


async def _matches_a_full_build(db: Database, queue: QueueService) -> None:
    """Today was rebuilt in place (same rows as a full build); the other day must be rebuilt."""
    states = await _states(db)
    assert sorted(states) == list(DAYS)
    assert states[DAYS[0]] != STALE and states[DAYS[1]] == STALE
    targeted = await _materialized(db, DAYS[0])
    await queue.refresh(TENANT, DAYS[0])
    assert targeted == await _materialized(db, DAYS[0])
    await queue.page(TENANT, DAYS[1], QueueFilters(), limit=1)  # read: rebuilt from scratch
    assert (await _states(db))[DAYS[1]] != STALE


async def test_start_snooze_and_escalate_refresh_in_place(seeded_db: Database) -> None:
    queue = QueueService(seeded_db, ConfigService(seeded_db))
    clock = Clock(TEST_TODAY)
    executions = ExecutionService(
        seeded_db, clock, tenant_slug="acme-cs", on_change=queue.invalidate
    )
    actions = ActionService(
        seeded_db, clock, workflow_actions=executions, on_change=queue.invalidate
    )
    async with seeded_db.sessions() as s:
        maya = await s.scalar(select(User).where(User.email == "maya.patel@acmecloud.com"))
        kestrel = await s.scalar(select(Customer).where(Customer.name == "Kestrel Networks"))
    assert maya is not None and kestrel is not None
    for day in DAYS:
        await queue.page(TENANT, day, QueueFilters(), limit=1)  # build both days
    before = {r.customer_id: r for r in await _rows(queue, maya.id)}

    await executions.start(TENANT, kestrel.id, actor=maya)
    after = {r.customer_id: r for r in await _rows(queue, maya.id)}
    assert after[kestrel.id].status == "in_progress"
    # Maya's other customers moved too: one more workflow on her plate lowers their scores.
    other = next(c for c in before if c != kestrel.id)
    assert after[other].breakdown.workload_penalty == before[other].breakdown.workload_penalty - 2
    await _matches_a_full_build(seeded_db, queue)

    await actions.run(
        TENANT,
        "escalate",
        actor=maya,
        customer_id=kestrel.id,
        params={"level": "manager", "reason": "budget frozen"},
    )
    await _matches_a_full_build(seeded_db, queue)

    async with seeded_db.sessions() as s:
        beacon = await s.scalar(select(Customer).where(Customer.name == "Beacon Credit Union"))
    assert beacon is not None
    await executions.start(TENANT, beacon.id, actor=maya)
    await actions.run(TENANT, "snooze-3-days", actor=maya, customer_id=beacon.id)
    await _matches_a_full_build(seeded_db, queue)


async def _rows(queue: QueueService, owner: uuid.UUID) -> list[Any]:
    page = await queue.page(TENANT, TEST_TODAY, QueueFilters(owner_id=owner), limit=500)
    return [r for r in page.rows if r.workflow_type == "renewal"]


async def test_a_new_days_preview_is_the_owners_first_page_before_the_build(
    seeded_db: Database,
) -> None:
    """Every owner's preview equals the first page read after the build, row for row."""
    queue = QueueService(seeded_db, ConfigService(seeded_db))
    async with seeded_db.sessions() as s:
        owners = list(
            (
                await s.scalars(
                    select(Customer.owner_id)
                    .where(Customer.tenant_id == TENANT, Customer.owner_id.is_not(None))
                    .distinct()
                )
            ).all()
        )
    assert len(owners) >= 2
    for day in (TEST_TODAY, TEST_TODAY + dt.timedelta(days=40)):
        assert not await queue.is_built(TENANT, day)
        previews = {owner: await queue.preview(TENANT, day, owner, limit=8) for owner in owners}
        assert not await queue.is_built(TENANT, day)  # a preview writes nothing
        for owner, preview in previews.items():
            page = await queue.page(TENANT, day, QueueFilters(owner_id=owner), limit=8)
            assert preview == page.rows
        assert await queue.is_built(TENANT, day)
        assert any(previews.values())


async def test_a_days_build_leaves_no_write_ahead_log_behind(seeded_db: Database) -> None:
    """SQLite: the build's WAL is checkpointed and cut back, so a later read-only open is quick."""
    if seeded_db.dialect != "sqlite":
        return  # PostgreSQL has no such file
    database = seeded_db.engine.url.database
    assert database is not None
    wal = Path(f"{database}-wal")
    queue = QueueService(seeded_db, ConfigService(seeded_db))
    for day in DAYS:
        await queue.refresh(TENANT, day)
    assert wal.exists() and wal.stat().st_size == 0
