"""Concurrent clients on one database: nothing lost, nothing doubled, losers told in words.

Clients are separate connections: `renubu` child processes (SQLite: true multi-process
contention on one file) or services on an engine each (SQLite and PostgreSQL), all released at
the same instant. After each scene the rows are checked: one open execution per customer and
workflow, every open execution on exactly one step, one notification per idempotency key, and
the materialized queue equal to a fresh rebuild.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, update

from renubu_tui.data.models import (
    ActionExecution,
    Notification,
    StepExecution,
    SweepState,
    WorkflowExecution,
)
from renubu_tui.services.container import Services
from tests.conftest import TEST_TODAY
from tests.faults.faultkit import (
    CLIENTS,
    TENANT,
    Target,
    clients_together,
    count,
    customer_id,
    day,
    doubled_notifications,
    half_written,
    open_per_workflow,
    queue_differs_from_rebuild,
    wait_ready,
)

pytestmark = pytest.mark.faults

MOVED_ON = "This workflow moved on meanwhile"
# A client that read the workflow after the winner committed sees the next step, which has no
# such route: refused as a wrong request (its view was already the moved-on one).
READ_LATE = "has no route 'SIGNATURE_PENDING'"
SWEEP_DAY = day(7)  # Harborview 10 and Keystone 15 days overdue: day-based follow-ups are due


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str  # the refusal or the error, as a person reads it
    value: Any  # a child's standard output, or what the service returned
    code: int | None = None  # a child's exit code


async def together(
    target: Target,
    kind: str,
    n: int,
    argv: Sequence[str],
    act: Callable[[Services, int], Awaitable[Any]],
    today: dt.date = TEST_TODAY,
) -> list[Result]:
    """n clients do the same thing at once: `renubu ARGV` children, or `act` on engines."""
    if kind == "processes":
        ran = target.run_together([argv] * n, today)
        for r in ran:
            assert "Traceback" not in r.err and "internal error" not in r.err, r.err
        return [Result(r.code == 0, r.said.removeprefix("renubu: "), r.out, r.code) for r in ran]
    outcomes = await clients_together(target, n, act, today)
    for o in outcomes:  # said in words: a refusal, or a race lost to another session
        assert o.kind in ("ok", "refused", "conflict"), o
    return [Result(o.kind == "ok", o.message, o.value) for o in outcomes]


async def holds(target: Target, as_of: dt.date = TEST_TODAY) -> None:
    """The invariants every scene ends with."""
    assert await half_written(target.db) == []
    assert await open_per_workflow(target.db) == []
    assert await doubled_notifications(target.db) == []
    assert await queue_differs_from_rebuild(target.db, as_of) == []


async def trail(target: Target, slug: str, **where: Any) -> int:
    a = ActionExecution
    clauses = [a.action_slug == slug, a.success.is_(True)]
    clauses += [getattr(a, name) == value for name, value in where.items()]
    return await count(target.db, a, *clauses)


@pytest.mark.parametrize(("seeded_db", "kind", "n"), CLIENTS, indirect=["seeded_db"])
async def test_concurrent_starts_leave_one_open_execution(
    target: Target, kind: str, n: int
) -> None:
    """One open execution per customer and workflow: n clients start Kestrel's renewal at once;
    each is shown that one execution or told another session already started it; the trail
    has one start and the execution one step in progress."""
    kestrel = await customer_id(target.db, "Kestrel")
    results = await together(
        target,
        kind,
        n,
        ["execution", "start", "Kestrel"],
        lambda s, _i: s.executions.start(TENANT, kestrel, actor=s.user),
    )
    shown = set()
    for r in results:
        if r.ok:
            found = (
                re.search(r"execution ([0-9a-f-]{36})", r.value) if kind == "processes" else None
            )
            shown.add(found.group(1) if found else str(r.value.id))
        else:
            assert "another session already started this workflow" in r.message, r.message
    async with target.db.sessions() as s:
        runs = (
            await s.scalars(
                select(WorkflowExecution.id).where(
                    WorkflowExecution.customer_id == kestrel,
                    WorkflowExecution.status == "in_progress",
                )
            )
        ).all()
    assert [str(r) for r in runs] == sorted(shown)
    assert await trail(target, "start-workflow", customer_id=kestrel) == 1
    await holds(target)


@pytest.mark.parametrize(("seeded_db", "kind", "n"), CLIENTS, indirect=["seeded_db"])
async def test_concurrent_completes_of_one_step_succeed_once(
    target: Target, kind: str, n: int
) -> None:
    """One completion per step attempt: n clients complete Kestrel's first step on the same
    route at once; exactly one succeeds, the others are told in words that the workflow moved
    on (exit code 1); the step has one completed attempt, the next step one attempt in
    progress, the trail one completion."""
    setup = await target.setup()
    kestrel = await customer_id(target.db, "Kestrel")
    run = await setup.executions.start(TENANT, kestrel, actor=setup.user)
    first = run.current_step_id
    results = await together(
        target,
        kind,
        n,
        ["execution", "complete", "Kestrel", "--route", "SIGNATURE_PENDING"],
        lambda s, _i: s.executions.complete_step(
            TENANT, run.id, actor=s.user, chosen_route="SIGNATURE_PENDING"
        ),
    )
    assert sum(r.ok for r in results) == 1, [r.message for r in results]
    for r in results:
        if not r.ok:
            assert MOVED_ON in r.message or READ_LATE in r.message, r.message
            assert r.code in (None, 1)
    async with target.db.sessions() as s:
        rows = (
            await s.execute(
                select(StepExecution.step_id, StepExecution.attempt, StepExecution.status)
                .where(StepExecution.execution_id == run.id)
                .order_by(StepExecution.step_index, StepExecution.attempt)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (first, 1, "completed"),
        ("executive-escalation", 1, "in_progress"),
    ]
    assert await trail(target, "complete-step", execution_id=run.id) == 1
    await holds(target)


async def _overdue_follow_ups(target: Target) -> None:
    """Harborview and Keystone (overdue) on their daily follow-up step since TEST_TODAY."""
    setup = await target.setup()
    for name, route in (("Harborview", "PAYMENT_PENDING"), ("Keystone", "SIGNATURES_PENDING")):
        run = await setup.executions.start(
            TENANT, await customer_id(target.db, name), actor=setup.user
        )
        await setup.executions.complete_step(TENANT, run.id, actor=setup.user, chosen_route=route)


@pytest.mark.parametrize(("seeded_db", "kind", "n"), CLIENTS, indirect=["seeded_db"])
async def test_concurrent_sweeps_send_each_notification_once(
    target: Target, kind: str, n: int
) -> None:
    """One notification per idempotency key: n sweeps of the same days at once all succeed
    (a sweep that finds the work done is a success); each notification due is stored once and
    reported created by exactly one sweep; sweeping those days again finds nothing missing."""
    await _overdue_follow_ups(target)
    async with target.db.sessions() as s:
        last = (await s.get(SweepState, TENANT)).last_day  # type: ignore[union-attr]
    before = await count(target.db, Notification)
    results = await together(
        target,
        kind,
        n,
        ["sweep"],
        lambda s, _i: s.notifications.sweep("acme-cs", SWEEP_DAY),
        today=SWEEP_DAY,
    )
    assert all(r.ok for r in results), [r.message for r in results]
    if kind == "processes":
        reported = [int(re.search(r"(\d+) notifications", r.value).group(1)) for r in results]  # type: ignore[union-attr]
    else:
        reported = [len(r.value.fire.created) for r in results]
    made = await count(target.db, Notification) - before
    assert made > 0 and sum(reported) == made
    assert await doubled_notifications(target.db) == []
    async with target.db.sessions() as s, s.begin():  # the same days once more, alone
        await s.execute(
            update(SweepState).where(SweepState.tenant_id == TENANT).values(last_day=last)
        )
    again = await (await target.setup(SWEEP_DAY)).notifications.sweep("acme-cs", SWEEP_DAY)
    assert again.days_evaluated > 0 and again.fire.created == []
    await holds(target)


@pytest.mark.parametrize(("seeded_db", "kind", "n"), CLIENTS, indirect=["seeded_db"])
async def test_concurrent_actions_on_one_execution_stay_serial(
    target: Target, kind: str, n: int
) -> None:
    """Actions on one execution commit as if one after another: n−1 clients snooze Kestrel's
    renewal (each for its own number of days) while one skips it. A skip that succeeded came
    first (a skipped workflow cannot be snoozed, a snoozed one cannot be skipped), so either
    the skip succeeded and every snooze was refused, or the skip was refused and the snoozes
    succeeded, the wake date one of theirs; the trail has one row per success and the queue
    equals a fresh rebuild."""
    setup = await target.setup()
    kestrel = await customer_id(target.db, "Kestrel")
    run = await setup.executions.start(TENANT, kestrel, actor=setup.user)
    skipper = n // 2

    def argv(i: int) -> list[str]:
        if i == skipper:
            return ["act", "Kestrel", "skip", "--reason", "Not applicable"]
        return ["act", "Kestrel", "snooze", "--days", str(i + 1), "--reason", f"client {i}"]

    async def act(s: Services, i: int) -> Any:
        if i == skipper:
            params: dict[str, Any] = {"reason": "Not applicable"}
            return await s.actions.run(
                TENANT, "skip", actor=s.user, customer_id=kestrel, params=params
            )
        params = {"days": i + 1, "reason": f"client {i}"}
        return await s.actions.run(
            TENANT, "snooze", actor=s.user, customer_id=kestrel, params=params
        )

    if kind == "processes":
        go = target.barrier()
        children = [target.spawn(argv(i), go) for i in range(n)]
        wait_ready(go, children)
        go.touch()
        ran = [c.result() for c in children]
        for r in ran:
            assert "Traceback" not in r.err and "internal error" not in r.err, r.err
        results = [Result(r.code == 0, r.said, r.out, r.code) for r in ran]
    else:
        outcomes = await clients_together(target, n, act)
        assert all(o.kind in ("ok", "refused") for o in outcomes), outcomes
        results = [Result(o.kind == "ok", o.message, o.value) for o in outcomes]
    skip = results[skipper]
    snoozes = [r for i, r in enumerate(results) if i != skipper]
    async with target.db.sessions() as s:
        execution = await s.get(WorkflowExecution, run.id)
    assert execution is not None
    if skip.ok:
        assert not any(r.ok for r in snoozes), [r.message for r in snoozes]
        refusals = [r.message for r in snoozes]
        assert all("has no open workflow to snooze" in m for m in refusals), refusals
        assert execution.status == "skipped" and execution.completed_at is not None
    else:
        assert "is snoozed" in skip.message, skip.message
        assert all(r.ok for r in snoozes), [r.message for r in snoozes]
        wake = {TEST_TODAY + dt.timedelta(days=i + 1) for i in range(n) if i != skipper}
        assert execution.status == "snoozed" and execution.snoozed_until in wake
        assert execution.completed_at is None
    assert await trail(target, "snooze", execution_id=run.id) == sum(r.ok for r in snoozes)
    assert await trail(target, "skip", execution_id=run.id) == int(skip.ok)
    await holds(target)
