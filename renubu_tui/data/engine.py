"""The one engine factory: SQLite through aiosqlite or PostgreSQL through asyncpg.

Engines are built on demand from a URL, never at import time. SQLite gets WAL (readers never wait
for the writer), foreign keys (off by default in SQLite) and a busy timeout (several processes on
one file wait instead of failing).
"""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
    from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 5000
PG_LOCK_TIMEOUT_MS = 5000  # a row another session holds: wait this long, then say so
PG_STATEMENT_TIMEOUT_MS = 120_000  # no statement runs longer (a 100 000-customer day build: ~8 s)
SQLITE_WAL_LIMIT_BYTES = 8 * 1024 * 1024  # the WAL is cut back to this after a checkpoint


class DatabaseError(RuntimeError):
    """A database problem stated in one line for a person (bad URL, unreachable server…)."""


class DatabaseBusy(DatabaseError):
    """Another session holds the lock a write needs: nothing is wrong, trying again works."""


class DatabaseConflict(DatabaseError):
    """A write lost a race with another session (a unique rule): said in what-happened words."""


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

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction, committed on success, rolled back on error.

        On SQLite it begins IMMEDIATE: the write lock is held from the first statement, so a
        check ("is the workflow still on this step?") and the write it guards cannot interleave
        with another writer's. SQLite has no row locks (FOR UPDATE is ignored); PostgreSQL keeps
        its row locks, taken by the services' FOR UPDATE reads.
        """
        async with self.sessions() as session, session.begin():
            if self.dialect == "sqlite":
                await session.connection(execution_options={IMMEDIATE: True})
            yield session

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


IMMEDIATE = "renubu_sqlite_immediate"
"""Execution option: this connection's transaction begins IMMEDIATE (Database.write)."""


def _sqlite_begin(conn: Connection) -> None:
    """Transactions are begun here, not by the driver: IMMEDIATE for a write, else deferred."""
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # the driver's own implicit BEGIN is off; _sqlite_begin emits the right one (SQLAlchemy's
    # documented recipe for aiosqlite transaction control)
    dbapi_connection.isolation_level = None
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
        file = sqlite_file(parsed)
        if file is not None and str(file) != parsed.database:
            parsed = parsed.set(database=str(file))  # `~` means the same to SQLite as to us
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        settings = {
            "application_name": "renubu",
            "lock_timeout": str(PG_LOCK_TIMEOUT_MS),
            "statement_timeout": str(PG_STATEMENT_TIMEOUT_MS),
            "idle_in_transaction_session_timeout": str(PG_STATEMENT_TIMEOUT_MS),
        }
        if schema:
            settings["search_path"] = schema
        kwargs["connect_args"] = {"server_settings": settings, "timeout": 10}
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions)


def sqlite_file(url: URL | str) -> Path | None:
    """The file of an SQLite URL with `~` expanded; None for memory databases and PostgreSQL."""
    parsed = parse_url(url) if isinstance(url, str) else url
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    return None if path.startswith("file:") else Path(path).expanduser()


def ensure_sqlite_folder(url: str, *, create: bool) -> None:
    """Make sure SQLite can create its file: the folder must be there.

    The default data folder (`create`) is made on first use. A folder in a path someone typed
    is not: a missing one is far more often a typo than a wish, so it is said in one line.
    """
    file = sqlite_file(url)
    if file is None or file.parent.is_dir():
        return
    folder = file.parent
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise DatabaseError(
                f"cannot create the folder {folder} for the database: {why}"
            ) from None
        return
    if folder.exists():
        raise DatabaseError(f"cannot create the database file {file}: {folder} is not a folder")
    raise DatabaseError(
        f"cannot create the database file {file}: the folder {folder} does not exist "
        "(create it, or choose another path)"
    )


BUSY_MESSAGE = (
    "the database is busy: another session is writing to it (waited "
    f"{SQLITE_BUSY_TIMEOUT_MS // 1000} s); nothing was changed, try again in a moment"
)

# PostgreSQL SQLSTATEs of a lock or a lost serialization race: retrying works.
_BUSY_STATES = frozenset({"40001", "40P01", "55P03"})
# SQLSTATE classes of a connection that could not be made or was lost.
_CONNECTION_STATES = ("08", "28", "3D", "53", "57P")
# SQLite result codes that mean the file itself cannot be used.
_SQLITE_CANNOT_OPEN = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_NOTADB", "SQLITE_CORRUPT")
_NETWORK_ERRNOS = frozenset(
    {
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,
        errno.ECONNREFUSED,
    }
)

# What another session did first, per table whose unique rule a write ran into.
_CONFLICTS = {
    "workflow_executions": "another session already started this workflow",
    "workflow_step_executions": "another session already moved this workflow step on",
    "workflow_versions": "another session saved a version of this workflow at the same time",
    "workflows": "a workflow with this id already exists",
    "workflow_chat_messages": "another session added to this chat at the same time",
    "config_entries": "another session changed this setting at the same time",
    "queue_items": "another session rebuilt the queue at the same time",
    "queue_state": "another session rebuilt the queue at the same time",
    "notification_sweeps": "another session swept these days at the same time",
    "notifications": "this notification was already sent",
    "users": "a user with this e-mail already exists",
    "customers": "a customer with this domain or slug already exists",
    "tenants": "a tenant with this slug already exists",
}


def database_error(exc: BaseException, url: str) -> DatabaseError | None:
    """What a failure met while using the database means for a person; None when it is not one.

    Only a connection that cannot be made (or was lost) says "cannot reach"; a write that lost a
    race says what the other session did; a lock says try again. A broken pipe is the reader of
    our output going away (`renubu queue | head`), not the database.
    """
    if isinstance(exc, DatabaseError | BrokenPipeError):
        return None
    from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError

    if isinstance(exc, DBAPIError):
        orig = exc.orig
        state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        code = str(getattr(orig, "sqlite_errorname", None) or "")
        detail = _first_line(orig if orig is not None else exc)
        if isinstance(exc, IntegrityError) or state.startswith("23"):
            if state == "23505" or code in {
                "SQLITE_CONSTRAINT_UNIQUE",
                "SQLITE_CONSTRAINT_PRIMARYKEY",
            }:
                return DatabaseConflict(_conflict(orig, detail))
            return DatabaseError(f"the database refused the change: {detail}")
        if state == "57014":
            seconds = PG_STATEMENT_TIMEOUT_MS // 1000
            return DatabaseError(
                f"the database took longer than {seconds} s and stopped; nothing was changed"
            )
        if state == "42501":  # a login's rights, or row-level security (another tenant's rows)
            return DatabaseError(f"the database login may not do this: {detail}")
        if state in _BUSY_STATES or code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return DatabaseBusy(BUSY_MESSAGE)
        if "database is locked" in detail or "database table is locked" in detail:
            return DatabaseBusy(BUSY_MESSAGE)
        lost = exc.connection_invalidated or isinstance(exc, InterfaceError)
        if lost or state.startswith(_CONNECTION_STATES) or code.startswith(_SQLITE_CANNOT_OPEN):
            return DatabaseError(describe_connection_error(exc, url))
        return DatabaseError(f"the database could not do this: {detail}")
    if isinstance(exc, ConnectionError | TimeoutError):
        return DatabaseError(describe_connection_error(exc, url))
    import socket

    if isinstance(exc, socket.gaierror | socket.herror):
        return DatabaseError(describe_connection_error(exc, url))
    if isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS and exc.filename is None:
        return DatabaseError(describe_connection_error(exc, url))
    return None


def _conflict(orig: BaseException | None, detail: str) -> str:
    """The sentence for a unique-rule conflict, from the table it happened in."""
    cause = getattr(orig, "__cause__", None)
    table = getattr(cause, "table_name", None)  # asyncpg
    if table is None and "constraint failed:" in detail:  # SQLite: "…failed: table.column, …"
        table = detail.split("constraint failed:", 1)[1].strip().split(".", 1)[0]
    what = _CONFLICTS.get(table or "")
    if what is None:
        thing = (table or "record").replace("_", " ")
        what = f"another session saved the same {thing} at the same time"
    return f"{what}; nothing was saved (run the command again to see where things stand)"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def describe_connection_error(exc: BaseException, url: str) -> str:
    """One line saying why the database could not be reached (an SQLite file: opened)."""
    detail = _first_line(getattr(exc, "orig", None) or exc)
    verb = "open" if url.startswith("sqlite") else "reach"
    return f"cannot {verb} the database {safe_url(url)}: {detail}"
