"""Seeding as a person runs it: the seed rows, then what the engine derives from them.

`data.seed` writes the shipped rows in one transaction; the Bluesoft journey's notifications are
then replayed through the workflows' own notification rules (idempotent), which needs the
services, so the two are joined here rather than in the data layer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from renubu_tui.data.engine import Database
from renubu_tui.data.seed.demo import seed_all
from renubu_tui.data.seed.upsert import SeedReport


async def seed_everything(db: Database, *, today: dt.date, root: Path | None = None) -> SeedReport:
    from renubu_tui.resources import seeds_dir
    from renubu_tui.services.journey import replay_journey

    root = root or seeds_dir()
    report = await seed_all(db, today=today, root=root)
    report.add("notifications (journey)", await replay_journey(db, root), 0)
    return report
