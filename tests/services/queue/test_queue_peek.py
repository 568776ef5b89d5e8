"""The stored first page read with sqlite3: the same rows as the queue service, or nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from renubu_tui.cli.fast_path import app_flags
from renubu_tui.data.engine import create_database
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.queue.peek import peek_first_page
from renubu_tui.services.queue.service import QueueFilters, QueueService
from renubu_tui.settings import Settings
from tests.conftest import TEST_TODAY
from tests.services.queue.test_queue_service import MAYA, TENANT


@pytest.fixture
def db_file(tmp_path: Path, sqlite_templates: dict[str, Path]) -> Path:
    path = tmp_path / "peek.sqlite3"
    shutil.copyfile(sqlite_templates["seeded"], path)
    return path


def _settings(path: Path, **values: object) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{path}", tenant="acme-cs", **values)  # type: ignore[arg-type]


async def _service_page(path: Path, limit: int):  # type: ignore[no-untyped-def]
    db = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        queue = QueueService(db, ConfigService(db))
        filters = QueueFilters(owner_id=MAYA)
        page = await queue.page(TENANT, TEST_TODAY, filters, limit=limit)
        counts = await queue.counts(TENANT, TEST_TODAY, MAYA, mine=True)
        return page, counts
    finally:
        await db.dispose()


@pytest.mark.parametrize("limit", [5, 100])
async def test_same_rows_cursor_and_counts_as_the_service(db_file: Path, limit: int) -> None:
    page, counts = await _service_page(db_file, limit)  # builds the day's materialization
    peek = peek_first_page(_settings(db_file), TEST_TODAY, limit)
    assert peek is not None
    assert peek.rows == page.rows
    assert peek.next_cursor == page.next_cursor
    assert peek.counts == counts
    assert (peek.user_id, peek.tenant_id, peek.user_name) == (MAYA, TENANT, "Maya Patel")
    assert peek.rows[0].breakdown.formula_line  # explained, as the One Thing card shows it


async def test_nothing_when_the_day_is_not_built(db_file: Path) -> None:
    await _service_page(db_file, 5)
    assert peek_first_page(_settings(db_file), TEST_TODAY.replace(day=25), 5) is None


async def test_nothing_when_the_configuration_changed_since_the_build(db_file: Path) -> None:
    await _service_page(db_file, 5)
    with sqlite3.connect(db_file) as conn:
        conn.execute(
            "UPDATE config_entries SET value = json_set(value, '$.renewalMaxDaysOverdue', 45) "
            "WHERE key = 'thresholds'"
        )
    assert peek_first_page(_settings(db_file), TEST_TODAY, 5) is None


async def test_nothing_for_unknown_user_or_tenant_or_old_schema(db_file: Path) -> None:
    await _service_page(db_file, 5)
    assert peek_first_page(_settings(db_file, user="nobody@example.com"), TEST_TODAY, 5) is None
    other = Settings(database_url=f"sqlite+aiosqlite:///{db_file}", tenant="no-such-tenant")
    assert peek_first_page(other, TEST_TODAY, 5) is None
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0003'")
    assert peek_first_page(_settings(db_file), TEST_TODAY, 5) is None


def test_never_creates_or_breaks_on_a_missing_or_foreign_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.sqlite3"
    assert peek_first_page(_settings(missing), TEST_TODAY, 5) is None
    assert not missing.exists()
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    assert peek_first_page(_settings(junk), TEST_TODAY, 5) is None
    pg = Settings(database_url="postgresql+asyncpg://u@127.0.0.1/x", tenant="acme-cs")
    assert peek_first_page(pg, TEST_TODAY, 5) is None


@pytest.mark.parametrize(
    ("args", "flags"),
    [
        ([], {}),
        (["--as-of", "2025-09-24"], {"today": "2025-09-24"}),
        (["--tenant=acme-cs", "--user", "a@b.c"], {"tenant": "acme-cs", "user": "a@b.c"}),
        (["queue"], None),
        (["--as-of", "2025-09-24", "demo"], None),
        (["--help"], None),
        (["--version"], None),
        (["--as-of"], None),  # missing value: click says so
        (["--as-of", "--tenant", "x"], None),
    ],
)
def test_plain_renubu_skips_the_command_parser(
    args: list[str], flags: dict[str, str] | None
) -> None:
    assert app_flags(args) == flags
