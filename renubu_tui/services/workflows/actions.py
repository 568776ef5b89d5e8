"""Saved actions (domain.md §10): snooze, skip, escalate, schedule a meeting, e-mail, create a task.

Actions are rows in the database that name a built-in handler from a closed table here; nothing
in the database can pick code to run. Each action is one transaction: its change, its
`action_executions` row and its notifications. A failed action changes nothing, says why in one
sentence, and leaves a failure row in the trail.

An action acts on the workflow of the row the person selected: the execution named, else the
open one of the row's workflow type, and never another of the customer's workflows. A snooze
whose date has come is over: acting on that workflow wakes it first. Refusals are in words
("Fathom Robotics's renewal is snoozed until Wed 01 Oct; wake it before escalating").
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    CompanySettings,
    Customer,
    Notification,
    SavedAction,
    TaskArtifact,
    User,
    WorkflowExecution,
    WorkflowTask,
)
from renubu_tui.domain.enums import ExecutionStatus
from renubu_tui.domain.execution_state import TransitionError, check_transition, in_words
from renubu_tui.domain.params import ParamsError, check_params
from renubu_tui.domain.vocabulary import OPEN_EXECUTION_STATUSES
from renubu_tui.services.refusals import Refused

if TYPE_CHECKING:
    from renubu_tui.services.workflows.executions import (
        ExecutionService,
        OnChange,
        OnPublish,
    )

START_HINT = "start one first"
TYPE_WORDS = {
    "renewal": "renewal",
    "opportunity": "opportunity",
    "risk": "risk",
    "strategic": "strategic review",
}


class ActionFailed(Refused):
    """The action was refused or could not complete; nothing was changed."""


@dataclass(frozen=True)
class ActionOutcome:
    action: str
    message: str  # one line for a toast: what happened
    result: dict[str, Any]


@dataclass
class _Run:
    """What a handler gets: the open transaction, the request and its checked parameters."""

    session: AsyncSession
    tenant_id: uuid.UUID
    actor: User
    customer: Customer
    execution: WorkflowExecution | None
    params: dict[str, Any]
    today: dt.date
    now: dt.datetime


class ActionService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        workflow_actions: ExecutionService | None = None,  # for war room / acknowledgment
        on_change: OnChange | None = None,
        on_publish: OnPublish | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._workflow_actions = workflow_actions
        self._on_change = on_change
        self._on_publish = on_publish

    async def available(self, tenant_id: uuid.UUID) -> list[SavedAction]:
        """The tenant's saved actions (its own override core ones of the same slug)."""
        async with self._db.sessions() as session:
            rows = (
                await session.scalars(
                    select(SavedAction)
                    .where(
                        SavedAction.is_active.is_(True),
                        or_(SavedAction.tenant_id.is_(None), SavedAction.tenant_id == tenant_id),
                    )
                    .order_by(SavedAction.slug)
                )
            ).all()
        chosen: dict[str, SavedAction] = {}
        for row in rows:
            if row.slug not in chosen or row.tenant_id is not None:
                chosen[row.slug] = row
        return list(chosen.values())

    async def refusal(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        customer_id: uuid.UUID,
        execution_id: uuid.UUID | None = None,
        *,
        workflow_type: str | None = None,
        start_hint: str = START_HINT,
    ) -> str | None:
        """Why `run` would refuse this before any parameter is asked for, or None.

        So a person is told "Fathom Robotics's opportunity has no workflow running" or "… is
        snoozed until …" when pressing the key, not after filling in the dialog. Pass the
        selected row's `execution_id` and `workflow_type`. Reads only; `run` checks again.
        """
        action = next((a for a in await self.available(tenant_id) if a.slug == slug), None)
        if action is None:
            return f"unknown action {slug!r}"
        if action.handler not in NEEDS_EXECUTION:  # the handler's name is its verb
            return None
        async with self._db.sessions() as session:
            customer = await session.scalar(
                select(Customer).where(Customer.id == customer_id, Customer.tenant_id == tenant_id)
            )
            if customer is None:
                return f"no customer {customer_id} in this tenant"
            try:
                execution = await _execution(
                    session, tenant_id, customer_id, execution_id, workflow_type
                )
            except ActionFailed as exc:
                return str(exc)
        if execution is None:
            return _no_open_workflow(customer, action.handler, workflow_type, start_hint)
        status = (
            ExecutionStatus.IN_PROGRESS if _snooze_over(execution, self._clock.today()) else None
        )
        try:
            _check_move(customer, execution, MOVES[action.handler], status)
        except ActionFailed as exc:
            return str(exc)
        return None

    async def wake(
        self,
        tenant_id: uuid.UUID,
        *,
        actor: User,
        customer_id: uuid.UUID,
        execution_id: uuid.UUID | None = None,
        workflow_type: str | None = None,
    ) -> ActionOutcome:
        """End a snooze now (snoozed → in progress): the work is back in the queue today."""
        async with self._db.write() as session:
            customer = await session.scalar(
                select(Customer).where(Customer.id == customer_id, Customer.tenant_id == tenant_id)
            )
            if customer is None:
                raise ActionFailed(f"no customer {customer_id} in this tenant")
            execution = await _execution(
                session, tenant_id, customer_id, execution_id, workflow_type, lock=True
            )
            if execution is None:
                raise ActionFailed(_no_open_workflow(customer, "wake", workflow_type, START_HINT))
            if execution.status != ExecutionStatus.SNOOZED:
                raise ActionFailed(f"{_subject(customer, execution)} is not snoozed")
            until = execution.snoozed_until
            _check_move(customer, execution, ExecutionStatus.IN_PROGRESS)
            execution.status = ExecutionStatus.IN_PROGRESS
            execution.snoozed_until = None
            session.add(
                ActionExecution(
                    tenant_id=tenant_id,
                    action_slug="wake",
                    execution_id=execution.id,
                    customer_id=customer_id,
                    user_id=actor.id,
                    params={},
                    result={"wasSnoozedUntil": until.isoformat() if until else None},
                    success=True,
                )
            )
            message = f"{_subject(customer, execution)} is awake again"
            await session.flush()
            await self._changed(session, tenant_id, customer_id, kind="wake", actor=actor)
        return ActionOutcome("wake", message, {"executionId": str(execution.id)})

    async def run(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        *,
        actor: User,
        customer_id: uuid.UUID,
        params: Mapping[str, Any] | None = None,
        execution_id: uuid.UUID | None = None,
        workflow_type: str | None = None,
        start_hint: str = START_HINT,
    ) -> ActionOutcome:
        """Run the action on the selected row's workflow: `execution_id` if the row has one,
        else the open execution of `workflow_type` (refused in words when there is none).
        Without either (the CLI), the customer's open renewal, else any open workflow."""
        action = next((a for a in await self.available(tenant_id) if a.slug == slug), None)
        if action is None:
            raise ActionFailed(f"unknown action {slug!r}")
        handler = HANDLERS.get(action.handler)
        if handler is None and action.handler not in WORKFLOW_HANDLERS:
            raise ActionFailed(f"action {slug!r} names no built-in handler")
        try:
            checked = check_params(action.params_schema or {}, dict(params or {}), action.defaults)
        except ParamsError as exc:
            await self._fail(tenant_id, action, actor, customer_id, execution_id, params, str(exc))
            raise ActionFailed(f"{slug}: {exc}") from None
        if action.handler in WORKFLOW_HANDLERS:
            return await self._workflow_action(
                tenant_id, action, actor, customer_id, execution_id, checked, workflow_type
            )
        assert handler is not None
        try:
            async with self._db.write() as session:
                customer = await session.scalar(
                    select(Customer).where(
                        Customer.id == customer_id, Customer.tenant_id == tenant_id
                    )
                )
                if customer is None:
                    raise ActionFailed(f"no customer {customer_id} in this tenant")
                execution = await _execution(
                    session, tenant_id, customer_id, execution_id, workflow_type, lock=True
                )
                if execution is None and action.handler in NEEDS_EXECUTION:
                    raise ActionFailed(
                        _no_open_workflow(customer, action.handler, workflow_type, start_hint)
                    )
                if execution is not None and _snooze_over(execution, self._clock.today()):
                    execution.status = (
                        ExecutionStatus.IN_PROGRESS
                    )  # the snooze is over: it is awake again
                    execution.snoozed_until = None
                run = _Run(
                    session,
                    tenant_id,
                    actor,
                    customer,
                    execution,
                    checked,
                    self._clock.today(),
                    self._clock.now(),
                )
                message, result = await handler(run)
                session.add(
                    ActionExecution(
                        tenant_id=tenant_id,
                        saved_action_id=action.id,
                        action_slug=slug,
                        execution_id=execution.id if execution else None,
                        customer_id=customer_id,
                        user_id=actor.id,
                        params=_jsonable(checked),
                        result=result,
                        success=True,
                    )
                )
                await session.flush()
                await self._changed(session, tenant_id, customer_id, kind=slug, actor=actor)
        except (ActionFailed, TransitionError) as exc:
            await self._fail(tenant_id, action, actor, customer_id, execution_id, checked, str(exc))
            raise ActionFailed(str(exc)) from None
        return ActionOutcome(slug, message, result)

    async def _changed(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        *,
        kind: str = "action",
        actor: User | None = None,
    ) -> None:
        """Re-score the customer's queue rows inside the action's transaction: a crash after
        the commit cannot leave the queue showing the work as it was."""
        if self._on_change is not None:
            await self._on_change(tenant_id, customer_id, self._clock.today(), session=session)
        if self._on_publish is not None:
            await self._on_publish(session, tenant_id, customer_id, kind=kind, actor=actor)

    async def _workflow_action(
        self,
        tenant_id: uuid.UUID,
        action: SavedAction,
        actor: User,
        customer_id: uuid.UUID,
        execution_id: uuid.UUID | None,
        params: dict[str, Any],
        workflow_type: str | None = None,
    ) -> ActionOutcome:
        from renubu_tui.services.workflows.executions import ExecutionError

        if self._workflow_actions is None:
            raise ActionFailed("workflow actions are not available here")
        async with self._db.sessions() as session:
            execution = await _execution(
                session, tenant_id, customer_id, execution_id, workflow_type
            )
            customer = await session.get(Customer, customer_id)
        if execution is None:
            name = customer.name if customer is not None else "This customer"
            raise ActionFailed(f"{name} has no open workflow to record {action.name.lower()} on")
        try:
            result, fired = await self._workflow_actions.perform_action(
                tenant_id, execution.id, action.slug, actor=actor, params=params
            )
        except ExecutionError as exc:
            raise ActionFailed(str(exc)) from None
        who = len(fired.created)
        return ActionOutcome(action.slug, f"{action.name}: done, {who} notified", result)

    async def _fail(
        self,
        tenant_id: uuid.UUID,
        action: SavedAction,
        actor: User,
        customer_id: uuid.UUID,
        execution_id: uuid.UUID | None,
        params: Mapping[str, Any] | None,
        error: str,
    ) -> None:
        async with self._db.write() as session:
            session.add(
                ActionExecution(
                    tenant_id=tenant_id,
                    saved_action_id=action.id,
                    action_slug=action.slug,
                    execution_id=execution_id,
                    customer_id=customer_id,
                    user_id=actor.id,
                    params=_jsonable(dict(params or {})),
                    success=False,
                    error=error,
                )
            )


async def _execution(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    execution_id: uuid.UUID | None,
    workflow_type: str | None = None,
    *,
    lock: bool = False,
) -> WorkflowExecution | None:
    """The named execution, else the open one of `workflow_type` (None if there is none:
    never another type's), else (no type given) the open renewal, else any open one.

    `lock` (inside a write): FOR UPDATE on PostgreSQL, so a concurrent action on the same
    execution waits and then sees this one's result, as SQLite's serialized writes do; without
    it a skip and a snooze could both read "in progress" and both succeed (last one wins)."""
    query = select(WorkflowExecution).where(
        WorkflowExecution.tenant_id == tenant_id,
        WorkflowExecution.customer_id == customer_id,
    )
    if lock:
        query = query.with_for_update()
    if execution_id is not None:
        found = await session.scalar(query.where(WorkflowExecution.id == execution_id))
        if found is None:
            raise ActionFailed(f"no execution {execution_id} for this customer")
        return found
    if workflow_type is not None:
        query = query.where(WorkflowExecution.workflow_type == workflow_type)
    open_runs = (
        await session.scalars(
            query.where(
                WorkflowExecution.status.in_(OPEN_EXECUTION_STATUSES),
                WorkflowExecution.completed_at.is_(None),
            ).order_by(WorkflowExecution.started_at.desc())
        )
    ).all()
    renewal = [r for r in open_runs if r.workflow_type == "renewal"]
    if renewal:
        return renewal[0]
    return open_runs[0] if open_runs else None


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def _need_execution(run: _Run, what: str) -> WorkflowExecution:
    if run.execution is None:
        raise ActionFailed(_no_open_workflow(run.customer, what))
    return run.execution


def _no_open_workflow(
    customer: Customer, what: str, workflow_type: str | None = None, hint: str = START_HINT
) -> str:
    if workflow_type is None:
        return f"{customer.name} has no open workflow to {what}"
    kind = TYPE_WORDS.get(workflow_type, workflow_type)
    return f"{customer.name}'s {kind} has no workflow running; {hint}"


def _subject(customer: Customer, execution: WorkflowExecution) -> str:
    """ "Fathom Robotics's renewal": how a refusal names the workflow acted on."""
    return f"{customer.name}'s {TYPE_WORDS.get(execution.workflow_type, 'workflow')}"


def _snooze_over(execution: WorkflowExecution, today: dt.date) -> bool:
    """A snooze whose wake date has come (the row is back in the queue): it no longer holds."""
    until = execution.snoozed_until
    return execution.status == ExecutionStatus.SNOOZED and until is not None and until <= today


def _check_move(
    customer: Customer, execution: WorkflowExecution, target: str, status: str | None = None
) -> None:
    """The state machine's check, refused in the person's words (no state codes)."""
    current = status or execution.status
    if target == ExecutionStatus.SNOOZED and current == ExecutionStatus.SNOOZED:
        return  # snoozing again moves the wake date
    try:
        check_transition(current, target)
    except TransitionError as exc:
        said = in_words(
            exc.current or current,
            exc.target or target,
            subject=_subject(customer, execution),
            snoozed_until=execution.snoozed_until,
        )
        raise ActionFailed(said) from None


def _move(run: _Run, execution: WorkflowExecution, target: str) -> None:
    _check_move(run.customer, execution, target)


# --- handlers: the closed table the database's `handler` column chooses from ---------------


async def _snooze(run: _Run) -> tuple[str, dict[str, Any]]:
    execution = _need_execution(run, "snooze")
    days = int(run.params["days"])
    _move(run, execution, ExecutionStatus.SNOOZED)
    until = run.today + dt.timedelta(days=days)
    execution.status = ExecutionStatus.SNOOZED
    execution.snoozed_until = until
    execution.snooze_reason = run.params.get("reason")
    return (
        f"Snoozed {run.customer.name} until {until:%a %d %b}",
        {"snoozedUntil": until.isoformat(), "days": days},
    )


async def _skip(run: _Run) -> tuple[str, dict[str, Any]]:
    execution = _need_execution(run, "skip")
    _move(run, execution, ExecutionStatus.SKIPPED)
    reason = run.params["reason"] + (f": {run.params['note']}" if run.params.get("note") else "")
    execution.status = ExecutionStatus.SKIPPED
    execution.skip_reason = reason
    execution.completed_at = run.now
    return f"Skipped {run.customer.name}'s workflow ({run.params['reason']})", {"reason": reason}


async def _escalate(run: _Run) -> tuple[str, dict[str, Any]]:
    execution = _need_execution(run, "escalate")
    _move(run, execution, ExecutionStatus.ESCALATED)
    level = run.params["level"]
    target = await _escalation_target(run, level)
    execution.status = ExecutionStatus.ESCALATED
    execution.escalated_to_id = target.id
    execution.escalation_level = level
    key = f"{execution.id}:escalate:{level}:{target.email}:{run.today.isoformat()}"
    exists = await run.session.scalar(
        select(Notification.id).where(Notification.idempotency_key == key)
    )
    if exists is None:
        run.session.add(
            Notification(
                tenant_id=run.tenant_id,
                user_id=target.id,
                recipient_email=target.email,
                customer_id=run.customer.id,
                execution_id=execution.id,
                step_id=execution.current_step_id,
                notification_type="escalation_required",
                title=f"Escalated to you: {run.customer.name}",
                message=f"{run.actor.name} escalated the renewal: {run.params['reason']}",
                priority=1 if level != "manager" else 2,
                meta={"level": level, "from": run.actor.email, "day": run.today.isoformat()},
                idempotency_key=key,
                created_at=run.now,
            )
        )
    return (
        f"Escalated {run.customer.name} to {target.name} ({level})",
        {"level": level, "to": target.email},
    )


async def _escalation_target(run: _Run, level: str) -> User:
    session = run.session
    if level == "manager":
        owner = await session.get(User, run.customer.owner_id) if run.customer.owner_id else None
        manager_id = (owner or run.actor).manager_id
        target = await session.get(User, manager_id) if manager_id else None
    else:
        company = await session.get(CompanySettings, run.tenant_id)
        email = None
        if company is not None:
            email = company.vp_customer_success_email if level == "vp_cs" else company.ceo_email
        target = None
        if email:
            target = await session.scalar(
                select(User).where(User.tenant_id == run.tenant_id, User.email == email.lower())
            )
    if target is None:
        raise ActionFailed(f"nobody to escalate to at level {level}")
    return target


async def _create_task(run: _Run) -> tuple[str, dict[str, Any]]:
    owner = run.actor
    if run.params.get("owner"):
        found = await run.session.scalar(
            select(User).where(
                User.tenant_id == run.tenant_id, User.email == str(run.params["owner"]).lower()
            )
        )
        if found is None:
            raise ActionFailed(f"unknown task owner {run.params['owner']!r}")
        owner = found
    due = dt.date.fromisoformat(run.params["dueDate"])
    task = WorkflowTask(
        id=uuid.uuid4(),
        tenant_id=run.tenant_id,
        customer_id=run.customer.id,
        execution_id=run.execution.id if run.execution else None,
        step_id=run.execution.current_step_id if run.execution else None,
        title=run.params["title"].strip(),
        description=run.params.get("description"),
        owner_id=owner.id,
        priority=run.params["priority"],
        due_date=due,
        status="pending",
    )
    run.session.add(task)
    return f"Task created: {task.title} (due {due:%d %b})", {"taskId": str(task.id)}


async def _schedule_meeting(run: _Run) -> tuple[str, dict[str, Any]]:
    start = run.params.get("start")
    day = dt.datetime.fromisoformat(start).date() if start else run.today + dt.timedelta(days=1)
    title = run.params.get("title") or f"Renewal call with {run.customer.name}"
    minutes = int(run.params["duration"])
    task = WorkflowTask(
        id=uuid.uuid4(),
        tenant_id=run.tenant_id,
        customer_id=run.customer.id,
        execution_id=run.execution.id if run.execution else None,
        step_id=run.execution.current_step_id if run.execution else None,
        title=f"Meeting: {title} ({minutes} min)",
        description="\n".join(
            x
            for x in (
                f"Attendees: {', '.join(run.params.get('attendees') or [])}"
                if run.params.get("attendees")
                else "",
                run.params.get("agenda") or "",
            )
            if x
        )
        or None,
        owner_id=run.actor.id,
        priority="high",
        due_date=day,
        status="pending",
    )
    run.session.add(task)
    return (
        f"Meeting scheduled: {title}, {minutes} min on {day:%a %d %b}",
        {"taskId": str(task.id), "day": day.isoformat(), "duration": minutes},
    )


async def _send_email(run: _Run) -> tuple[str, dict[str, Any]]:
    to = ", ".join(run.params["to"])
    cc = ", ".join(run.params.get("cc") or [])
    header = f"To: {to}\n" + (f"Cc: {cc}\n" if cc else "") + f"Subject: {run.params['subject']}\n"
    artifact = TaskArtifact(
        id=uuid.uuid4(),
        tenant_id=run.tenant_id,
        customer_id=run.customer.id,
        execution_id=run.execution.id if run.execution else None,
        step_id=run.execution.current_step_id if run.execution else None,
        kind="email_draft",
        title=run.params["subject"],
        content=header + "\n" + (run.params.get("body") or ""),
        data={"to": run.params["to"], "cc": run.params.get("cc") or []},
        created_by_ai=False,
        created_by_id=run.actor.id,
        status="draft",
    )
    run.session.add(artifact)
    return (
        f"E-mail draft saved for {to} (nothing was sent)",
        {"artifactId": str(artifact.id)},
    )


Handler = Callable[[_Run], Awaitable[tuple[str, dict[str, Any]]]]
HANDLERS: dict[str, Handler] = {
    "snooze": _snooze,
    "skip": _skip,
    "escalate": _escalate,
    "create_task": _create_task,
    "schedule_meeting": _schedule_meeting,
    "send_email": _send_email,
}
# Handlers that act on an open workflow execution (`_need_execution`), and the state each makes.
MOVES = {
    "snooze": ExecutionStatus.SNOOZED,
    "skip": ExecutionStatus.SKIPPED,
    "escalate": ExecutionStatus.ESCALATED,
}
NEEDS_EXECUTION = frozenset(MOVES)
WORKFLOW_HANDLERS = frozenset({"create_war_room", "create_slack_channel", "manager_acknowledge"})
