"""A new day built from the day before equals a full rebuild, row for row, on both backends.

The data: the demo played to D+20 (Bluesoft's journey: workflows started, snoozed, woken,
escalated and completed, its renewal signed), 400 synthetic customers, and random dated facts
in the days walked (contracts signed or starting, financial records beginning and ending,
snapshots, executions of several owners starting, completing and waking from snoozes). Every
day of the walk is built from the day before, then compared with a full build of that day.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from sqlalchemy import insert, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Contract,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    QueueItem,
    QueueState,
    User,
    Workflow,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.data.seed.synthetic import seed_synthetic
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue import new_day
from renubu_tui.services.queue.service import MAX_GAP, STALE, QueueService
from renubu_tui.services.queue.sql import ITEM_COLUMNS, end_of_day
from tests.conftest import TEST_TODAY, JourneyAt
from tests.services.workflows.test_actions_tasks import TENANT

START = TEST_TODAY - dt.timedelta(days=4)  # Bluesoft's D−19
WALK = 40  # through D+21: the journey's milestones and the random facts all fall inside


async def _rows(db: Database, day: dt.date) -> list[tuple[Any, ...]]:
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


def _day(rng: random.Random) -> dt.date:
    return START + dt.timedelta(days=rng.randint(0, WALK))


def _moment(rng: random.Random) -> dt.datetime:
    """A time inside the walk, now and then exactly at a day's end (the edge `open_as_of` uses)."""
    day = _day(rng)
    if rng.random() < 0.2:
        return end_of_day(day)
    return end_of_day(day) - dt.timedelta(seconds=rng.randint(1, 86_399))


async def _add_dated_facts(db: Database, seed: int) -> None:
    """Random facts dated inside the walk, for customers of every owner (the synthetic ones
    spread over the tenant's people first: one owner's workload moves all their rows)."""
    rng = random.Random(seed)
    async with db.write() as s:
        people = list(
            await s.scalars(select(User.id).where(User.tenant_id == TENANT).order_by(User.id))
        )
        for customer in await s.scalars(
            select(Customer).where(Customer.is_synthetic.is_(True)).order_by(Customer.id)
        ):
            customer.owner_id = rng.choice(people)
    async with db.sessions() as s:
        customers = (
            await s.execute(
                select(Customer.id, Customer.owner_id)
                .where(Customer.tenant_id == TENANT)
                .order_by(Customer.id)
            )
        ).all()
        users = list(
            await s.scalars(select(User.id).where(User.tenant_id == TENANT).order_by(User.id))
        )
        ends = {
            c: end for c, end in await s.execute(select(Contract.customer_id, Contract.end_date))
        }
        workflows = (
            await s.execute(
                select(Workflow.id, Workflow.workflow_type, WorkflowVersion.id)
                .join(WorkflowVersion, WorkflowVersion.workflow_id == Workflow.id)
                .where(Workflow.is_active.is_(True))
                .order_by(Workflow.id, WorkflowVersion.version_number)
            )
        ).all()
    version = {wf: v for wf, _, v in workflows}  # the newest of each workflow
    kinds = sorted({(wf, kind) for wf, kind, _ in workflows})
    contracts: list[dict[str, Any]] = []
    financials: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    executions: list[dict[str, Any]] = []
    for customer_id, owner_id in rng.sample(customers, 200):
        if rng.random() < 0.4 and customer_id in ends:  # a renewal term, signed or starting
            start = ends[customer_id] + dt.timedelta(days=1)
            signed = _day(rng) if rng.random() < 0.7 else None
            if signed is None:
                start = _day(rng)
            contracts.append(
                {
                    "id": uuid.uuid4(),
                    "customer_id": customer_id,
                    "start_date": start,
                    "end_date": start + dt.timedelta(days=rng.choice((30, 200, 365))),
                    "arr": float(rng.randint(10, 500) * 1000),
                    "term_months": 12,
                    "status": "active",
                    "signed_on": signed,
                }
            )
        if rng.random() < 0.4:  # ARR valid over part of the walk
            start = _day(rng)
            financials.append(
                {
                    "id": uuid.uuid4(),
                    "customer_id": customer_id,
                    "valid_from": start,
                    "valid_to": (
                        start + dt.timedelta(days=rng.randint(0, 10))
                        if rng.random() < 0.6
                        else None
                    ),
                    "current_arr": float(rng.randint(1, 900) * 1000),
                }
            )
        if rng.random() < 0.4:  # a new snapshot: health, risk, opportunity
            snapshots.append(
                {
                    "id": uuid.uuid4(),
                    "customer_id": customer_id,
                    "as_of_date": _day(rng),
                    "risk_score": float(rng.randint(0, 100)),
                    "opportunity_score": float(rng.randint(0, 100)),
                    "health_score": float(rng.randint(0, 100)),
                }
            )
        for workflow_id, kind in rng.sample(kinds, rng.choice((0, 0, 0, 1, 2))):
            status = rng.choice(
                ("not_started", "in_progress", "snoozed", "escalated", "completed", "skipped")
            )
            started = _moment(rng) if rng.random() < 0.9 else None
            completed = None
            if status in {"completed", "skipped"} and started is not None:
                completed = started + dt.timedelta(hours=rng.randint(0, 24 * 12))
            executions.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": TENANT,
                    "customer_id": customer_id,
                    "workflow_id": workflow_id,
                    "workflow_version_id": version[workflow_id],
                    "workflow_type": kind,
                    # mostly the customer's owner; sometimes a colleague's plate
                    "owner_id": owner_id if rng.random() < 0.7 else rng.choice(users),
                    "status": status
                    if completed or status not in {"completed", "skipped"}
                    else "in_progress",
                    "snoozed_until": _day(rng) if status == "snoozed" else None,
                    "escalated_to_id": rng.choice(users) if status == "escalated" else None,
                    "started_at": started,
                    "completed_at": completed,
                    "outputs": {},
                }
            )
    async with db.write() as s:
        for model, rows in (
            (Contract, contracts),
            (CustomerFinancials, financials),
            (CustomerIntelligence, snapshots),
            (WorkflowExecution, executions),
        ):
            if rows:
                await s.execute(insert(model), rows)


async def test_each_new_day_equals_a_full_build(journey_db_at: JourneyAt) -> None:
    db = await journey_db_at(20)
    await seed_synthetic(db, 400, tenant_slug="acme-cs", today=TEST_TODAY)
    await _add_dated_facts(db, seed=16)
    queue = QueueService(db, ConfigService(db))

    assert (await queue.build(TENANT, START)).from_day is None  # nothing to start from
    built: dict[dt.date, list[tuple[Any, ...]]] = {}
    changed = []
    day = START
    for step in [1] * WALK + [3, MAX_GAP]:  # day by day, then over a gap, then the widest one
        before, day = day, day + dt.timedelta(days=step)
        result = await queue.build(TENANT, day)
        assert result.from_day == before, day
        built[day] = await _rows(db, day)
        assert result.rows == len(built[day])
        changed.append(result.changed)
    # the point of it: every day re-scores some customers, and on the whole most are copied
    total = len({r[2] for rows in built.values() for r in rows})
    assert all(n for n in changed), changed
    assert sum(n or 0 for n in changed[:WALK]) < WALK * total / 2, changed

    mismatches = []
    for day, rows in built.items():
        await queue.refresh(TENANT, day)  # from scratch
        full = await _rows(db, day)
        if rows != full:
            ours, theirs = set(rows) - set(full), set(full) - set(rows)
            mismatches.append((day, sorted(ours)[:3], sorted(theirs)[:3]))
    assert not mismatches, mismatches[:3]


async def test_a_new_day_is_built_in_full_when_it_cannot_be_built_from_another(
    seeded_db: Database,
) -> None:
    queue = QueueService(seeded_db, ConfigService(seeded_db))
    later = TEST_TODAY + dt.timedelta(days=1)
    assert (await queue.build(TENANT, TEST_TODAY)).from_day is None
    assert (await queue.build(TENANT, later)).from_day == TEST_TODAY
    # a day is never built from a later one
    assert (await queue.build(TENANT, TEST_TODAY - dt.timedelta(days=1))).from_day is None
    # too far apart
    far = later + dt.timedelta(days=MAX_GAP + 1)
    assert (await queue.build(TENANT, far)).from_day is None
    # a stale day (an action on another day) is not a starting point
    async with seeded_db.write() as s:
        for state in (await s.scalars(select(QueueState))).all():
            state.config_key = STALE
    assert (await queue.build(TENANT, later + dt.timedelta(days=1))).from_day is None
    # a configuration change: every kept day is forgotten, and the next one is built in full
    config = ConfigService(seeded_db)
    await config.set(TENANT, "stages.Critical.urgency", 85, actor="test", actor_id=None)
    await queue.invalidate(TENANT)
    assert (await queue.build(TENANT, later + dt.timedelta(days=2))).from_day is None
    assert (await queue.build(TENANT, later + dt.timedelta(days=3))).from_day is not None


def test_boundaries_are_every_stage_bound_and_the_overdue_limit() -> None:
    from renubu_tui.domain.config import DEFAULT_CONFIG, DomainConfig

    cfg = DomainConfig.from_dict(DEFAULT_CONFIG)
    found = new_day.boundaries(cfg)
    for stage in cfg.stages:
        if stage.min_days is not None:
            assert stage.min_days in found
        if stage.max_days is not None:
            assert stage.max_days + 1 in found
    assert 1 - cfg.thresholds.renewal_max_days_overdue in found
