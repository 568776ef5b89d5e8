"""Executions as they stood on a day: time travel reads the record, it never rewrites it.

The stored rows hold each execution's latest state; their timestamps say when each step started
and ended. As of a day T (its end, UTC, as the queue's `open_as_of` counts it), an execution is
open when it had started by then and not completed by then; a step is completed or skipped when
it ended by then, in progress when it had started but not ended, pending when it had not
started. Only the outputs of steps done by then count, and a gate is closed until its action was
recorded by then.

Its status then is replayed from the trail of actions (`action_executions`, dated by the app's
clock like every row): in progress from its start, snoozed by a snooze (until its wake date),
escalated by an escalation, awake again by a wake (or by an action taken once the snooze was
over). An execution with no such trail keeps its stored open status, since nothing says when it
took it.

The record goes on after T when a step, the completion, the trail, or the execution's chat
(a thread opened or closed, a message written) is dated later. The view is then history
(`view.history`): the app shows it and refuses to act on it, since acting would rewrite a later
record; its chat is not read (it would show later messages). When nothing in the record is
later than T the stored view is returned unchanged, so the present works as it always did.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    ChatMessage,
    ChatThread,
    SavedAction,
    StepExecution,
    Workflow,
    WorkflowExecution,
)
from renubu_tui.domain.enums import ExecutionStatus, StepStatus
from renubu_tui.domain.routing import describe_route
from renubu_tui.domain.vocabulary import OPEN_EXECUTION_STATUSES
from renubu_tui.services.queue.sql import end_of_day, open_as_of
from renubu_tui.services.workflows.executions import (
    MANAGER_ONLY,
    ExecutionService,
    ExecutionView,
    GateState,
    StepState,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

DONE = (StepStatus.COMPLETED, StepStatus.SKIPPED)


@dataclass(frozen=True)
class History:
    """How the stored record goes on after the viewed day."""

    as_of: dt.date
    status: str  # the execution's stored status
    completed_on: dt.date | None  # when it completed, if it did
    now_at: str | None  # the stored current step's name, while it is still open

    def line(self) -> str:
        """One line for the step pane: that the record goes on, never what it holds later (a
        date or a step after the day shown would be the future, seen from that day)."""
        return f"as of {self.as_of} · history: the record goes on after this day (read only)"


@dataclass
class ViewAsOf(ExecutionView):
    """An execution as it stood on a day; `history` is set when the record goes on after it."""

    history: History | None = None


@dataclass(frozen=True)
class Closed:
    """The customer's execution that closed most recently by the day (what the record says)."""

    workflow_name: str
    status: str
    completed_on: dt.date
    outcome: str | None


@dataclass(frozen=True)
class Later:
    """The customer's first execution that starts after the day: the record continues."""

    workflow_name: str
    started_on: dt.date

    def line(self, as_of: dt.date) -> str:
        return f"as of {as_of} · history: {self.workflow_name} starts on {self.started_on}"


class ExecutionHistory:
    """Dated reads of a customer's executions (the step pane's view of a day)."""

    def __init__(self, db: Database, executions: ExecutionService) -> None:
        self._db = db
        self._executions = executions

    async def open_as_of(
        self, tenant_id: uuid.UUID, customer_id: uuid.UUID, day: dt.date
    ) -> list[ExecutionView]:
        """The executions open as of `day`, newest first, each as it stood then."""
        table = WorkflowExecution.__table__
        async with self._db.sessions() as session:
            ids = (
                await session.scalars(
                    select(table.c.id)
                    .where(
                        table.c.tenant_id == tenant_id,
                        table.c.customer_id == customer_id,
                        open_as_of(table, day),
                    )
                    .order_by(table.c.started_at.desc())
                )
            ).all()
        return [await self.view_as_of(tenant_id, i, day) for i in ids]

    async def view_as_of(
        self, tenant_id: uuid.UUID, execution_id: uuid.UUID, day: dt.date
    ) -> ExecutionView:
        """One execution as it stood on `day` (the stored view when nothing is later)."""
        stored = await self._executions.view(tenant_id, execution_id)
        eod = end_of_day(day)
        async with self._db.sessions() as session:
            execution = await session.get(WorkflowExecution, execution_id)
            assert execution is not None
            rows = (
                await session.scalars(
                    select(StepExecution)
                    .where(StepExecution.execution_id == execution_id)
                    .order_by(StepExecution.step_index, StepExecution.attempt)
                )
            ).all()
            trail = (
                await session.execute(
                    select(
                        ActionExecution.created_at,
                        ActionExecution.action_slug,
                        ActionExecution.saved_action_id,
                        SavedAction.handler,
                        ActionExecution.result,
                    )
                    .outerjoin(SavedAction, SavedAction.id == ActionExecution.saved_action_id)
                    .where(
                        ActionExecution.execution_id == execution_id,
                        ActionExecution.success.is_(True),
                    )
                    .order_by(ActionExecution.created_at, ActionExecution.id)
                )
            ).all()
            later = _continues(execution, rows, eod) or any(t.created_at >= eod for t in trail)
            if not later:
                later = await _chat_continues(session, execution_id, eod)
        if not later:
            return stored
        done = {t.action_slug for t in trail if t.created_at < eod}
        return _dated(stored, execution, rows, eod, day, done, _status_then(execution, trail, eod))

    async def last_closed(
        self, tenant_id: uuid.UUID, customer_id: uuid.UUID, day: dt.date
    ) -> Closed | None:
        """The execution that completed or ended most recently by `day`, if any."""
        e = WorkflowExecution
        async with self._db.sessions() as session:
            row = (
                await session.execute(
                    select(Workflow.name, e.status, e.completed_at, e.outcome)
                    .join(Workflow, Workflow.id == e.workflow_id)
                    .where(
                        e.tenant_id == tenant_id,
                        e.customer_id == customer_id,
                        e.completed_at.is_not(None),
                        e.completed_at < end_of_day(day),
                    )
                    .order_by(e.completed_at.desc())
                    .limit(1)
                )
            ).one_or_none()
        if row is None:
            return None
        return Closed(row.name, row.status, row.completed_at.date(), row.outcome)

    async def later(
        self, tenant_id: uuid.UUID, customer_id: uuid.UUID, day: dt.date
    ) -> Later | None:
        """The customer's first execution that starts after `day`, if the record has one."""
        e = WorkflowExecution
        async with self._db.sessions() as session:
            row = (
                await session.execute(
                    select(Workflow.name, e.started_at)
                    .join(Workflow, Workflow.id == e.workflow_id)
                    .where(
                        e.tenant_id == tenant_id,
                        e.customer_id == customer_id,
                        e.started_at >= end_of_day(day),
                    )
                    .order_by(e.started_at)
                    .limit(1)
                )
            ).one_or_none()
        return None if row is None else Later(row.name, row.started_at.date())


def dated_context(context: dict[str, Any], view: ExecutionView) -> dict[str, Any]:
    """The template context with only the outputs the dated view has (history shows no later
    output); `build_context` chains the stored, final outputs."""
    from renubu_tui.services.customers.context import RESERVED_KEYS

    stored = context.get("outputs") or {}
    dated = {k: v for k, v in context.items() if k not in stored or k in RESERVED_KEYS}
    dated["outputs"] = dict(view.outputs)
    dated.update({k: v for k, v in view.outputs.items() if k not in RESERVED_KEYS})
    return dated


async def _chat_continues(session: AsyncSession, execution_id: uuid.UUID, eod: dt.datetime) -> bool:
    """Whether the execution's chat has anything dated at or after `eod`."""
    t, m = ChatThread, ChatMessage
    found = await session.scalar(
        select(func.count())
        .select_from(t)
        .outerjoin(m, m.thread_id == t.id)
        .where(
            t.execution_id == execution_id,
            or_(t.created_at >= eod, t.completed_at >= eod, m.created_at >= eod),
        )
    )
    return bool(found)


# What each status-moving action makes of an execution (the saved actions' handlers, and wake).
_MOVES = {
    "snooze": ExecutionStatus.SNOOZED,
    "escalate": ExecutionStatus.ESCALATED,
    "wake": ExecutionStatus.IN_PROGRESS,
}


def _status_then(
    execution: WorkflowExecution, trail: Sequence[Any], eod: dt.datetime
) -> tuple[str | None, dt.date | None]:
    """(status, snoozed until) of an execution still open at `eod`, replayed from its trail up
    to then; (None, None) when the stored values stand (it had ended by then, or no action
    ever moved it)."""
    if execution.completed_at is not None and execution.completed_at < eod:
        return None, None
    if not any((t.handler or t.action_slug) in _MOVES for t in trail):
        return (
            (ExecutionStatus.IN_PROGRESS, None)
            if execution.completed_at is not None
            else (None, None)
        )
    status: str
    status, until = ExecutionStatus.IN_PROGRESS, None
    for t in (t for t in trail if t.created_at < eod):
        kind = t.handler or t.action_slug
        over = (
            status == ExecutionStatus.SNOOZED and until is not None and until <= t.created_at.date()
        )
        if over and t.saved_action_id is not None:  # acting once the snooze is over wakes it
            status, until = ExecutionStatus.IN_PROGRESS, None
        if kind == "snooze":
            wake = (t.result or {}).get("snoozedUntil")
            status, until = ExecutionStatus.SNOOZED, dt.date.fromisoformat(wake) if wake else None
        elif kind in _MOVES:
            status, until = _MOVES[kind], None
    return status, until


def _continues(
    execution: WorkflowExecution, rows: Sequence[StepExecution], eod: dt.datetime
) -> bool:
    """Whether anything in the stored record happened after the viewed day."""
    stamps = [execution.completed_at] + [t for r in rows for t in (r.started_at, r.completed_at)]
    return any(t is not None and t >= eod for t in stamps)


def _step_status(row: StepExecution, eod: dt.datetime) -> str | None:
    """The row's status at `eod`; None when it had not started yet."""
    began = row.started_at or row.completed_at
    if began is not None and began >= eod:
        return None
    if row.status in DONE:
        ended = row.completed_at
        return row.status if ended is None or ended < eod else StepStatus.IN_PROGRESS
    return row.status if row.status == StepStatus.SNOOZED else StepStatus.IN_PROGRESS


def _dated(
    stored: ExecutionView,
    execution: WorkflowExecution,
    rows: Sequence[StepExecution],
    eod: dt.datetime,
    day: dt.date,
    done_actions: set[str],
    then: tuple[str | None, dt.date | None] = (None, None),
) -> ViewAsOf:
    workflow = stored.workflow
    latest: dict[str, tuple[StepExecution, str]] = {}
    for row in rows:
        status = _step_status(row, eod)
        if status is not None:
            latest[row.step_id] = (row, status)
    running = [
        r for r, status in latest.values() if status in (StepStatus.IN_PROGRESS, StepStatus.SNOOZED)
    ]
    current: str | None = None
    if running:
        current = max(running, key=lambda r: _stamp(r.started_at)).step_id
    else:  # between two steps: the one the record starts next
        upcoming = [r for r in rows if _step_status(r, eod) is None]
        if upcoming:
            nxt = min(upcoming, key=lambda r: _stamp(r.started_at))
            current = nxt.step_id
            latest[nxt.step_id] = (nxt, StepStatus.IN_PROGRESS)
    steps = []
    outputs: dict[str, Any] = {}
    for state in stored.steps:
        record: StepExecution | None
        record, status = latest.get(state.step_id, (None, StepStatus.PENDING))
        steps.append(
            StepState(
                state.step_id,
                state.name,
                state.type,
                status,
                record.chosen_route if record is not None and status in DONE else None,
                record.skip_reason if record is not None and status == StepStatus.SKIPPED else None,
                describe_route(workflow.step(state.step_id), record.chosen_route)
                if record is not None and status in DONE
                else None,
            )
        )
        if record is not None and status == StepStatus.COMPLETED and record.outputs is not None:
            found = workflow.step(state.step_id)
            key = found.store_key if found is not None else state.step_id
            outputs[key] = record.outputs
    open_then = execution.completed_at is not None and execution.completed_at >= eod
    status = ExecutionStatus.IN_PROGRESS if open_then else stored.status
    snoozed_until = None if open_then else stored.snoozed_until
    then_status, then_snoozed = then
    if then_status is not None:
        status, snoozed_until = then_status, then_snoozed
    view = ViewAsOf(**{f.name: getattr(stored, f.name) for f in fields(ExecutionView)})
    view.status, view.current_step_id, view.steps, view.outputs = status, current, steps, outputs
    view.snoozed_until = snoozed_until
    step = view.step
    gate = step.gate if step is not None else None
    view.gate = gate if gate and gate not in done_actions else None
    view.draft = None  # a draft stored later than the day is not shown as if it were then
    view.gate_state = _dated_gate(stored.gate_state, gate, gate in done_actions)
    stored_step = stored.step if stored.status in OPEN_EXECUTION_STATUSES else None
    view.history = History(
        as_of=day,
        status=stored.status,
        completed_on=execution.completed_at.date() if execution.completed_at else None,
        now_at=stored_step.name if stored_step else None,
    )
    return view


def _dated_gate(stored: GateState | None, gate: str | None, done: bool) -> GateState | None:
    """The dated step's gate: who can open it as stored; open only if it was by that day."""
    if gate is None:
        return None
    if stored is not None and stored.action == gate:
        if done:
            return stored if stored.open else replace(stored, open=True)
        return replace(stored, open=False, opened_by=None, opened_on=None)
    role = "manager" if gate in MANAGER_ONLY else None
    return GateState(gate, done, "a manager" if role else "someone on the account", role)


def _stamp(when: dt.datetime | None) -> dt.datetime:
    return when or dt.datetime.min.replace(tzinfo=dt.UTC)


__all__ = ["Closed", "ExecutionHistory", "History", "Later", "ViewAsOf", "dated_context"]
