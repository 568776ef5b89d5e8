"""Shared fixtures: databases on SQLite always, on PostgreSQL when RENUBU_TEST_DATABASE_URL is set.

Every data test takes `db` (migrated, empty), `seeded_db` (migrated and seeded with the demo data
at TEST_TODAY), `journey_db_at` (a factory: the demo seeded on another day of Bluesoft's journey,
anchored at TEST_TODAY) or `empty_db` (nothing at all), parametrized over the backends.
PostgreSQL tests run in a schema made for this test run and dropped afterwards. With
RENUBU_REQUIRE_PG=1 a skipped PostgreSQL test, or none at all, fails the run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from renubu_tui.data.engine import Database, create_database

TEST_TODAY = dt.date(2025, 9, 24)  # Bluesoft's D-15: Critical starts; the portfolio anchors here
JOURNEY_D = TEST_TODAY + dt.timedelta(days=15)  # Bluesoft's renewal day D in a seeded database
PG_URL = os.environ.get("RENUBU_TEST_DATABASE_URL", "").strip()
REQUIRE_PG = os.environ.get("RENUBU_REQUIRE_PG", "") == "1"
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def journey_day(offset: int) -> dt.date:
    """Journey day D+offset (D−15 is TEST_TODAY) in a database anchored at TEST_TODAY."""
    return JOURNEY_D + dt.timedelta(days=offset)


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_PG and not PG_URL:
        raise pytest.UsageError("RENUBU_REQUIRE_PG=1 but RENUBU_TEST_DATABASE_URL is not set")


_pg_ran = 0


def _on_pg(nodeid: str) -> bool:
    params = nodeid.partition("[")[2]
    return "postgresql" in params


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    expected_failure = hasattr(report, "wasxfail")  # an xfail ran and failed as declared
    if REQUIRE_PG and _on_pg(item.nodeid) and report.skipped and not expected_failure:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped while RENUBU_REQUIRE_PG=1: {report.longrepr}"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Counted where reports arrive: in the one process, or in pytest-xdist's controller."""
    if _on_pg(report.nodeid) and report.when == "call" and report.passed:
        global _pg_ran
        _pg_ran += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: its controller decides, over every worker's reports
    if REQUIRE_PG and _pg_ran == 0 and session.testscollected and exitstatus == 0:
        session.exitstatus = 1
        print("\nRENUBU_REQUIRE_PG=1 but no PostgreSQL test passed")


@pytest.fixture(autouse=True)
def _no_installed_clock() -> Iterator[None]:
    """A test's Services install its clock to date new rows; the next test starts without it."""
    from renubu_tui.clock import Clock

    yield
    Clock.uninstall()


@pytest.fixture(autouse=True)
def _no_shared_providers() -> Iterator[None]:
    """Providers are kept per configuration for the process; each test starts with none."""
    yield
    factory = sys.modules.get("renubu_tui.llm.factory")
    if factory is not None:
        factory.forget_shared_providers()


# --- no network -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to loopback only (the local PostgreSQL, test servers); anything else fails."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        remote = not (str(host).startswith("127.") or host in {"::1", "localhost"})
        if self.family in (socket.AF_INET, socket.AF_INET6) and remote:
            raise OSError(f"network access blocked in tests: {host}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


# --- PostgreSQL schema for this run ---------------------------------------------------------


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _exec(url: str, *statements: str) -> None:
    from sqlalchemy import text

    database = create_database(url)
    try:
        async with database.engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await database.dispose()


class PgSchemas:
    """Schemas made by this test run, all dropped at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    def new(self) -> str:
        name = f"renubu_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        _run(_exec(self.url, f'CREATE SCHEMA "{name}"'))
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        _run(_exec(self.url, f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.made.remove(name)

    def drop_all(self) -> None:
        for name in list(self.made):
            self.drop(name)


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[PgSchemas | None]:
    if not PG_URL:
        yield None
        return
    schemas = PgSchemas(PG_URL)
    yield schemas
    schemas.drop_all()


def pg_database(schema: str) -> Database:
    return create_database(PG_URL, schema=schema)


# --- templates built once per session --------------------------------------------------------


async def _migrate(database: Database, seed: bool | str) -> None:
    from renubu_tui.data.migrate import upgrade

    await upgrade(database)
    if seed:
        from renubu_tui.services.demo.seeding import seed_everything

        await seed_everything(database, today=TEST_TODAY)
    if seed == "ready":
        await _build_queues(database, TEST_TODAY)
    await database.dispose()


async def _build_queues(database: Database, today: dt.date) -> None:
    """Every tenant's queue of `today`, as an app started earlier that day left it (the "ready"
    template, for the app's tests: each opens the app, which would otherwise build it first)."""
    from sqlalchemy import select

    from renubu_tui.data.models import Tenant
    from renubu_tui.services.config.service import ConfigService
    from renubu_tui.services.queue.service import QueueService

    async with database.sessions() as session:
        tenants = list((await session.scalars(select(Tenant.id))).all())
    queue = QueueService(database, ConfigService(database))
    for tenant_id in tenants:
        await queue.ensure_fresh(tenant_id, today)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("templates")
    paths = {name: root / f"{name}.sqlite3" for name in ("migrated", "seeded", "ready")}
    for kind, path in paths.items():
        seed = {"migrated": False, "seeded": True, "ready": "ready"}[kind]
        _run(_migrate(create_database(f"sqlite+aiosqlite:///{path}"), seed=seed))
    return paths


@pytest.fixture(scope="session")
def pg_migrated_schema(pg_schemas: PgSchemas | None) -> str | None:
    if pg_schemas is None:
        return None
    schema = pg_schemas.new()
    _run(_migrate(pg_database(schema), seed=False))
    return schema


@pytest.fixture(scope="session")
def pg_seeded_schema(pg_schemas: PgSchemas | None) -> str | None:
    """The demo data seeded once per worker, copied into each test's schema (seeding takes
    seconds on PostgreSQL; a copy takes a fraction of one)."""
    if pg_schemas is None:
        return None
    schema = pg_schemas.new()
    _run(_migrate(pg_database(schema), seed=True))
    return schema


@pytest.fixture(scope="session")
def pg_journey_templates() -> dict[int, str]:
    """PostgreSQL schemas seeded at journey days, made when first asked for (offset: schema)."""
    return {}


async def _copy_rows(database: Database, source: str) -> None:
    """Make `database`'s schema hold exactly the rows of schema `source` (same migrations).

    Triggers and foreign-key checks are off while copying (`session_replication_role`): the
    source's rows already hold what its triggers wrote. Generated columns are recomputed and
    identity sequences moved past the copied ids."""
    from sqlalchemy import text

    from renubu_tui.data.models import Base

    tables = [t.name for t in Base.metadata.sorted_tables]
    async with database.engine.begin() as conn:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute(text(f"TRUNCATE {quoted} CASCADE"))
        columns = await conn.execute(
            text(
                "SELECT table_name, column_name, is_identity = 'YES' FROM "
                "information_schema.columns WHERE table_schema = :s AND is_generated = 'NEVER' "
                "ORDER BY table_name, ordinal_position"
            ),
            {"s": source},
        )
        by_table: dict[str, list[str]] = {}
        identities: list[tuple[str, str]] = []
        for table, column, identity in columns:
            by_table.setdefault(table, []).append(f'"{column}"')
            if identity:
                identities.append((table, column))
        for table in tables:
            names = ", ".join(by_table[table])
            await conn.execute(
                text(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{source}"."{table}"')
            )
        for table, column in identities:
            await conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                    f'coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'
                )
            )


@pytest.fixture(scope="session")
def sqlite_journey_templates() -> dict[int, Path]:
    """SQLite files seeded at journey days, made when first asked for (journey offset: path)."""
    return {}


async def _seed_journey(database: Database, offset: int) -> None:
    from renubu_tui.services.demo.seeding import seed_everything

    await seed_everything(database, today=journey_day(offset), anchor=TEST_TODAY)


async def _truncate_all(database: Database) -> None:
    from sqlalchemy import text

    from renubu_tui.data.models import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with database.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} CASCADE"))


async def _fresh(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_templates: dict[str, Path],
    pg_migrated_schema: str | None,
    kind: str,
    pg_seeded_schema: str | None = None,
) -> Database:
    if request.param == "sqlite":
        path = tmp_path / "renubu.sqlite3"
        shutil.copyfile(sqlite_templates[kind], path)
        return create_database(f"sqlite+aiosqlite:///{path}")
    assert pg_migrated_schema is not None
    database = pg_database(pg_migrated_schema)
    if kind == "seeded":
        assert pg_seeded_schema is not None
        await _copy_rows(database, pg_seeded_schema)
    else:
        await _truncate_all(database)
    return database


@pytest.fixture(params=BACKENDS)
async def db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_templates: dict[str, Path],
    pg_migrated_schema: str | None,
) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    database = await _fresh(request, tmp_path, sqlite_templates, pg_migrated_schema, "migrated")
    yield database
    await database.dispose()


@pytest.fixture(params=BACKENDS)
async def seeded_db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_templates: dict[str, Path],
    pg_migrated_schema: str | None,
    pg_seeded_schema: str | None,
) -> AsyncIterator[Database]:
    """A migrated database seeded with the demo data at TEST_TODAY."""
    database = await _fresh(
        request, tmp_path, sqlite_templates, pg_migrated_schema, "seeded", pg_seeded_schema
    )
    yield database
    await database.dispose()


@pytest.fixture(params=BACKENDS)
async def empty_db(
    request: pytest.FixtureRequest, tmp_path: Path, pg_schemas: PgSchemas | None
) -> AsyncIterator[Database]:
    """A database with no tables at all (a new file, or a new PostgreSQL schema)."""
    if request.param == "sqlite":
        database = create_database(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
        yield database
        await database.dispose()
        return
    assert pg_schemas is not None
    schema = await asyncio.to_thread(pg_schemas.new)
    database = pg_database(schema)
    yield database
    await database.dispose()
    await asyncio.to_thread(pg_schemas.drop, schema)


JourneyAt = Callable[[int], Awaitable[Database]]


@pytest.fixture(params=BACKENDS)
async def journey_db_at(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: dict[str, Path],
    sqlite_journey_templates: dict[int, Path],
    pg_schemas: PgSchemas | None,
    pg_migrated_schema: str | None,
    pg_journey_templates: dict[int, str],
) -> AsyncIterator[JourneyAt]:
    """`await journey_db_at(offset)`: a migrated database seeded on journey day D+offset (the
    portfolio anchored at TEST_TODAY, the script played up to that day), as a fresh install on
    that day would hold it. Each call gives a database of its own."""
    made: list[Database] = []
    extra_schemas: list[str] = []

    async def at(offset: int) -> Database:
        if request.param == "sqlite":
            template = sqlite_journey_templates.get(offset)
            if template is None:
                folder = tmp_path_factory.mktemp("journey")
                template = folder / f"d{offset:+d}.sqlite3"
                shutil.copyfile(sqlite_templates["migrated"], template)
                building = create_database(f"sqlite+aiosqlite:///{template}")
                try:
                    await _seed_journey(building, offset)
                finally:
                    await building.dispose()
                sqlite_journey_templates[offset] = template
            path = tmp_path / f"journey{len(made)}{offset:+d}.sqlite3"
            shutil.copyfile(template, path)
            database = create_database(f"sqlite+aiosqlite:///{path}")
        else:
            assert pg_schemas is not None and pg_migrated_schema is not None
            if not made:
                database = pg_database(pg_migrated_schema)
            else:
                schema = await asyncio.to_thread(pg_schemas.new)
                extra_schemas.append(schema)
                database = pg_database(schema)
                from renubu_tui.data.migrate import upgrade

                await upgrade(database)
            template_schema = pg_journey_templates.get(offset)
            if template_schema is None:
                template_schema = await asyncio.to_thread(pg_schemas.new)
                building = pg_database(template_schema)
                try:
                    from renubu_tui.data.migrate import upgrade

                    await upgrade(building)
                    await _seed_journey(building, offset)
                finally:
                    await building.dispose()
                pg_journey_templates[offset] = template_schema
            await _copy_rows(database, template_schema)
        made.append(database)
        return database

    yield at
    for database in made:
        await database.dispose()
    for schema in extra_schemas:
        await asyncio.to_thread(pg_schemas.drop, schema)  # type: ignore[union-attr]
