"""Seeding: complete, idempotent, all-or-nothing, anchored so the demo works on any day."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    CompanySettings,
    Contract,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    CustomerStakeholder,
    Workflow,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.data.seed import demo
from renubu_tui.data.seed.demo import seed_all
from renubu_tui.data.stats import table_counts
from renubu_tui.services.demo.seeding import seed_everything
from tests.conftest import TEST_TODAY, JourneyAt, journey_day


async def test_seeding_twice_on_the_same_day_changes_nothing(seeded_db: Database) -> None:
    before = await table_counts(seeded_db)
    report = await seed_everything(seeded_db, today=TEST_TODAY)
    assert (report.inserted, report.updated) == (0, 0), report.counts
    assert report.counts["journey events"] == [0, 0]
    assert await table_counts(seeded_db) == before


async def test_seeding_on_a_later_day_adds_only_what_became_known(journey_db_at: JourneyAt) -> None:
    """Seeded at D−15 and again at D−5: the facts dated in between arrive (Bluesoft's D−5
    health snapshot, the stakeholder notes written since) and the script's events of D−14 to
    D−5 are played, once; the book is then what a first seed at D−5 writes."""
    database = await journey_db_at(-15)
    report = await seed_everything(database, today=journey_day(-5))
    changed = {table: n for table, n in report.counts.items() if n != [0, 0]}
    assert set(changed) == {"customer_intelligence", "customer_stakeholders", "journey events"}
    assert changed["customer_intelligence"] == [1, 0]  # Bluesoft's D−5 snapshot
    assert changed["customer_stakeholders"][0] == 0  # notes added to known people
    assert changed["journey events"] == [9, 0]  # D−14 to D−5
    async with database.sessions() as s:
        latest = await s.scalar(
            select(func.max(CustomerIntelligence.as_of_date))
            .join(Customer, Customer.id == CustomerIntelligence.customer_id)
            .where(Customer.domain == "bluesoft.com")
        )
    assert latest == journey_day(-5)
    fresh = await journey_db_at(-5)
    assert await table_counts(database) == await table_counts(fresh)
    again = await seed_everything(database, today=journey_day(-5))
    assert (again.inserted, again.updated) == (0, 0), again.counts


async def test_seed_fills_every_part_of_the_demo(seeded_db: Database) -> None:
    counts = await table_counts(seeded_db)
    assert counts["tenants"] == 1
    assert counts["customers"] >= 55
    assert counts["workflows"] >= 11  # nine renewal stages, other types, two compositions
    assert counts["workflow_versions"] == counts["workflows"]
    for table in (
        "users",
        "contracts",
        "customer_intelligence",
        "customer_financials",
        "customer_usage_metrics",
        "customer_engagement",
        "customer_stakeholders",
        "config_entries",
        "saved_actions",
        "workflow_step_library",
        "workflow_chat_branches",
        "knowledge_documents",
    ):
        assert counts[table] > 0, table
    async with seeded_db.sessions() as s:
        renewal = (
            await s.scalars(
                select(Workflow.slug).where(Workflow.workflow_type == "renewal", Workflow.is_core)
            )
        ).all()
    for slug in ("overdue", "emergency", "critical", "signature", "finalize", "negotiate"):
        assert slug in renewal
    assert {"engage", "prepare", "monitor", "standard-renewal", "executive-contact-lost"} <= set(
        renewal
    )


async def test_portfolio_dates_are_relative_to_the_first_seed(seeded_db: Database) -> None:
    async with seeded_db.sessions() as s:
        anchor = await s.scalar(select(CompanySettings.seed_anchor_date))
        latest_end = await s.scalar(select(func.max(Contract.end_date)))
    assert anchor == TEST_TODAY
    assert latest_end is not None and latest_end > TEST_TODAY


# the renewal stages' workflows of D−120 … D−15, each closed before the next started (the
# stalled Signature workflow skipped when the Critical workflow took over)
EARLY_RUNS = [
    ("prepare", "completed"),
    ("engage", "completed"),
    ("negotiate", "completed"),
    ("finalize", "completed"),
    ("signature", "skipped"),
]
# what is known of Bluesoft on each milestone day: health so far, ARR periods begun, the
# renewal contract once signed (on D), its workflows and their states
FIGURES = {
    -15: (
        [72, 78, 68, 75, 74, 74],
        [165000, 180000],
        False,
        [*EARLY_RUNS, ("critical", "in_progress")],
    ),
    -5: (
        [72, 78, 68, 75, 74, 74, 73],
        [165000, 180000],
        False,
        [*EARLY_RUNS, ("critical", "completed"), ("emergency", "in_progress")],
    ),
    0: (
        [72, 78, 68, 75, 74, 74, 73, 85],
        [165000, 180000, 198000],
        True,
        [*EARLY_RUNS, ("critical", "completed"), ("emergency", "completed")],
    ),
}


@pytest.mark.parametrize("offset", sorted(FIGURES))
async def test_bluesoft_journey_figures(journey_db_at: JourneyAt, offset: int) -> None:
    database = await journey_db_at(offset)
    d = journey_day(0)
    async with database.sessions() as s:
        bluesoft = await s.scalar(select(Customer).where(Customer.domain == "bluesoft.com"))
        assert bluesoft is not None
        assert (bluesoft.name, bluesoft.industry, bluesoft.account_plan) == (
            "Bluesoft Corporation",
            "Enterprise Software",
            "expand",
        )
        health = (
            await s.scalars(
                select(CustomerIntelligence.health_score)
                .where(CustomerIntelligence.customer_id == bluesoft.id)
                .order_by(CustomerIntelligence.as_of_date)
            )
        ).all()
        arr = (
            await s.scalars(
                select(CustomerFinancials.current_arr)
                .where(CustomerFinancials.customer_id == bluesoft.id)
                .order_by(CustomerFinancials.valid_from)
            )
        ).all()
        stakeholders = set(
            (
                await s.scalars(
                    select(CustomerStakeholder.name).where(
                        CustomerStakeholder.customer_id == bluesoft.id
                    )
                )
            ).all()
        )
        renewal = await s.scalar(
            select(Contract).where(Contract.customer_id == bluesoft.id, Contract.start_date > d)
        )
        executions = (
            await s.execute(
                select(Workflow.slug, WorkflowExecution.status)
                .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
                .where(WorkflowExecution.customer_id == bluesoft.id)
                .order_by(WorkflowExecution.started_at)
            )
        ).all()
    expected_health, expected_arr, renewed, expected_runs = FIGURES[offset]
    assert list(health) == expected_health
    assert list(arr) == expected_arr
    assert stakeholders == {
        "Sarah Chen",
        "Marcus Thompson",
        "Emily Rodriguez",
        "David Kim",
        "Jessica Martinez",
    }
    if renewed:
        assert renewal is not None and (renewal.arr, renewal.seats) == (198000, 45)
        assert renewal.start_date == d + dt.timedelta(days=1) and renewal.signed_on == d
    else:
        assert renewal is None  # signed on D: not known before
    assert [tuple(row) for row in executions] == expected_runs


async def test_a_failure_midway_leaves_nothing_behind(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_upsert = demo.upsert

    async def failing(session, table, rows, report):  # type: ignore[no-untyped-def]
        if table.name == "customer_stakeholders":
            raise RuntimeError("disk full")
        await real_upsert(session, table, rows, report)

    monkeypatch.setattr(demo, "upsert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        await seed_all(db, today=TEST_TODAY)
    counts = await table_counts(db)
    assert {name: n for name, n in counts.items() if n} == {}


async def test_a_changed_core_workflow_gets_a_new_version(seeded_db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from renubu_tui.resources import seeds_dir

    root = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), root)
    path = root / "workflows" / "renewal" / "critical.json"
    text = path.read_text(encoding="utf-8")
    import json

    config = json.loads(text)
    config["description"] = "Édité — a changed description"
    path.write_text(json.dumps(config), encoding="utf-8")
    report = await seed_all(seeded_db, today=TEST_TODAY, root=root)
    assert report.counts["workflow_versions"] == [1, 0]
    assert report.counts["workflows"] == [0, 1]
    async with seeded_db.sessions() as s:
        wf = await s.scalar(select(Workflow).where(Workflow.slug == "critical"))
        assert wf is not None and wf.current_version == 2
        versions = (
            await s.scalars(
                select(WorkflowVersion.version_number)
                .where(WorkflowVersion.workflow_id == wf.id)
                .order_by(WorkflowVersion.version_number)
            )
        ).all()
    assert versions == [1, 2]
    assert wf.config["description"] == "Édité — a changed description"


async def test_journey_notifications_follow_the_date(journey_db_at: JourneyAt) -> None:
    from renubu_tui.data.seed.ids import key_id
    from renubu_tui.services.workflows.notifications import NotificationService

    tenant = key_id("tenant", "acme-cs")
    database = await journey_db_at(-4)  # the manager has acknowledged the emergency
    inbox = NotificationService(database)
    maya, jordan = "maya.patel@acmecloud.com", "jordan.lee@acmecloud.com"
    before = {n.title for n in await inbox.inbox(tenant, maya, as_of=journey_day(-16))}
    at_105 = await inbox.inbox(tenant, maya, as_of=journey_day(-15))
    # the day before: the Signature stage's daily reminder, no war room yet
    assert "Signatures still open: Bluesoft Corporation" in before
    assert "War room opened: Bluesoft Corporation" not in before
    assert "War room opened: Bluesoft Corporation" in {n.title for n in at_105}
    asked = await inbox.inbox(tenant, jordan, as_of=journey_day(-5))
    assert "Acknowledge emergency escalation: Bluesoft Corporation" in {n.title for n in asked}
    not_yet = await inbox.inbox(tenant, jordan, as_of=journey_day(-6))
    assert "Acknowledge emergency escalation: Bluesoft Corporation" not in {
        n.title for n in not_yet
    }
    at_116 = await inbox.inbox(tenant, maya, as_of=journey_day(-4))
    assert "Manager acknowledged: Bluesoft Corporation" in {n.title for n in at_116}


async def test_bluesoft_steps_follow_each_other(journey_db_at: JourneyAt) -> None:
    """Each journey step starts when the one before it ended, as the engine runs them, so the
    time travel finds a step in progress on every day an execution was open."""
    from renubu_tui.data.models import StepExecution

    database = await journey_db_at(0)
    async with database.sessions() as s:
        runs = (
            await s.scalars(
                select(WorkflowExecution)
                .join(Customer, Customer.id == WorkflowExecution.customer_id)
                .where(Customer.domain == "bluesoft.com")
            )
        ).all()
        assert len(runs) == 7  # five renewal stages, Critical and Emergency
        for run in runs:
            steps = (
                await s.scalars(
                    select(StepExecution)
                    .where(StepExecution.execution_id == run.id)
                    .order_by(StepExecution.started_at, StepExecution.step_index)
                )
            ).all()
            assert steps[0].started_at == run.started_at
            for before, after in itertools.pairwise(steps):
                assert after.started_at == before.completed_at, after.step_id
            if run.status == "skipped":  # the stalled Signature workflow, skipped on its step
                assert steps[-1].step_id == run.current_step_id
                assert steps[-1].started_at <= run.completed_at
            else:
                assert run.status == "completed"
                assert steps[-1].completed_at == run.completed_at


async def test_a_first_seed_on_any_day_puts_bluesoft_at_d_minus_15(db: Database) -> None:
    """A fresh install today: Bluesoft renews in 15 days, its Critical workflow running, the war
    room in the inbox — the journey as current as the rest of the book, not a year-old story."""
    from renubu_tui.data.seed.ids import key_id
    from renubu_tui.services.config.service import ConfigService
    from renubu_tui.services.queue.service import QueueFilters, QueueService
    from renubu_tui.services.workflows.notifications import NotificationService

    today = dt.date(2026, 12, 5)
    await seed_everything(db, today=today)
    d = today + dt.timedelta(days=15)
    tenant = key_id("tenant", "acme-cs")
    async with db.sessions() as s:
        bluesoft = await s.scalar(select(Customer).where(Customer.domain == "bluesoft.com"))
        assert bluesoft is not None
        in_force = await s.scalar(
            select(Contract).where(Contract.customer_id == bluesoft.id, Contract.end_date == d)
        )
        critical = await s.scalar(
            select(WorkflowExecution).where(
                WorkflowExecution.customer_id == bluesoft.id,
                WorkflowExecution.started_at < dt.datetime(2026, 12, 6, tzinfo=dt.UTC),
                WorkflowExecution.started_at >= dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
            )
        )
    assert in_force is not None and critical is not None
    queue = QueueService(db, ConfigService(db))
    page = await queue.page(tenant, today, QueueFilters(search="Bluesoft"), limit=10)
    renewal = next(r for r in page.rows if r.workflow_type == "renewal")
    assert (renewal.days, renewal.stage) == (15, "Critical")
    inbox = await NotificationService(db).inbox(tenant, "maya.patel@acmecloud.com", as_of=today)
    assert "War room opened: Bluesoft Corporation" in {n.title for n in inbox}
