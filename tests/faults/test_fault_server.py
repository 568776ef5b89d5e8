"""The server goes away mid-operation, or another session holds what a write needs.

A lost server is a PostgreSQL backend terminated with `pg_terminate_backend` while a service
write (in this process, or a `renubu` process) is waiting inside its transaction, after it wrote
its first rows, for a transaction of the test's (an uncommitted row with the unique key of the
row it inserts next): the write ends in one line ("cannot reach the database"),
nothing of it is left, and the next operation of the same client succeeds on a fresh
connection, also when its idle pooled connections were cut meanwhile (pool_pre_ping). Only
backends waiting for the test's own transaction on a row of its own schema, or the client's own
pooled connections, are terminated (never a lock shared across schemas, such as the queue's
advisory lock, which other test runs on the cluster take too); the cluster is never stopped.

A lock held by another session (a row FOR UPDATE on PostgreSQL, an IMMEDIATE transaction on
SQLite) makes an action fail after the lock timeout (5 s), with the busy message and exit code
75, instead of waiting for ever.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from renubu_tui.data.engine import BUSY_MESSAGE, SQLITE_BUSY_TIMEOUT_MS, Database
from renubu_tui.data.engine import PG_LOCK_TIMEOUT_MS as PG_LOCK_MS
from renubu_tui.data.models import StepExecution
from tests.conftest import PG_URL
from tests.faults.faultkit import (
    TENANT,
    Child,
    Target,
    customer_id,
    fingerprint,
    half_written,
    one_line,
    outcome_of,
    queue_differs_from_rebuild,
    wait_ready,
)

pytestmark = pytest.mark.faults

ON_PG = [pytest.param("postgresql", id="postgresql")] if PG_URL else []
EXIT_BUSY = 75
NEXT_STEP = "executive-escalation"  # where SIGNATURE_PENDING takes a Critical renewal


async def _blocked_by(
    holder: AsyncSession, timeout: float = 4.0, child: Child | None = None
) -> int:
    """The backend waiting for the test's own transaction (found well before the 5 s lock
    timeout). It waits on a row of this test's schema, so it is this test's client: no other
    session of the cluster can be waiting for it."""
    own = await holder.scalar(text("SELECT pg_backend_pid()"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and not child.alive():
            raise AssertionError(f"the renubu process ended first: {child.result()}")
        # a transaction reads pg_stat_activity once and keeps it: drop that, to see new backends
        await holder.execute(text("SELECT pg_stat_clear_snapshot()"))
        pid = await holder.scalar(
            text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'renubu' "
                "AND :own = ANY(pg_blocking_pids(pid))"
            ),
            {"own": own},
        )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.02)
    raise AssertionError("no session came to wait for the test's transaction")


async def _terminate(holder: AsyncSession | AsyncConnection, pid: int) -> None:
    assert await holder.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


@asynccontextmanager
async def _next_step_taken(db: Database, run_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
    """A transaction of the test's that inserts (uncommitted) the row of the step that
    completing the current one opens: the completion writes its first rows, then waits for
    this transaction at that insert (the same unique key), inside its own transaction."""
    async with db.sessions() as holder:
        holder.add(
            StepExecution(
                execution_id=run_id, step_id=NEXT_STEP, step_index=1, attempt=1, status="pending"
            )
        )
        await holder.flush()
        yield holder
        await holder.rollback()


async def _pooled_pids(db: Database) -> list[int]:
    """The backends of a client's idle pooled connections (each checked out once, together)."""
    idle = db.engine.sync_engine.pool.checkedin()  # type: ignore[attr-defined]
    async with AsyncExitStack() as stack:
        conns = [await stack.enter_async_context(db.engine.connect()) for _ in range(idle)]
        return [int(await c.scalar(text("SELECT pg_backend_pid()"))) for c in conns]


async def _untouched(target: Target, before: dict[str, object]) -> None:
    assert await fingerprint(target.db) == before
    assert await half_written(target.db) == []
    assert await queue_differs_from_rebuild(target.db) == []


@pytest.mark.parametrize("seeded_db", ON_PG, indirect=True)
async def test_a_backend_terminated_mid_write_leaves_nothing_and_the_next_call_works(
    target: Target,
) -> None:
    """A server that goes away mid-transaction: a completion (service, then `renubu` process)
    whose backend is terminated after it wrote its rows says "cannot reach the database" in
    one line (the process: exit 1, no traceback), leaves every table as before, and the next
    operation of the same client succeeds, also after its pooled connections were cut."""
    db = target.db
    setup = await target.setup()
    kestrel = await customer_id(db, "Kestrel")
    run = await setup.executions.start(TENANT, kestrel, actor=setup.user)
    other = await setup.executions.start(  # Critical, as Kestrel's
        TENANT, await customer_id(db, "Crescent"), actor=setup.user
    )
    before = await fingerprint(db)

    async with target.services() as client:

        def complete() -> object:
            return client.executions.complete_step(
                TENANT, run.id, actor=client.user, chosen_route="SIGNATURE_PENDING"
            )

        async with _next_step_taken(db, run.id) as holder:
            waiting = asyncio.create_task(outcome_of(complete(), target.url))  # type: ignore[arg-type]
            await _terminate(holder, await _blocked_by(holder))
            lost = await asyncio.wait_for(waiting, 30)
        assert lost.kind == "database", lost
        assert lost.message.startswith("cannot reach the database") and one_line(lost.message)
        await _untouched(target, before)

        moved = await complete()  # the same client, on a new connection
        assert moved.current_step_id == NEXT_STEP  # type: ignore[attr-defined]
        after_move = await fingerprint(db)

        async with db.engine.connect() as killer:
            for pid in await _pooled_pids(client.db):
                await _terminate(killer, pid)
        snoozed = await client.actions.run(
            TENANT, "snooze", actor=client.user, customer_id=kestrel, params={"days": 2}
        )
        assert snoozed.message.startswith("Snoozed Kestrel")
        assert await fingerprint(db) != after_move

    before = await fingerprint(db)
    argv = ["execution", "complete", "Crescent", "--route", "SIGNATURE_PENDING"]
    async with _next_step_taken(db, other.id) as holder:
        go = target.barrier()
        child = target.spawn(argv, go)
        wait_ready(go, [child])
        go.touch()
        await _terminate(holder, await _blocked_by(holder, timeout=8, child=child))
        ran = await asyncio.to_thread(child.result)
    assert ran.code == 1 and ran.out == "", ran
    assert one_line(ran.err) and ran.err.startswith("renubu: cannot reach the database"), ran.err
    assert "Traceback" not in ran.err
    await _untouched(target, before)
    again = target.run(*argv)
    assert again.code == 0, again.err


async def test_a_held_lock_fails_the_action_in_seconds(target: Target) -> None:
    """No waiting for ever: while another session holds the executions they need (PostgreSQL:
    their rows FOR UPDATE; SQLite: a write transaction), `act Kestrel snooze` and `execution
    complete Crescent` each give up after the lock timeout (5 s, under 10 in all) with the busy
    message and exit code 75, and change nothing."""
    db = target.db
    setup = await target.setup()
    runs = [
        await setup.executions.start(TENANT, await customer_id(db, name), actor=setup.user)
        for name in ("Kestrel", "Crescent")
    ]
    before = await fingerprint(db)
    # one waiter per row: on PostgreSQL a second session queued on the same row waits for the
    # first waiter's lock, then for the row's, each up to the lock timeout
    argvs = [
        ["act", "Kestrel", "snooze", "--days", "3"],
        ["execution", "complete", "Crescent", "--route", "SIGNATURE_PENDING"],
    ]
    go = target.barrier()
    children = [target.spawn(argv, go) for argv in argvs]
    wait_ready(go, children)
    if target.sqlite:
        path = db.engine.url.database
        holder = sqlite3.connect(str(path), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        go.touch()
        ran = [await asyncio.to_thread(child.result) for child in children]
        took = time.monotonic() - started
        holder.execute("ROLLBACK")
        holder.close()
        timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    else:
        async with db.engine.connect() as conn:
            await conn.execute(
                text("SELECT id FROM workflow_executions WHERE id IN (:a, :b) FOR UPDATE"),
                {"a": runs[0].id, "b": runs[1].id},
            )
            started = time.monotonic()
            go.touch()
            ran = [await asyncio.to_thread(child.result) for child in children]
            took = time.monotonic() - started
            await conn.rollback()
        timeout = PG_LOCK_MS / 1000
    for r in ran:
        assert r.code == EXIT_BUSY, r
        assert r.err == f"renubu: {BUSY_MESSAGE}\n"
    assert timeout <= took < timeout + 5
    assert await fingerprint(db) == before
