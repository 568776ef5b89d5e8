"""Queue and context benchmark: `python bench/queue.py [--sizes 1000,10000,100000]`.

For each size and backend it builds a fresh database (migrate, demo seed, N synthetic customers),
then times: the synthetic seed, the queue materialization for a day, the first page (top 50) for
everyone and for one CSM, the next page (keyset), a deep page, and building a customer context.
Prints medians and 95th percentiles (ms). PostgreSQL runs in a throwaway schema of
RENUBU_BENCH_PG_URL (default: the local `test` database); pass --backends sqlite to skip it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named queue.py (the issue asks for `python bench/queue.py`); keep it from
# shadowing the standard library's `queue` module, which asyncio drivers import.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select, text

from renubu_tui.data.engine import Database, create_database
from renubu_tui.data.migrate import upgrade
from renubu_tui.data.models import Customer, User
from renubu_tui.data.seed.ids import key_id
from renubu_tui.data.seed.synthetic import seed_synthetic
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.customers.context import build_context
from renubu_tui.services.demo.seeding import seed_everything
from renubu_tui.services.queue.service import QueueFilters, QueueService

TODAY = dt.date(2026, 1, 15)
TENANT = key_id("tenant", "acme-cs")
PG_URL = os.environ.get("RENUBU_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


async def bench_one(db: Database, size: int, runs: int) -> dict[str, Any]:
    await upgrade(db)
    await seed_everything(db, today=TODAY)
    start = time.perf_counter()
    await seed_synthetic(db, size, tenant_slug="acme-cs", today=TODAY)
    seed_s = time.perf_counter() - start
    queue = QueueService(db, ConfigService(db))
    start = time.perf_counter()
    rows = await queue.refresh(TENANT, TODAY)
    refresh_s = time.perf_counter() - start
    async with db.sessions() as s:
        csm = await s.scalar(select(User.id).where(User.email == "csm00000@synthetic.renubu.test"))
        ids = (await s.scalars(select(Customer.id).order_by(Customer.id).limit(2000))).all()
    everyone, one = QueueFilters(), QueueFilters(owner_id=csm)
    first = await queue.page(TENANT, TODAY, everyone, limit=50)
    page20 = first
    for _ in range(19):
        if page20.next_cursor is None:
            break
        page20 = await queue.page(TENANT, TODAY, everyone, limit=50, after=page20.next_cursor)
    rng = random.Random(7)
    result = {
        "size": size,
        "rows": rows,
        "seed_s": seed_s,
        "refresh_s": refresh_s,
        "first": await timed(lambda: queue.page(TENANT, TODAY, everyone, limit=50), runs),
        "first_csm": await timed(lambda: queue.page(TENANT, TODAY, one, limit=50), runs),
        "next": await timed(
            lambda: queue.page(TENANT, TODAY, everyone, limit=50, after=first.next_cursor), runs
        ),
        "page_20": await timed(
            lambda: queue.page(TENANT, TODAY, everyone, limit=50, after=page20.next_cursor), runs
        ),
        "context": await timed(
            lambda: build_context(db, "acme-cs", str(rng.choice(ids)), TODAY), runs
        ),
        # what an action on one customer costs the queue (its owners' rows rebuilt in place)
        "one_changed": await timed(lambda: queue.invalidate(TENANT, rng.choice(ids), TODAY), runs),
    }
    return result


async def run_sqlite(size: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            return await bench_one(db, size, runs)
        finally:
            await db.dispose()


async def run_postgres(size: int, runs: int) -> dict[str, Any]:
    schema = f"renubu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_database(PG_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = create_database(PG_URL, schema=schema)
    try:
        result = await bench_one(db, size, runs)
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
        return result
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def fmt(pair: tuple[float, float]) -> str:
    return f"{pair[0]:7.2f} / {pair[1]:7.2f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runners = {"sqlite": run_sqlite, "postgresql": run_postgres}
    print(
        f"{'backend':<10} {'N':>7} {'rows':>7} {'seed s':>7} {'build s':>7}   "
        f"{'first page':>17}   {'first, 1 CSM':>17}   {'next page':>17}   "
        f"{'page 20':>17}   {'context':>17}   {'1 customer changed':>18}"
    )
    print(f"{'':<42}" + "   median /     p95 ms" * 6)
    for backend in args.backends.split(","):
        for size in sizes:
            r = await runners[backend](size, args.runs)
            print(
                f"{backend:<10} {size:>7} {r['rows']:>7} {r['seed_s']:>7.1f} {r['refresh_s']:>7.2f}"
                f"   {fmt(r['first'])}   {fmt(r['first_csm'])}   {fmt(r['next'])}"
                f"   {fmt(r['page_20'])}   {fmt(r['context'])}   {fmt(r['one_changed'])}",
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
