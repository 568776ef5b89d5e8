"""One truth on every screen (issue 12 §2), on both backends.

A customer's stage and score as of a day are decided once (`domain.assessment.assess`, mirrored
by the queue's SQL): the queue, its explanation, the template context (which the sidebar reads),
Today's One Thing (the queue's top row) and the plain-text summary all show that result. A change
to a customer's work re-scores the rows it can move at once; the label scale spreads the book.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, QueueState, User, WorkflowExecution
from renubu_tui.data.seed.files import workflow_version_id
from renubu_tui.data.seed.ids import key_id
from renubu_tui.domain.enums import WorkflowType
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.customers.context import build_context
from renubu_tui.services.customers.summary import book_summary
from renubu_tui.services.queue.rows import QueueRow
from renubu_tui.services.queue.service import QueueFilters, QueueService
from renubu_tui.services.workflows.executions import ExecutionService
from tests.conftest import TEST_TODAY

TENANT = key_id("tenant", "acme-cs")
MAYA = key_id("user", "acme-cs", "maya.patel@acmecloud.com")
D = dt.date(2025, 10, 9)  # Bluesoft's renewal day
MILESTONES = [D + dt.timedelta(days=n) for n in (-120, -90, -60, -45, -30, -15, -5, 0)]
# the days where running workflows and a secured renewal change stages (and the baseline)
TURNS = [D + dt.timedelta(days=n) for n in (-120, -15, -5, 0)]


def _queue(db: Database) -> QueueService:
    return QueueService(db, ConfigService(db))


async def _rows(
    queue: QueueService, day: dt.date, owner: uuid.UUID | None = None
) -> list[QueueRow]:
    page = await queue.page(TENANT, day, QueueFilters(owner_id=owner), limit=10_000)
    return page.rows


# --- the same stage and score in every view ----------------------------------------------------


async def test_bluesoft_reads_critical_and_one_score_everywhere(seeded_db: Database) -> None:
    """The user's report: queue Critical 253, explain 'Signature stage … stage Critical',
    context Signature 196, summary Signature. Now one stage and one score, and the reason."""
    queue = _queue(seeded_db)
    config = await ConfigService(seeded_db).get(TENANT)
    bluesoft = key_id("customer", "acme-cs", "bluesoft.com")
    rows = [r for r in await _rows(queue, TEST_TODAY) if r.customer_id == bluesoft]
    assert {r.stage for r in rows} == {"Critical"}  # every row of it, not only the renewal
    renewal = next(r for r in rows if r.workflow_type == "renewal")

    explained = await queue.explain(TENANT, TEST_TODAY, bluesoft)
    assert explained.stage == "Critical"
    assert explained.stage_note is not None and "not Signature" in explained.stage_note
    assert "Critical renewal (7-14 days) workflow is already running" in explained.stage_note
    reason = explained.types[0].determination.reason
    assert "Critical stage, not Signature by its days" in reason
    assert explained.types[0].breakdown is not None
    assert explained.types[0].breakdown.total == renewal.score == 255

    context = await build_context(seeded_db, "acme-cs", bluesoft, TEST_TODAY, config=config)
    assert context["workflow"]["currentStage"] == "Critical"
    assert context["workflow"]["priorityScore"] == renewal.score

    book = await book_summary(seeded_db, "acme-cs", "maya.patel@acmecloud.com", TEST_TODAY)
    assert ("Bluesoft Corporation", 15, "Critical") in book.soonest


async def test_every_view_agrees_for_every_customer(
    seeded_db: Database,
) -> None:
    queue = _queue(seeded_db)
    config = await ConfigService(seeded_db).get(TENANT)
    async with seeded_db.sessions() as s:
        customers = list(
            (await s.scalars(select(Customer.id).where(Customer.tenant_id == TENANT))).all()
        )
    for day in TURNS:
        rows = await _rows(queue, day)
        book = await book_summary(seeded_db, "acme-cs", "maya.patel@acmecloud.com", day)
        summary_stage = {name: stage for name, _, stage in book.soonest}
        for customer in customers:
            explained = await queue.explain(TENANT, day, customer)
            mine = [r for r in rows if r.customer_id == customer]
            assert {r.stage for r in mine} <= {explained.stage}, (day, explained.customer_name)
            for row in mine:  # the queue's SQL and the explanation's Python: the same score
                shown = next(
                    t for t in explained.types if t.determination.type == row.workflow_type
                )
                assert shown.breakdown is not None
                assert (shown.breakdown.total, shown.breakdown.label) == (row.score, row.label)
            context = await build_context(seeded_db, "acme-cs", customer, day, config=config)
            assert context["workflow"]["currentStage"] == explained.stage
            renewal = next(t for t in explained.types if t.determination.type.value == "renewal")
            if renewal.breakdown is not None:
                assert context["workflow"]["priorityScore"] == renewal.breakdown.total
            name = explained.customer_name
            if name in summary_stage:
                assert summary_stage[name] == explained.stage, (day, name)


# --- labels ------------------------------------------------------------------------------------


async def test_labels_spread_the_demo_book(seeded_db: Database) -> None:
    """No label on more than half of the book's rows (everyone's, and the demo user's) on any
    milestone day, and never a stage's word; a higher score never has a lower label."""
    queue = _queue(seeded_db)
    config = await ConfigService(seeded_db).get(TENANT)
    stages = {s.name for s in config.stages}
    for day in MILESTONES:
        for owner in (None, MAYA):
            rows = await _rows(queue, day, owner)
            counts = Counter(r.label for r in rows)
            assert max(counts.values()) * 2 <= len(rows), (day, owner, counts)
            assert len(counts) >= 3, (day, owner, counts)
            assert not stages & set(counts)
            ranked = sorted(rows, key=lambda r: -r.score)
            assert [r.label_rank for r in ranked] == sorted(r.label_rank for r in ranked)


# --- a change re-scores its rows at once ----------------------------------------------------


async def _maya(db: Database) -> User:
    async with db.sessions() as s:
        maya = await s.scalar(select(User).where(User.id == MAYA))
    assert maya is not None
    return maya


async def _refreshed_at(db: Database) -> dt.datetime:
    async with db.sessions() as s:
        state = await s.get(QueueState, (TENANT, TEST_TODAY))
    assert state is not None
    return state.refreshed_at


async def test_start_complete_and_skip_rescore_the_rows_at_once(seeded_db: Database) -> None:
    """`g`, `c` and `k` in the app: the rows move as soon as the call returns, in place (the
    day's materialization is not rebuilt), and the context (sidebar) says the same."""
    queue = _queue(seeded_db)
    executions = ExecutionService(
        seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs", on_change=queue.invalidate
    )
    maya = await _maya(seeded_db)
    mosaic = key_id("customer", "acme-cs", "mosaichr.com")

    def pick(rows: list[QueueRow], customer: uuid.UUID, kind: str = "renewal") -> QueueRow:
        return next(r for r in rows if r.customer_id == customer and r.workflow_type == kind)

    before = await _rows(queue, TEST_TODAY, MAYA)
    built = await _refreshed_at(seeded_db)
    row = pick(before, mosaic)
    assert (row.stage, row.days, row.score) == ("Signature", 19, 75)  # 70 × 1.1 − 2
    other = next(r for r in before if r.customer_id != mosaic)

    # start the Critical workflow early (signatures stall): Critical, one more open workflow
    view = await executions.start(TENANT, mosaic, actor=maya, workflow_slug="critical")
    started = await _rows(queue, TEST_TODAY, MAYA)
    row = pick(started, mosaic)
    assert (row.stage, row.status, row.score) == ("Critical", "in_progress", 95)  # 90 × 1.1 − 4
    assert row.breakdown.factors[0].text.startswith("Renewal stage Critical (raised from Signature")
    moved = pick(started, other.customer_id, other.workflow_type)
    assert moved.breakdown.workload_penalty == other.breakdown.workload_penalty - 2
    context = await build_context(seeded_db, "acme-cs", mosaic, TEST_TODAY)
    assert (context["workflow"]["currentStage"], context["workflow"]["priorityScore"]) == (
        "Critical",
        95,
    )

    # complete the assessment (all done): still Critical, still open
    await executions.complete_step(TENANT, view.id, actor=maya, chosen_route="ALL_COMPLETE")
    row = pick(await _rows(queue, TEST_TODAY, MAYA), mosaic)
    assert (row.stage, row.score) == ("Critical", 95)

    # skip the confirmation: the workflow is done, the stage and the workload are the days' again
    done = await executions.skip_step(TENANT, view.id, actor=maya, reason="Already completed")
    assert done.status == "completed"
    after = await _rows(queue, TEST_TODAY, MAYA)
    row = pick(after, mosaic)
    assert (row.stage, row.status, row.score) == ("Signature", "new", 75)
    assert pick(after, other.customer_id, other.workflow_type).score == other.score
    assert await _refreshed_at(seeded_db) == built  # re-scored in place, not rebuilt
    context = await build_context(seeded_db, "acme-cs", mosaic, TEST_TODAY)
    assert (context["workflow"]["currentStage"], context["workflow"]["priorityScore"]) == (
        "Signature",
        75,
    )


async def test_rows_refresh_in_the_changes_own_transaction(seeded_db: Database) -> None:
    """With the change's session, its rows commit with it and roll back with it."""
    queue = _queue(seeded_db)
    mosaic = key_id("customer", "acme-cs", "mosaichr.com")
    wid = key_id("workflow", "core", "critical")

    async def renewal_row() -> QueueRow:
        rows = await _rows(queue, TEST_TODAY, MAYA)
        return next(r for r in rows if r.customer_id == mosaic and r.workflow_type == "renewal")

    assert (await renewal_row()).stage == "Signature"
    for commit in (False, True):
        try:
            async with seeded_db.sessions() as s, s.begin():
                s.add(
                    WorkflowExecution(
                        id=uuid.uuid4(),
                        tenant_id=TENANT,
                        customer_id=mosaic,
                        workflow_id=wid,
                        workflow_version_id=workflow_version_id(wid, 1),
                        workflow_type=WorkflowType.RENEWAL.value,
                        owner_id=MAYA,
                        status="in_progress",
                        outputs={},
                        started_at=dt.datetime(2025, 9, 24, 8, tzinfo=dt.UTC),
                    )
                )
                await queue.refresh_customer(TENANT, mosaic, TEST_TODAY, session=s)
                if not commit:
                    raise _Abandon
        except _Abandon:
            pass
        assert (await renewal_row()).stage == ("Critical" if commit else "Signature")


class _Abandon(Exception):
    """Rolls a test transaction back."""


async def test_a_started_workflow_and_its_rescored_rows_commit_together(
    seeded_db: Database,
) -> None:
    """ExecutionService re-scores inside the change's transaction: when the queue is refreshed
    nobody else can see the new workflow yet, so no reader ever sees it with the old score."""
    queue = _queue(seeded_db)
    mosaic = key_id("customer", "acme-cs", "mosaichr.com")
    seen: list[tuple[bool, int]] = []

    async def spy(
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        today: dt.date,
        /,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        async with seeded_db.sessions() as other:  # another reader, e.g. a colleague's app
            visible = await other.scalar(
                select(func.count())
                .select_from(WorkflowExecution)
                .where(WorkflowExecution.customer_id == customer_id)
            )
        seen.append((session is not None, int(visible or 0)))
        await queue.invalidate(tenant_id, customer_id, today, session=session)

    executions = ExecutionService(
        seeded_db, Clock(TEST_TODAY), tenant_slug="acme-cs", on_change=spy
    )
    await _rows(queue, TEST_TODAY, MAYA)  # build the day
    await executions.start(TENANT, mosaic, actor=await _maya(seeded_db), workflow_slug="critical")
    assert seen == [(True, 0)]
    rows = await _rows(queue, TEST_TODAY, MAYA)
    row = next(r for r in rows if r.customer_id == mosaic and r.workflow_type == "renewal")
    assert (row.stage, row.status) == ("Critical", "in_progress")
