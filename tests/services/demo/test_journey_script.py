"""The Bluesoft journey as a script of dated events (seeds/demo/bluesoft.json, `script`).

Played through the services, the script gives the same database every time; at each milestone a
workflow is live on a step with the assistant's chat on it, and each stage's workflow closed
before the next started; a database holds nothing dated after the day the script has reached;
advancing applies each event once; a person's action takes the database off the script; the
demo's own database moves forward and back; and a script that no longer fits says which event is
wrong.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Date, DateTime, func, select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database, create_database
from renubu_tui.data.models import (
    ActionExecution,
    Base,
    ChatMessage,
    ChatThread,
    Customer,
    Notification,
    StepExecution,
    TaskArtifact,
    User,
    Workflow,
    WorkflowExecution,
    WorkflowTask,
)
from renubu_tui.data.models.base import UTCDateTime
from renubu_tui.data.seed.files import workflow_version_id
from renubu_tui.data.seed.ids import key_id
from renubu_tui.data.stats import table_counts
from renubu_tui.domain.journey_script import ScriptError, parse_script
from renubu_tui.services.demo.journey import JourneyError, advance, read_state
from renubu_tui.services.demo.seeding import seed_everything
from renubu_tui.services.workflows.actions import ActionService
from renubu_tui.services.workflows.executions import ExecutionService
from tests.conftest import TEST_TODAY, JourneyAt, PgSchemas, journey_day, pg_database

TENANT = key_id("tenant", "acme-cs")
MAYA = "maya.patel@acmecloud.com"

# Dates that are plans, not facts: a task's due date, a contract's term (known once signed, its
# signed_on is checked), the next QBR on the calendar; and where the book is placed in time (the
# demo's anchor is fixed, and precedes none of its facts).
PLANS = {
    ("company_settings", "seed_anchor_date"),
    ("workflow_tasks", "due_date"),
    ("contracts", "start_date"),
    ("contracts", "end_date"),
    ("customer_engagement", "next_qbr_date"),
}


# --- helpers ---------------------------------------------------------------------------------


async def dated_after(db: Database, day: dt.date) -> list[str]:
    """Every date or timestamp column holding a value later than `day`: 'table.column value'."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    found: list[str] = []
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                stamp = isinstance(column.type, (UTCDateTime, DateTime))
                if not stamp and not isinstance(column.type, Date):
                    continue
                if (table.name, column.name) in PLANS:
                    continue
                latest = await session.scalar(select(func.max(column)))
                if latest is None:
                    continue
                if stamp:
                    if latest.tzinfo is None:
                        latest = latest.replace(tzinfo=dt.UTC)
                    later = latest >= end
                else:
                    later = latest > day
                if later:
                    found.append(f"{table.name}.{column.name} {latest}")
    return found


def bluesoft_runs(*columns: Any) -> Any:
    """`columns` of Bluesoft's workflow executions, each joined to its workflow."""
    return (
        select(*columns)
        .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
        .join(Customer, Customer.id == WorkflowExecution.customer_id)
        .where(Customer.domain == "bluesoft.com")
    )


async def journey_now(db: Database) -> tuple[int, dict[str, str]]:
    """What the journey has done: Bluesoft's step executions, its workflows and their status."""
    async with db.sessions() as session:
        steps = await session.scalar(
            select(func.count())
            .select_from(StepExecution)
            .join(WorkflowExecution, WorkflowExecution.id == StepExecution.execution_id)
            .join(Customer, Customer.id == WorkflowExecution.customer_id)
            .where(Customer.domain == "bluesoft.com")
        )
        runs = (await session.execute(bluesoft_runs(Workflow.slug, WorkflowExecution.status))).all()
    return int(steps or 0), {slug: status for slug, status in runs}


async def replay_record(db: Database) -> tuple[dict[str, int], list[tuple[Any, ...]], list[str]]:
    """Row counts per table, the step executions in order, and the trail of actions in order."""
    async with db.sessions() as session:
        steps = (
            await session.execute(
                select(
                    Workflow.slug,
                    StepExecution.step_id,
                    StepExecution.status,
                    StepExecution.chosen_route,
                )
                .join(WorkflowExecution, WorkflowExecution.id == StepExecution.execution_id)
                .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
                .order_by(
                    WorkflowExecution.started_at, StepExecution.step_index, StepExecution.attempt
                )
            )
        ).all()
        trail = (
            await session.scalars(
                select(ActionExecution.action_slug).order_by(
                    ActionExecution.created_at, ActionExecution.action_slug
                )
            )
        ).all()
    return await table_counts(db), [tuple(row) for row in steps], list(trail)


async def _user(db: Database, email: str = MAYA) -> User:
    async with db.sessions() as session:
        user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


async def _customer(db: Database, name: str) -> uuid.UUID:
    async with db.sessions() as session:
        found = await session.scalar(select(Customer.id).where(Customer.name == name))
    assert found is not None
    return found


async def _bluesoft_run(db: Database, slug: str) -> uuid.UUID:
    async with db.sessions() as session:
        found = await session.scalar(
            bluesoft_runs(WorkflowExecution.id).where(Workflow.slug == slug)
        )
    assert found is not None
    return found


async def _open_in_the_book(db: Database, customer: str, workflow: str, step_id: str) -> uuid.UUID:
    """A workflow the book already had open on D−15 (written as the seed writes rows, with no
    trail of a person's action), standing at `step_id`."""
    started = dt.datetime.combine(TEST_TODAY, dt.time(7, 0), tzinfo=dt.UTC)
    async with db.sessions() as session, session.begin():
        owner = await session.scalar(select(User).where(User.email == MAYA))
        flow = await session.get(Workflow, key_id("workflow", "core", workflow))
        assert owner is not None and flow is not None
        run = WorkflowExecution(
            id=uuid.uuid4(),
            tenant_id=TENANT,
            customer_id=await _customer(db, customer),
            workflow_id=flow.id,
            workflow_version_id=workflow_version_id(flow.id, flow.current_version),
            workflow_type=flow.workflow_type,
            owner_id=owner.id,
            status="in_progress",
            current_step_id=step_id,
            outputs={},
            started_at=started,
            created_at=started,
            updated_at=started,
        )
        session.add(run)
        await session.flush()
        session.add(
            StepExecution(
                execution_id=run.id,
                step_id=step_id,
                step_index=[s["id"] for s in flow.config["steps"]].index(step_id),
                status="in_progress",
                started_at=started,
            )
        )
    return run.id


@pytest.fixture
async def another_db(
    db: Database, tmp_path: Path, pg_schemas: PgSchemas | None
) -> AsyncIterator[Database]:
    """A second empty migrated database on the same backend as `db`."""
    from renubu_tui.data.migrate import upgrade

    schema = None
    if db.engine.dialect.name == "sqlite":
        other = create_database(f"sqlite+aiosqlite:///{tmp_path / 'another.sqlite3'}")
    else:
        assert pg_schemas is not None
        schema = await asyncio.to_thread(pg_schemas.new)
        other = pg_database(schema)
    await upgrade(other)
    yield other
    await other.dispose()
    if schema is not None:
        assert pg_schemas is not None
        await asyncio.to_thread(pg_schemas.drop, schema)


# --- replaying -------------------------------------------------------------------------------

# D−120 … D−15: a workflow for each renewal stage, each closed before the next starts; the
# Signature workflow stalls and is skipped when the Critical workflow takes over on D−15 (its
# STALLED route had moved it to resolve-open-terms, where the skip left it)
EARLY_STEPS = [
    ("prepare", "renewal-baseline", "completed", None),
    ("prepare", "value-realization-review", "completed", "VALUE_PROVEN"),
    ("prepare", "renewal-strategy-plan", "completed", None),
    ("engage", "engagement-health-review", "completed", None),
    ("engage", "stakeholder-mapping", "completed", "CHAMPION_CONFIRMED"),
    ("engage", "renewal-intent-conversation", "completed", None),
    ("engage", "engage-plan-summary", "completed", None),
    ("negotiate", "negotiation-position-analysis", "completed", None),
    ("negotiate", "stakeholder-alignment", "completed", "CONCERNS_RAISED"),
    ("negotiate", "objection-handling", "completed", None),
    ("negotiate", "pricing-proposal", "completed", None),
    ("negotiate", "negotiation-checkpoint", "completed", None),
    ("finalize", "finalize-readiness-review", "completed", "TERMS_AGREED"),
    ("finalize", "prepare-final-quote", "completed", None),
    ("finalize", "issue-order-form", "completed", None),
    ("signature", "signature-readiness-check", "completed", "PACKAGE_SENT"),
    ("signature", "resolve-open-terms", "in_progress", None),
    ("signature", "signature-tracking", "completed", "STALLED"),
]
EARLY_RUNS = {
    "prepare": "completed",
    "engage": "completed",
    "negotiate": "completed",
    "finalize": "completed",
    "signature": "skipped",
}
STEPS_BY_D = [
    *EARLY_STEPS,
    ("critical", "critical-status-assessment", "completed", "SIGNATURE_PENDING"),
    ("critical", "executive-escalation", "completed", None),
    ("critical", "emergency-resolution", "completed", None),
    ("critical", "alternative-renewal-options", "skipped", None),  # signed: no alternatives
    ("critical", "completion-confirmation", "completed", None),
    ("emergency", "emergency-status-check", "completed", "FINAL_PUSH"),
    ("emergency", "mandatory-team-escalation", "completed", "PROCEED_FINAL_PUSH"),
    ("emergency", "final-push", "completed", None),
    ("emergency", "outcome-resolution", "completed", None),
]


async def test_replaying_the_script_twice_gives_the_same_database(
    db: Database, another_db: Database
) -> None:
    for database in (db, another_db):
        await seed_everything(database, today=journey_day(0), anchor=TEST_TODAY)
    first, second = await replay_record(db), await replay_record(another_db)
    assert first == second
    counts, steps, trail = first
    assert steps == STEPS_BY_D
    assert trail.count("complete-step") == 25 and trail.count("manager-acknowledge") == 1
    assert trail.count("skip") == 1  # the stalled Signature workflow, on D−15
    assert counts["workflow_executions"] == 7 and counts["workflow_task_artifacts"] == 10


# --- nothing dated later ---------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-15, -5, 0])
async def test_nothing_is_dated_after_the_day_seeded(journey_db_at: JourneyAt, offset: int) -> None:
    database = await journey_db_at(offset)
    assert await dated_after(database, journey_day(offset)) == []


async def _run_rows(db: Database, run_id: uuid.UUID) -> tuple[int, int, int, int]:
    """One execution's own rows: step executions, tasks, artifacts, chat threads."""
    async with db.sessions() as session:
        counted = []
        for model in (StepExecution, WorkflowTask, TaskArtifact, ChatThread):
            counted.append(
                int(
                    await session.scalar(
                        select(func.count()).select_from(model).where(model.execution_id == run_id)
                    )
                    or 0
                )
            )
    return counted[0], counted[1], counted[2], counted[3]


async def test_d_minus_15_holds_the_first_days_work(seeded_db: Database) -> None:
    """The Critical workflow's first day, after the four months of stages before it."""
    critical = await _bluesoft_run(seeded_db, "critical")
    assert await _run_rows(seeded_db, critical) == (3, 2, 2, 2)
    assert await journey_now(seeded_db) == (
        len(EARLY_STEPS) + 3,
        {**EARLY_RUNS, "critical": "in_progress"},
    )
    counts = await table_counts(seeded_db)
    assert counts["workflow_executions"] == 6  # nothing but the journey's own
    # the earlier stages' tasks were all done on their days, their artifacts approved
    async with seeded_db.sessions() as session:
        earlier_tasks = (
            await session.scalars(
                select(WorkflowTask.status).where(
                    WorkflowTask.execution_id.is_not(None), WorkflowTask.execution_id != critical
                )
            )
        ).all()
        earlier_artifacts = (
            await session.scalars(
                select(TaskArtifact.status).where(TaskArtifact.execution_id != critical)
            )
        ).all()
    assert len(earlier_tasks) == 5 and set(earlier_tasks) == {"completed"}
    assert len(earlier_artifacts) == 4 and set(earlier_artifacts) == {"approved"}


# --- the early journey: a live step at each milestone ----------------------------------------

# (journey offset, the workflow live that day, its current step)
LIVE_AT_MILESTONES = [
    (-120, "prepare", "value-realization-review"),  # baseline
    (-90, "negotiate", "negotiation-position-analysis"),  # QBR, expansion spotted
    (-60, "negotiate", "objection-handling"),  # pricing concerns (David Kim)
    (-45, "finalize", "prepare-final-quote"),  # terms agreed
    (-30, "signature", "signature-tracking"),  # waiting on signatures
    (-15, "critical", "emergency-resolution"),  # Critical workflow starts
    (-10, "critical", "emergency-resolution"),  # Sarah Chen has signed; David Kim has not
]


@pytest.mark.parametrize(("offset", "slug", "step_id"), LIVE_AT_MILESTONES)
async def test_each_milestone_has_a_live_step_with_the_assistants_chat(
    journey_db_at: JourneyAt, offset: int, slug: str, step_id: str
) -> None:
    """A database seeded on a milestone day (as the demo builds it) has one Bluesoft workflow
    in progress, on a step the CSM can work, with a thread on that step in which Maya asked
    the assistant something that day or the day before and the assistant answered."""
    database = await journey_db_at(offset)
    day = journey_day(offset)
    async with database.sessions() as session:
        open_runs = (
            await session.execute(
                bluesoft_runs(
                    Workflow.slug, WorkflowExecution.id, WorkflowExecution.current_step_id
                ).where(WorkflowExecution.status == "in_progress")
            )
        ).all()
        assert [(s, step) for s, _, step in open_runs] == [(slug, step_id)]
        run_id = open_runs[0][1]
        current = await session.scalar(
            select(StepExecution.id).where(
                StepExecution.execution_id == run_id,
                StepExecution.step_id == step_id,
                StepExecution.status == "in_progress",
            )
        )
        assert current is not None
        messages = (
            await session.execute(
                select(ChatMessage.role, ChatMessage.status, ChatMessage.created_at)
                .join(ChatThread, ChatThread.id == ChatMessage.thread_id)
                .where(
                    ChatThread.execution_id == run_id,
                    ChatThread.step_execution_id == current,
                    ChatThread.status == "active",
                )
                .order_by(ChatMessage.created_at, ChatMessage.seq)
            )
        ).all()
    asked = [when for role, _, when in messages if role == "user"]
    answered = [
        when for role, status, when in messages if role == "assistant" and status == "complete"
    ]
    assert asked and answered and answered[-1] >= asked[-1]
    assert day - dt.timedelta(days=1) <= asked[-1].date() <= day  # on or just before the day
    view = await ExecutionService(database, Clock(day), tenant_slug="acme-cs").view(TENANT, run_id)
    assert view.current_step_id == step_id and view.gate is None  # it can be worked


async def test_each_stage_closes_before_the_next_starts(seeded_db: Database) -> None:
    """Prepare, Engage, Negotiate and Finalize complete before the next stage's workflow
    starts; the stalled Signature workflow is skipped (an internal decision) before the
    Critical workflow starts on D−15."""
    async with seeded_db.sessions() as session:
        runs = (
            await session.execute(
                bluesoft_runs(
                    Workflow.slug,
                    WorkflowExecution.status,
                    WorkflowExecution.started_at,
                    WorkflowExecution.completed_at,
                    WorkflowExecution.skip_reason,
                ).order_by(WorkflowExecution.started_at)
            )
        ).all()
    assert [r.slug for r in runs] == [*EARLY_RUNS, "critical"]
    for before, after in itertools.pairwise(runs):
        assert before.completed_at is not None and before.completed_at <= after.started_at
        assert before.status == EARLY_RUNS[before.slug], before.slug
    started = {r.slug: r.started_at.date() for r in runs}
    assert started == {
        "prepare": journey_day(-120),
        "engage": journey_day(-110),
        "negotiate": journey_day(-90),
        "finalize": journey_day(-45),
        "signature": journey_day(-30),
        "critical": journey_day(-15),
    }
    signature = runs[4]
    assert signature.completed_at.date() == journey_day(-15)
    assert signature.skip_reason.startswith("Internal decision: ")
    assert "Critical workflow takes over" in signature.skip_reason


async def test_the_seeded_critical_workflow_can_be_worked_on(seeded_db: Database) -> None:
    """The Critical workflow is the engine's own, live: completing its step moves it on."""
    clock = Clock(TEST_TODAY, time_of_day=dt.time(16, 0)).install()
    executions = ExecutionService(seeded_db, clock, tenant_slug="acme-cs")
    run_id = await _bluesoft_run(seeded_db, "critical")
    view = await executions.view(TENANT, run_id)
    assert (view.status, view.current_step_id) == ("in_progress", "emergency-resolution")
    moved = await executions.complete_step(
        TENANT,
        run_id,
        actor=await _user(seeded_db),
        outputs={"plan": "signature collection plan", "signaturesComplete": True},
    )
    assert (moved.status, moved.current_step_id) == ("in_progress", "completion-confirmation")
    statuses = {s.step_id: s.status for s in moved.steps}
    assert statuses["emergency-resolution"] == "completed"
    assert statuses["alternative-renewal-options"] == "skipped"  # the signatures are in


# --- advancing -------------------------------------------------------------------------------


async def test_advancing_applies_each_event_once(seeded_db: Database) -> None:
    # a Signature workflow open in the book: its step notifies each day while ≤ 20 days remain
    kestrel_run = await _open_in_the_book(
        seeded_db, "Kestrel Networks", "signature", "signature-tracking"
    )
    progress = await advance(seeded_db, journey_day(-5))
    assert progress.on_script
    assert [e.index + 1 for e in progress.applied] == list(range(55, 64))  # D−14 to D−5
    assert {e.day for e in progress.applied} == {-14, -11, -6, -5}
    state, on_script = await read_state(seeded_db, TENANT)
    assert on_script and (state.applied, state.through) == (63, journey_day(-5))
    assert await journey_now(seeded_db) == (
        len(EARLY_STEPS) + 7,
        {**EARLY_RUNS, "critical": "completed", "emergency": "in_progress"},
    )

    counts = await table_counts(seeded_db)
    again = await advance(seeded_db, journey_day(-5))
    assert again.applied == [] and again.on_script
    assert await table_counts(seeded_db) == counts

    async with seeded_db.sessions() as session:
        swept = (
            await session.scalars(
                select(Notification).where(Notification.execution_id == kestrel_run)
            )
        ).all()
    days = sorted(n.meta["day"] for n in swept)
    assert days == [journey_day(d).isoformat() for d in range(-14, -4)]  # once each day
    assert {n.title for n in swept} == {"Signatures still open: Kestrel Networks"}
    assert all(n.created_at.date().isoformat() == n.meta["day"] for n in swept)
    assert await dated_after(seeded_db, journey_day(-5)) == []


async def test_advancing_step_by_step_is_advancing_at_once(journey_db_at: JourneyAt) -> None:
    stepwise = await journey_db_at(-15)
    for offset in (-14, -10, -6, -5, -4, -1, 0):
        await seed_everything(stepwise, today=journey_day(offset))
    at_once = await journey_db_at(0)
    first, second = await replay_record(stepwise), await replay_record(at_once)
    assert first == second


# --- leaving the script ----------------------------------------------------------------------


@pytest.mark.parametrize("act", ["complete a step", "snooze another customer"])
async def test_a_persons_action_leaves_the_script(seeded_db: Database, act: str) -> None:
    clock = Clock(TEST_TODAY, time_of_day=dt.time(16, 0)).install()
    maya = await _user(seeded_db)
    if act == "complete a step":
        await ExecutionService(seeded_db, clock, tenant_slug="acme-cs").complete_step(
            TENANT, await _bluesoft_run(seeded_db, "critical"), actor=maya
        )
    else:
        run_id = await _open_in_the_book(
            seeded_db, "Emberline Solar", "signature", "signature-tracking"
        )
        await ActionService(seeded_db, clock).run(
            TENANT,
            "snooze-7-days",
            actor=maya,
            customer_id=await _customer(seeded_db, "Emberline Solar"),
            execution_id=run_id,
        )
    Clock.uninstall()
    state, on_script = await read_state(seeded_db, TENANT)
    assert not on_script and state.through == TEST_TODAY
    before = await table_counts(seeded_db)
    progress = await advance(seeded_db, journey_day(-5))
    assert (progress.applied, progress.on_script) == ([], False)
    assert await table_counts(seeded_db) == before


# --- the demo's database ---------------------------------------------------------------------


async def test_the_demo_database_moves_forward_and_back(tmp_path: Path) -> None:
    """renubu demo's SQLite file: each move leaves exactly what had happened by the day."""
    from renubu_tui.services.demo.store import DemoStore

    store = DemoStore(tmp_path / "demo.sqlite3")
    d = store.script.renewal
    early = len(EARLY_STEPS)
    expected = {
        # D−30: the Signature workflow tracks the order form (resolve-open-terms not yet run)
        -30: (early - 1, {**EARLY_RUNS, "signature": "in_progress"}),
        -15: (early + 3, {**EARLY_RUNS, "critical": "in_progress"}),
        -5: (early + 7, {**EARLY_RUNS, "critical": "completed", "emergency": "in_progress"}),
        0: (early + 9, {**EARLY_RUNS, "critical": "completed", "emergency": "completed"}),
    }

    def day(offset: int) -> dt.date:
        return d + dt.timedelta(days=offset)

    opened = await store.open_at(day(-15))
    assert opened.rebuilt and opened.day == day(-15)
    db = create_database(store.url)
    try:
        assert await journey_now(db) == expected[-15]
        assert await dated_after(db, day(-15)) == []

        forward = await store.move(db, day(0))
        assert forward.restored_from is None and forward.applied is not None
        assert len(forward.applied.applied) == 23  # D−14 to D
        assert await journey_now(db) == expected[0]
        assert await dated_after(db, day(0)) == []

        back = await store.move(db, day(-30))
        assert back.restored_from == day(-30)  # a kept milestone
        assert await journey_now(db) == expected[-30]
        assert await dated_after(db, day(-30)) == []

        again = await store.move(db, day(-5))
        assert again.restored_from is None and again.applied is not None
        assert len(again.applied.applied) == 24  # D−23 to D−5
        assert await journey_now(db) == expected[-5]
        assert await dated_after(db, day(-5)) == []

        back_between = await store.move(db, day(-12))
        assert back_between.restored_from == day(-15)  # the latest kept day before it
        assert await journey_now(db) == expected[-15]
        counts = await table_counts(db)
        # the four early stages' artifacts, D−15's two and D−14's signature collection plan
        assert counts["workflow_task_artifacts"] == 7
        assert await dated_after(db, day(-12)) == []
    finally:
        await db.dispose()
    milestones = (-120, -90, -60, -45, -30, -15, -10, -5, 0)
    assert {day(o) for o in milestones} <= set(store.kept_days())


# --- a script that no longer fits ------------------------------------------------------------


def _script(*events: dict[str, Any]) -> dict[str, Any]:
    return {"script": list(events)}


START = {"day": -15, "do": "start", "workflow": "critical"}


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ({"script": "start"}, "`script` must be a list of events"),
        (_script(START, ["complete"]), "script event 2: an event must be an object"),
        (
            _script(START, {"day": -15, "do": "dance"}),
            "script event 2: `do` must be one of start, complete, skip, action, task, "
            "task-done, artifact, chat (got 'dance')",
        ),
        (
            _script({"day": -15, "do": "complete", "workflow": "critical"}),
            "script event 1 (complete): missing step",
        ),
        (
            _script(START, {"day": -15, "do": "artifact", "workflow": "critical", "title": "x"}),
            "script event 2 (artifact): missing kind, content",
        ),
        (_script({"day": "D-15", "do": "start", "workflow": "critical"}), "script event 1: `day`"),
        (_script({"day": True, "do": "start", "workflow": "critical"}), "script event 1: `day`"),
        (
            _script(START, {"day": -20, "do": "start", "workflow": "emergency"}),
            "script event 2: day -20 comes before the previous event's -15",
        ),
        (
            _script({**START, "at": "8 o'clock"}),
            'script event 1: `at` must be HH:MM (got "8 o\'clock")',
        ),
    ],
)
def test_a_malformed_script_names_the_event(script: dict[str, Any], message: str) -> None:
    with pytest.raises(ScriptError, match=re.escape(message)):
        parse_script(script)


def test_events_are_timed_in_order_within_a_day() -> None:
    events = parse_script(
        _script(
            START,
            {"day": -15, "do": "complete", "workflow": "critical", "step": "a", "route": "R"},
            {"day": -15, "do": "task", "title": "T", "due": -7, "at": "17:30"},
            {"day": -14, "do": "task-done", "title": "T", "priority": "high"},
        )
    )
    assert [(e.day, e.time.isoformat("minutes")) for e in events] == [
        (-15, "08:00"),
        (-15, "08:10"),
        (-15, "17:30"),
        (-14, "08:00"),
    ]
    assert events[1].route == "R" and events[2].fields == {"due": -7}
    assert events[3].fields == {"priority": "high"}
    assert events[1].describe() == "event 2 (D−15 complete a)"
    assert events[0].describe() == "event 1 (D−15 start critical)"


def _seeds_with(tmp_path: Path, change: Any) -> Path:
    from renubu_tui.resources import seeds_dir

    root = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), root)
    path = root / "demo" / "bluesoft.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["script"])
    path.write_text(json.dumps(data), encoding="utf-8")
    return root


async def test_a_complete_naming_the_wrong_step_stops_at_that_event(
    db: Database, tmp_path: Path
) -> None:
    def wrong_step(script: list[dict[str, Any]]) -> None:
        assert script[45]["step"] == "critical-status-assessment"
        script[45]["step"] = "executive-escalation"

    root = _seeds_with(tmp_path, wrong_step)
    with pytest.raises(JourneyError) as failed:
        await seed_everything(db, today=TEST_TODAY, root=root)
    assert str(failed.value) == (
        "event 46 (D−15 complete executive-escalation): "
        "the workflow is on critical-status-assessment, not executive-escalation"
    )
    state, _ = await read_state(db, TENANT)
    assert state.applied == 45  # the events before it were applied, each once


async def test_an_event_the_services_refuse_names_the_event(db: Database, tmp_path: Path) -> None:
    def unknown_action(script: list[dict[str, Any]]) -> None:
        assert script[46]["action"] == "create-war-room"
        script[46]["action"] = "summon-the-board"

    root = _seeds_with(tmp_path, unknown_action)
    with pytest.raises(JourneyError, match=re.escape("event 47 (D−15 action summon-the-board): ")):
        await seed_everything(db, today=TEST_TODAY, root=root)


async def test_a_malformed_shipped_script_is_a_journey_error(db: Database, tmp_path: Path) -> None:
    def no_workflow(script: list[dict[str, Any]]) -> None:
        del script[0]["workflow"]

    root = _seeds_with(tmp_path, no_workflow)
    with pytest.raises(JourneyError, match=re.escape("script event 1 (start): missing workflow")):
        await seed_everything(db, today=TEST_TODAY, root=root)
