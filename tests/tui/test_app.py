"""The main screen driven through Pilot: queue order, search, owner, selection, safety, failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from renubu_tui.data.engine import Database, DatabaseConflict, create_database
from renubu_tui.data.models import Customer, CustomerStakeholder
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue.service import QueueFilters, QueueService
from renubu_tui.services.refusals import BadInput, Conflict, NotFound, Refused
from renubu_tui.services.workflows.executions import GateClosed
from renubu_tui.settings import Settings
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.keymap import load_keymap
from renubu_tui.tui.screens.help import HelpScreen
from renubu_tui.tui.screens.why_here import WhyHereScreen
from renubu_tui.tui.widgets.banner import Banner
from renubu_tui.tui.widgets.queue_pane import PAGE_SIZE, QueuePane
from renubu_tui.tui.widgets.sidebar import ContextSidebar
from tests.conftest import TEST_TODAY
from tests.services.workflows.test_actions_tasks import TENANT as TENANT_ID
from tests.tui.conftest import AppFactory, screen_text, settle

WIDE, NARROW = (160, 48), (80, 24)
BLUESOFT_STAKEHOLDERS = [
    "Sarah Chen",
    "Marcus Thompson",
    "Emily Rodriguez",
    "David Kim",
    "Jessica Martinez",
]


def queue(app: RenubuApp) -> QueuePane:
    return app.query_one(QueuePane)


def column(text: str, start: int, end: int | None = None) -> str:
    """The screen text between two columns (one pane of the three)."""
    return "\n".join(line[start:end] for line in text.split("\n"))


def pane_text(app: RenubuApp, selector: str) -> str:
    """The screen text in the columns of one pane (wherever the layout puts it)."""
    region = app.query_one(selector).region
    return column(screen_text(app), region.x, region.right)


async def _services(db_path: Path) -> tuple[Database, QueueService]:
    db = create_database(f"sqlite+aiosqlite:///{db_path}")
    return db, QueueService(db, ConfigService(db))


async def test_first_row_is_the_top_scored_row_of_the_service(
    app_factory: AppFactory, db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.session is not None
        tenant, user = app.session.tenant_id, app.session.user_id
        rows = queue(app).rows
        text = screen_text(app)
    db, service = await _services(db_path)
    try:
        expected = await service.page(tenant, TEST_TODAY, QueueFilters(owner_id=user), limit=1)
    finally:
        await db.dispose()
    top = expected.rows[0]
    assert (rows[0].customer_id, rows[0].workflow_type, rows[0].score) == (
        top.customer_id,
        top.workflow_type,
        top.score,
    )
    assert rows[0].score == max(r.score for r in rows)
    assert "Today's One Thing" in text
    assert f"{top.customer_name}  {top.score} {top.label}" in text
    assert "showing 21 of 21" in text
    assert "renubu — Maya Patel · acme-cs · 2025-09-24" in text


async def test_search_filters_by_name_and_escape_clears(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"blue")
        await settle(pilot)
        pane = queue(app)
        assert pane.view.search == "blue"
        assert {r.customer_name for r in pane.rows} == {"Bluesoft Corporation"}
        assert "showing 3 of 3" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert pane.view.search == "" and len(pane.rows) == 21


async def test_owner_toggle_changes_counts(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Active 21 │ Snoozed 0 │ Escalated to me 0" in screen_text(app)
        await pilot.press("o")
        await settle(pilot)
        text = screen_text(app)
        assert "owner: everyone" in text
        assert "Active 104" in text
        assert f"showing {PAGE_SIZE} of 104" in text  # one page, not the whole queue


async def test_more_rows_are_fetched_near_the_end(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert len(queue(app).rows) == PAGE_SIZE
        await pilot.press("end")
        await settle(pilot)
        rows = queue(app).rows
        assert len(rows) == 104
        assert len({(r.customer_id, r.workflow_type) for r in rows}) == 104
        assert [r.cursor for r in rows] == sorted(r.cursor for r in rows)
        assert "showing 104 of 104" in screen_text(app)


async def test_type_filter_cycles(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert {r.workflow_type for r in queue(app).rows} == {"renewal"}
        assert "type: renewal" in screen_text(app)


async def test_selecting_bluesoft_shows_its_determination_and_stakeholders(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        index = next(
            i
            for i, r in enumerate(queue(app).rows)
            if r.customer_name == "Bluesoft Corporation" and r.workflow_type == "renewal"
        )
        await pilot.press(*["down"] * index)
        await settle(pilot)
        centre = pane_text(app, "#step")
        assert "Bluesoft Corporation" in centre
        assert "Critical renewal" in centre and "history" not in centre  # live on this day
        view = app.query_one("#step-view")  # the determination is below the workflow
        view.scroll_to_widget(app.query_one("#step-why"), animate=False, top=True)
        await pilot.pause()
        centre += pane_text(app, "#step")
        assert "15 days until renewal" in centre
        assert "renewal · 255 Urgent · stage Critical" in centre
        sidebar = app.query_one(ContextSidebar)
        assert sidebar.customer_id == queue(app).rows[index].customer_id
        right = pane_text(app, "#sidebar")
        sidebar.scroll_end(animate=False)  # the last stakeholders are below the fold
        await pilot.pause()
        right += pane_text(app, "#sidebar")
        for name in BLUESOFT_STAKEHOLDERS:
            assert name in right
        assert "★  Emily Rodriguez" in right and " ◆ Sarah Chen" in right


async def _poison(db_path: Path) -> None:
    """Rename the top customer to markup and give a stakeholder a note with an OSC sequence."""
    db, service = await _services(db_path)
    try:
        async with db.sessions() as session, session.begin():
            cobalt = await session.scalar(
                select(Customer).where(Customer.domain == "cobaltfinancial.com")
            )
            assert cobalt is not None
            cobalt.name = "[bold red]Acme[/]"
            cobalt.name_key = cobalt.name.casefold()
            person = await session.scalar(
                select(CustomerStakeholder).where(CustomerStakeholder.customer_id == cobalt.id)
            )
            assert person is not None
            person.name = "[u]Eve[/u]"
            person.notes = [{"date": "2025-09-23", "text": "Call \x1b]0;title\x07[i]back[/i]"}]
            tenant_id = cobalt.tenant_id
        await service.invalidate(tenant_id)
    finally:
        await db.dispose()


async def test_database_text_is_shown_literally(app_factory: AppFactory, db_path: Path) -> None:
    await _poison(db_path)
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]Acme[/]" in text  # table, One Thing, centre pane and sidebar
        assert text.count("[bold red]Acme[/]") >= 4
        app.query_one(ContextSidebar).scroll_end(animate=False)
        await pilot.pause()
        text += screen_text(app)
        assert "[u]Eve[/u]" in text
        assert "Call [i]back[/i]" in text  # the escape sequence is gone, brackets stay
        assert "\x1b" not in text and "\x07" not in text and "title" not in text
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WhyHereScreen)
        assert "[bold red]Acme[/]" in screen_text(app)


async def test_a_failed_worker_becomes_a_notification(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("explain exploded\nwith a second line")

    monkeypatch.setattr(QueueService, "explain", explode)
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]  # no public accessor
        assert messages == ["explain exploded with a second line"]
        [note] = app._notifications
        assert (note.severity, note.title) == ("error", "Something went wrong")  # a fault
        assert app.is_running and len(queue(app).rows) == 21  # the rest still works
        assert not app.query_one(Banner).has_class("-shown")


@pytest.mark.parametrize(
    "refusal", [Refused, NotFound, BadInput, Conflict, GateClosed, DatabaseConflict]
)
async def test_a_refusal_in_a_worker_is_a_warning_with_its_words(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch, refusal: type[Exception]
) -> None:
    """Whatever a service refused, or a write that lost a race, from any worker: its message
    as a warning, never a fault (the database is fine: no banner)."""

    async def refuse(*args: object, **kwargs: object) -> None:
        raise refusal("This renewal is snoozed until Wed 01 Oct;\nwake it before explaining")

    monkeypatch.setattr(QueueService, "explain", refuse)
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        [note] = app._notifications
        assert note.message == "This renewal is snoozed until Wed 01 Oct; wake it before explaining"
        assert (note.severity, note.title) == ("warning", "Not done")
        assert app.is_running and not app.query_one(Banner).has_class("-shown")


async def test_unreachable_database_shows_a_banner(app_factory: AppFactory) -> None:
    app = app_factory(database_url="postgresql+asyncpg://renubu@127.0.0.1:9/renubu")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        banner = app.query_one(Banner)
        assert banner.has_class("-shown")
        text = screen_text(app)
        assert "cannot reach the database postgresql+asyncpg://renubu@127.0.0.1:9/renubu" in text
        assert "Traceback" not in text
        assert app.is_running


async def test_a_lost_database_shows_a_banner_and_recovers_by_itself(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue's reads fail twice (the database went away), then it answers again."""
    real_page = QueueService.page
    failures = 0

    async def flaky(self: QueueService, *args: object, **kwargs: object) -> object:
        nonlocal failures
        if 0 < failures <= 2:
            failures += 1
            raise ConnectionError("connection to the database was lost")
        return await real_page(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(QueueService, "page", flaky)
    app = app_factory()
    app.retry_delays = (0.3, 0.6)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert len(queue(app).rows) == 21
        failures = 1  # from now on the next two reads fail
        await pilot.press("r")
        banner = app.query_one(Banner)
        for _ in range(30):
            await pilot.pause(0.02)
            if banner.has_class("-shown"):
                break
        text = screen_text(app)
        assert "⚠ connection to the database was lost" in text
        assert "retrying in 0." in text and "r to retry now" in text
        for _ in range(30):  # the app retries by itself: 0.3 s, then 0.6 s
            await pilot.pause(0.1)
            if not banner.has_class("-shown"):
                break
        assert failures == 3 and not banner.has_class("-shown")
        assert len(queue(app).rows) == 21
        messages = [n.message for n in app._notifications]  # one toast, not one per retry
        assert messages == ["connection to the database was lost"]
        assert app.is_running


async def test_why_here_shows_factors_and_formula(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        top = queue(app).rows[0]
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WhyHereScreen)
        text = screen_text(app)
        assert top.breakdown.formula_line in text
        for factor in top.breakdown.factors:
            assert factor.text in text
        await pilot.press("escape")
        assert not isinstance(app.screen, WhyHereScreen)


async def test_every_binding_has_an_id_and_description_and_help_lists_them(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        classes = {
            cls
            for node in [app, app.screen, *app.screen.walk_children()]
            for cls in (node if isinstance(node, type) else type(node)).__mro__
            if cls.__module__.startswith("renubu_tui")
        }
        ours = [b for cls in classes for b in cls.__dict__.get("BINDINGS", [])]
        assert ours and all(b.id and b.description for b in ours)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for b in ours:
            if b.id.startswith("demo."):  # time travel is off outside `renubu demo`: not listed
                assert b.description not in text, b
                continue
            assert b.description in text, b


async def test_palette_jumps_to_a_customer(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"magnolia")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pane = queue(app)
        assert pane.current is not None and pane.current.customer_name == "Magnolia Bank"
        centre = pane_text(app, "#step")
        assert "Magnolia Bank" in centre


async def test_sidebar_toggles_and_collapses_when_narrow(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        sidebar = app.query_one(ContextSidebar)
        assert not sidebar.display and app.main.sidebar_open is False
        assert "Cobalt Financial Group" in screen_text(app)
        await pilot.press("enter")  # narrow: the customer replaces the queue
        await settle(pilot)
        assert "4 days until renewal" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("b")
        await settle(pilot)
        assert sidebar.display and "Trends" in screen_text(app)
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.query_one(ContextSidebar).display
        await pilot.press("b")
        assert not app.query_one(ContextSidebar).display
        await pilot.resize_terminal(*NARROW)
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        assert not app.query_one(ContextSidebar).display  # the choice is kept


def test_importing_the_app_does_not_import_the_data_layer() -> None:
    code = (
        "import sys, renubu_tui.cli, renubu_tui.tui.app\n"
        "heavy = {'sqlalchemy', 'aiosqlite', 'asyncpg', 'pybars', 'httpx', 'alembic'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_keys_can_be_remapped_from_the_config_file(db_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"queue.why" = "y"\n"app.sidebar" = "ctrl+b"\n', encoding="utf-8")
    keymap = load_keymap(config)
    assert keymap == {"queue.why": "y", "main.sidebar": "ctrl+b"}  # an earlier id, understood
    assert load_keymap(tmp_path / "missing.toml") == {}
    settings = Settings(database_url=f"sqlite+aiosqlite:///{db_path}", today=TEST_TODAY)
    app = RenubuApp(settings, keymap=keymap)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, WhyHereScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "y                 Why here" in screen_text(app)


async def test_a_new_day_shows_the_users_rows_while_the_queue_builds(
    app_factory: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first open of a day: the user's first rows at once, then the built queue."""
    day = TEST_TODAY + dt.timedelta(days=2)
    db, service = await _services(db_path)
    try:
        assert not await service.is_built(TENANT_ID, day)
    finally:
        await db.dispose()
    real_refresh = QueueService.refresh
    release = asyncio.Event()

    async def slow_refresh(self: QueueService, *args: Any, **kwargs: Any) -> int:
        await release.wait()  # the build of a large tenant: seconds
        return await real_refresh(self, *args, **kwargs)

    monkeypatch.setattr(QueueService, "refresh", slow_refresh)
    app = app_factory(today=day)
    async with app.run_test(size=WIDE) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if queue(app).rows:
                break
        preview = list(queue(app).rows)
        assert preview and queue(app).current == preview[0]
        assert "building today's queue" in screen_text(app)
        assert app.session is not None
        await pilot.press("down", "down")  # the cursor moves while the build runs
        release.set()
        await settle(pilot)
        built = queue(app).rows
        assert [(r.customer_id, r.workflow_type) for r in built[: len(preview)]] == [
            (r.customer_id, r.workflow_type) for r in preview
        ]
        assert queue(app).current == built[2]  # where the person left it
        assert f"showing {len(built)} of {queue(app).total}" in screen_text(app)


@pytest.mark.parametrize(
    ("size", "columns"),
    [
        ((210, 50), ["#", "Customer", "Type", "Stage", "Days", "ARR", "Plan", "Score", "Label"]),
        (WIDE, ["#", "Customer", "Type", "Stage", "Days", "ARR", "Score"]),
        (NARROW, ["#", "Customer", "Type", "Stage", "Days", "ARR", "Score", "Label"]),
    ],
)
async def test_the_queue_gives_the_step_room_below_200_columns(
    app_factory: AppFactory, size: tuple[int, int], columns: list[str]
) -> None:
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert [label for label, _, _ in queue(app).table.columns_shown] == columns
        if size == WIDE:  # the step and its chat: at least 50 columns beside queue and sidebar
            assert app.query_one("#step").region.width >= 50
            assert app.query_one("#sidebar").region.width > 0
