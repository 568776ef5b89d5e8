"""The step pane as of a day (the demo's time travel) and a chat that reads without writing."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from renubu_tui.data.models import (
    ActionExecution,
    ChatThread,
    Customer,
    StepExecution,
    WorkflowExecution,
)
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.messages import CustomerChosen
from renubu_tui.tui.widgets.chat_panel import ChatPanel
from renubu_tui.tui.widgets.step_pane import StepPane
from tests.tui.conftest import AppFactory, screen_text, settle
from tests.tui.test_demo_admin import SIZE, demo_app, goto

BLUESOFT = "Bluesoft Corporation"


def step_text(app: RenubuApp) -> str:
    """The step pane's header as plain text, unwrapped (the pane is narrow on screen)."""
    from rich.console import Console

    from renubu_tui.tui.features import step_render

    data = app.query_one(StepPane).data
    assert data is not None
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(step_render.header(data))
    return console.export_text()


async def _rows(app: RenubuApp, model: Any) -> int:
    assert app.session is not None
    async with app.session.services.db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def _record(app: RenubuApp) -> list[tuple[Any, ...]]:
    """Every execution and step row as stored, to show nothing was rewritten."""
    assert app.session is not None
    async with app.session.services.db.sessions() as s:
        runs = (await s.execute(select(WorkflowExecution.id, WorkflowExecution.status))).all()
        steps = (
            await s.execute(
                select(StepExecution.id, StepExecution.status, StepExecution.completed_at)
            )
        ).all()
    return sorted(map(tuple, runs), key=str) + sorted(map(tuple, steps), key=str)


async def _choose(pilot: Any, name: str) -> uuid.UUID:
    app: RenubuApp = pilot.app
    assert app.session is not None
    async with app.session.services.db.sessions() as s:
        cid = await s.scalar(select(Customer.id).where(Customer.name == name))
    assert cid is not None
    # As the palette does: the queue's cursor goes there too, so no later highlight of another
    # row can take the step pane away.
    app.post_message(CustomerChosen(cid, name, None, open=True))
    await settle(pilot)
    return cid


# --- time travel --------------------------------------------------------------------------------


async def test_the_step_pane_is_live_at_each_demo_milestone(app_factory: AppFactory) -> None:
    """The demo database holds what had happened by the day shown: no history, a live step."""
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.query_one(StepPane).data
        assert data is not None and data.customer_name == BLUESOFT
        assert data.execution is not None and data.execution.workflow_slug == "critical"
        text = step_text(app)
        assert "history" not in text
        assert "Step 3 of 5: Emergency resolution" in text
        assert data.thread is not None and data.can_chat  # Maya's note to Sarah Chen

        await goto(pilot, 115)
        data = app.query_one(StepPane).data
        assert data is not None and data.execution is not None
        assert data.execution.workflow_slug == "emergency"
        assert data.execution.gate == "manager-acknowledge"
        text = step_text(app)
        assert "history" not in text
        assert "Step 2 of 4: Mandatory team escalation" in text
        assert "⛔ Waits for" in text and "acknowledge" in text

        await goto(pilot, 120)
        data = app.query_one(StepPane).data
        assert data is not None and data.execution is None
        # the renewal is signed: the next one is 365 days out, and its Monitor workflow fits
        assert data.fits == "Monitor account health (180+ days)"
        text = step_text(app)
        assert "completed on 2025-10-09" in text and "renewed" in text
        assert "history" not in text
        assert app.query_one("#step-start").display


async def later_record(db_path: Path, day: int) -> None:
    """Play the journey on the test database up to journey day `day` (a later record)."""
    from renubu_tui.data.engine import create_database
    from renubu_tui.services.demo.journey import advance
    from renubu_tui.tui.features.demo import journey_date

    db = create_database(f"sqlite+aiosqlite:///{db_path}")
    try:
        await advance(db, journey_date(day))
    finally:
        await db.dispose()


async def test_history_refuses_the_step_actions(app_factory: AppFactory, db_path: Path) -> None:
    """--as-of a day the record goes on after: the step pane reads history and acts on none."""
    await later_record(db_path, 115)
    app = app_factory(user="maya.patel@acmecloud.com")
    app.chat_pace = 0
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _choose(pilot, BLUESOFT)
        assert "as of 2025-09-24 · history: the record goes on" in step_text(app)
        before = await _record(app)
        actions, threads = await _rows(app, ActionExecution), await _rows(app, ChatThread)
        notices: list[str] = []
        real_notify = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            notices.append(message)
            real_notify(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
        pane = app.query_one(StepPane)
        for key in ("g", "x", "c", "k"):
            await pilot.press(key)
            await settle(pilot, rounds=1)
        pane.choose_branch("signature-pending")
        app.query_one(ChatPanel).ask("What is the risk here?")
        await settle(pilot)
        assert len(notices) == 6
        assert all(n.startswith("as of 2025-09-24 · history:") for n in notices)
        assert all("\n" not in n and "2025-10" not in n for n in notices)  # no later date
        assert await _record(app) == before
        assert await _rows(app, ActionExecution) == actions
        assert await _rows(app, ChatThread) == threads
        assert "read only" in screen_text(app)


# --- the chat reads, the first message writes ---------------------------------------------------


async def test_browsing_opens_no_thread_and_the_first_message_does(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    app.chat_pace = 0
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        seeded = await _rows(app, ChatThread)  # the journey's own conversations
        await _choose(pilot, "Kestrel Networks")
        await pilot.press("g")  # start the Critical workflow: a write, but no thread yet
        await settle(pilot)
        for name in ("Fathom Robotics", "Kestrel Networks"):
            await _choose(pilot, name)
        data = app.query_one(StepPane).data
        assert data is not None and data.execution is not None and data.can_chat
        assert data.thread is None
        assert await _rows(app, ChatThread) == seeded
        assert "first message opens the thread" in screen_text(app)

        field = app.query_one("#chat-input")
        field.focus()
        field.value = "What is the risk here?"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert await _rows(app, ChatThread) == seeded + 1
        panel = app.query_one(ChatPanel)
        assert panel.thread_id is not None and panel.answer_text
        data = app.query_one(StepPane).data  # the views are frozen: the pane holds a new one
        assert data is not None
        assert data.thread is not None and data.thread.id == panel.thread_id


async def test_a_chosen_branch_stays_in_view(app_factory: AppFactory) -> None:
    app = app_factory()
    app.chat_pace = 0
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        seeded = await _rows(app, ChatThread)
        await _choose(pilot, "Kestrel Networks")
        await pilot.press("g")
        await settle(pilot)
        app.query_one(StepPane).choose_branch("signature-pending")
        await settle(pilot)
        data = app.query_one(StepPane).data
        assert data is not None and data.execution is not None
        assert data.execution.current_step_id == "executive-escalation"
        assert data.thread is None  # the new step has no conversation yet
        assert data.earlier is not None and data.earlier.status == "completed"
        said = [m for m in data.earlier.messages if m.role != "system"]
        assert [m.role for m in said] == ["user", "assistant"]
        shown = screen_text(app)
        assert "earlier step" in shown and "workflow (canned response)" in shown
        assert await _rows(app, ChatThread) == seeded + 1
