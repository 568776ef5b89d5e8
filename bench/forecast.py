"""The renewal forecast over a large book: `python bench/forecast.py [--size 100000]`.

A SQLite database with the demo and N synthetic customers (kept with --sqlite-file, so a second
run skips the seeding), then `ForecastService.forecast` for everyone's book and for one CSM's,
by month and by quarter — medians in seconds. Asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is next to this file: keep it from shadowing the standard library's `queue`
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time

from sqlalchemy import func, select

from renubu_tui.data.engine import create_database
from renubu_tui.data.migrate import upgrade
from renubu_tui.data.models import Customer, User
from renubu_tui.data.seed.ids import key_id
from renubu_tui.data.seed.synthetic import seed_synthetic
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.demo.seeding import seed_everything
from renubu_tui.services.forecast.service import ForecastService

TODAY = dt.date(2026, 1, 15)
TENANT = key_id("tenant", "acme-cs")
CSM = "csm00000@synthetic.renubu.test"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite-file", type=Path, help="keep (and reuse) the database")
    args = parser.parse_args()
    path = args.sqlite_file or Path(tempfile.mkdtemp()) / "forecast.sqlite3"
    db = create_database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    async with db.sessions() as s:
        have = await s.scalar(
            select(func.count()).select_from(Customer).where(Customer.is_synthetic.is_(True))
        )
    if not have:
        await seed_everything(db, today=TODAY)
    if (have or 0) < args.size:
        await seed_synthetic(db, args.size - (have or 0), tenant_slug="acme-cs", today=TODAY)
    service = ForecastService(db, ConfigService(db))
    async with db.sessions() as s:
        csm = await s.scalar(select(User).where(User.email == CSM))
    print(f"{args.size:,} synthetic customers, SQLite, as of {TODAY}")
    for who, owner in (("everyone", None), ("one CSM", csm)):
        for by in ("month", "quarter"):
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                view = await service.forecast(TENANT, TODAY, by=by, owner=owner)
                times.append(time.perf_counter() - start)
            renewals = sum(len(p.items) for p in view.periods)
            print(
                f"  {who:<9} by {by:<8} {statistics.median(times):7.2f} s"
                f"  ({renewals:,} renewals ahead)"
            )
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
