"""Live updates: a change publishes inside its own transaction; the watcher hears it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import ChangeEvent, Customer, WorkflowExecution
from renubu_tui.data.seed.ids import key_id
from renubu_tui.services.changes import Batch, Change, ChangeWatcher, prune, publish
from renubu_tui.services.container import build_services
from renubu_tui.settings import Settings
from tests.conftest import TEST_TODAY

TENANT = key_id("tenant", "acme-cs")
MAYA = "maya.patel@acmecloud.com"


async def _events(db: Database) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(ChangeEvent)) or 0)


async def test_a_rolled_back_change_publishes_nothing(seeded_db: Database) -> None:
    before = await _events(seeded_db)
    with contextlib.suppress(RuntimeError):
        async with seeded_db.sessions() as s, s.begin():
            await publish(s, TENANT, None, "config", actor_name="Maya Patel")
            raise RuntimeError("the change failed")
    assert await _events(seeded_db) == before
    async with seeded_db.sessions() as s, s.begin():
        await publish(s, TENANT, None, "config", actor_name="Maya Patel")
    assert await _events(seeded_db) == before + 1


class _Heard:
    """A watcher running in a task, its batches collected."""

    def __init__(self, watcher: ChangeWatcher) -> None:
        self.watcher = watcher
        self.batches: list[Batch] = []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for batch in self.watcher.batches():
            self.batches.append(batch)

    async def until(self, condition: object, limit: float = 5.0) -> None:
        waited = 0.0
        while not condition():  # type: ignore[operator]
            assert waited < limit, f"not heard in {limit} s: {self.batches}"
            await asyncio.sleep(0.02)
            waited += 0.02

    @property
    def changes(self) -> list[Change]:
        return [c for b in self.batches for c in b.changes]


@contextlib.asynccontextmanager
async def _watching(db: Database) -> AsyncIterator[_Heard]:
    heard = _Heard(ChangeWatcher(db, TENANT, interval=0.05, backoff=(0.05, 0.1)))
    await asyncio.wait_for(heard.watcher.listening.wait(), 10)
    try:
        yield heard
    finally:
        heard.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heard.task


async def test_a_snooze_reaches_a_watcher_with_who_did_it(seeded_db: Database) -> None:
    """The services as the app builds them: the snooze publishes; a watcher hears who did it."""
    services = await build_services(
        seeded_db, Settings(database_url="sqlite+aiosqlite://", user=MAYA), Clock(TEST_TODAY)
    )
    async with seeded_db.sessions() as s:
        row = (
            await s.execute(
                select(WorkflowExecution.customer_id, Customer.name)
                .join(Customer, Customer.id == WorkflowExecution.customer_id)
                .where(
                    WorkflowExecution.tenant_id == TENANT,
                    WorkflowExecution.status == "in_progress",
                )
                .limit(1)
            )
        ).one()
    customer_id, name = row
    async with _watching(seeded_db) as heard:
        await services.actions.run(
            TENANT, "snooze", actor=services.user, customer_id=customer_id, params={"days": 3}
        )
        await heard.until(lambda: heard.changes)  # how soon: bench, not a timed assertion
    (change,) = heard.changes
    assert (change.customer_id, change.kind, change.actor_id) == (
        customer_id,
        "snooze",
        services.user.id,
    )
    assert change.describe() == f"{services.user.name} snoozed {name}"


async def test_a_configuration_change_is_heard_without_a_customer(seeded_db: Database) -> None:
    services = await build_services(
        seeded_db, Settings(database_url="sqlite+aiosqlite://", user=MAYA), Clock(TEST_TODAY)
    )
    async with _watching(seeded_db) as heard:
        await services.config.set(
            TENANT, "thresholds.riskScoreMin", 55, actor="Maya Patel", actor_id=services.user.id
        )
        await heard.until(lambda: heard.changes)
    (change,) = heard.changes
    assert (change.customer_id, change.kind) == (None, "config")
    assert change.describe() == "Maya Patel changed the configuration"


async def test_another_tenants_change_is_not_heard(seeded_db: Database) -> None:
    other = key_id("tenant", "other-cs")
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(
            text("INSERT INTO tenants (id, slug, name) VALUES (:id, 'other-cs', 'Other')"),
            {"id": other if seeded_db.dialect == "postgresql" else other.hex},
        )
    async with _watching(seeded_db) as heard:
        async with seeded_db.sessions() as s, s.begin():
            await publish(s, other, None, "config", actor_name="Eve")
        async with seeded_db.sessions() as s, s.begin():
            await publish(s, TENANT, None, "config", actor_name="Maya Patel")
        await heard.until(lambda: heard.changes)
    assert [c.actor_name for c in heard.changes] == ["Maya Patel"]


async def test_old_events_are_pruned(seeded_db: Database) -> None:
    async with seeded_db.sessions() as s, s.begin():
        await publish(s, TENANT, None, "config", actor_name="Maya Patel")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert await prune(seeded_db, TENANT, now=later) >= 1
    assert await _events(seeded_db) == 0


async def test_a_dropped_listener_reconnects_and_reloads_once(seeded_db: Database) -> None:
    if seeded_db.dialect != "postgresql":
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only")
    async with _watching(seeded_db) as heard:
        pid = heard.watcher.backend_pid
        assert pid is not None
        async with seeded_db.sessions() as s, s.begin():
            await s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await heard.until(lambda: any(b.reload for b in heard.batches))
        assert heard.watcher.backend_pid != pid
        assert [b.reload for b in heard.batches] == [True]
        async with seeded_db.sessions() as s, s.begin():
            await publish(s, TENANT, None, "config", actor_name="Maya Patel")
        await heard.until(lambda: heard.changes)
    assert [c.actor_name for c in heard.changes] == ["Maya Patel"]
    assert sum(b.reload for b in heard.batches) == 1


def test_a_change_reads_as_one_line() -> None:
    def line(kind: str, customer: str | None = "Bluesoft Corporation") -> str:
        customer_id = uuid.uuid4() if customer else None
        change = Change(1, TENANT, customer_id, kind, None, "Sam Lee", customer)
        return change.describe()

    assert line("snooze") == "Sam Lee snoozed Bluesoft Corporation"
    assert line("snooze-3-days") == "Sam Lee snoozed Bluesoft Corporation"
    assert line("task-complete") == "Sam Lee updated a task for Bluesoft Corporation"
    assert line("schedule-meeting") == "Sam Lee did schedule meeting for Bluesoft Corporation"
    assert line("workflow", None) == "Sam Lee saved a workflow"
    assert line("[bold]x[/]", None) == "Sam Lee did [bold]x[/]"  # shown as plain text
