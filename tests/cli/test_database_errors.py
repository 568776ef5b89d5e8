"""Which sentence a database failure becomes, on SQLite and on PostgreSQL alike.

Only a connection that cannot be made says "cannot reach"; a write that lost a race says what
the other session did; a lock says try again; a closed output pipe is not the database's at all.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text

from renubu_tui.data.engine import (
    BUSY_MESSAGE,
    Database,
    DatabaseBusy,
    DatabaseConflict,
    database_error,
)


async def _failure(db: Database, *statements: str) -> BaseException:
    try:
        async with db.engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    except Exception as exc:
        return exc
    raise AssertionError("no failure")


async def test_a_unique_conflict_says_what_the_other_session_did(db: Database) -> None:
    def insert() -> str:
        new_id = uuid.uuid4().hex if db.dialect == "sqlite" else str(uuid.uuid4())
        return f"INSERT INTO tenants (id, slug, name) VALUES ('{new_id}', 'same', 'A')"

    exc = await _failure(db, insert(), insert())  # the second session's tenant, same slug
    problem = database_error(exc, str(db.engine.url))
    assert isinstance(problem, DatabaseConflict)
    assert str(problem).startswith("a tenant with this slug already exists; nothing was saved")


async def test_a_lock_held_by_another_session_is_busy(db: Database) -> None:
    if db.dialect == "sqlite":
        # each connection's transaction is begun by the engine; the first write takes the lock
        take = ["PRAGMA busy_timeout=0", "UPDATE tenants SET name = name"]
        wait = ["PRAGMA busy_timeout=0", "UPDATE tenants SET name = name"]
    else:
        take = ["BEGIN", "LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE"]
        wait = ["LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE NOWAIT"]
    problem = None
    async with db.engine.connect() as holder, db.engine.connect() as other:
        for statement in take:
            await holder.exec_driver_sql(statement)
        try:
            for statement in wait:
                await other.exec_driver_sql(statement)
        except Exception as exc:
            problem = database_error(exc, str(db.engine.url))
        finally:
            await holder.exec_driver_sql("ROLLBACK")
    assert isinstance(problem, DatabaseBusy)
    assert str(problem) == BUSY_MESSAGE


def test_what_is_not_the_database_passes_through() -> None:
    url = "sqlite+aiosqlite:////tmp/x.sqlite3"
    assert database_error(BrokenPipeError(32, "Broken pipe"), url) is None
    assert database_error(PermissionError(13, "Permission denied", "/out/x.md"), url) is None
    assert database_error(ValueError("bad"), url) is None


def test_a_refused_connection_cannot_be_reached() -> None:
    url = "postgresql+asyncpg://renubu@127.0.0.1:9/renubu"
    problem = database_error(ConnectionRefusedError(111, "Connect call failed"), url)
    assert problem is not None and str(problem).startswith(f"cannot reach the database {url}: ")
