"""`services.demo.status.demo_day`: what the demo's timeline strip says of a day (both backends)."""

from __future__ import annotations

import datetime as dt

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.services.container import Services, build_services
from renubu_tui.services.demo.status import demo_day
from renubu_tui.settings import Settings
from tests.conftest import JourneyAt, journey_day

MAYA = "maya.patel@acmecloud.com"


async def _services(db: Database, on: dt.date) -> Services:
    settings = Settings(database_url="sqlite+aiosqlite://", user=MAYA)
    return await build_services(db, settings, Clock(on))


async def test_on_the_script_with_the_inbox_of_the_day(journey_db_at: JourneyAt) -> None:
    db = await journey_db_at(0)
    services = await _services(db, journey_day(0))
    inbox = await services.notifications.inbox(
        services.tenant.id, MAYA, unread_only=True, as_of=journey_day(-15)
    )

    day = await demo_day(services, journey_day(-15))

    assert day.scripted and day.on_script and day.ended is None
    assert day.unread == len(inbox)
    assert day.newest_unread == (inbox[0].title if inbox else None)


async def test_the_journey_ends_on_renewal_day(journey_db_at: JourneyAt) -> None:
    db = await journey_db_at(0)
    services = await _services(db, journey_day(0))
    day = await demo_day(services, journey_day(0))
    assert day.scripted and day.ended  # the last milestone's label


async def test_a_person_acting_takes_it_off_the_script(journey_db_at: JourneyAt) -> None:
    from renubu_tui.data.models import ActionExecution

    db = await journey_db_at(-15)
    services = await _services(db, journey_day(-15))
    async with db.write() as session:  # an action the script did not write
        session.add(
            ActionExecution(tenant_id=services.tenant.id, action_slug="log-call", success=True)
        )
    day = await demo_day(services, journey_day(-15))
    assert day.scripted and not day.on_script
