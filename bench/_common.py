"""What the benchmarks share: the day, the tenant, a throwaway database on either backend, the
demo plus N synthetic customers, and the median / p95 of timed calls.

Imported by the scripts next to it (`from _common import …`); each of them keeps this folder at
the end of sys.path, so that bench/queue.py cannot shadow the standard library's `queue`.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from renubu_tui.data.engine import Database, create_database
from renubu_tui.data.migrate import upgrade
from renubu_tui.data.models import Customer
from renubu_tui.data.seed.ids import key_id
from renubu_tui.data.seed.synthetic import seed_synthetic
from renubu_tui.services.customers.context import build_context
from renubu_tui.services.demo.seeding import seed_everything

TODAY = dt.date(2026, 1, 15)
TENANT_SLUG = "acme-cs"
TENANT = key_id("tenant", TENANT_SLUG)
PG_URL = os.environ.get("RENUBU_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def median_p95(samples: Sequence[float]) -> tuple[float, float]:
    """The median and the 95th percentile (nearest rank) of `samples`."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, float]:
    """Median and p95 in ms of `runs` awaited calls of `fn`."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return median_p95(samples)


@asynccontextmanager
async def sqlite_database(path: Path | None = None) -> AsyncIterator[Database]:
    """An SQLite database at `path`, or in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        db = create_database(f"sqlite+aiosqlite:///{path or Path(tmp) / 'bench.sqlite3'}")
        try:
            yield db
        finally:
            await db.dispose()


@asynccontextmanager
async def pg_schema() -> AsyncIterator[str]:
    """A throwaway schema of RENUBU_BENCH_PG_URL, dropped afterwards."""
    schema = f"renubu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_database(PG_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@asynccontextmanager
async def pg_database() -> AsyncIterator[Database]:
    """A database in a throwaway schema of RENUBU_BENCH_PG_URL."""
    async with pg_schema() as schema:
        db = create_database(PG_URL, schema=schema)
        try:
            yield db
        finally:
            await db.dispose()


async def seed(db: Database, size: int, today: dt.date = TODAY) -> float:
    """Migrate, seed the demo data and `size` synthetic customers; seconds the synthetic took."""
    await upgrade(db)
    await seed_everything(db, today=today)
    start = time.perf_counter()
    if size:
        await seed_synthetic(db, size, tenant_slug=TENANT_SLUG, today=today)
    return time.perf_counter() - start


async def context_build(db: Database, runs: int, today: dt.date = TODAY) -> tuple[float, float]:
    """Median and p95 (ms) of building the template context of a random customer (of the
    first 2000 by id)."""
    async with db.sessions() as s:
        ids = (await s.scalars(select(Customer.id).order_by(Customer.id).limit(2000))).all()
    rng = random.Random(7)
    return await timed(lambda: build_context(db, TENANT_SLUG, str(rng.choice(ids)), today), runs)
