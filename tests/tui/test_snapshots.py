"""Screens as SVG snapshots (fixed day, seeded data, fixed size). Regenerate deliberately:

    .venv/bin/python -m pytest tests/tui/test_snapshots.py --snapshot-update

and look at every changed SVG before committing it. Behaviour is asserted in test_app.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.conftest import AppFactory, settle, until

WIDE, NARROW = (160, 48), (80, 24)


def steps(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Wait for the data, press `keys` (settling after each), blink off."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, rounds=1)
        for field in pilot.app.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run


def test_main_screen(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=steps())


def test_bluesoft_selected(app_factory: AppFactory, snap_compare: Any) -> None:
    # Bluesoft's renewal is the 4th row of Maya's queue on 2025-09-24.
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=steps("down", "down", "down"))


def test_why_here_modal(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=steps("w"))


def test_help_screen(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=steps("question_mark"))


def test_narrow_layout(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=steps())


def test_narrow_customer_opened(app_factory: AppFactory, snap_compare: Any) -> None:
    """80×24, Enter on Kestrel (8th row): the step over its chat, an answer in the thread, and
    the action bar starting with the way back to the queue."""

    async def run(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        app.chat_pace, app.chat_timer = 0, lambda: 0.0
        await steps(*["down"] * 7, "enter", "g")(pilot)
        field = app.query_one("#chat-input", Input)
        field.focus()
        field.value = "What is the risk here?"
        await pilot.press("enter")
        await settle(pilot)
        field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=run)


def light(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """The same steps in the light theme (set before the data arrives, as a stored choice is)."""

    async def run(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await steps(*keys)(pilot)

    return run


def test_main_screen_light(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=light())


def test_bluesoft_selected_light(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=light("down", "down", "down"))


def test_help_screen_light(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=light("question_mark"))


def test_narrow_layout_light(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=light())


def test_route_picker(app_factory: AppFactory, snap_compare: Any) -> None:
    """Kestrel (8th row): start, run the step (the assistant suggests), `c` asks where it goes."""

    from renubu_tui.tui.screens.route_picker import RoutePickerScreen

    async def run(pilot: Pilot[Any]) -> None:
        pilot.app.chat_pace = 0  # type: ignore[attr-defined]
        await steps(*["down"] * 7, "g", "x")(pilot)
        await pilot.press("c")  # its worker waits for the answer: wait for the dialog instead
        await until(pilot, lambda: isinstance(pilot.app.screen, RoutePickerScreen))
        await pilot.pause(0.3)

    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=run)


def test_forecast_screen(app_factory: AppFactory, snap_compare: Any) -> None:
    """F on 2025-09-24: Maya's book by month, September's bar chosen and its customers below."""
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=steps("F"))


def test_forecast_screen_narrow_quarters(app_factory: AppFactory, snap_compare: Any) -> None:
    """80×24, everyone's book by quarter, the second quarter chosen."""
    assert snap_compare(
        app_factory(), terminal_size=NARROW, run_before=steps("F", "m", "o", "down")
    )


def test_forecast_screen_light(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=light("F"))
