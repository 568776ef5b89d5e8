"""Interaction latency (issue 19): `python bench/interaction.py [--sizes demo,100000]
[--backends sqlite,postgresql] [--runs 20]`.

Drives the real app (`RenubuApp` over a prepared database, tenant acme-cs, a fixed day) through
Textual's Pilot, headless at 160×48, and times from the key (sent to the driver as a terminal
would, without waiting for the app to be idle) to the settled screen: a condition on the widgets,
polled every 2 ms, then the first frame the app composes after it holds (headless: the
compositor's update is made, nothing is written to a terminal).

- cursor move: Down in the queue → the step pane (and its chat) and the sidebar show the
  highlighted row's customer, read after the key, no step/sidebar worker running;
- open a customer: Down, then Enter at once → the same, and the chat's messages mounted (their
  Markdown parsed) and its input shown;
- snooze: s, then ctrl+s in the dialog (tomorrow) → the row is gone from the active queue on
  screen, and `ActionService.run` (the write and the customer's rows re-scored, one
  transaction) timed inside the app. Only running work can be snoozed, so a renewal row without
  a workflow gets one first (g, untimed); in the CSM's own queue (`mine`) at every size, since
  in everyone's a workflow just started is re-scored out of the loaded page;
- customer context build: `build_context` of random customers on the prepared database;
- holding Down for 2 s at 30 keys/s (sizes other than demo): the longest gap between frames
  from the first key to the last, and how long after the last key the panes show its customer.

Sizes: `demo` (the seeded demo data) and N (the demo plus N synthetic customers; the queue shows
everyone's rows, `o`). SQLite databases are kept in --workdir and copied for each run (seeding
100 000 takes minutes); PostgreSQL is seeded into a throwaway schema of RENUBU_BENCH_PG_URL each
time. Prints one table; asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is next to this file: the folder goes last on sys.path, so that it cannot
# shadow the standard library's `queue` (asyncio drivers import it) but _common is found.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE] + [_HERE]

import argparse
import asyncio
import bisect
import itertools
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from _common import PG_URL, TENANT, TENANT_SLUG, TODAY, context_build, median_p95, pg_schema, seed
from sqlalchemy import text
from textual import events

from renubu_tui.data.engine import Database, create_database
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue.service import QueueService
from renubu_tui.settings import Settings
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.screens.snooze import SnoozeScreen
from renubu_tui.tui.widgets.chat_panel import ChatPanel, HistoryInput, MessageBox
from renubu_tui.tui.widgets.queue_pane import QueuePane
from renubu_tui.tui.widgets.sidebar import ContextSidebar
from renubu_tui.tui.widgets.step_pane import StepPane

TERMINAL = (160, 48)  # wide enough for the sidebar (150 columns)
POLL = 0.002  # seconds between checks of the settled condition
HOLD_SECONDS, KEY_RATE = 2.0, 30  # a held key repeats ~30 times a second in a terminal
HOLD_RUNS = 5
TIMEOUT = 30.0  # seconds an interaction may take before it counts as failed
BOOT_TIMEOUT = 300.0
LIVE = "live"  # the live-updates watcher's worker group (off here; never finishes)

# (label, median target ms, p95 target ms or None)
CURSOR = ("cursor move → step + sidebar", 100.0, 200.0)
OPEN = ("open (Enter) → step, chat, input", 200.0, 400.0)
SNOOZE_SERVICE = ("snooze: service (write + re-score)", 30.0, None)
SNOOZE_SCREEN = ("snooze: row moved on screen", 100.0, None)
CONTEXT = ("customer context build", 10.0, None)
HOLD_GAP = ("hold Down 2 s: longest frame gap", None, 50.0)
HOLD_CATCH = ("hold Down 2 s: catch-up after release", 100.0, None)


@dataclass
class Result:
    size: str
    backend: str
    samples: dict[tuple[str, float | None, float | None], list[float]] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)

    def add(self, row: tuple[str, float | None, float | None], ms: float) -> None:
        self.samples.setdefault(row, []).append(ms)

    def fail(self, row: tuple[str, float | None, float | None]) -> None:
        self.failed[row[0]] = self.failed.get(row[0], 0) + 1


# --- databases --------------------------------------------------------------------------------


def size_of(name: str) -> int:
    return 0 if name == "demo" else int(name)


async def prepare(db: Database, size: int) -> None:
    """The demo data, `size` synthetic customers and the day's queue (built, as on any start
    but the first of a day)."""
    await seed(db, size)
    await QueueService(db, ConfigService(db)).refresh(TENANT, TODAY)


async def sqlite_file(workdir: Path, name: str) -> Path:
    """A prepared SQLite file, made once and kept in `workdir`."""
    path = workdir / f"interaction-{name}.sqlite3"
    if not path.exists():
        print(f"seeding {path} …", file=sys.stderr, flush=True)
        scratch = path.with_suffix(".tmp")
        for leftover in workdir.glob(scratch.name + "*"):
            leftover.unlink()
        db = create_database(f"sqlite+aiosqlite:///{scratch}")
        try:
            await prepare(db, size_of(name))
        finally:
            await db.dispose()
        scratch.rename(path)
    return path


@asynccontextmanager
async def database(backend: str, name: str, workdir: Path) -> AsyncIterator[tuple[str, Database]]:
    """(the app's URL, an open Database) over a fresh copy of the prepared data; on PostgreSQL
    the app's engines get the throwaway schema's search path."""
    if backend == "sqlite":
        kept = await sqlite_file(workdir, name)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "renubu.sqlite3"
            shutil.copyfile(kept, path)
            url = f"sqlite+aiosqlite:///{path}"
            db = create_database(url)
            try:
                yield url, db
            finally:
                await db.dispose()
        return
    from renubu_tui.services import bootstrap

    async with pg_schema() as schema:
        print(f"seeding PostgreSQL schema {schema} ({name}) …", file=sys.stderr, flush=True)
        db = create_database(PG_URL, schema=schema)
        original = bootstrap.create_database
        bootstrap.create_database = lambda url, **kw: create_database(url, schema=schema)  # type: ignore[assignment]
        try:
            await prepare(db, size_of(name))
            async with db.engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
            yield PG_URL, db
        finally:
            bootstrap.create_database = original
            await db.dispose()


# --- the app, its frames and its state -------------------------------------------------------


class Probe:
    """The app under test, the time of every frame it composes, and what its panes show."""

    def __init__(self, app: RenubuApp) -> None:
        self.app = app
        self.frames: list[float] = []
        display = app._display

        def counted(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self.frames.append(time.perf_counter())
            display(screen, renderable)

        app._display = counted  # type: ignore[method-assign]

    @property
    def queue(self) -> QueuePane:
        return self.app.main.query_one(QueuePane)

    @property
    def step(self) -> StepPane:
        return self.app.main.query_one(StepPane)

    @property
    def sidebar(self) -> ContextSidebar:
        return self.app.main.query_one(ContextSidebar)

    def key(self, key: str, char: str | None = None) -> float:
        """Send a key as the terminal driver would (no waiting); returns when it was sent."""
        event = events.Key(key, char)
        event.set_sender(self.app)
        driver = self.app._driver
        assert driver is not None
        driver.send_message(event)
        return time.perf_counter()

    def busy(self, *groups: str) -> bool:
        return any(
            not w.is_finished and (w.group in groups if groups else w.group != LIVE)
            for w in self.app.workers
        )

    def shown(self, before: object = None) -> bool:
        """The step pane (read after `before`), its chat and the sidebar show the highlighted
        row's customer, and none of them is still reading."""
        if not self.app.screen_stack or not self.app.main.query(StepPane):
            return False
        queue, step, sidebar = self.queue, self.step, self.sidebar
        row = queue.current
        if row is None or queue.loading_page:
            return False
        data = step.data
        if data is None or data is before or data.customer_id != row.customer_id:
            return False
        if sidebar.display and sidebar._loaded_id != row.customer_id:
            return False
        if step.query_one(ChatPanel).data is not data:
            return False
        return not self.busy("step", "sidebar")

    def chat_ready(self) -> bool:
        """The chat's messages are mounted with their Markdown parsed, and its input shows."""
        chat = self.step.query_one(ChatPanel)
        log = chat.query_one("#chat-log")
        for box in log.query(MessageBox):
            if not box.is_mounted:
                return False
        for md in log.query("Markdown"):
            if not md.is_mounted or getattr(md, "_initial_markdown", None) is not None:
                return False
            if getattr(getattr(md, "lock", None), "is_locked", False):  # Textual's RLock
                return False
        field_ = chat.query_one(HistoryInput)
        return field_.is_mounted and field_.display and not field_.disabled

    async def until(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> float:
        """Wait until `condition` holds; then until the next frame (if one comes within 0.25
        s). Returns that frame's time (or when the condition was seen)."""
        deadline = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError
            await asyncio.sleep(POLL)
        held = time.perf_counter()
        while time.perf_counter() < held + 0.25:
            at = bisect.bisect_left(self.frames, held)
            if at < len(self.frames):
                return self.frames[at]
            await asyncio.sleep(POLL)
        return held

    async def idle(self, timeout: float = BOOT_TIMEOUT) -> None:
        """The panes show the highlighted row (its debounce fired) and no worker ran for three
        checks in a row; then a person's short pause."""
        deadline = time.perf_counter() + timeout
        quiet = 0
        while quiet < 3:
            if time.perf_counter() > deadline:
                raise TimeoutError("the app never became idle")
            quiet = 0 if self.busy() or not self.shown() else quiet + 1
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)


# --- the interactions ---------------------------------------------------------------------------


async def cursor_moves(probe: Probe, result: Result, runs: int) -> None:
    for _ in range(runs):
        await probe.idle()
        table, before = probe.queue.table, probe.step.data
        key = "down" if table.cursor_row + 1 < len(probe.queue.rows) else "up"
        start = probe.key(key)
        try:
            result.add(CURSOR, (await probe.until(lambda b=before: probe.shown(b)) - start) * 1000)
        except TimeoutError:
            result.fail(CURSOR)


async def opens(probe: Probe, result: Result, runs: int) -> None:
    # from the top again: the cursor moves may have left it at the bottom of a short queue,
    # among customers with no chat yet
    probe.queue.table.move_cursor(row=0, animate=False)
    for _ in range(runs):
        await probe.idle()
        table = probe.queue.table
        row, key = (
            table.cursor_row,
            "down" if table.cursor_row + 1 < len(probe.queue.rows) else "up",
        )
        probe.key(key)
        while table.cursor_row == row:  # the cursor moved (its load is still debounced)
            await asyncio.sleep(POLL)
        before = probe.step.data
        start = probe.key("enter", "\r")
        try:
            done = await probe.until(lambda b=before: probe.shown(b) and probe.chat_ready())
            result.add(OPEN, (done - start) * 1000)
        except TimeoutError:
            result.fail(OPEN)


async def snoozes(probe: Probe, result: Result, runs: int) -> None:
    assert probe.app.session is not None
    actions = probe.app.session.services.actions
    run = actions.run
    service: list[float] = []

    async def timed_run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await run(*args, **kwargs)
        finally:
            service.append((time.perf_counter() - start) * 1000)

    actions.run = timed_run  # type: ignore[method-assign]
    try:
        done = 0
        for _ in range(runs * 4):  # a row that cannot be snoozed is passed over
            if done == runs:
                break
            await probe.idle()
            queue = probe.queue
            data, row = probe.step.data, queue.current
            if row is None or data is None:
                break
            if row.execution_id is None:  # only running work can be snoozed: start it (g) first
                # the step pane starts the customer's renewal workflow (what `fits`), not the
                # row's own type: pass over other rows, and customers with one running
                if row.workflow_type != "renewal" or data.execution is not None or not data.fits:
                    probe.key("down")
                    continue
                customer = row.customer_id
                probe.key("g", "g")
                try:
                    await probe.until(lambda c=customer: _started(probe, c), 5.0)
                except TimeoutError:
                    probe.key("down")
                    continue
                # re-scored, the row may have moved: the cursor goes to it (if still loaded)
                index = _running_row(queue, customer)
                if index is None:
                    probe.key("down")
                    continue
                queue.table.move_cursor(row=index, animate=False)
                await probe.idle()
                row = queue.current
                if row is None or row.execution_id is None:
                    continue
            probe.key("s", "s")
            try:
                await probe.until(lambda: isinstance(probe.app.screen, SnoozeScreen), 3.0)
            except TimeoutError:  # refused before the dialog (said in a toast)
                probe.key("down")
                continue
            await asyncio.sleep(0.05)
            gone = (row.customer_id, row.workflow_type)
            start = probe.key("ctrl+s")

            def moved(q: QueuePane = queue, key: tuple[Any, str] = gone) -> bool:
                return (
                    not isinstance(probe.app.screen, SnoozeScreen)
                    and not q.loading_page
                    and not probe.busy("action", "queue")
                    and all((r.customer_id, r.workflow_type) != key for r in q.rows)
                )

            try:
                result.add(SNOOZE_SCREEN, (await probe.until(moved) - start) * 1000)
            except TimeoutError:
                result.fail(SNOOZE_SCREEN)
            done += 1
    finally:
        actions.run = run  # type: ignore[method-assign]
    for ms in service:
        result.add(SNOOZE_SERVICE, ms)


def _started(probe: Probe, customer: Any) -> bool:
    """The customer's workflow started and the queue was read again."""
    data = probe.step.data
    return (
        data is not None
        and data.customer_id == customer
        and data.execution is not None
        and not probe.queue.loading_page
        and not probe.busy()
        and _running_row(probe.queue, customer) is not None
    )


def _running_row(queue: QueuePane, customer: Any) -> int | None:
    """The index of the customer's renewal row with its workflow running, if loaded."""
    return next(
        (
            i
            for i, r in enumerate(queue.rows)
            if r.customer_id == customer and r.workflow_type == "renewal" and r.execution_id
        ),
        None,
    )


async def holds(probe: Probe, result: Result, runs: int) -> None:
    keys = int(HOLD_SECONDS * KEY_RATE)
    for _ in range(runs):
        queue = probe.queue
        queue.table.move_cursor(row=0, animate=False)
        await probe.idle()
        origin = queue.table.cursor_row  # 0, unless a key still on its way moved it
        if len(queue.rows) <= origin + keys:
            return  # too few rows to hold a key for 2 s
        first = time.perf_counter()
        for n in range(keys):
            await asyncio.sleep(max(0.0, first + n / KEY_RATE - time.perf_counter()))
            last = probe.key("down")
        at, end = bisect.bisect_left(probe.frames, first), bisect.bisect_right(probe.frames, last)
        painted = [first, *probe.frames[at:end], last]
        result.add(HOLD_GAP, max(b - a for a, b in itertools.pairwise(painted)) * 1000)

        def caught_up(q: QueuePane = queue, end: int = origin + keys) -> bool:
            return q.table.cursor_row == end and probe.shown()

        try:
            result.add(HOLD_CATCH, (await probe.until(caught_up) - last) * 1000)
        except TimeoutError:
            result.fail(HOLD_CATCH)


async def drive(url: str, name: str, result: Result, runs: int) -> None:
    app = RenubuApp(Settings(database_url=url, today=TODAY, tenant=TENANT_SLUG, auto_seed=False))
    app.live_updates = False
    probe = Probe(app)
    async with app.run_test(size=TERMINAL):
        await probe.until(lambda: probe.shown(), BOOT_TIMEOUT)
        if name != "demo":  # everyone's work: the whole queue
            probe.key("o", "o")
            await probe.until(lambda: not probe.queue.view.mine and probe.shown(), BOOT_TIMEOUT)
        await cursor_moves(probe, result, runs)
        await opens(probe, result, runs)
        if name != "demo":
            await holds(probe, result, min(runs, HOLD_RUNS))
            # Snoozes in the CSM's own queue: only running work can be snoozed, and in
            # everyone's a workflow just started is re-scored out of the loaded page.
            probe.key("o", "o")
            await probe.until(lambda: probe.queue.view.mine and probe.shown(), BOOT_TIMEOUT)
        await snoozes(probe, result, runs)


async def bench(backend: str, name: str, runs: int, workdir: Path) -> Result:
    result = Result(name, backend)
    async with database(backend, name, workdir) as (url, db):
        median, p95 = await context_build(db, max(runs, 30))
        result.samples[CONTEXT] = [median, p95]  # already summarized
        await drive(url, name, result, runs)
    return result


# --- the table ----------------------------------------------------------------------------------


def verdict(median: float, p95: float, target: tuple[str, float | None, float | None]) -> str:
    _, want_median, want_p95 = target
    ok = (want_median is None or median <= want_median) and (want_p95 is None or p95 <= want_p95)
    return "yes" if ok else "no"


def target_text(target: tuple[str, float | None, float | None]) -> str:
    _, want_median, want_p95 = target
    parts = [f"≤ {want_median:g}"] if want_median is not None else []
    if want_p95 is not None:
        parts.append(f"p95 ≤ {want_p95:g}")
    return " · ".join(parts)


def print_table(results: list[Result], runs: int) -> None:
    load = os.getloadavg()
    print(
        f"\nInteraction latency, headless through Textual's Pilot at {TERMINAL[0]}×{TERMINAL[1]},"
        f" key → settled widgets + next frame; {runs} runs ({HOLD_RUNS} holds);"
        f" load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n"
    )
    header = ("interaction", "size", "backend", "median ms", "p95 ms", "target ms", "met?")
    lines: list[tuple[str, ...]] = []
    for r in results:
        for row in (CURSOR, OPEN, SNOOZE_SERVICE, SNOOZE_SCREEN, CONTEXT, HOLD_GAP, HOLD_CATCH):
            samples = r.samples.get(row)
            failed = r.failed.get(row[0], 0)
            if not samples:
                if failed:
                    lines.append((row[0], r.size, r.backend, "—", "—", target_text(row), "failed"))
                continue
            median, p95 = (samples[0], samples[1]) if row is CONTEXT else median_p95(samples)
            met = verdict(median, p95, row) + (f" ({failed} timed out)" if failed else "")
            n = "" if row is CONTEXT else f" (n={len(samples)})"
            lines.append(
                (
                    row[0] + n,
                    r.size,
                    r.backend,
                    f"{median:.1f}",
                    f"{p95:.1f}",
                    target_text(row),
                    met,
                )
            )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,100000")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "renubu-bench",
        help="where the prepared SQLite files are kept between runs",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for backend in args.backends.split(","):
        for name in args.sizes.split(","):
            start = time.perf_counter()
            results.append(await bench(backend, name, args.runs, args.workdir))
            took = time.perf_counter() - start
            print(f"{backend} {name}: {took:.0f} s", file=sys.stderr, flush=True)
    print_table(results, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
