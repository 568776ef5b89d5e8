"""A customer's timeline (rules.md, "The customer timeline"): every touch, newest first.

Read from the rows each touch already left — workflow executions and their steps (with the route
taken), action runs (meetings from schedule-meeting), e-mail drafts (artifacts), notifications,
chat threads, the health and ARR series (a change is shown, a repeat is not), imports (a
customer an import made, and its audited updates) and the notes people wrote — as of today:
nothing dated after the view's day. `domain.timeline` orders and filters them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    AuditEntry,
    ChatThread,
    Customer,
    CustomerFinancials,
    CustomerIntelligence,
    Notification,
    StepExecution,
    TaskArtifact,
    Tenant,
    User,
    Workflow,
    WorkflowExecution,
)
from renubu_tui.domain._format import money
from renubu_tui.domain.timeline import KINDS, Entry, UnknownKind, arrange, changes, check_kinds
from renubu_tui.services.customers.lookup import customer_by_ref
from renubu_tui.services.customers.notes import notes_of
from renubu_tui.services.refusals import BadInput

SYSTEM = "renubu"  # who, for what renubu did by itself (a notification, a step it skipped)
DATA = "data feed"  # who, for a health score or an ARR record
# actions whose touch another entry shows: the draft is the e-mail, a step or start the workflow's
ALREADY_SHOWN = ("send-email", "complete-step", "start-workflow", "skip-step", "run-step")


@dataclass(frozen=True)
class TimelineView:
    customer_id: uuid.UUID
    customer_name: str
    today: dt.date
    kinds: frozenset[str]  # asked for (empty: all)
    search: str
    entries: list[Entry]


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def at_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def parse_kinds(asked: list[str] | tuple[str, ...]) -> frozenset[str]:
    try:
        return check_kinds(asked)
    except UnknownKind as exc:
        raise BadInput(str(exc)) from None


async def customer_timeline(
    db: Database,
    tenant: Tenant,
    customer_ref: str | uuid.UUID,
    today: dt.date,
    *,
    kinds: frozenset[str] = frozenset(),
    search: str = "",
) -> TimelineView:
    """The customer's touches as of `today`, newest first, of `kinds` (all when empty)."""
    async with db.sessions() as session:
        customer = await _customer(session, tenant, customer_ref)
        names = {
            uid: name
            for uid, name in (
                await session.execute(select(User.id, User.name).where(User.tenant_id == tenant.id))
            ).all()
        }
        wanted = kinds or frozenset(KINDS)
        entries: list[Entry] = []
        if wanted & {"workflow", "step"}:
            entries += await _workflows(session, customer.id, names)
        if wanted & {"action", "meeting"}:
            entries += await _actions(session, customer.id, names)
        if "email" in wanted:
            entries += await _emails(session, customer.id, names)
        if "notification" in wanted:
            entries += await _notifications(session, customer.id)
        if "chat" in wanted:
            entries += await _chats(session, customer.id, names)
        if "health" in wanted:
            entries += await _health(session, customer.id, today)
        if "arr" in wanted:
            entries += await _arr(session, customer.id, today)
        if "import" in wanted:
            entries += await _imports(session, customer)
    if "note" in wanted:
        for note in await notes_of(db, tenant.id, customer.id, end_of(today), limit=500):
            tag = f"[{note.tag}] " if note.tag else ""
            first = _first_line(note.body)
            edited = " (edited)" if note.edited else ""
            entries.append(
                Entry(
                    note.created_at,
                    "note",
                    f"{tag}{first.strip()}{edited}",
                    note.author,
                    note.body,
                    str(note.id),
                )
            )
    arranged = arrange(entries, kinds=kinds, search=search, until=end_of(today))
    return TimelineView(customer.id, customer.name, today, kinds, search, arranged)


async def _customer(session: AsyncSession, tenant: Tenant, ref: str | uuid.UUID) -> Customer:
    if isinstance(ref, uuid.UUID):
        ref = str(ref)
    return await customer_by_ref(session, tenant, ref)


def _name(names: dict[uuid.UUID, str], uid: uuid.UUID | None, default: str = SYSTEM) -> str:
    return names.get(uid, default) if uid is not None else default


def _words(slug: str) -> str:
    return slug.replace("_", " ").replace("-", " ")


async def _workflows(
    session: AsyncSession, customer_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> list[Entry]:
    runs = (
        await session.execute(
            select(WorkflowExecution, Workflow.name)
            .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
            .where(WorkflowExecution.customer_id == customer_id)
        )
    ).all()
    out: list[Entry] = []
    by_id = {}
    for run, workflow in runs:
        by_id[run.id] = (run, workflow)
        owner = _name(names, run.owner_id)
        if run.started_at is not None:
            out.append(
                Entry(run.started_at, "workflow", f"{workflow} started", owner, ref=str(run.id))
            )
        if run.completed_at is not None:
            outcome = f": {run.outcome}" if run.outcome else ""
            out.append(
                Entry(
                    run.completed_at,
                    "workflow",
                    f"{workflow} {_words(run.status)}{outcome}",
                    owner,
                    ref=str(run.id),
                )
            )
    if not by_id:
        return out
    steps = (
        await session.scalars(
            select(StepExecution).where(StepExecution.execution_id.in_(list(by_id)))
        )
    ).all()
    for step in steps:
        run, workflow = by_id[step.execution_id]
        owner = _name(names, run.owner_id)
        name = _words(step.step_id)
        if step.status == "completed" and step.completed_at is not None:
            route = f" → route {step.chosen_route}" if step.chosen_route else ""
            out.append(
                Entry(
                    step.completed_at,
                    "step",
                    f"{name} completed{route}",
                    owner,
                    workflow,
                    str(step.id),
                )
            )
        elif step.status == "skipped" and step.completed_at is not None:
            why = f" ({step.skip_reason})" if step.skip_reason else ""
            out.append(
                Entry(
                    step.completed_at, "step", f"{name} skipped{why}", owner, workflow, str(step.id)
                )
            )
        elif step.started_at is not None:
            out.append(
                Entry(step.started_at, "step", f"{name} started", owner, workflow, str(step.id))
            )
    return out


async def _actions(
    session: AsyncSession, customer_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> list[Entry]:
    rows = (
        await session.scalars(
            select(ActionExecution).where(
                ActionExecution.customer_id == customer_id,
                ActionExecution.success.is_(True),
                # the draft is the e-mail entry; a step or a start is the workflow's own entry
                ActionExecution.action_slug.not_in(ALREADY_SHOWN),
            )
        )
    ).all()
    out: list[Entry] = []
    for row in rows:
        who = _name(names, row.user_id)
        params = row.params or {}
        if row.action_slug == "schedule-meeting":
            title = params.get("title") or "meeting"
            minutes = params.get("duration")
            length = f", {minutes} min" if minutes else ""
            out.append(
                Entry(
                    row.created_at,
                    "meeting",
                    f"meeting scheduled: {title}{length}",
                    who,
                    str(params.get("agenda") or ""),
                    str(row.id),
                )
            )
            continue
        reason = params.get("reason") or params.get("level") or ""
        extra = f" ({reason})" if isinstance(reason, str) and reason else ""
        out.append(
            Entry(
                row.created_at, "action", f"{_words(row.action_slug)}{extra}", who, ref=str(row.id)
            )
        )
    return out


async def _emails(
    session: AsyncSession, customer_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> list[Entry]:
    rows = (
        await session.scalars(
            select(TaskArtifact).where(
                TaskArtifact.customer_id == customer_id, TaskArtifact.kind == "email_draft"
            )
        )
    ).all()
    return [
        Entry(
            row.created_at,
            "email",
            f"e-mail drafted: {row.title}",
            "assistant" if row.created_by_ai else _name(names, row.created_by_id),
            row.content,
            str(row.id),
        )
        for row in rows
    ]


async def _notifications(session: AsyncSession, customer_id: uuid.UUID) -> list[Entry]:
    rows = (
        await session.scalars(select(Notification).where(Notification.customer_id == customer_id))
    ).all()
    # one notification is a row per recipient: one entry per title and moment
    grouped: dict[tuple[dt.datetime, str], list[Notification]] = {}
    for row in rows:
        grouped.setdefault((row.created_at, row.title), []).append(row)
    out = []
    for (at, title), group in grouped.items():
        to = ", ".join(dict.fromkeys(r.recipient_email for r in group))
        out.append(
            Entry(at, "notification", f"notified: {title}", SYSTEM, f"to {to}", str(group[0].id))
        )
    return out


async def _chats(
    session: AsyncSession, customer_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> list[Entry]:
    rows = (
        await session.scalars(select(ChatThread).where(ChatThread.customer_id == customer_id))
    ).all()
    return [
        Entry(
            row.created_at,
            "chat",
            f"chat with the assistant ({row.status})",
            _name(names, row.user_id),
            ref=str(row.id),
        )
        for row in rows
    ]


async def _health(session: AsyncSession, customer_id: uuid.UUID, today: dt.date) -> list[Entry]:
    rows = (
        await session.execute(
            select(CustomerIntelligence.as_of_date, CustomerIntelligence.health_score)
            .where(
                CustomerIntelligence.customer_id == customer_id,
                CustomerIntelligence.as_of_date <= today,
            )
            .order_by(CustomerIntelligence.as_of_date)
        )
    ).all()
    out = []
    for day, before, after in changes([(d, v) for d, v in rows]):
        moved = f"{_num(before)} → {_num(after)}" if before is not None else _num(after)
        out.append(Entry(at_midnight(day), "health", f"health {moved}", DATA))
    return out


async def _arr(session: AsyncSession, customer_id: uuid.UUID, today: dt.date) -> list[Entry]:
    rows = (
        await session.execute(
            select(CustomerFinancials.valid_from, CustomerFinancials.current_arr)
            .where(
                CustomerFinancials.customer_id == customer_id,
                CustomerFinancials.valid_from <= today,
            )
            .order_by(CustomerFinancials.valid_from)
        )
    ).all()
    out = []
    for day, before, after in changes([(d, float(v)) for d, v in rows]):
        moved = f"{money(before)} → {money(after)}" if before is not None else money(after)
        out.append(Entry(at_midnight(day), "arr", f"ARR {moved}", DATA))
    return out


async def _imports(session: AsyncSession, customer: Customer) -> list[Entry]:
    out = []
    if customer.external_id:
        out.append(
            Entry(
                customer.created_at,
                "import",
                f"imported from a CRM export (id {customer.external_id})",
                SYSTEM,
            )
        )
    rows = (
        await session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "customer",
                AuditEntry.entity_id == str(customer.id),
                AuditEntry.action.like("import-%"),
            )
        )
    ).all()
    for row in rows:
        fields = (
            ", ".join(sorted((row.new_value or {}).keys()))
            if isinstance(row.new_value, dict)
            else ""
        )
        what = f"updated by an import: {fields}" if fields else "updated by an import"
        out.append(
            Entry(row.created_at, "import", what, row.actor_label, row.note or "", str(row.id))
        )
    return out


_BLOCK_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)+")


def _first_line(markdown: str) -> str:
    """A note's first line as its title, without the block marks (`# `, `> `, `- `) a person
    would not read out; inline emphasis stays as written."""
    first = next((line for line in markdown.splitlines() if line.strip()), "")
    return _BLOCK_MARK.sub("", first).strip()


def _num(value: float) -> str:
    return f"{value:g}"


__all__ = ["TimelineView", "customer_timeline", "end_of", "parse_kinds"]
