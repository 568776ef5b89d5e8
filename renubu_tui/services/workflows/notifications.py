"""Notifications (domain.md §7, §10): evaluated from workflow configs, stored once per recipient.

A step's notifications are evaluated when the step starts; those with `actionTriggered` when that
action succeeds; day-based ones (whose condition reads the day, like `workflow.daysOverdue`) also
by the sweep, once for every day since the last sweep. Every notification row carries an
idempotency key (execution, step, notification, recipient, day), so nothing is sent twice however
often the evaluation runs.

Titles, messages and metadata are text for people (the inbox, `renubu notifications`, a plain-text
e-mail), not HTML: rendered with `render_text`, so "Pinnacle & Sons <Edu>" is stored as written,
and every place that shows them prints it as plain text, never as markup.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import stamp
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    Notification,
    StepExecution,
    SweepState,
    Tenant,
    User,
    Workflow,
    WorkflowExecution,
    WorkflowVersion,
)
from renubu_tui.domain.enums import ExecutionStatus, StepStatus
from renubu_tui.domain.workflow_model import Notification as NotificationSpec
from renubu_tui.domain.workflow_model import Step, WorkflowConfig
from renubu_tui.services.refusals import NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult
    from sqlalchemy.sql import ColumnElement

DAY_PATHS = (
    "workflow.daysOverdue",
    "workflow.daysUntilRenewal",
    "workflow.hoursUntilRenewal",
    "workflow.currentDate",
    "workflow.isOverdue",
)
SWEPT_STATUSES = (
    ExecutionStatus.NOT_STARTED,
    ExecutionStatus.IN_PROGRESS,
    ExecutionStatus.ESCALATED,
)


@dataclass
class FireReport:
    """What one evaluation did: rows created, and everything a person should know about."""

    created: list[Notification] = field(default_factory=list)
    duplicates: int = 0
    conditions_false: int = 0
    unknown_recipients: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: FireReport) -> None:
        self.created += other.created
        self.duplicates += other.duplicates
        self.conditions_false += other.conditions_false
        self.unknown_recipients += [
            r for r in other.unknown_recipients if r not in self.unknown_recipients
        ]
        self.errors += other.errors


def is_day_based(notification: NotificationSpec) -> bool:
    from renubu_tui.handlebars import referenced_paths

    condition = notification.condition
    if not condition:
        return False
    return any(p in DAY_PATHS for p in referenced_paths(condition))


def idempotency_key(
    execution_id: uuid.UUID, step_id: str, index: int, recipient: str, day: dt.date
) -> str:
    return f"{execution_id}:{step_id}:{index}:{recipient.lower()}:{day.isoformat()}"


async def fire(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    execution: WorkflowExecution,
    step: Step,
    context: Mapping[str, Any],
    day: dt.date,
    action: str | None = None,
    day_based_only: bool = False,
    at: dt.datetime | None = None,
) -> FireReport:
    """Evaluate a step's notifications in the caller's transaction and store new ones.

    Without `action`: the notifications not tied to an action (all, or only the day-based ones
    for a sweep). With `action`: only those whose `actionTriggered` names it.
    """
    from renubu_tui.handlebars import (
        TemplateError,
        evaluate_condition,
        render_recipients,
        render_text,
        render_value,
    )

    report = FireReport()
    users = {
        email: uid
        for email, uid in (
            await session.execute(select(User.email, User.id).where(User.tenant_id == tenant_id))
        ).all()
    }
    wanted: list[tuple[int, NotificationSpec]] = []
    for index, notification in enumerate(step.notifications):
        trigger = notification.action_triggered
        if (action is None and trigger) or (action is not None and trigger != action):
            continue
        if day_based_only and not is_day_based(notification):
            continue
        wanted.append((index, notification))
    rows: list[dict[str, Any]] = []
    for index, notification in wanted:
        where = f"step {step.id} notification {index + 1}"
        condition = notification.condition
        if condition:
            result = evaluate_condition(condition, context)
            if result.error:
                report.errors.append(f"{where}: condition: {result.error}")
            if not result.value:
                report.conditions_false += 1
                continue
        recipients = render_recipients(notification.recipients, context, known=set(users))
        report.errors += [f"{where}: recipients: {e}" for e in recipients.errors]
        report.unknown_recipients += [
            r for r in recipients.unknown if r not in report.unknown_recipients
        ]
        try:
            title = render_text(notification.title, context)
            message = render_text(notification.message, context)
            metadata = render_value(notification.metadata, context, escape=False)
        except TemplateError as exc:
            report.errors.append(f"{where}: {exc}")
            continue
        for email in recipients.emails:
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant_id,
                    "user_id": users.get(email.lower()),
                    "recipient_email": email,
                    "customer_id": execution.customer_id,
                    "execution_id": execution.id,
                    "step_id": step.id,
                    "notification_type": notification.type,
                    "title": title,
                    "message": message,
                    "priority": notification.priority,
                    "meta": {**metadata, "day": day.isoformat()},
                    "idempotency_key": idempotency_key(execution.id, step.id, index, email, day),
                }
            )
    if not rows:
        return report
    keys = [r["idempotency_key"] for r in rows]
    existing = set(
        (
            await session.scalars(
                select(Notification.idempotency_key).where(Notification.idempotency_key.in_(keys))
            )
        ).all()
    )
    seen: set[str] = set()
    for row in rows:
        key = row["idempotency_key"]
        if key in existing or key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        entity = Notification(**row, **({"created_at": at} if at is not None else {}))
        session.add(entity)
        report.created.append(entity)
    await session.flush()
    return report


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


def _unread(as_of: dt.date | None) -> ColumnElement[bool]:
    """Unread, or (as of a day) not read by the end of it: a notification read later was
    still unread then."""
    n = Notification
    if as_of is None:
        return n.read_at.is_(None)
    return or_(n.read_at.is_(None), n.read_at >= _end_of_day(as_of))


@dataclass(frozen=True)
class InboxItem:
    id: uuid.UUID
    customer_id: uuid.UUID | None
    execution_id: uuid.UUID | None
    notification_type: str
    title: str
    message: str
    priority: int
    created_at: dt.datetime
    read: bool
    recipient_email: str
    meta: dict[str, Any]


class NotificationService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def inbox(
        self,
        tenant_id: uuid.UUID,
        email: str,
        *,
        unread_only: bool = False,
        limit: int = 200,
        as_of: dt.date | None = None,
    ) -> list[InboxItem]:
        """Unread first, then priority (1 urgent first), then newest. With `as_of` (time travel),
        only what had been sent by the end of that day, read only if it had been read by then."""
        n = Notification
        query = select(n).where(n.tenant_id == tenant_id, n.recipient_email == email.lower())
        unread = _unread(as_of)
        if as_of is not None:
            query = query.where(n.created_at < _end_of_day(as_of))
        if unread_only:
            query = query.where(unread)
        query = query.order_by(
            case((unread, 0), else_=1), n.priority, n.created_at.desc(), n.id
        ).limit(limit)
        async with self._db.sessions() as session:
            rows = (await session.scalars(query)).all()
        eod = _end_of_day(as_of) if as_of is not None else None
        return [
            InboxItem(
                id=r.id,
                customer_id=r.customer_id,
                execution_id=r.execution_id,
                notification_type=r.notification_type,
                title=r.title,
                message=r.message,
                priority=r.priority,
                created_at=r.created_at,
                read=r.read_at is not None and (eod is None or r.read_at < eod),
                recipient_email=r.recipient_email,
                meta=dict(r.meta or {}),
            )
            for r in rows
        ]

    async def unread_counts(
        self, tenant_id: uuid.UUID, email: str, *, as_of: dt.date | None = None
    ) -> tuple[int, int]:
        """(unread, unread urgent) for the header bell; with `as_of`, as they stood that day."""
        n = Notification
        clauses = [n.tenant_id == tenant_id, n.recipient_email == email.lower(), _unread(as_of)]
        if as_of is not None:
            clauses.append(n.created_at < _end_of_day(as_of))
        async with self._db.sessions() as session:
            row = (
                await session.execute(
                    select(func.count(), func.count().filter(n.priority <= 2)).where(*clauses)
                )
            ).one()
        return int(row[0]), int(row[1])

    async def mark_read(
        self, tenant_id: uuid.UUID, email: str, ids: Sequence[uuid.UUID] | None, now: dt.datetime
    ) -> int:
        """Mark the given notifications (or all, with None) of this recipient as read."""
        n = Notification
        clauses = [
            n.tenant_id == tenant_id,
            n.recipient_email == email.lower(),
            n.read_at.is_(None),
        ]
        if ids is not None:
            clauses.append(n.id.in_(list(ids)))
        async with self._db.write() as session:
            result = cast(  # an UPDATE's result is a CursorResult (typed as Result)
                "CursorResult[Any]",
                await session.execute(update(n).where(and_(*clauses)).values(read_at=now)),
            )
        return int(result.rowcount or 0)

    async def sweep(self, tenant_slug: str, today: dt.date) -> SweepReport:
        """Evaluate day-based notifications for every day since the last sweep, up to today.

        Sweeps of one tenant may run at once (two terminals, a cron job): one that loses the
        race to write the same notifications (their idempotency keys) starts over, finds the
        work done and succeeds; only a third loss in a row is reported.
        """
        from sqlalchemy.exc import IntegrityError

        for attempt in range(3):
            try:
                return await self._sweep_once(tenant_slug, today)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _sweep_once(self, tenant_slug: str, today: dt.date) -> SweepReport:
        from renubu_tui.services.customers.context import build_context

        async with self._db.sessions() as session:
            tenant = await session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
            if tenant is None:
                raise NotFound(f"unknown tenant {tenant_slug!r}")
            state = await session.get(SweepState, tenant.id)
            last = state.last_day if state else None
            runs = (
                await session.execute(
                    select(WorkflowExecution, WorkflowVersion.config, StepExecution.started_at)
                    .join(
                        WorkflowVersion, WorkflowVersion.id == WorkflowExecution.workflow_version_id
                    )
                    .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
                    .outerjoin(
                        StepExecution,
                        and_(
                            StepExecution.execution_id == WorkflowExecution.id,
                            StepExecution.step_id == WorkflowExecution.current_step_id,
                            StepExecution.status == StepStatus.IN_PROGRESS,
                        ),
                    )
                    .where(
                        WorkflowExecution.tenant_id == tenant.id,
                        WorkflowExecution.status.in_(SWEPT_STATUSES),
                        WorkflowExecution.completed_at.is_(None),
                    )
                )
            ).all()
        report = SweepReport(first_day=None, last_day=today)
        plans: list[tuple[WorkflowExecution, Step, dt.date]] = []
        for execution, config, step_started in runs:
            step = WorkflowConfig.parse(config).step(execution.current_step_id)
            if step is None or not any(is_day_based(n) for n in step.notifications):
                continue
            started = (step_started or execution.started_at or stamp()).date()
            start = max(started, last + dt.timedelta(days=1)) if last else started
            day = start
            while day <= today:
                plans.append((execution, step, day))
                day += dt.timedelta(days=1)
        contexts = {}
        for execution, _step, day in plans:
            contexts[(execution.id, day)] = await build_context(
                self._db, tenant_slug, execution.customer_id, day, execution_id=execution.id
            )
        async with self._db.write() as session:
            for execution, step, day in plans:
                result = await fire(
                    session,
                    tenant_id=tenant.id,
                    execution=execution,
                    step=step,
                    context=contexts[(execution.id, day)],
                    day=day,
                    day_based_only=True,
                    # stamped on the day it was due, so the inbox shows it where it belongs
                    at=dt.datetime.combine(day, stamp().timetz()),
                )
                report.fire.merge(result)
                report.days_evaluated += 1
                report.first_day = min(report.first_day or day, day)
            if report.fire.created:  # every open app's bell counts them
                from renubu_tui.services.changes import publish

                await publish(session, tenant.id, None, "notification", actor_name="renubu")
            if last is None or today > last:
                state = await session.get(SweepState, tenant.id)
                if state is None:
                    session.add(SweepState(tenant_id=tenant.id, last_day=today))
                else:
                    state.last_day = today
        return report


@dataclass
class SweepReport:
    first_day: dt.date | None
    last_day: dt.date
    days_evaluated: int = 0
    fire: FireReport = field(default_factory=FireReport)
