"""A renewed contract never shows 0 days: once the next term is signed, the renewal chased is the
next one — in the template context (the sidebar), the queue's rows, its explanation, the ARR
history, the assistant's `contracts` view and the command line, on every backend.

Each customer's contracts are built here; the expected days come from the pure rule
(`domain.contracts.governing_contract`) and are also written out by hand for the days that
matter. E is the renewal day: the term in force ends on E.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert

from renubu_tui.data.engine import Database, create_database
from renubu_tui.data.models import Contract, Customer, Tenant, User
from renubu_tui.domain.contracts import renewal_date
from renubu_tui.domain.stages import days_until_renewal
from renubu_tui.services.chat.tools.db_query import run_query
from renubu_tui.services.config.service import ConfigService
from renubu_tui.services.customers.context import build_context
from renubu_tui.services.customers.history import snapshot_history
from renubu_tui.services.queue.service import QueueFilters, QueueService

E = dt.date(2026, 3, 16)
SLUG = "successor"
CSM = "csm@successor.test"


def day(n: int) -> dt.date:
    return E + dt.timedelta(days=n)


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of EXPECTED
class Book:
    name: str
    domain: str
    contracts: tuple[dict[str, Any], ...]

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_DNS, self.domain)

    def days(self, today: dt.date) -> int | None:
        """The pure rule's answer."""
        terms = [SimpleNamespace(**{"signed_on": None, **k}) for k in self.contracts]
        return days_until_renewal(renewal_date(terms, today), today)


def _term(start: dt.date, end: dt.date, arr: float, **more: Any) -> dict[str, Any]:
    return {"start_date": start, "end_date": end, "arr": arr, **more}


IN_FORCE = _term(day(-365), E, 180_000)
OLDER = _term(day(-730), day(-366), 150_000, status="renewed")


def _next(signed_on: dt.date | None, start: dt.date | None = None) -> dict[str, Any]:
    """The 12-month term after the one in force (from E+1 unless `start` says otherwise)."""
    start = start or day(1)
    end = start + dt.timedelta(days=364)
    return _term(start, end, 198_000, signed_on=signed_on, status="pending")


SIGNED_TODAY = Book("Signed Today Co", "today.test", (OLDER, IN_FORCE, _next(E)))
SIGNED_EARLY = Book(  # the term ends on E+20; its successor is signed on E, 20 days before
    "Signed Early Co",
    "early.test",
    (_term(day(-345), day(20), 180_000), _next(E, start=day(21))),
)
UNSIGNED = Book("Unsigned Next Co", "unsigned.test", (IN_FORCE, _next(None)))
SIGNED_LATE = Book("Signed Late Co", "late.test", (IN_FORCE, _next(day(3))))  # starts E+1
BOOKS = (SIGNED_TODAY, SIGNED_EARLY, UNSIGNED, SIGNED_LATE)
DAYS = (day(-1), E, day(2), day(3))

# (days until renewal, stage) per customer and day, by hand
EXPECTED = {
    SIGNED_TODAY: [(1, "Emergency"), (365, "Monitor"), (363, "Monitor"), (362, "Monitor")],
    SIGNED_EARLY: [(21, "Signature"), (385, "Monitor"), (383, "Monitor"), (382, "Monitor")],
    # unsigned: never counts before it starts; from its start it is in force
    UNSIGNED: [(1, "Emergency"), (0, "Emergency"), (363, "Monitor"), (362, "Monitor")],
    # signed on E+3 though it starts on E+1: overdue until the signature
    SIGNED_LATE: [(1, "Emergency"), (0, "Emergency"), (-2, "Overdue"), (362, "Monitor")],
}


async def _populate(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    tenant_id, user_id = uuid.uuid4(), uuid.uuid4()
    async with db.sessions() as s, s.begin():
        await s.execute(insert(Tenant).values(id=tenant_id, slug=SLUG, name="Successor"))
        await s.execute(
            insert(User).values(
                id=user_id,
                tenant_id=tenant_id,
                email=CSM,
                name="Casey CSM",
                role="csm",
                experience_level="senior",
            )
        )
        for book in BOOKS:
            await s.execute(
                insert(Customer).values(
                    id=book.id,
                    tenant_id=tenant_id,
                    name=book.name,
                    name_key=book.name.casefold(),
                    slug=book.domain.split(".")[0],
                    domain=book.domain,
                    owner_id=user_id,
                    account_plan="expand",  # strategic: a second row that shows the stage
                )
            )
            await s.execute(
                insert(Contract),
                [
                    {
                        "id": uuid.uuid4(),
                        "customer_id": book.id,
                        "term_months": 12,
                        "signed_on": None,
                        "status": "active",
                        **k,
                    }
                    for k in book.contracts
                ],
            )
    return tenant_id, user_id


def test_the_expected_table_is_the_pure_rule() -> None:
    for book, expected in EXPECTED.items():
        assert [book.days(today) for today in DAYS] == [days for days, _ in expected], book.name


async def test_context_queue_and_explanation_follow_the_signed_successor(db: Database) -> None:
    tenant_id, _ = await _populate(db)
    queue = QueueService(db, ConfigService(db))
    for i, today in enumerate(DAYS):
        page = await queue.page(tenant_id, today, QueueFilters(), limit=100)
        for book, expected in EXPECTED.items():
            days, stage = expected[i]
            where = f"{book.name} on E{(today - E).days:+d}"
            assert book.days(today) == days, where

            ctx = await build_context(db, SLUG, book.id, today)
            workflow = ctx["workflow"]
            assert (workflow["daysUntilRenewal"], workflow["currentStage"]) == (days, stage), where
            assert ctx["customer"]["renewalDate"] == (today + dt.timedelta(days=days)).isoformat()
            assert workflow["isOverdue"] is (days < 0)

            rows = {r.workflow_type: r for r in page.rows if r.customer_id == book.id}
            assert set(rows) == {"renewal", "strategic"}, where  # renewal work, next cycle's
            assert {(r.days, r.stage) for r in rows.values()} == {(days, stage)}, where
            assert workflow["priorityScore"] == rows["renewal"].score, where

            explained = await queue.explain(tenant_id, today, book.id)
            assert (explained.days, explained.stage) == (days, stage), where


async def test_signed_on_its_renewal_day_no_renewal_urgency(db: Database) -> None:
    tenant_id, _ = await _populate(db)
    queue = QueueService(db, ConfigService(db))

    def renewal_row(rows: list[Any]) -> Any:
        return next(
            r for r in rows if r.customer_id == SIGNED_TODAY.id and r.workflow_type == "renewal"
        )

    before = renewal_row((await queue.page(tenant_id, day(-1), QueueFilters(), limit=100)).rows)
    # (90 + 15) × 2.0 ($180k) × 1.3 (expand) × 1.1 (senior) = 300.3
    assert (before.stage, before.days, before.score, before.label) == (
        "Emergency",
        1,
        300,
        "Urgent",
    )
    on_day = renewal_row((await queue.page(tenant_id, E, QueueFilters(), limit=100)).rows)
    # 20 × 2.0 ($198k, the signed term's ARR: no financial record) × 1.3 × 1.1 = 57.2
    assert (on_day.stage, on_day.days, on_day.arr, on_day.score, on_day.label) == (
        "Monitor",
        365,
        198_000,
        57,
        "Low",
    )
    explained = await queue.explain(tenant_id, E, SIGNED_TODAY.id)
    assert explained.types[0].determination.reason == "Renewal in 365 days (Monitor stage)."


async def test_the_arr_history_ends_at_the_governing_contract(db: Database) -> None:
    await _populate(db)
    before = await snapshot_history(db, SIGNED_TODAY.id, day(-1))
    assert [p.arr for p in before.arr] == [150_000, 180_000]
    on_day = await snapshot_history(db, SIGNED_TODAY.id, E)
    assert [p.arr for p in on_day.arr] == [150_000, 180_000, 198_000]
    ctx = await build_context(db, SLUG, SIGNED_TODAY.id, E)
    assert ctx["customer"]["arr"] == on_day.arr[-1].arr
    late = await snapshot_history(db, SIGNED_LATE.id, day(2))  # started, not signed yet
    assert [p.arr for p in late.arr] == [180_000]


async def test_the_contracts_view_shows_what_was_signed_by_today(db: Database) -> None:
    tenant_id, _ = await _populate(db)
    sql = "SELECT start_date, arr FROM contracts ORDER BY start_date"
    for today, arrs in ((day(2), [180_000]), (day(3), [180_000, 198_000])):
        result = await run_query(db, tenant_id, SIGNED_LATE.id, sql, today=today)
        assert [r[1] for r in result.rows] == arrs
    result = await run_query(db, tenant_id, SIGNED_TODAY.id, sql, today=E)
    assert [r[1] for r in result.rows] == [150_000, 180_000, 198_000]


# --- the command line (SQLite: the file a person's renubu opens) ----------------------------


@pytest.fixture
def cli_db(tmp_path: Path, sqlite_templates: dict[str, Path]) -> Path:
    import asyncio

    path = tmp_path / "successor.sqlite3"
    shutil.copyfile(sqlite_templates["migrated"], path)

    async def fill() -> None:
        database = create_database(f"sqlite+aiosqlite:///{path}")
        try:
            await _populate(database)
        finally:
            await database.dispose()

    asyncio.run(fill())
    return path


def _cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db_file: Path,
    today: dt.date,
    *args: str,
) -> str:
    from renubu_tui.cli import main

    env = {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "RENUBU_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}",
        "RENUBU_TODAY": today.isoformat(),
        "RENUBU_TENANT": SLUG,
        "RENUBU_USER": CSM,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("RENUBU_CONFIG", "RENUBU_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return out


def test_renubu_queue_and_context_show_the_next_renewal(
    cli_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run(today: dt.date, *args: str) -> str:
        return _cli(monkeypatch, capsys, tmp_path, cli_db, today, *args)

    for today, days, stage in ((day(-1), 1, "Emergency"), (E, 365, "Monitor")):
        shown = json.loads(run(today, "queue", "--search", "signed today", "--json"))
        got = {(r["type"], r["daysUntilRenewal"], r["stage"]) for r in shown["rows"]}
        assert got == {("renewal", days, stage), ("strategic", days, stage)}

        ctx = json.loads(run(today, "context", "today.test", "--json"))
        assert (ctx["workflow"]["daysUntilRenewal"], ctx["workflow"]["currentStage"]) == (
            days,
            stage,
        )

    table = run(E, "queue", "--search", "signed today")
    assert "Monitor" in table and "Emergency" not in table
    explained = run(E, "queue", "--explain", "today.test")
    assert "Renewal in 365 days (Monitor stage)." in explained
