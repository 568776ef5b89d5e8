"""The Escalated-to-me tab: work of anyone's escalated to the person using the app."""

from __future__ import annotations

from textual.widgets import Input

from renubu_tui.data.models import User
from renubu_tui.tui.screens.escalate import EscalateScreen
from renubu_tui.tui.widgets.queue_pane import QueuePane
from tests.tui.conftest import AppFactory, screen_text, settle
from tests.tui.test_actions_ui import WIDE, asked, execution, open_kestrel


async def test_the_manager_sees_what_was_escalated_to_them(app_factory: AppFactory) -> None:
    maya = app_factory()
    async with maya.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.press("e")
        await asked(pilot)
        assert isinstance(maya.screen, EscalateScreen)
        maya.screen.query_one("#escalate-reason", Input).value = "budget frozen"
        await pilot.click("#ok")
        await settle(pilot)
        row = await execution(maya, execution_id)
        assert maya.session is not None
        async with maya.session.services.db.sessions() as db:
            manager = await db.get(User, row.escalated_to_id)
        assert manager is not None
        await pilot.press("!")
        await settle(pilot)
        assert maya.query_one(QueuePane).rows == []  # nothing escalated to Maya herself

    app = app_factory(user=manager.email)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = app.query_one(QueuePane)
        assert "Escalated to me 1" in screen_text(app)
        assert all(r.customer_name != "Kestrel Networks" for r in pane.rows)  # not theirs
        await pilot.press("!")
        await settle(pilot)
        assert [(r.customer_name, r.status) for r in pane.rows] == [
            ("Kestrel Networks", "escalated")
        ]
        text = screen_text(app)
        assert "showing 1 of 1" in text and "owner: any" in text
        await pilot.press("v")  # the next tab: back to Active
        await settle(pilot)
        assert pane.view.tab == "active"
        assert all(r.customer_name != "Kestrel Networks" for r in pane.rows)
