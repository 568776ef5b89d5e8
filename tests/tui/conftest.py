"""The app factory for TUI tests: a copy of the seeded SQLite template, a fixed day, no network.

`settle` waits until the boot, queue, step and sidebar workers are done and the debounce timers
have fired, so assertions and snapshots see a finished screen.
"""

from __future__ import annotations

import contextlib
import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from renubu_tui.settings import Settings
from renubu_tui.tui.app import RenubuApp
from tests.conftest import TEST_TODAY

AppFactory = Callable[..., RenubuApp]


@pytest.fixture
def db_path(tmp_path: Path, sqlite_templates: dict[str, Path]) -> Path:
    """A private copy of the seeded demo database (Bluesoft at D−15, the portfolio)."""
    path = tmp_path / "renubu.sqlite3"
    shutil.copyfile(sqlite_templates["seeded"], path)
    return path


@pytest.fixture
def app_factory(db_path: Path) -> AppFactory:
    def make(**settings: Any) -> RenubuApp:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{db_path}",
            "today": TEST_TODAY,
            "tenant": "acme-cs",
            **settings,
        }
        return RenubuApp(Settings(**values))

    return make


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let workers finish and debounced timers fire (each round can start new workers).

    A failed worker is not an error here: the app reports it, and the tests check how.
    """
    for _ in range(rounds):
        await _workers_done(pilot)
        await pilot.pause(0.25)
    await _workers_done(pilot)
    await pilot.pause()


async def _workers_done(pilot: Pilot[Any]) -> None:
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await worker.wait()


CELL_WIDTH = 12.2  # pixels per terminal column in Textual's SVG export
TEXT = re.compile(
    r'<text [^>]*x="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)


def screen_text(app: RenubuApp) -> str:
    """What the terminal shows, line by line (from the SVG screenshot, spans at their columns)."""
    rows: dict[int, dict[int, str]] = {}
    for x, line, text in TEXT.findall(app.export_screenshot()):
        rows.setdefault(int(line), {})[round(float(x) / CELL_WIDTH)] = html.unescape(text)
    out = []
    for line in range(max(rows, default=-1) + 1):
        chars: list[str] = []
        for column, text in sorted(rows.get(line, {}).items()):
            chars += [" "] * (column - len(chars))
            chars[column:] = list(text.replace("\xa0", " "))
        out.append("".join(chars).rstrip())
    return "\n".join(out)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], limit: float = 15.0) -> None:
    """Wait until `condition` holds (a dialog opened by a worker that then waits for it, which
    `settle` would wait on forever); fail after `limit` seconds."""
    waited = 0.0
    while not condition():
        if waited >= limit:
            raise AssertionError("the screen never reached the expected state")
        await pilot.pause(0.05)
        waited += 0.05
