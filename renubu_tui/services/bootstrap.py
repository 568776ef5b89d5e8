"""Opening the database the settings name: create, migrate and seed the embedded one on first run.

Database failures become DatabaseError with one line a person can act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from renubu_tui.data.engine import (
    Database,
    DatabaseError,
    create_database,
    database_error,
    ensure_sqlite_folder,
)
from renubu_tui.data.migrate import ensure_current
from renubu_tui.settings import Settings, default_database_url


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """An engine for the settings' URL, disposed on exit; database problems say so in one line.

    Each problem says what it is (unreachable, busy, a conflict with another session); anything
    that is not the database's (a closed output pipe, a bug) passes through unchanged.
    """
    url = settings.database_url
    ensure_sqlite_folder(url, create=url == default_database_url())
    db = create_database(url)
    try:
        try:
            yield db
        except Exception as exc:
            problem = database_error(exc, url)
            if problem is None:
                raise
            raise problem from exc
    finally:
        await db.dispose()


async def prepare(db: Database, settings: Settings, today: dt.date) -> list[str]:
    """Bring the database to a usable state; returns what was done, for the log.

    SQLite (embedded, single user) is upgraded automatically and seeded when it is new; a
    PostgreSQL database that is behind raises with the command to run.
    """
    done: list[str] = []
    if await ensure_current(db, auto_upgrade=settings.is_sqlite):
        done.append("migrated")
    # No tenant yet, not "no schema yet": a first command that only migrated (`renubu db
    # upgrade`, or any command before this one) must not leave the embedded database empty.
    if settings.is_sqlite and settings.auto_seed and not await _has_tenant(db):
        from renubu_tui.services.demo.seeding import seed_everything

        await seed_everything(db, today=today)
        done.append("seeded")
    return done


async def _has_tenant(db: Database) -> bool:
    from sqlalchemy import select

    from renubu_tui.data.models import Tenant

    async with db.sessions() as session:
        return await session.scalar(select(Tenant.id).limit(1)) is not None


__all__ = ["DatabaseError", "open_database", "prepare"]
