"""Opening the database the settings name: create, migrate and seed the embedded one on first run.

Connection failures become DatabaseError with one line a person can act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from renubu_tui.data.engine import (
    Database,
    DatabaseError,
    create_database,
    describe_connection_error,
)
from renubu_tui.data.migrate import current_revision, ensure_current
from renubu_tui.settings import Settings


def _connection_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    return (OSError, TimeoutError, OperationalError, InterfaceError, DBAPIError)


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """An engine for the settings' URL, disposed on exit; connection problems say so in one line."""
    db = create_database(settings.database_url)
    try:
        try:
            yield db
        except _connection_errors() as exc:
            raise DatabaseError(describe_connection_error(exc, settings.database_url)) from exc
    finally:
        await db.dispose()


async def prepare(db: Database, settings: Settings, today: dt.date) -> list[str]:
    """Bring the database to a usable state; returns what was done, for the log.

    SQLite (embedded, single user) is upgraded automatically and seeded when it is new; a
    PostgreSQL database that is behind raises with the command to run.
    """
    done: list[str] = []
    was_empty = await current_revision(db) is None
    if await ensure_current(db, auto_upgrade=settings.is_sqlite):
        done.append("migrated")
    if was_empty and settings.is_sqlite and settings.auto_seed:
        from renubu_tui.services.seeding import seed_everything

        await seed_everything(db, today=today)
        done.append("seeded")
    return done


__all__ = ["DatabaseError", "open_database", "prepare"]
