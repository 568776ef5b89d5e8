"""Seeding as a person runs it: the book as known on today, then the journey up to today.

`data.seed` writes the shipped rows in one transaction (customer facts dated up to today); the
Bluesoft journey's scripted events up to today are then applied through the services
(services/demo/journey.py), so its executions, steps, actions, tasks, artifacts, chat and
notifications are what the engine itself writes, and nothing dated after today exists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from renubu_tui import clock as clock_module
from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.seed.demo import seed_all
from renubu_tui.data.seed.upsert import SeedReport
from renubu_tui.settings import Settings


async def seed_everything(
    db: Database,
    *,
    today: dt.date,
    root: Path | None = None,
    anchor: dt.date | None = None,
    settings: Settings | None = None,
) -> SeedReport:
    from renubu_tui.services.demo.journey import advance

    report = await seed_facts(db, today=today, root=root, anchor=anchor)
    progress = await advance(db, today, root=root, settings=settings)
    report.add("journey events", len(progress.applied), 0)
    return report


async def seed_facts(
    db: Database, *, today: dt.date, root: Path | None = None, anchor: dt.date | None = None
) -> SeedReport:
    """The shipped rows as known on `today` (idempotent), dated on `today`."""
    from renubu_tui.resources import seeds_dir

    root = root or seeds_dir()
    previous = clock_module._installed
    Clock(fixed=today, time_of_day=dt.time(7, 0)).install()  # seeded rows are dated today
    try:
        report = await seed_all(db, today=today, root=root, anchor=anchor)
    finally:
        if previous is not None:
            previous.install()
        else:
            Clock.uninstall()
    return report
