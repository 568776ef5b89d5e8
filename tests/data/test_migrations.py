"""The migrations build exactly the models' schema, from empty, on every backend."""

from __future__ import annotations

from renubu_tui.data.engine import Database
from renubu_tui.data.migrate import (
    HEAD_REVISION,
    current_revision,
    downgrade_to_base,
    ensure_current,
    script_head,
    upgrade,
)


async def _schema_diff(db: Database) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from renubu_tui.data.migrate import autogenerate_options
    from renubu_tui.data.models import Base

    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts=autogenerate_options()), Base.metadata
            )
        )


def test_head_constant_names_alembic_head() -> None:
    assert script_head() == HEAD_REVISION


async def test_upgrade_from_empty_builds_the_models_schema(empty_db: Database) -> None:
    assert await current_revision(empty_db) is None
    before, after = await upgrade(empty_db)
    assert (before, after) == (None, HEAD_REVISION)
    assert await _schema_diff(empty_db) == []


async def test_upgrade_is_idempotent_and_reset_recreates(empty_db: Database) -> None:
    await upgrade(empty_db)
    assert await upgrade(empty_db) == (HEAD_REVISION, HEAD_REVISION)
    await downgrade_to_base(empty_db)
    from sqlalchemy import inspect

    async with empty_db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    assert [t for t in tables if t != "alembic_version"] == []
    await upgrade(empty_db)
    assert await _schema_diff(empty_db) == []


async def test_behind_database_is_not_migrated_silently(empty_db: Database) -> None:
    import pytest

    from renubu_tui.data.engine import DatabaseError

    with pytest.raises(DatabaseError, match=r"run `renubu db upgrade`"):
        await ensure_current(empty_db, auto_upgrade=False)
    assert await current_revision(empty_db) is None
    assert await ensure_current(empty_db, auto_upgrade=True) is True
    assert await ensure_current(empty_db, auto_upgrade=False) is False


async def test_0002_backfills_name_keys_of_existing_customers(empty_db: Database) -> None:
    import uuid

    from sqlalchemy import text

    await upgrade(empty_db, "0001")
    tid, cid = uuid.uuid4(), uuid.uuid4()
    async with empty_db.engine.begin() as conn:
        hexed = empty_db.dialect == "sqlite"
        t, c = (tid.hex, cid.hex) if hexed else (tid, cid)
        await conn.execute(
            text("INSERT INTO tenants (id, slug, name) VALUES (:id, 't', 'T')"), {"id": t}
        )
        await conn.execute(
            text(
                "INSERT INTO customers (id, tenant_id, name, slug, domain, is_synthetic, "
                "updated_at) VALUES (:id, :t, 'Straße ÉCLAIR', 's', 's.test', false, "
                "CURRENT_TIMESTAMP)"
            ),
            {"id": c, "t": t},
        )
    await upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        key = await conn.scalar(text("SELECT name_key FROM customers"))
    assert key == "strasse éclair"
