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

from renubu_tui.services.workflows import WorkflowRegistry
from renubu_tui.tui.app import RenubuApp
from renubu_tui.tui.features.demo import DEMO_USER, journey_date
from renubu_tui.tui.screens.admin import WorkflowAdminScreen, diff_text
from renubu_tui.tui.widgets.queue_pane import QueuePane
from renubu_tui.tui.widgets.timeline import TimelineStrip
from tests.conftest import TEST_TODAY
from tests.tui.conftest import AppFactory, screen_text, settle

SIZE = (160, 48)
SLUG = "risk-mitigation"  # a core workflow nothing in the queue depends on


def demo_app(app_factory: AppFactory) -> RenubuApp:
    app = app_factory(user=DEMO_USER)
    app.demo_mode = True
    return app


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
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.session.today == journey_date(115)
        assert app.query_one(TimelineStrip).today == journey_date(115)
        await pilot.press("left_curly_bracket")
        await settle(pilot)
        assert app.session.today == journey_date(114)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.session.today == journey_date(105)


async def test_queue_follows_the_date(app_factory: AppFactory) -> None:
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert bluesoft_rows(app)["renewal"] == "Critical"
        assert "war room" in screen_text(app).lower()
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert bluesoft_rows(app)["renewal"] == "Emergency"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "renewal" not in bluesoft_rows(app)
        assert "198,000" in screen_text(app)


async def test_time_travel_under_the_admin_screen(app_factory: AppFactory) -> None:
    app = demo_app(app_factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("W")
        await settle(pilot, rounds=1)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.session is not None and app.session.today == journey_date(115)
        assert bluesoft_rows(app)["renewal"] == "Emergency"


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


def walk(*keys: str) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_demo_day_105(app_factory: AppFactory, snap_compare: Any) -> None:
    assert snap_compare(demo_app(app_factory), terminal_size=SIZE, run_before=walk())


def test_demo_day_115(app_factory: AppFactory, snap_compare: Any) -> None:
    app = demo_app(app_factory)
    assert snap_compare(app, terminal_size=SIZE, run_before=walk("right_square_bracket"))


def test_demo_day_120(app_factory: AppFactory, snap_compare: Any) -> None:
    app = demo_app(app_factory)
    keys = ("right_square_bracket", "right_square_bracket")
    assert snap_compare(app, terminal_size=SIZE, run_before=walk(*keys))


def test_workflow_diff_view(app_factory: AppFactory, snap_compare: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await second_version(pilot.app)  # type: ignore[arg-type]
        await open_admin(pilot)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run)
