"""kill -9 of `renubu` at random points of `execution complete`, `act … snooze` and `sweep`.

Each command is first run once to the end, to time it; then ten processes are killed at random
points between a quarter and nine tenths of that time (a seeded RNG: the same points on every
run), where its reads and its transaction are. After each kill the rows must hold: no
half-written execution (an open one is on exactly one step), the change all there or not at all
(its trail row with it), the queue equal to a fresh rebuild of the day (or marked stale and
rebuilt on read), one notification per idempotency key. Afterwards the database still answers.

A crash between an action's commit and its queue update is also made certain rather than left
to chance: the re-scoring of the queue fails inside the action, which must then leave nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

import pytest
from sqlalchemy import delete, select, text, update

from renubu_tui.data.models import (
    ActionExecution,
    Customer,
    Notification,
    StepExecution,
    SweepState,
    WorkflowExecution,
)
from renubu_tui.domain.routing import routes_of
from renubu_tui.domain.vocabulary import OPEN_EXECUTION_STATUSES
from renubu_tui.services.queue.service import QueueService
from tests.conftest import TEST_TODAY
from tests.faults.faultkit import (
    TENANT,
    Ran,
    Target,
    count,
    customer_id,
    day,
    doubled_notifications,
    fingerprint,
    half_written,
    queue_differs_from_rebuild,
    wait_ready,
)

pytestmark = pytest.mark.faults

TRIES = 10
SWEEP_DAY = day(7)  # Harborview 10 and Keystone 15 days overdue: follow-ups are due
KILLED = -9

Check = Callable[[int, Ran], Awaitable[None]]


async def _workable(target: Target, wanted: int) -> list[tuple[uuid.UUID, str, uuid.UUID]]:
    """`wanted` customers with no workflow open before, now with a renewal just started on a
    step with routes and no gate: (customer, a route of that step, the execution)."""
    setup = await target.setup()
    async with target.db.sessions() as s:
        busy = select(WorkflowExecution.customer_id).where(
            WorkflowExecution.status.in_(OPEN_EXECUTION_STATUSES)
        )
        customers = (
            await s.scalars(
                select(Customer.id)
                .where(Customer.tenant_id == TENANT, Customer.id.not_in(busy))
                .order_by(Customer.name)
            )
        ).all()
    found = []
    for customer in customers:
        try:
            run = await setup.executions.start(TENANT, customer, actor=setup.user)
        except Exception:
            continue
        routes = routes_of(run.current_step or {})
        if run.status == "in_progress" and routes and not run.gate:
            found.append((customer, str(routes[0]["id"]), run.id))
        if len(found) == wanted:
            return found
    raise AssertionError(f"only {len(found)} customers can be worked")


async def _rows_hold(target: Target) -> None:
    assert await half_written(target.db) == []
    assert await doubled_notifications(target.db) == []
    assert await queue_differs_from_rebuild(target.db) == []


async def _kill_at_random(
    target: Target,
    argvs: Sequence[Sequence[str]],
    check: Check,
    rng: random.Random,
    today: dt.date = TEST_TODAY,
) -> int:
    """Run argvs[0] to the end, timing it; then start each other one and kill it at a random
    point of that time; `check(index, how it ended)` after each. Returns how many were killed
    before they ended."""
    pairs = []
    for args in argvs:  # every child imported and waiting, each for its own start
        go = target.barrier()
        pairs.append((go, target.spawn(args, go, today)))
    for go, child in pairs:
        wait_ready(go, [child])
    killed = 0
    took = 0.0
    for index, (go, child) in enumerate(pairs):
        started = time.monotonic()
        go.touch()
        if index == 0:
            ran = child.result()
            took = time.monotonic() - started
            assert ran.code == 0, ran.err
        else:
            time.sleep(rng.uniform(0.25, 0.9) * took)
            ran = child.kill()
            killed += ran.code == KILLED
            assert ran.code in (0, KILLED), ran.err
        await check(index, ran)
    return killed


async def test_kill_9_leaves_nothing_half_written(target: Target) -> None:
    """No half-written change survives kill -9: after each of ten kills of `execution
    complete`, of `act … snooze` and of `sweep`, every open execution is on exactly one step,
    the change is all there (with its trail row) or not at all, the queue equals a fresh
    rebuild, each notification is stored once; afterwards the commands still work."""
    rng = random.Random(14)
    db = target.db
    for name, route in (("Harborview", "PAYMENT_PENDING"), ("Keystone", "SIGNATURES_PENDING")):
        setup = await target.setup()
        run = await setup.executions.start(TENANT, await customer_id(db, name), actor=setup.user)
        await setup.executions.complete_step(TENANT, run.id, actor=setup.user, chosen_route=route)
    work = await _workable(target, TRIES + 1)

    async def completed(index: int, ran: Ran) -> None:
        run_id = work[index][2]
        steps = await count(
            db,
            StepExecution,
            StepExecution.execution_id == run_id,
            StepExecution.status == "completed",
        )
        trail = await count(
            db,
            ActionExecution,
            ActionExecution.execution_id == run_id,
            ActionExecution.action_slug == "complete-step",
        )
        assert steps == trail <= 1
        assert steps == 1 or ran.code == KILLED
        await _rows_hold(target)

    complete = [["execution", "complete", str(c), "--route", r] for c, r, _ in work]
    killed = await _kill_at_random(target, complete, completed, rng)

    async def snoozed(index: int, ran: Ran) -> None:
        run_id = work[index][2]
        async with db.sessions() as s:
            status = await s.scalar(
                select(WorkflowExecution.status).where(WorkflowExecution.id == run_id)
            )
        trail = await count(
            db,
            ActionExecution,
            ActionExecution.execution_id == run_id,
            ActionExecution.action_slug == "snooze",
        )
        assert (status == "snoozed") == (trail == 1)
        assert trail == 1 or ran.code == KILLED
        await _rows_hold(target)

    snooze = [["act", str(c), "snooze", "--days", "3"] for c, _, _ in work]
    killed += await _kill_at_random(target, snooze, snoozed, rng)

    async with db.sessions() as s:
        last = (await s.get(SweepState, TENANT)).last_day  # type: ignore[union-attr]
        kept = set((await s.scalars(select(Notification.id))).all())
    due: list[int] = []

    async def swept(index: int, ran: Ran) -> None:
        async with db.sessions() as s:
            now = (await s.get(SweepState, TENANT)).last_day  # type: ignore[union-attr]
            made = len(set((await s.scalars(select(Notification.id))).all()) - kept)
        if index == 0:
            due.append(made)
            assert made > 0
        assert (now == SWEEP_DAY and made == due[0]) or (now == last and made == 0)
        assert now == SWEEP_DAY or ran.code == KILLED
        await _rows_hold(target)
        async with db.sessions() as s, s.begin():  # as before, for the next try
            await s.execute(delete(Notification).where(Notification.id.not_in(kept)))
            await s.execute(
                update(SweepState).where(SweepState.tenant_id == TENANT).values(last_day=last)
            )

    killed += await _kill_at_random(target, [["sweep"]] * (TRIES + 1), swept, rng, SWEEP_DAY)
    assert killed >= TRIES  # most kills landed before the command ended

    after = target.run_together([["queue", "--all"], ["execution", "show", str(work[0][0])]])
    assert [r.code for r in after] == [0, 0], [r.err for r in after]
    if target.sqlite:
        async with db.engine.connect() as conn:
            assert await conn.scalar(text("PRAGMA integrity_check")) == "ok"


class Crash(Exception):
    """The process dying while the queue is re-scored, inside the change's transaction."""


async def test_a_crash_while_the_queue_is_rescored_leaves_nothing(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue update belongs to the change's transaction: when re-scoring the queue fails
    after a start, a step completion or a snooze has written its rows, nothing of the change
    is left (every table as before) and the queue equals a fresh rebuild."""
    db = target.db
    setup = await target.setup()
    kestrel = await customer_id(db, "Kestrel")
    fathom = await customer_id(db, "Fathom")
    run = await setup.executions.start(TENANT, fathom, actor=setup.user)

    async def crash(*_args: object, **_kwargs: object) -> None:
        raise Crash

    changes = {
        "start": lambda: setup.executions.start(TENANT, kestrel, actor=setup.user),
        "complete": lambda: setup.executions.complete_step(
            TENANT, run.id, actor=setup.user, chosen_route=_first_route(run)
        ),
        "snooze": lambda: setup.actions.run(
            TENANT, "snooze", actor=setup.user, customer_id=fathom, params={"days": 3}
        ),
    }
    for name, change in changes.items():
        before = await fingerprint(db)
        with monkeypatch.context() as patched:
            patched.setattr(QueueService, "_refresh_rows", crash)
            with pytest.raises(Crash):
                await change()
        assert await fingerprint(db) == before, name
        await _rows_hold(target)


def _first_route(run: object) -> str:
    return str(routes_of(run.current_step or {})[0]["id"])  # type: ignore[attr-defined]
