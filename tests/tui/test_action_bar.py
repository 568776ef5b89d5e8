"""The action bar (buttons for the mouse) and the rule that the main screen's keys act there
only (they belong to `MainScreen`: a screen on top has its own), driven through Pilot; rows
asserted in the database."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Button, Footer, Input, RadioButton

from renubu_tui.data.stats import table_counts
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.screens.artifacts import ArtifactsScreen
from renubu_tui.tui.screens.escalate import EscalateScreen
from renubu_tui.tui.screens.forms import FormScreen
from renubu_tui.tui.screens.help import HelpScreen
from renubu_tui.tui.screens.inbox import InboxScreen
from renubu_tui.tui.screens.reason import SkipScreen
from renubu_tui.tui.screens.snooze import SnoozeScreen
from renubu_tui.tui.screens.tasks import TasksScreen
from renubu_tui.tui.widgets.action_bar import ACTIONS, ActionBar
from tests.conftest import TEST_TODAY
from tests.tui.conftest import AppFactory, screen_text, settle
from tests.tui.test_actions_ui import asked, execution, open_kestrel, toasts

WIDE, NARROW = (160, 48), (80, 24)


async def counts(app: RenubuApp) -> dict[str, int]:
    assert app.session is not None
    return await table_counts(app.session.services.db)


async def test_the_snooze_button_does_what_the_key_does(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        await pilot.click("#act-snooze")
        await asked(pilot)
        screen = app.screen
        assert isinstance(screen, SnoozeScreen)
        screen.query(RadioButton)[1].value = True  # 3 days
        screen.query_one("#snooze-reason", Input).value = "waiting for legal"
        await pilot.click("#ok")
        await settle(pilot)
        row = await execution(app, execution_id)
        assert row.status == "snoozed"
        assert row.snoozed_until == TEST_TODAY + dt.timedelta(days=3)
        assert row.snooze_reason == "waiting for legal"
        assert any("Snoozed Kestrel Networks" in t for t in toasts(app))
        assert app.focused is not None and app.focused.id == "queue-table"  # never the button


async def test_every_button_opens_its_dialog_or_screen(app_factory: AppFactory) -> None:
    expected = {
        "snooze": SnoozeScreen,
        "skip": SkipScreen,
        "escalate": EscalateScreen,
        "meeting": FormScreen,
        "email": FormScreen,
        "new_task": FormScreen,
        "tasks": TasksScreen,
        "artifacts": ArtifactsScreen,
        "inbox": InboxScreen,
    }
    assert set(expected) == {action for action, _ in ACTIONS}
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        before = await counts(app)
        for action, screen_type in expected.items():
            await pilot.click(f"#act-{action}")
            await asked(pilot)
            assert isinstance(app.screen, screen_type), action
            await pilot.press("escape")
            await asked(pilot)
            assert app.screen is app.screen_stack[0], action
        assert (await execution(app, execution_id)).status == "in_progress"
        assert await counts(app) == before  # cancelled, every one


async def test_the_bar_fits_wide_and_narrow(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        bar = app.query_one(ActionBar)
        shown = [b for b in bar.query(Button) if b.display]
        assert [str(b.label) for b in shown][::8] == ["s Snooze", "n Inbox"]
        await pilot.resize_terminal(*NARROW)
        await settle(pilot, rounds=1)
        footer = app.query_one(Footer).region
        # At 80 columns every button keeps its key; the customer's actions and Tasks are in
        # view, the rest a sideways scroll away.
        assert [str(b.label) for b in shown] == [
            f"{bar._key(action)} {name}" for action, name in ACTIONS
        ]
        in_view = [str(b.label) for b in shown if b.region.right <= NARROW[0] and b.region.width]
        assert in_view[:7] == [
            "s Snooze",
            "X Skip",
            "e Escalate",
            "M Meeting",
            "E E-mail",
            "T New task",
            "K Tasks",
        ]
        for button in shown[:7]:
            region = button.region
            assert region.width == len(str(button.label)) + 2
            assert region.y == bar.region.y and not region.overlaps(footer)
            assert not button.can_focus


async def test_app_keys_do_nothing_in_the_inbox(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        execution_id = await open_kestrel(pilot)
        step_before = (await execution(app, execution_id)).current_step_id
        before = await counts(app)
        await pilot.press("n")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        # snooze, skip, escalate, meeting, task, start/run/complete/skip step, ask, sidebar, admin
        for key in ["s", "X", "e", "M", "T", "g", "x", "c", "k", "i", "b", "W", "K", "a"]:
            await pilot.press(key)
            await asked(pilot)
            assert app.screen is inbox, key
        assert app.main.sidebar_open  # `b` did not toggle it either
        row = await execution(app, execution_id)
        assert row.status == "in_progress" and row.current_step_id == step_before
        assert await counts(app) == before
        # Back on the main screen the same key works again.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")
        await asked(pilot)
        assert isinstance(app.screen, SnoozeScreen)


async def test_the_rule_in_the_footer_palette_and_help(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        main = app.screen
        on_main = {c.title for c in app.get_system_commands(main)}
        assert {"Snooze", "Escalate", "Sidebar", "Workflow admin", "Keys"} <= on_main
        await pilot.press("n")
        await settle(pilot)
        inbox = app.screen
        on_inbox = {c.title for c in app.get_system_commands(inbox)}
        assert "Keys" in on_inbox and "Quit" in on_inbox
        assert not on_inbox & {"Snooze", "Escalate", "Tasks", "Sidebar", "Reload"}
        shown = {b.binding.action for b in inbox.active_bindings.values() if b.enabled}
        assert "snooze" not in shown and "step_complete" not in shown and "quit" in shown
        await pilot.press("question_mark")  # help works on top of the inbox, for the inbox
        await settle(pilot, rounds=1)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Mark all read" in text and "Quit" in text
        assert "Snooze" not in text and "Run step" not in text
        await pilot.press("q")  # closes help (its own key), back to the inbox
        await settle(pilot, rounds=1)
        assert app.screen is inbox
        await pilot.press("q")  # quits from the inbox
        await pilot.pause()
        assert app.return_code == 0 or not app.is_running


async def test_the_palette_offers_snooze_on_the_main_screen_only(app_factory: AppFactory) -> None:
    """Ctrl+P works on any screen; what it offers follows the same rule."""
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for opener in ["", "n"]:  # the main screen, then the inbox
            if opener:
                await pilot.press(opener)
                await settle(pilot)
            under = app.screen
            await pilot.press("ctrl+p")
            await asked(pilot)
            assert type(app.screen).__name__ == "CommandPalette"
            await pilot.press(*"snooze")
            await asked(pilot)
            offered = "Hide the selected customer's work" in screen_text(app)
            assert offered == (under is app.screen_stack[0]), opener
            await pilot.press("escape")
            await asked(pilot)
            assert app.screen is under


async def test_clicking_the_bell_opens_the_inbox(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.click("#bell")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)


async def test_narrow_customer_view_and_the_way_back(app_factory: AppFactory) -> None:
    """At 80×24 Enter shows the step over its chat, every part on screen; ◂ Queue goes back."""
    app = app_factory()
    app.chat_pace = 0
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert not app.query_one("#act-back").display or not app.screen.has_class("-detail")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-narrow") and screen.has_class("-detail")
        assert not app.query_one("#queue").display
        step, chat = app.query_one("#step-view"), app.query_one("#chat")
        field, bar = app.query_one("#chat-input"), app.query_one(ActionBar)
        assert step.region.height >= 8 and chat.region.height >= 8
        assert field.region.height == 1 and field.region.bottom <= bar.region.y
        assert bar.region.bottom <= app.query_one(Footer).region.y
        assert app.query_one("#act-back").region.x == 1  # first in the row
        assert not app.query_one("#act-inbox").display  # the bell opens the inbox here
        shown = [b for b in bar.query(Button) if b.display]
        for button in shown[:7]:  # ◂ Queue and the customer's actions are in view, with keys
            assert button.region.right <= NARROW[0] and " " in str(button.label)
        await pilot.click("#act-back")
        await settle(pilot, rounds=1)
        assert not screen.has_class("-detail") and app.query_one("#queue").display
        assert app.focused is not None and app.focused.id == "queue-table"
        assert app.query_one("#act-inbox").display and not app.query_one("#act-back").display
