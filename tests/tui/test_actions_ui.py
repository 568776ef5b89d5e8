"""Actions, notifications, tasks and artifacts driven through Pilot; rows asserted in the database.

Kestrel Networks (Maya's) gets an open renewal through `Services.executions.start` first, so the
workflow actions have something to act on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton

from renubu_tui.data.models import Customer, TaskArtifact, WorkflowExecution, WorkflowTask
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.screens.artifacts import ArtifactsScreen
from renubu_tui.tui.screens.escalate import EscalateScreen
from renubu_tui.tui.screens.forms import FormScreen
from renubu_tui.tui.screens.inbox import InboxScreen
from renubu_tui.tui.screens.reason import SkipScreen
from renubu_tui.tui.screens.snooze import SnoozeScreen
from renubu_tui.tui.screens.tasks import TasksScreen
from renubu_tui.tui.widgets.bell import Bell
from renubu_tui.tui.widgets.queue_pane import QueuePane
from tests.conftest import TEST_TODAY
from tests.tui.conftest import AppFactory, settle

WIDE = (160, 48)


async def open_kestrel(pilot: Pilot[Any]) -> uuid.UUID:
    """Start Kestrel's workflow, show it in the queue and put the cursor on it; its execution id."""
    app = pilot.app
    assert isinstance(app, RenubuApp)
    await settle(pilot)
    session = app.session
    assert session is not None
    async with session.services.db.sessions() as db:
        customer = await db.scalar(
            select(Customer).where(
                Customer.tenant_id == session.tenant_id, Customer.name == "Kestrel Networks"
            )
        )
    assert customer is not None
    view = await session.services.executions.start(
        session.tenant_id, customer.id, actor=session.services.user
    )
    pane = app.query_one(QueuePane)
    pane.set_view(pane.view.with_(search="Kestrel", mine=False))
    await settle(pilot)
    assert pane.current is not None and pane.current.customer_id == customer.id
    return view.id


async def execution(app: RenubuApp, execution_id: uuid.UUID) -> WorkflowExecution:
    assert app.session is not None
    async with app.session.services.db.sessions() as db:
        row = await db.get(WorkflowExecution, execution_id)
    assert row is not None
    return row


async def asked(pilot: Pilot[Any]) -> None:
    """A dialog is open: its worker waits for the answer, so `settle` would wait forever."""
    await pilot.pause(0.3)


def toasts(app: RenubuApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_snooze_through_the_dialog(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.press("s")
        await asked(pilot)
        screen = app.screen
        assert isinstance(screen, SnoozeScreen)
        screen.query(RadioButton)[1].value = True  # 3 days
        screen.query_one("#snooze-reason", Input).value = "waiting for [bold]legal[/]"
        await pilot.click("#ok")
        await settle(pilot)
        row = await execution(app, execution_id)
        assert row.status == "snoozed"
        assert row.snoozed_until == TEST_TODAY + dt.timedelta(days=3)
        assert row.snooze_reason == "waiting for [bold]legal[/]"
        assert any("Snoozed Kestrel Networks" in t for t in toasts(app))


async def test_snooze_to_a_date_out_of_range_stays_in_the_dialog(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.press("s")
        await asked(pilot)
        screen = app.screen
        screen.query(RadioButton)[3].value = True
        await pilot.pause()
        screen.query_one("#snooze-date", Input).value = (TEST_TODAY + dt.timedelta(40)).isoformat()
        await pilot.click("#ok")
        await asked(pilot)
        assert app.screen is screen
        assert (await execution(app, execution_id)).status != "snoozed"


async def test_skip_without_a_reason_is_refused(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        before = (await execution(app, execution_id)).status
        await pilot.press("X")
        await asked(pilot)
        assert isinstance(app.screen, SkipScreen)
        await pilot.click("#ok")
        await asked(pilot)
        assert isinstance(app.screen, SkipScreen)  # still asking
        await pilot.press("escape")
        await settle(pilot)
        row = await execution(app, execution_id)
        assert row.status == before and row.skip_reason is None


async def test_skip_with_a_reason(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.press("X")
        await asked(pilot)
        app.screen.query(RadioButton)[3].value = True  # Internal decision
        await pilot.click("#ok")
        await settle(pilot)
        row = await execution(app, execution_id)
        assert row.status == "skipped" and row.skip_reason == "Internal decision"


async def test_escalate_sets_escalated_to(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.press("e")
        await asked(pilot)
        assert isinstance(app.screen, EscalateScreen)
        app.screen.query_one("#escalate-reason", Input).value = "budget frozen"
        await pilot.click("#ok")
        await settle(pilot)
        row = await execution(app, execution_id)
        assert row.status == "escalated"
        assert row.escalated_to_id is not None and row.escalation_level == "manager"


async def test_a_refused_action_is_a_warning_toast(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.press("e")
        await asked(pilot)
        app.screen.query(RadioButton)[2].value = True  # CEO
        app.screen.query_one("#escalate-reason", Input).value = "x"
        # refused by the service when nobody holds the level; else it escalates
        await pilot.click("#ok")
        await settle(pilot)
        row = await execution(app, execution_id)
        notes = list(app._notifications)
        if row.status != "escalated":  # a refusal, said as one (tui/errors.py), not a fault
            assert any(n.severity == "warning" and n.title == "Not done" for n in notes)
            assert not any(n.severity == "error" for n in notes)
        assert len(notes) >= 1


async def test_create_and_complete_a_task(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await open_kestrel(pilot)
        await pilot.press("T")
        await asked(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-title", Input).value = "Send the [red]ROI[/] deck"
        await pilot.click("#ok")
        await settle(pilot)
        assert app.session is not None
        async with app.session.services.db.sessions() as db:
            task = await db.scalar(
                select(WorkflowTask).where(WorkflowTask.title == "Send the [red]ROI[/] deck")
            )
        assert task is not None and task.status == "pending"
        await pilot.press("K")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        index = next(i for i, t in enumerate(screen.tasks) if t.id == task.id)
        screen.query_one("#tasks-table").move_cursor(row=index)  # type: ignore[attr-defined]
        await pilot.press("c")
        await settle(pilot)
        async with app.session.services.db.sessions() as db:
            done = await db.get(WorkflowTask, task.id)
        assert done is not None and done.status == "completed"


async def test_task_snooze_past_the_limit_shows_why(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await open_kestrel(pilot)
        await pilot.press("T")
        await asked(pilot)
        app.screen.query_one("#field-title", Input).value = "Call legal"
        await pilot.click("#ok")
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        await pilot.press("z")
        await asked(pilot)
        far = (TEST_TODAY + dt.timedelta(days=20)).isoformat()
        app.screen.query_one("#field-value", Input).value = far
        await pilot.click("#ok")
        await settle(pilot)
        refused = [n for n in app._notifications if n.title == "Not done"]
        assert refused and refused[-1].severity == "warning"  # a refusal, not a fault
        assert "may not be snoozed past" in refused[-1].message
        assert isinstance(app.screen, TasksScreen)
        assert app.screen.tasks[0].status == "pending"


async def test_approve_an_artifact(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await open_kestrel(pilot)
        session = app.session
        assert session is not None
        row = app.query_one(QueuePane).current
        assert row is not None
        made = await session.services.artifacts.create(
            session.tenant_id,
            row.customer_id,
            actor=session.services.user,
            kind="note",
            title="Renewal [bold]plan[/]",
            content="# Plan\n\n- call [red]legal[/]\n",
        )
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArtifactsScreen)
        index = next(i for i, a in enumerate(screen.artifacts) if a.id == made.id)
        screen.query_one("#artifacts-table").move_cursor(row=index)  # type: ignore[attr-defined]
        await pilot.press("enter")  # the viewer opens and closes
        await settle(pilot, rounds=1)
        await pilot.press("escape")
        await settle(pilot, rounds=1)
        await pilot.press("v")
        await settle(pilot)
        async with session.services.db.sessions() as db:
            approved = await db.get(TaskArtifact, made.id)
        assert approved is not None and approved.status == "approved"


async def test_inbox_mark_all_read(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        session = app.session
        assert session is not None
        email = session.services.user.email
        unread, _ = await session.services.notifications.unread_counts(
            session.tenant_id, email, as_of=TEST_TODAY
        )
        assert unread > 0
        assert app.query_one(Bell).unread == unread
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        await pilot.press("A")
        await settle(pilot)
        unread, urgent = await session.services.notifications.unread_counts(
            session.tenant_id, email, as_of=TEST_TODAY
        )
        assert (unread, urgent) == (0, 0)
        assert app.screen_stack[0].query_one(Bell).unread == 0


# --- snapshots (160×48) -------------------------------------------------------------------------


def _blink_off(pilot: Pilot[Any]) -> None:
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def test_snooze_dialog_snapshot(app_factory: AppFactory, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_kestrel(pilot)  # a customer with a workflow to snooze
        await pilot.press("s")
        await asked(pilot)
        _blink_off(pilot)
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=run_before)


def test_inbox_snapshot(app_factory: AppFactory, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=run_before)


async def test_cancel_button_closes_a_dialog_and_changes_nothing(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.press("s")
        await asked(pilot)
        assert isinstance(app.screen, SnoozeScreen)
        await pilot.click("#cancel")
        await settle(pilot)
        assert not isinstance(app.screen, SnoozeScreen)
        assert (await execution(app, execution_id)).status == "in_progress"


async def test_an_action_without_an_open_workflow_is_refused_before_its_dialog(
    app_factory: AppFactory,
) -> None:
    """Kestrel has no workflow running: s, X and e say so at once; a task still asks."""
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = app.query_one(QueuePane)
        pane.set_view(pane.view.with_(search="Kestrel", mine=False))
        await settle(pilot)
        assert pane.current is not None and pane.current.execution_id is None
        for key in ("s", "X", "e"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is app.screen_stack[0]  # no dialog to fill in for nothing
            assert toasts(app)[-1] == (
                "Kestrel Networks's renewal has no workflow running; start one with g"
            )
        await pilot.press("T")  # a task needs no workflow
        await asked(pilot)
        assert isinstance(app.screen, FormScreen)
