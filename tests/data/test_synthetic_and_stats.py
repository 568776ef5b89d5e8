"""Scale data is deterministic and additive; counts agree across backends; SQLite is tuned."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from renubu_tui.data.engine import Database, create_database
from renubu_tui.data.models import Customer, User
from renubu_tui.data.seed.synthetic import seed_synthetic, synthetic_id
from renubu_tui.data.stats import table_counts
from tests.conftest import PG_URL, TEST_TODAY


async def test_synthetic_customers_are_deterministic_and_additive(seeded_db: Database) -> None:
    before = await table_counts(seeded_db)
    first = await seed_synthetic(seeded_db, 600, tenant_slug="acme-cs", today=TEST_TODAY)
    assert (first.customers, first.first_index, first.rows) == (600, 0, 3600)
    second = await seed_synthetic(seeded_db, 600, tenant_slug="acme-cs", today=TEST_TODAY)
    assert second.first_index == 600
    after = await table_counts(seeded_db)
    for table in ("customers", "contracts", "customer_intelligence", "customer_engagement"):
        assert after[table] - before[table] == 1200, table
    async with seeded_db.sessions() as s:
        c0 = await s.get(Customer, synthetic_id("customers", 0))
        c1199 = await s.get(Customer, synthetic_id("customers", 1199))
        csms = await s.scalar(
            select(func.count()).select_from(User).where(User.email.like("%@synthetic.renubu.test"))
        )
    assert c0 is not None and c0.name.endswith(" 000000") and c0.is_synthetic
    assert c1199 is not None and c1199.slug == "synthetic-001199"
    assert csms == 3  # one synthetic CSM per 400 customers


async def test_synthetic_needs_a_seeded_tenant(db: Database) -> None:
    with pytest.raises(LookupError, match="unknown tenant 'acme-cs'"):
        await seed_synthetic(db, 10, tenant_slug="acme-cs", today=TEST_TODAY)


async def test_stats_agree_on_sqlite_and_postgresql(
    sqlite_templates: dict[str, object], pg_schemas: object
) -> None:
    if not PG_URL:
        pytest.skip("needs RENUBU_TEST_DATABASE_URL")
    import asyncio

    from renubu_tui.data.migrate import upgrade
    from renubu_tui.services.demo.seeding import seed_everything
    from tests.conftest import pg_database

    sqlite = create_database(f"sqlite+aiosqlite:///{sqlite_templates['seeded']}")
    schema = await asyncio.to_thread(pg_schemas.new)  # type: ignore[attr-defined]
    pg = pg_database(schema)
    try:
        await upgrade(pg)
        # another "today": the counts must not depend on the day a database was seeded
        await seed_everything(pg, today=TEST_TODAY + dt.timedelta(days=100))
        assert await table_counts(pg) == await table_counts(sqlite)
    finally:
        await sqlite.dispose()
        await pg.dispose()


async def test_sqlite_connections_are_tuned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = create_database(f"sqlite+aiosqlite:///{tmp_path / 'tuned.sqlite3'}")
    try:
        async with database.engine.connect() as conn:
            assert (await conn.scalar(text("PRAGMA foreign_keys"))) == 1
            assert (await conn.scalar(text("PRAGMA journal_mode"))) == "wal"
            assert (await conn.scalar(text("PRAGMA busy_timeout"))) == 5000
    finally:
        await database.dispose()
