"""Startup order: the day's stored first page is on screen before the data layer has loaded."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from renubu_tui.tui import preload
from renubu_tui.tui.widgets.queue_pane import QueuePane
from tests.tui.conftest import AppFactory, screen_text, settle

WIDE = (160, 48)


async def _run_once(app_factory: AppFactory) -> list[Any]:
    """Open the app once (this builds the day's queue, as any first start of a day does)."""
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        return list(app.query_one(QueuePane).rows)


async def test_stored_page_shows_while_the_data_layer_loads(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = await _run_once(app_factory)
    gate = asyncio.Event()
    real_ready = preload.ready

    async def held_ready() -> None:
        await gate.wait()
        await real_ready()

    monkeypatch.setattr(preload, "ready", held_ready)
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.query_one(QueuePane)
        for _ in range(100):
            if pane.rows:
                break
            await pilot.pause(0.02)
        assert app.session is None  # the services are not open…
        assert pane.rows == expected  # …and the rows are those the service shows
        await pilot.press("down", "down")  # keys work on the stored page
        text = screen_text(app)
        assert "Today's One Thing" in text and "showing 21 of 21" in text
        assert "Maya Patel · acme-cs · 2025-09-24" in text
        gate.set()
        await settle(pilot)
        assert app.session is not None
        assert pane.rows == expected
        assert pane.table.cursor_row == 2  # the cursor stayed where the person moved it
        assert "Workflow step" in screen_text(app)  # the panes mounted once the modules loaded


async def test_a_new_day_waits_for_the_service(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No stored page for the day: nothing is shown from the file; the service builds it."""
    await _run_once(app_factory)
    app = app_factory(today=dt.date(2025, 9, 30))
    shown_early: list[int] = []
    real_ready = preload.ready

    async def watching_ready() -> None:
        shown_early.append(len(app.query_one(QueuePane).rows))
        await real_ready()

    monkeypatch.setattr(preload, "ready", watching_ready)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert shown_early == [0]
        assert app.query_one(QueuePane).rows
