"""The customer timeline (L) and notes (N) in the app: a snapshot at a fixed size, day and data,
and what a person does there — write a note, find it with /, filter by kind, be refused
another author's note, see Rich markup in a note as the text it is."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Markdown, TextArea

from renubu_tui.clock import Clock
from renubu_tui.data.engine import create_database
from renubu_tui.services.container import build_services
from renubu_tui.settings import Settings
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.screens.forms import FormScreen
from renubu_tui.tui.screens.timeline import TimelineScreen
from tests.conftest import TEST_TODAY
from tests.tui.conftest import AppFactory, screen_text, settle, until
from tests.tui.test_snapshots import NARROW, WIDE, steps

MAYA = "maya.patel@acmecloud.com"
DANIEL = "daniel.okafor@acmecloud.com"
MAYAS_NOTE = (
    "Call with **Sarah Chen** and David Kim.\n\n"
    "- procurement review moves to *Friday*\n"
    "- David asks for net-60 terms\n\n"
    "Next: send the signature packet again."
)
DANIELS_NOTE = "Bluesoft's CFO is [red]cautious[/] about the uplift; keep the 10 % ask."


async def _add(path: Path, user: str, day: dt.date, at: dt.time, body: str, tag: str) -> None:
    db = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", user=user)
        services = await build_services(db, settings, Clock(day, at))
        await services.notes().add("bluesoft", body, tag)
    finally:
        Clock.uninstall()
        await db.dispose()


@pytest.fixture
def with_notes(db_path: Path) -> Path:
    """Two notes on Bluesoft at fixed moments: Daniel's two days ago, Maya's this morning."""
    asyncio.run(
        _add(db_path, DANIEL, TEST_TODAY - dt.timedelta(days=2), dt.time(16), DANIELS_NOTE, "risk")
    )
    asyncio.run(_add(db_path, MAYA, TEST_TODAY, dt.time(11, 30), MAYAS_NOTE, "call"))
    return db_path


def open_timeline(*keys: str) -> Any:
    """Bluesoft (the 4th row), L, then `keys`."""
    return steps("down", "down", "down", "L", *keys)


def test_timeline_snapshot(with_notes: Path, app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(app_factory(), terminal_size=WIDE, run_before=open_timeline())


async def test_a_note_written_with_n_is_on_the_timeline(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await steps("down", "down", "down")(pilot)
        await pilot.press("N")
        await pilot.pause(0.3)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-body", TextArea).text = "Renewal **call** booked [b]now[/b]"
        await pilot.click("#ok")
        await settle(pilot)
        assert any("Note added to Bluesoft" in str(n.message) for n in app._notifications)
        await pilot.press("L")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        first = screen.entries[0]
        assert (first.kind, first.who) == ("note", "Maya Patel")
        assert "Renewal **call** booked [b]now[/b]" in screen_text(app)  # literal, not markup
        assert screen.query_one("#timeline-note", Markdown).display


async def test_search_and_kind_filter(with_notes: Path, app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await open_timeline()(pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        everything = len(screen.entries)
        assert everything > 20
        await pilot.press("slash")
        field = screen.query_one("#timeline-search", Input)
        assert field.has_focus
        field.value = "procurement friday"
        await pilot.press("enter")
        await settle(pilot)
        assert [e.who for e in screen.entries] == ["Maya Patel"]
        assert "search: procurement friday" in screen_text(app)
        await pilot.press("slash", "escape")  # Esc in the search clears it
        await settle(pilot)
        assert len(screen.entries) == everything
        await pilot.press("k")  # all → note
        await settle(pilot)
        assert [e.kind for e in screen.entries] == ["note", "note"]
        await pilot.press("k")  # note → workflow
        await settle(pilot)
        assert {e.kind for e in screen.entries} == {"workflow"}
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, TimelineScreen)


async def test_another_authors_note_is_refused_in_one_line(
    with_notes: Path, app_factory: AppFactory
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await open_timeline()(pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        index = next(i for i, e in enumerate(screen.entries) if e.who == "Daniel Okafor")
        screen.query_one("#timeline-table").move_cursor(row=index)  # type: ignore[attr-defined]
        await settle(pilot)
        assert "[red]cautious[/]" in screen_text(app)  # shown as written, never as markup
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)  # no form opened
        said = [str(n.message) for n in app._notifications]
        assert "Only Daniel Okafor, who wrote this note, can edit it." in said
        mine = next(i for i, e in enumerate(screen.entries) if e.who == "Maya Patel")
        screen.query_one("#timeline-table").move_cursor(row=mine)  # type: ignore[attr-defined]
        await pilot.press("e")
        await pilot.pause(0.3)
        assert isinstance(app.screen, FormScreen)
        area = app.screen.query_one("#field-body", TextArea)
        assert area.text == MAYAS_NOTE
        area.text = MAYAS_NOTE + "\n\nUpdate: signed."
        await pilot.click("#ok")
        await settle(pilot)
        assert screen.entries[0].title.endswith("(edited)")
        assert isinstance(app, RenubuApp)


def test_timeline_snapshot_narrow(
    with_notes: Path, app_factory: AppFactory, snap_compare: Any
) -> None:
    assert snap_compare(app_factory(), terminal_size=NARROW, run_before=open_timeline())


async def test_an_open_timeline_shows_anothers_note_as_it_is_written(
    db_path: Path, app_factory: AppFactory
) -> None:
    """Live updates: Daniel writes a note from another app (here: his services on the same
    database); Maya's open timeline of that customer reads it again and says who wrote it."""
    app = app_factory(live=True)
    async with app.run_test(size=WIDE) as pilot:
        await open_timeline()(pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        assert not any(e.kind == "note" for e in screen.entries)
        await _add(db_path, DANIEL, TEST_TODAY, dt.time(12), "Heard from legal: approved", "call")
        await until(pilot, lambda: any(e.kind == "note" for e in screen.entries), limit=5)
        assert screen.entries[0].title == "[call] Heard from legal: approved"
        await until(
            pilot,
            lambda: (
                "Daniel Okafor wrote a note about Bluesoft Corporation"
                in [str(n.message) for n in app._notifications]
            ),
            limit=3,
        )
