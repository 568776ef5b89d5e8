"""A new day's queue: `python bench/new_day.py [--size 100000] [--days 3]`.

For each backend: a database with the demo and N synthetic customers (made once and kept with
--sqlite-file / --pg-schema, so a second run skips the minutes of seeding), then
- a full build of the first day (what every day cost before issue 16 §2),
- the next --days days, each built from the day before (`QueueService.build`),
- one CSM's rows of the day after, scored on the spot without the materialization
  (`QueueService.preview`: what the app shows while a day builds), and that CSM's first page
  once the day is built.
"ready" is until the day's commit (readable by everyone); "total" adds forgetting the oldest
kept day. CPU is this process's (SQLite works in it; PostgreSQL's work is the server's).
PostgreSQL uses RENUBU_BENCH_PG_URL (default: the local `test` database).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is next to this file: keep it from shadowing the standard library's `queue`
# module, which asyncio drivers import.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse
import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
import uuid
from typing import Any

from sqlalchemy import func, select, text

from renubu_tui.data.engine import Database, create_database
from renubu_tui.data.migrate import upgrade
from renubu_tui.data.models import Customer, User
from renubu_tui.data.seed.ids import key_id
from renubu_tui.data.seed.synthetic import seed_synthetic
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.demo.seeding import seed_everything
from renubu_tui.services.queue.service import QueueFilters, QueueService

TODAY = dt.date(2026, 1, 15)
TENANT = key_id("tenant", "acme-cs")
PG_URL = os.environ.get("RENUBU_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
CSM = "csm00000@synthetic.renubu.test"


async def prepare(db: Database, size: int) -> None:
    """Migrate, seed the demo and the synthetic customers, unless a kept database has them."""
    await upgrade(db)
    async with db.sessions() as s:
        have = await s.scalar(
            select(func.count()).select_from(Customer).where(Customer.is_synthetic.is_(True))
        )
    if not have:
        await seed_everything(db, today=TODAY)
    if (have or 0) < size:
        await seed_synthetic(db, size - (have or 0), tenant_slug="acme-cs", today=TODAY)
    if db.dialect != "sqlite":
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))


async def median_ms(fn: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def bench(db: Database, size: int, days: int, runs: int) -> dict[str, Any]:
    await prepare(db, size)
    queue = QueueService(db, ConfigService(db))
    async with db.sessions() as s:
        csm = await s.scalar(select(User.id).where(User.email == CSM))
    assert csm is not None
    cpu = time.process_time()
    full = await queue.build(TENANT, TODAY, full=True)
    full_cpu = time.process_time() - cpu
    steps = []
    for n in range(1, days + 1):
        cpu = time.process_time()
        result = await queue.build(TENANT, TODAY + dt.timedelta(days=n))
        assert result.from_day == TODAY + dt.timedelta(days=n - 1), result
        steps.append((result, time.process_time() - cpu))
    ahead = TODAY + dt.timedelta(days=days + 1)
    mine = QueueFilters(owner_id=csm)
    last = TODAY + dt.timedelta(days=days)
    return {
        "rows": full.rows,
        "full": full,
        "full_cpu": full_cpu,
        "steps": steps,
        "preview": await median_ms(lambda: queue.preview(TENANT, ahead, csm), runs),
        "page": await median_ms(lambda: queue.page(TENANT, last, mine, limit=50), runs),
    }


async def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = args.sqlite_file or Path(tmp) / "bench.sqlite3"
        db = create_database(f"sqlite+aiosqlite:///{path}")
        try:
            return await bench(db, args.size, args.days, args.runs)
        finally:
            await db.dispose()


async def run_postgres(args: argparse.Namespace) -> dict[str, Any]:
    schema = args.pg_schema or f"renubu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_database(PG_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    db = create_database(PG_URL, schema=schema)
    try:
        return await bench(db, args.size, args.days, args.runs)
    finally:
        await db.dispose()
        if not args.pg_schema:
            async with admin.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=3, help="new days built one after another")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=10, help="samples of the one-CSM timings")
    parser.add_argument("--sqlite-file", type=Path, help="keep (and reuse) the SQLite database")
    parser.add_argument("--pg-schema", help="keep (and reuse) this PostgreSQL schema")
    args = parser.parse_args()
    runners = {"sqlite": run_sqlite, "postgresql": run_postgres}
    print(
        f"{'backend':<10} {'N':>7} {'rows':>7} {'build':<24} {'ready s':>8} {'total s':>8} "
        f"{'CPU s':>6} {'re-scored':>9}"
    )
    for backend in args.backends.split(","):
        r = await runners[backend](args)
        full = r["full"]
        print(
            f"{backend:<10} {args.size:>7} {r['rows']:>7} {'full':<24} {full.seconds:>8.2f} "
            f"{full.total_seconds:>8.2f} {r['full_cpu']:>6.2f} {'all':>9}"
        )
        for result, cpu in r["steps"]:
            label = f"{result.day} from the day before"
            print(
                f"{'':<10} {'':>7} {result.rows:>7} {label:<24} {result.seconds:>8.2f} "
                f"{result.total_seconds:>8.2f} {cpu:>6.2f} {result.changed:>9}"
            )
        ready = statistics.median(result.seconds for result, _ in r["steps"])
        print(
            f"{'':<10} {'':>7} {'':>7} median new day ready {ready:.2f} s "
            f"(full {full.seconds:.2f} s); one CSM's rows before the build "
            f"{r['preview']:.0f} ms, their first page once built {r['page']:.0f} ms",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
