"""`services.history.snapshot_history`, which feeds the sidebar's trend lines (on both backends).

Lives beside the TUI tests because the sidebar is its only reader so far.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer
from renubu_tui.services.customers.history import snapshot_history
from tests.conftest import TEST_TODAY, JourneyAt

D = dt.date(2025, 10, 9)  # Bluesoft's renewal day; TEST_TODAY is D−15


async def _bluesoft(db: Database) -> Customer:
    async with db.sessions() as session:
        found = await session.scalar(select(Customer).where(Customer.domain == "bluesoft.com"))
    assert found is not None
    return found


async def test_series_hold_what_was_known_on_today(seeded_db: Database) -> None:
    bluesoft = await _bluesoft(seeded_db)
    h = await snapshot_history(seeded_db, bluesoft.id, TEST_TODAY)
    offsets = [-120, -90, -60, -45, -30, -15]
    assert [p.date for p in h.scores] == [D + dt.timedelta(days=n) for n in offsets]
    assert [p.health for p in h.scores] == [72, 78, 68, 75, 74, 74]
    assert [p.risk for p in h.scores] == [28, 22, 35, 25, 26, 28]
    assert [p.opportunity for p in h.scores] == [60, 70, 65, 75, 78, 76]
    assert [p.arr for p in h.arr] == [165000, 180000]
    assert [p.active_users for p in h.usage] == [32, 35, 34, 36, 37, 38]
    assert [p.utilization for p in h.usage] == [80, 87.5, 85, 90, 92.5, 95]
    assert [p.nps for p in h.engagement] == [7, 8, 6, 8, 8, 7]
    assert [p.open_tickets for p in h.engagement] == [1, 0, 3, 0, 0, 1]


async def test_time_travel_and_limit(journey_db_at: JourneyAt) -> None:
    on_d = await journey_db_at(0)  # the record as a fresh install on renewal day holds it
    bluesoft = await _bluesoft(on_d)
    at_d = await snapshot_history(on_d, bluesoft.id, D)
    assert [p.health for p in at_d.scores][-2:] == [73, 85]
    assert [p.arr for p in at_d.arr] == [165000, 180000, 198000]
    last_two = await snapshot_history(on_d, bluesoft.id, D, limit=2)
    assert [p.health for p in last_two.scores] == [73, 85]
    before = await snapshot_history(on_d, bluesoft.id, D - dt.timedelta(days=400))
    assert before.scores == [] and before.usage == [] and before.engagement == []
    assert [p.arr for p in before.arr] == [150000]  # no financial record yet: the contract
