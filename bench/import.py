"""Import benchmark: `python bench/import.py [--rows 100000] [--runs 3] [--backends sqlite]`.

For each run: a fresh database (migrated, demo seeded), a generated Salesforce Accounts export
of N rows (clean: every row imports; owners by name and e-mail, `$1,234.00` money, ISO renewal
dates), then times `renubu import customers` through the service as the CLI calls it: reading
and checking every row, the bulk write in one transaction, and today's queue rebuilt for the
tenant (N customers more). Then the same file again (every row unchanged, nothing written).
Prints the median of the runs, in seconds. Target: 100 000 rows in ≤ 30 s on SQLite.
PostgreSQL runs in a throwaway schema of RENUBU_BENCH_PG_URL (default: the local `test`).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py, which would shadow the standard library's `queue` (aiosqlite imports
# it) while this folder is first on sys.path
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

from sqlalchemy import select, text

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database, create_database
from renubu_tui.data.migrate import upgrade
from renubu_tui.data.models import User
from renubu_tui.data.seed.crm_export import salesforce_accounts
from renubu_tui.services.container import build_services
from renubu_tui.services.demo.seeding import seed_everything
from renubu_tui.settings import Settings

TODAY = dt.date(2025, 9, 24)
PG_URL = os.environ.get("RENUBU_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def one_run(db: Database, rows: int, folder: Path) -> dict[str, Any]:
    await upgrade(db)
    await seed_everything(db, today=TODAY)
    async with db.sessions() as s:
        owners = [(n, e) for n, e in (await s.execute(select(User.name, User.email))).all()]
    export = salesforce_accounts(rows, owners, messy=False)
    path = folder / "accounts.csv"
    path.write_text(export.text, encoding="utf-8")
    services = await build_services(
        db, Settings(database_url="sqlite+aiosqlite://", user="maya.patel@acmecloud.com"),
        Clock(TODAY),
    )  # fmt: skip
    importer = services.importer()
    start = time.perf_counter()
    checked = await importer.run("customers", path, dry_run=True)
    dry_s = time.perf_counter() - start
    start = time.perf_counter()
    written = await importer.run("customers", path, rebuild=False)
    write_s = time.perf_counter() - start
    start = time.perf_counter()
    queue_rows = await services.queue.refresh(services.tenant.id, TODAY)
    queue_s = time.perf_counter() - start
    start = time.perf_counter()
    again = await importer.run("customers", path)
    again_s = time.perf_counter() - start
    assert checked.inserted == written.inserted == rows and not written.refused
    assert again.unchanged == rows and again.inserted == again.updated == 0
    return {
        "dry run": dry_s,
        "import (check + write)": write_s,
        "queue rebuilt": queue_s,
        "import + queue": write_s + queue_s,
        "same file again": again_s,
        "queue rows": queue_rows,
    }


async def run_sqlite(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            return await one_run(db, rows, Path(tmp))
        finally:
            await db.dispose()


async def run_postgres(rows: int) -> dict[str, Any]:
    schema = f"renubu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_database(PG_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = create_database(PG_URL, schema=schema)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return await one_run(db, rows, Path(tmp))
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args()
    runners = {"sqlite": run_sqlite, "postgresql": run_postgres}
    for backend in args.backends.split(","):
        results = [await runners[backend](args.rows) for _ in range(args.runs)]
        print(f"\n{backend}: {args.rows:,} Salesforce account rows, median of {args.runs} runs")
        print(f"{'step':<24}{'seconds':>10}")
        for name in results[0]:
            if name == "queue rows":
                continue
            value = statistics.median(r[name] for r in results)
            print(f"{name:<24}{value:>10.2f}")
        print(f"{'queue rows today':<24}{results[0]['queue rows']:>10,}")


if __name__ == "__main__":
    asyncio.run(main())
