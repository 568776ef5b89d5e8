"""A keyboard that never traps: Esc out of the chat, F1–F4 between panes, dialogs that show
their own keys and keep what was typed, help and the palette listing renubu's keys once."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer, Input

from renubu_tui.tui.screens.forms import FormScreen
from renubu_tui.tui.screens.help import HelpScreen
from tests.tui.conftest import AppFactory, screen_text, settle, until

WIDE = (160, 48)


async def test_escape_leaves_the_chat_for_the_queue(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        assert app.focused is not None and app.focused.id == "chat-input"
        await pilot.press("h", "i", "escape")  # nothing streams: Esc leads out of the input
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "queue-table"
        await pilot.press("down")  # and the keys work there again
        await pilot.pause()
        assert app.query_one("#queue-table").cursor_row == 1  # type: ignore[attr-defined]


async def test_function_keys_move_between_the_panes(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for key, target in (("f3", "chat-input"), ("f2", "step"), ("f1", "queue-table")):
            await pilot.press(key)
            await pilot.pause()
            focused = app.focused
            assert focused is not None
            assert focused.id == target or any(a.id == target for a in focused.ancestors), key


async def test_a_dialog_shows_its_own_keys_and_keeps_typed_text(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("T")  # a new task: a form of several fields
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.pause()
        screen = app.screen
        footer = screen.query_one(Footer)
        bottom = screen_text(app).splitlines()[footer.region.y]
        assert "OK" in bottom and "Cancel" in bottom and "Next field" in bottom
        assert "Snooze" not in bottom and "Run step" not in bottom  # not the main screen's
        first = screen.query(Input).first()
        assert app.focused is first  # the fields take the focus in order, from the first
        await pilot.press(*"Call")
        await pilot.press("tab")
        await pilot.press("shift+tab")
        await pilot.press(*" Jamal")
        assert first.value == "Call Jamal"  # coming back selected nothing to type over
        await pilot.press("escape")


async def test_help_lists_renubus_keys_once_without_text_editing(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for heading in ("Everywhere", "Main screen", "Queue", "Workflow step", "Chat"):
            assert text.count(heading) >= 1, heading
        body = "\n".join(str(w.render()) for w in app.screen.query(".help-column"))
        assert body.count("Start workflow") == 1  # each key once
        for noise in ("Page Left", "Delete right to start of word", "Delete left"):
            assert noise not in text


async def test_the_palette_offers_keys_once(app_factory: AppFactory) -> None:
    app: Any = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Keys") == 1
        assert "Snooze" in titles  # the main screen's actions, from the main screen
