"""The Forecast screen (F): bars per period, the chosen period's customers, Enter opens one."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from renubu_tui.data.engine import create_database
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.customers.lookup import tenant_by_slug
from renubu_tui.tui.screens.forecast import ForecastScreen
from renubu_tui.tui.screens.main import MainScreen
from renubu_tui.tui.widgets.queue_pane import QueuePane
from tests.tui.conftest import AppFactory, screen_text, settle, until

WIDE = (160, 48)


async def test_f_opens_the_forecast_and_enter_opens_a_customer(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        text = screen_text(app)
        assert "Renewal forecast · maya.patel@acmecloud.com · as of 2025-09-24 · by month" in text
        assert screen.view is not None and len(screen.view.periods) == 12
        first = screen.view.periods[0]
        assert first.label == "2025-09" and first.items  # Bluesoft's month among them
        assert screen.items == list(first.items)
        await pilot.press("enter")  # the bar → its customers
        await settle(pilot)
        customers = screen.query_one("#forecast-customers", DataTable)
        assert customers.has_focus
        chosen = screen.items[0]
        await pilot.press("enter")  # the customer → the main screen, that customer selected
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        pane = app.query_one(QueuePane)
        assert pane.current is not None and pane.current.customer_id == chosen.customer_id


async def test_quarters_everyone_and_back(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        mine = screen.view
        await pilot.press("m", "o")
        await settle(pilot)
        assert screen.view is not None and mine is not None
        assert (screen.view.by, screen.view.owner) == ("quarter", None)
        assert len(screen.view.periods) == 4
        assert screen.view.up_for_renewal > mine.up_for_renewal
        assert "by quarter" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_the_palette_opens_the_forecast(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot, rounds=1)
        await pilot.press(*"forecast")
        await settle(pilot, rounds=1)
        assert "ARR up for renewal in the next 12 months" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ForecastScreen)


async def test_names_from_the_database_are_shown_as_typed(app_factory: AppFactory) -> None:
    """A customer name with markup in it is text, never Rich markup."""
    from sqlalchemy import update

    from renubu_tui.data.models import Customer

    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        session = app.session
        assert session is not None
        async with session.services.db.sessions() as db, db.begin():
            await db.execute(
                update(Customer)
                .where(Customer.name == "Fathom Robotics")
                .values(name="[red]Fathom[/red] Robotics")
            )
        await pilot.press("F")
        await settle(pilot)
        assert "[red]Fathom[/red] Robotics" in screen_text(app)


async def test_an_open_forecast_follows_a_change_made_elsewhere(
    db_path: Path, app_factory: AppFactory
) -> None:
    """Live updates: a team lead sets the likely weight from another terminal (`renubu config
    set`); Maya's open forecast weighs with it without a key pressed."""
    app = app_factory(live=True)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ForecastScreen) and screen.view is not None
        assert screen.view.model.likely == 0.9
        before = screen.view.weighted
        other = create_database(f"sqlite+aiosqlite:///{db_path}")
        try:
            config = ConfigService(other)
            async with other.sessions() as session:
                tenant = await tenant_by_slug(session, "acme-cs")
            await config.set(tenant.id, "thresholds.forecast.likely", 0.8, actor="t", actor_id=None)
        finally:
            await other.dispose()
        await until(pilot, lambda: screen.view is not None and screen.view.model.likely == 0.8)
        assert screen.view.weighted < before
