"""The app factory for TUI tests: a copy of the seeded SQLite template, a fixed day, no network.

`settle` waits until the boot, queue, step and sidebar workers are done and the debounce timers
have fired, so assertions and snapshots see a finished screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
import re
import shutil
import warnings
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from renubu_tui.settings import Settings
from renubu_tui.tui.app import RenubuApp
from tests.conftest import TEST_TODAY

AppFactory = Callable[..., RenubuApp]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/tui carries the `tui` marker (`-m tui` / `-m "not tui"`)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.tui)


@pytest.fixture
def db_path(tmp_path: Path, sqlite_templates: dict[str, Path]) -> Path:
    """A private copy of the seeded demo database (Bluesoft at D−15, the portfolio), its queue
    of the day already built as an earlier start that day would have left it."""
    path = tmp_path / "renubu.sqlite3"
    shutil.copyfile(sqlite_templates["ready"], path)
    return path


@pytest.fixture
def app_factory(db_path: Path) -> AppFactory:
    def make(*, live: bool = False, **settings: Any) -> RenubuApp:
        """The app over the copy; `live=True` watches for others' changes (off by default: a
        watcher runs for the app's life, and snapshots show no one else's toasts)."""
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{db_path}",
            "today": TEST_TODAY,
            "tenant": "acme-cs",
            **settings,
        }
        app = RenubuApp(Settings(**values))
        app.live_updates = live
        return app

    return make


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let workers finish, queued messages be handled and short timers (debounces) fire, until
    the app is quiet `rounds` times in a row: a condition, not a fixed sleep.

    Only one-shot timers of up to SHORT_TIMER seconds count (a debounce, a deferred highlight);
    long ones (a toast's timeout, a "still loading" hint) would not have fired under a person's
    eyes either. A failed worker is not an error here: the app reports it, and the tests check
    how.
    """
    quiet = 0
    for _ in range(400):  # ~20 s at most; then the assertions say what is missing
        await _workers_done(pilot)
        await pilot.pause()
        if _busy(pilot.app):
            quiet = 0
            await asyncio.sleep(0.02)
            continue
        quiet += 1
        if quiet >= rounds:
            break
    await pilot.pause()


SHORT_TIMER = 0.5
LIVE = "live"  # the worker group of the live-updates watcher (never finishes by itself)
FOREVER = {LIVE, "_loader"}  # and Textual's DirectoryTree loader, which waits for work forever


def _busy(app: Any) -> bool:
    """A worker still running, a message still queued or a short one-shot timer pending."""
    if any(not w.is_finished and w.group not in FOREVER for w in app.workers):
        return True
    nodes = [app, *(n for screen in app.screen_stack for n in screen.walk_children(with_self=True))]
    for node in nodes:
        if node._message_queue.qsize():
            return True
        for timer in list(node._timers):
            task = getattr(timer, "_task", None)
            if (
                timer._repeat is not None
                and timer._interval <= SHORT_TIMER
                and task is not None
                and not task.done()
                and timer._active.is_set()  # a paused timer waits for someone else
            ):
                return True
    return False


async def _workers_done(pilot: Pilot[Any]) -> None:
    for worker in list(pilot.app.workers):
        if worker.group in FOREVER:
            continue  # the live-updates watcher runs for the app's life
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


@pytest.fixture(autouse=True)
async def _no_task_outlives_the_test() -> AsyncIterator[None]:
    """After the app has exited, no task of it may still run. One that will not end when
    cancelled would hang the event loop's close (and CI) for ever: it is reported as a warning
    with its stack, and let go so the run goes on."""
    yield
    me = asyncio.current_task()
    left = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
    if not left:
        return
    for task in left:
        task.cancel()
    _, pending = await asyncio.wait(left, timeout=10)
    for task in pending:
        out = io.StringIO()
        task.print_stack(file=out)
        said = f"a task would not end after the test: {task!r}\n{out.getvalue()}"
        warnings.warn(said, stacklevel=1)
        all_tasks = getattr(asyncio.tasks, "_all_tasks", None)
        if all_tasks is not None:
            all_tasks.discard(task)
