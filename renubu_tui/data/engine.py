"""The one engine factory: SQLite through aiosqlite or PostgreSQL through asyncpg.

Engines are built on demand from a URL, never at import time. SQLite gets WAL (readers never wait
for the writer), foreign keys (off by default in SQLite) and a busy timeout (several processes on
one file wait instead of failing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_WAL_LIMIT_BYTES = 8 * 1024 * 1024  # the WAL is cut back to this after a checkpoint


class DatabaseError(RuntimeError):
    """A database problem stated in one line for a person (bad URL, unreachable server…)."""


@dataclass(frozen=True)
class Database:
    """An engine and its session factory, handed to repositories and services."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return safe_url(self.engine.url)

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def shrink_log(self) -> None:
        """After a bulk write on SQLite: checkpoint and cut the WAL back (best effort).

        A large WAL left behind (the app is often ended by closing its terminal, which skips
        SQLite's checkpoint on close) makes each later read-only open scan it: ~55 ms per
        130 MB, paid by the start-up peek. Busy readers just leave it for the next time.
        """
        if self.dialect != "sqlite":
            return
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def parse_url(url: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"invalid database URL {url!r}") from None
    if parsed.drivername not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
        raise DatabaseError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB"
        )
    return parsed


def safe_url(url: URL | str) -> str:
    parsed = parse_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A day's queue build at 100 000 customers writes ~130 MB of WAL; without a limit the file
    # keeps that size, and every read-only open (the app's start-up peek) then pays ~55 ms.
    cursor.execute(f"PRAGMA journal_size_limit={SQLITE_WAL_LIMIT_BYTES}")
    cursor.close()


def create_database(url: str, *, echo: bool = False, schema: str | None = None) -> Database:
    """Build the engine for a URL. `schema` (PostgreSQL) sets the search path, used by tests."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    parsed = parse_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        settings = {"application_name": "renubu"}
        if schema:
            settings["search_path"] = schema
        kwargs["connect_args"] = {"server_settings": settings, "timeout": 10}
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions)


def describe_connection_error(exc: BaseException, url: str) -> str:
    """One line saying why the database could not be reached."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = reason[0] if reason else type(exc).__name__
    return f"cannot reach the database {safe_url(url)}: {detail}"
