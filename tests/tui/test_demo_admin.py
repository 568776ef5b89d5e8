"""The Bluesoft walkthrough (time travel in demo mode) and the workflow admin screen.

Snapshots (160×48) are regenerated deliberately, as in test_snapshots.py:

    .venv/bin/python -m pytest tests/tui/test_demo_admin.py --snapshot-update
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList

from renubu_tui.services.workflows.registry import WorkflowRegistry
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.features.demo import DEMO_USER, journey_date
from renubu_tui.tui.screens.admin import WorkflowAdminScreen, diff_text
from renubu_tui.tui.widgets.queue_pane import QueuePane
from renubu_tui.tui.widgets.timeline import TimelineStrip
from tests.conftest import TEST_TODAY
from tests.tui.conftest import AppFactory, screen_text, settle, until

SIZE = (160, 48)
SLUG = "risk-mitigation"  # a core workflow nothing in the queue depends on


def demo_app(app_factory: AppFactory) -> RenubuApp:
    app = app_factory(user=DEMO_USER)
    app.demo_mode = True
    return app


async def goto(pilot: Pilot[Any], day: int) -> None:
    """Press ] (or [) until the clock stands on journey day `day` (a milestone)."""
    app: RenubuApp = pilot.app  # type: ignore[assignment]
    for _ in range(12):
        assert app.session is not None
        today = app.session.today
        if today == journey_date(day):
            return
        await pilot.press(
            "right_square_bracket" if today < journey_date(day) else "left_square_bracket"
        )
        await settle(pilot)
    raise AssertionError(f"journey day {day} is not a milestone")


def bluesoft_rows(app: RenubuApp) -> dict[str, str | None]:
    rows = app.query_one(QueuePane).rows
    return {r.workflow_type: r.stage for r in rows if r.customer_name == "Bluesoft Corporation"}


async def registry(app: RenubuApp) -> WorkflowRegistry:
    assert app.session is not None
    services = app.session.services
    return WorkflowRegistry(services.db, clock=services.clock)


async def second_version(app: RenubuApp) -> None:
    """The tenant's clone of SLUG with a changed name and first step title: v1 and v2."""
    assert app.session is not None
    reg, tenant = await registry(app), app.session.tenant_id
    loaded = await reg.clone(tenant, SLUG, DEMO_USER)
    config = copy.deepcopy(loaded.raw_config)
    config["name"] = "Risk mitigation (Acme)"
    await reg.save(tenant, SLUG, config, expected_version=1, actor=DEMO_USER, note="renamed")


async def open_admin(pilot: Pilot[Any], slug: str = SLUG) -> WorkflowAdminScreen:
    await pilot.press("W")
    await settle(pilot, rounds=1)
    screen = pilot.app.screen
    assert isinstance(screen, WorkflowAdminScreen)
    listing = screen.query_one("#admin-workflows", OptionList)
    listing.highlighted = [s.slug for s in screen.workflows].index(slug)
    await settle(pilot, rounds=1)
    return screen


# --- time travel --------------------------------------------------------------------------------


def test_journey_dates() -> None:
    assert journey_date(105) == TEST_TODAY
    assert journey_date(120) == dt.date(2025, 10, 9)
    assert journey_date(0) == dt.date(2025, 6, 11)


async def test_bracket_moves_the_clock(app_factory: AppFactory) -> None:
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session is not None and app.session.today == TEST_TODAY
        await goto(pilot, 115)
        assert app.session.today == journey_date(115)
        assert app.query_one(TimelineStrip).today == journey_date(115)
        await pilot.press("left_curly_bracket")
        await settle(pilot)
        assert app.session.today == journey_date(114)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.session.today == journey_date(110)  # the milestone before


async def test_queue_follows_the_date(app_factory: AppFactory) -> None:
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert bluesoft_rows(app)["renewal"] == "Critical"
        assert "war room" in screen_text(app).lower()
        await goto(pilot, 115)
        assert bluesoft_rows(app)["renewal"] == "Emergency"
        await goto(pilot, 120)
        # renewed on D: the next renewal is a year out, every row of Bluesoft says Monitor
        assert set(bluesoft_rows(app).values()) == {"Monitor"}
        assert "198,000" in screen_text(app)
        assert "365 days until renewal" in screen_text(app)


async def test_time_travel_under_the_admin_screen(app_factory: AppFactory) -> None:
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("W")
        await settle(pilot, rounds=1)
        await goto(pilot, 115)
        await pilot.press("escape")
        await settle(pilot)
        assert app.session is not None and app.session.today == journey_date(115)
        assert bluesoft_rows(app)["renewal"] == "Emergency"


async def bluesoft_executions(app: RenubuApp) -> dict[str, tuple[str, str | None]]:
    """Bluesoft's executions in the database: workflow slug → (status, current step)."""
    from sqlalchemy import select

    from renubu_tui.data.models import Customer, Workflow, WorkflowExecution

    assert app.session is not None
    async with app.session.services.db.sessions() as session:
        rows = await session.execute(
            select(Workflow.slug, WorkflowExecution.status, WorkflowExecution.current_step_id)
            .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
            .join(Customer, Customer.id == WorkflowExecution.customer_id)
            .where(Customer.domain == "bluesoft.com")
        )
        # the journey's last two workflows (the earlier stages' are closed by D−15)
        return {
            slug: (status, step) for slug, status, step in rows if slug in ("critical", "emergency")
        }


def strip_text(app: RenubuApp) -> str:
    return app.query_one(TimelineStrip).render_strip().plain


async def test_acting_at_d_minus_15_takes_the_wheel(app_factory: AppFactory) -> None:
    """At D−15 the Critical workflow is live: completing its step writes the rows a CSM's
    completion writes; the demo has then left the script (header and strip say so), `]` only
    moves the clock, and R goes back onto the script at the day shown."""
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await bluesoft_executions(app) == {
            "critical": ("in_progress", "emergency-resolution")
        }
        assert "Emergency resolution" in screen_text(app)
        await pilot.press("c")
        await settle(pilot)
        # the step done, the condition-only step skipped, the last one open
        assert await bluesoft_executions(app) == {
            "critical": ("in_progress", "completion-confirmation")
        }
        assert "off the script" in app.sub_title
        assert "you have the wheel" in strip_text(app)
        await goto(pilot, 115)
        assert app.session is not None and app.session.today == journey_date(115)
        # off the script: nothing scripted happened on the way (no Emergency workflow)
        assert await bluesoft_executions(app) == {
            "critical": ("in_progress", "completion-confirmation")
        }
        await pilot.press("R")
        await settle(pilot)
        assert app.session.today == journey_date(115)
        assert await bluesoft_executions(app) == {
            "critical": ("completed", None),
            "emergency": ("in_progress", "mandatory-team-escalation"),
        }
        assert "off the script" not in app.sub_title
        assert "you have the wheel" not in strip_text(app)


async def test_the_selected_customer_stays_when_the_day_changes(app_factory: AppFactory) -> None:
    from renubu_tui.tui.widgets.step_pane import StepPane

    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.query_one(QueuePane)
        kestrel = next(r for r in queue.rows if r.customer_name == "Kestrel Networks")
        queue.announce(kestrel.customer_id)
        await settle(pilot)
        for key in ("right_square_bracket", "left_square_bracket", "right_curly_bracket"):
            await pilot.press(key)
            await settle(pilot)
            assert app.query_one(StepPane).customer_id == kestrel.customer_id
            current = queue.current
            assert current is not None and current.customer_name == "Kestrel Networks"


async def test_the_selected_row_keeps_its_workflow_type(app_factory: AppFactory) -> None:
    """On Bluesoft's renewal row, a move to another day stays on its renewal row, not on
    whichever of Bluesoft's rows comes first that day (its opportunity, on renewal day)."""
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.query_one(QueuePane)
        index = next(
            i
            for i, r in enumerate(queue.rows)
            if r.customer_name == "Bluesoft Corporation" and r.workflow_type == "renewal"
        )
        queue.table.move_cursor(row=index, animate=False)
        await settle(pilot)
        for day in (110, 115, 120):
            await goto(pilot, day)
            current = queue.current
            assert current is not None
            assert (current.customer_name, current.workflow_type) == (
                "Bluesoft Corporation",
                "renewal",
            )


async def test_play_walks_the_milestones_until_a_key(app_factory: AppFactory) -> None:
    app = demo_app(app_factory)
    app.demo_autoplay, app.demo_pace = True, 0.05
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: app.session is not None and app.session.today == journey_date(120)
        )
        await until(pilot, lambda: "the journey has ended" in strip_text(app))
        assert await bluesoft_executions(app) == {
            "critical": ("completed", None),
            "emergency": ("completed", None),
        }
    app = demo_app(app_factory)
    app.demo_autoplay, app.demo_pace = True, 0.6
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None and app.session.today > TEST_TODAY)
        await pilot.press("x")  # any key: it takes the wheel and does nothing else
        day = app.session.today if app.session else None
        await pilot.pause(1.5)
        assert app.session is not None and app.session.today == day
        assert day is not None and day < journey_date(120)


async def test_time_travel_is_off_outside_the_demo(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot, rounds=1)
        assert app.session is not None and app.session.today == TEST_TODAY
        assert not app.query(TimelineStrip)


# --- workflow admin -----------------------------------------------------------------------------


async def test_admin_clone_creates_the_tenant_copy(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_admin(pilot)
        assert next(s for s in screen.workflows if s.slug == SLUG).is_core
        await pilot.press("c")
        await settle(pilot)
        summary = next(s for s in screen.workflows if s.slug == SLUG)
        assert not summary.is_core and summary.overrides_core
        assert app.session is not None
        listed = await (await registry(app)).list(app.session.tenant_id)
        assert not next(s for s in listed if s.slug == SLUG).is_core


async def test_admin_rollback_creates_a_new_version(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await second_version(app)
        screen = await open_admin(pilot)
        versions = screen.query_one("#admin-versions", OptionList)
        versions.focus()
        versions.highlighted = 1  # newest first: v2, v1
        await settle(pilot, rounds=1)
        assert screen.version_number == 1
        await pilot.press("r")
        await settle(pilot, rounds=1)
        await pilot.press("y")
        await settle(pilot)
        assert app.session is not None
        history = await (await registry(app)).versions(app.session.tenant_id, SLUG)
        assert [v.number for v in history] == [1, 2, 3]
        current = await (await registry(app)).get(app.session.tenant_id, SLUG)
        assert current.version_number == 3
        assert current.raw_config["name"] == "Risk mitigation"  # v3 is v1 again


async def test_admin_refuses_to_roll_back_a_core_workflow(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_admin(pilot)
        await pilot.press("r")
        await settle(pilot, rounds=1)
        assert app.screen is screen  # no confirmation: core workflows are read-only


def test_diff_text_is_plain() -> None:
    text = diff_text("--- a\n+++ b\n@@ -1 +1 @@\n-[red]x\n+[bold]y")
    assert text.plain.splitlines()[-1] == "+[bold]y"
    assert diff_text("").plain == "The two versions are the same."


# --- snapshots ----------------------------------------------------------------------------------


def walk_to(day: int) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await goto(pilot, day)

    return run


def walk(*keys: str) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_demo_day_105(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(demo_app(app_factory), terminal_size=SIZE, run_before=walk())


def test_demo_day_75(app_factory: AppFactory, snap_compare: Any) -> None:
    """Terms agreed: the Finalize workflow is live, with the assistant's answer on its step."""
    app = demo_app(app_factory)
    assert snap_compare(app, terminal_size=SIZE, run_before=walk_to(75))


def test_demo_day_115(app_factory: AppFactory, snap_compare: Any) -> None:
    app = demo_app(app_factory)
    assert snap_compare(app, terminal_size=SIZE, run_before=walk_to(115))


def test_demo_day_120(app_factory: AppFactory, snap_compare: Any) -> None:
    app = demo_app(app_factory)
    assert snap_compare(app, terminal_size=SIZE, run_before=walk_to(120))


def test_workflow_diff_view(app_factory: AppFactory, snap_compare: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await second_version(pilot.app)  # type: ignore[arg-type]
        await open_admin(pilot)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)


async def test_a_move_that_fails_says_so_in_one_line(
    app_factory: AppFactory, monkeypatch: Any
) -> None:
    """A database that will not take the move (another writer holds it): the day stays, the
    strip and a notification say why, and the app goes on."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from renubu_tui.services.demo.store import DemoStore

    async def locked(*_: Any, **__: Any) -> Any:
        raise OperationalError(
            "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
        )

    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(DemoStore, "move", locked)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.session is not None and app.session.today == TEST_TODAY
        assert f"could not move to {journey_date(110)}" in strip_text(app)
        said = [n.message for n in app._notifications]
        assert any("the database is busy" in m for m in said), said
