"""`services.customers.step_view`: what the step pane shows for a customer on a day (both backends).

The pane only draws this view, so what it holds is asserted here, without an app: a live step
with its chat, a day the record goes on after (history: nothing to chat on or choose), a day with
nothing open (what closed, what would start), and that reading writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import ChatThread, Customer
from renubu_tui.services.container import Services, build_services
from renubu_tui.services.customers.step_view import StepView, step_view
from renubu_tui.settings import Settings
from tests.conftest import TEST_TODAY, JourneyAt, journey_day

BLUESOFT = "Bluesoft Corporation"
MAYA = "maya.patel@acmecloud.com"


async def _services(db: Database, on: dt.date) -> Services:
    """The services as the app builds them for Maya, their clock fixed on `on`."""
    settings = Settings(database_url="sqlite+aiosqlite://", user=MAYA)
    return await build_services(db, settings, Clock(on))


async def _customer(db: Database, name: str) -> uuid.UUID:
    async with db.sessions() as session:
        found = await session.scalar(select(Customer.id).where(Customer.name == name))
    assert found is not None
    return found


async def _threads(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ChatThread)) or 0)


async def test_an_open_step_comes_with_its_prompt_branches_and_thread(seeded_db: Database) -> None:
    services = await _services(seeded_db, TEST_TODAY)
    bluesoft = await _customer(seeded_db, BLUESOFT)
    threads = await _threads(seeded_db)

    view = await step_view(services, bluesoft, TEST_TODAY)

    assert view.customer_id == bluesoft and view.customer_name == BLUESOFT
    assert view.execution is not None and view.execution.workflow_slug == "critical"
    assert view.history is None and view.can_chat
    assert view.prompt and view.prompt_error is None
    assert "{{" not in view.prompt  # rendered against the customer's context
    assert view.branches is not None and view.branches.execution_id == view.execution.id
    assert view.thread is not None  # Maya's note to Sarah Chen on this step
    assert view.explanation is not None and view.explanation.customer_name == BLUESOFT
    assert view.fits is None and view.fits_problem is None and view.closed is None
    assert await _threads(seeded_db) == threads  # reading opened no thread


async def test_the_view_is_frozen(seeded_db: Database) -> None:
    services = await _services(seeded_db, TEST_TODAY)
    view = await step_view(services, await _customer(seeded_db, BLUESOFT), TEST_TODAY)
    assert isinstance(view, StepView)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.prompt = "changed"  # type: ignore[misc]


async def test_a_day_the_record_goes_on_after_is_history(journey_db_at: JourneyAt) -> None:
    """On renewal day the record holds all of Critical; seen from D−15 it is history."""
    db = await journey_db_at(0)
    services = await _services(db, journey_day(0))
    bluesoft = await _customer(db, BLUESOFT)

    view = await step_view(services, bluesoft, journey_day(-15))

    assert view.execution is not None and view.execution.workflow_slug == "critical"
    assert view.history == (
        f"as of {journey_day(-15)} · history: the record goes on after this day (read only)"
    )
    assert view.prompt and view.prompt_error is None  # the step as it stood is still shown
    assert not view.can_chat  # its chat and branches are later than the day: not read
    assert view.branches is None and view.thread is None and view.earlier is None


async def test_nothing_open_says_what_closed_and_what_would_start(
    journey_db_at: JourneyAt,
) -> None:
    """Renewal day: the renewal is signed, and the next one is a year away."""
    db = await journey_db_at(0)
    day = journey_day(0)
    services = await _services(db, day)

    view = await step_view(services, await _customer(db, BLUESOFT), day)

    assert view.execution is None and view.history is None and not view.can_chat
    assert view.closed is not None and view.closed.completed_on == day
    assert view.fits == "Monitor account health (180+ days)" and view.fits_problem is None
    assert view.prompt == "" and view.branches is None


async def test_before_the_record_starts_the_view_says_what_comes_later(
    journey_db_at: JourneyAt,
) -> None:
    """A day before Bluesoft's first workflow: nothing open, and the record starts later."""
    db = await journey_db_at(0)
    services = await _services(db, journey_day(0))
    before = journey_day(-200)

    view = await step_view(services, await _customer(db, BLUESOFT), before)

    assert view.execution is None and view.closed is None
    assert view.history is not None
    assert view.history.startswith(f"as of {before} · history: ") and " starts on " in view.history
