"""Tasks of a workflow and the documents (artifacts) it produces (domain.md §10–§11).

Tasks can be completed, skipped with a reason, snoozed (never beyond 7 days after their first
snooze) and reassigned; artifacts can be edited, approved (who, when), deleted and exported to
Markdown. Every change is audited.

Both lists read as of a day when given `as_of` (time travel, `--as-of`): a row created after the
end of that day (UTC, as `queue_sql.end_of_day` counts it) is left out, and a change made later
is undone in what is shown. For a task, the audit trail's old values are laid back over the row,
newest first (a task completed later is open again, a reassignment later is not made yet); a
task completed later without a trail (seeded) reads as pending. For an artifact, its approval
counts only if given by then. What the trail does not keep cannot be shown as it was: the text
of an artifact edited later, or one deleted later.
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import AuditEntry, Customer, TaskArtifact, User, WorkflowTask
from renubu_tui.domain.vocabulary import TASK_PRIORITIES
from renubu_tui.services.queue.sql import end_of_day
from renubu_tui.services.refusals import Refused

MAX_TASK_SNOOZE_DAYS = 7


class TaskError(Refused):
    """A task or artifact change that cannot be made; nothing was changed."""


@dataclass(frozen=True)
class TaskView:
    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    execution_id: uuid.UUID | None
    title: str
    description: str | None
    owner_email: str | None
    status: str
    priority: str
    due_date: dt.date | None
    snoozed_until: dt.date | None
    completed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None


# The task fields the audit trail records old values of, and how to read them back.
_DATED_FIELDS: dict[str, Any] = {
    "status": str,
    "priority": str,
    "title": str,
    "description": lambda v: v,
    "skip_reason": lambda v: v,
    "due_date": dt.date.fromisoformat,
    "snoozed_until": dt.date.fromisoformat,
    "completed_at": dt.datetime.fromisoformat,
    "owner_id": uuid.UUID,
}


class TaskService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def list(
        self,
        tenant_id: uuid.UUID,
        *,
        customer_id: uuid.UUID | None = None,
        execution_id: uuid.UUID | None = None,
        owner_id: uuid.UUID | None = None,
        include_done: bool = True,
        as_of: dt.date | None = None,
    ) -> list[TaskView]:
        """The tenant's tasks by due date; with `as_of`, as they stood at the end of that day."""
        t = WorkflowTask
        query = (
            select(t, Customer.name)
            .join(Customer, Customer.id == t.customer_id)
            .where(t.tenant_id == tenant_id)
        )
        if customer_id is not None:
            query = query.where(t.customer_id == customer_id)
        if execution_id is not None:
            query = query.where(t.execution_id == execution_id)
        if as_of is not None:
            query = query.where(t.created_at < end_of_day(as_of))
        elif owner_id is not None:
            query = query.where(t.owner_id == owner_id)
        if as_of is None and not include_done:
            query = query.where(t.status.in_(OPEN_TASK_STATUSES))
        async with self._db.sessions() as session:
            rows = (await session.execute(query)).all()
            states = {task.id: _state(task) for task, _name in rows}
            if as_of is not None:
                await _undo_later(session, tenant_id, states, end_of_day(as_of))
            emails = await _emails(session, {s["owner_id"] for s in states.values()})
        views = [
            TaskView(
                task.id,
                task.customer_id,
                name,
                task.execution_id,
                states[task.id]["title"],
                states[task.id]["description"],
                emails.get(states[task.id]["owner_id"]),
                states[task.id]["status"],
                states[task.id]["priority"],
                states[task.id]["due_date"],
                states[task.id]["snoozed_until"],
                states[task.id]["completed_at"],
                task.created_at,
            )
            for task, name in rows
        ]
        if as_of is not None:
            wanted = [v for v in views if owner_id is None or _owner(states[v.id]) == owner_id]
            views = [v for v in wanted if include_done or v.status in OPEN_TASK_STATUSES]
        return sorted(views, key=_due_order)

    async def _change(
        self, tenant_id: uuid.UUID, task_id: uuid.UUID, actor: User, action: str, **changes: Any
    ) -> TaskView:
        async with self._db.write() as session:
            task = await session.scalar(
                select(WorkflowTask).where(
                    WorkflowTask.id == task_id, WorkflowTask.tenant_id == tenant_id
                )
            )
            if task is None:
                raise TaskError(f"no task {task_id} in this tenant")
            check = changes.pop("_check", None)
            if check is not None:
                check(task)
            old = {k: _plain(getattr(task, k)) for k in changes}
            for key, value in changes.items():
                setattr(task, key, value)
            session.add(
                AuditEntry(
                    tenant_id=tenant_id,
                    actor_id=actor.id,
                    actor_label=actor.email,
                    entity_type="task",
                    entity_id=str(task.id),
                    action=action,
                    old_value=old,
                    new_value={k: _plain(v) for k, v in changes.items()},
                )
            )
            from renubu_tui.services.changes import publish  # every open app shows it

            await publish(
                session,
                tenant_id,
                task.customer_id,
                f"task-{action}",
                actor_id=actor.id,
                actor_name=actor.name,
            )
        return next(v for v in await self.list(tenant_id) if v.id == task_id)

    async def complete(self, tenant_id: uuid.UUID, task_id: uuid.UUID, actor: User) -> TaskView:
        return await self._change(
            tenant_id,
            task_id,
            actor,
            "complete",
            status="completed",
            completed_at=self._clock.now(),
            _check=_open,
        )

    async def skip(
        self, tenant_id: uuid.UUID, task_id: uuid.UUID, actor: User, reason: str
    ) -> TaskView:
        if not reason.strip():
            raise TaskError("a reason is required to skip a task")
        return await self._change(
            tenant_id,
            task_id,
            actor,
            "skip",
            status="skipped",
            skip_reason=reason.strip(),
            _check=_open,
        )

    async def snooze(
        self, tenant_id: uuid.UUID, task_id: uuid.UUID, actor: User, until: dt.date
    ) -> TaskView:
        today = self._clock.today()
        if until <= today:
            raise TaskError("a task can only be snoozed to a later day")

        def check(task: WorkflowTask) -> None:
            _open(task)
            first = task.first_snoozed_on or today
            limit = first + dt.timedelta(days=MAX_TASK_SNOOZE_DAYS)
            if until > limit:
                raise TaskError(
                    f"a task may not be snoozed past {limit} "
                    f"({MAX_TASK_SNOOZE_DAYS} days after its first snooze on {first})"
                )
            if task.first_snoozed_on is None:
                task.first_snoozed_on = today

        return await self._change(
            tenant_id,
            task_id,
            actor,
            "snooze",
            status="snoozed",
            snoozed_until=until,
            _check=check,
        )

    async def reassign(
        self, tenant_id: uuid.UUID, task_id: uuid.UUID, actor: User, email: str
    ) -> TaskView:
        async with self._db.sessions() as session:
            owner = await session.scalar(
                select(User).where(User.tenant_id == tenant_id, User.email == email.lower())
            )
        if owner is None:
            raise TaskError(f"unknown user {email!r}")
        return await self._change(tenant_id, task_id, actor, "reassign", owner_id=owner.id)

    async def update(
        self,
        tenant_id: uuid.UUID,
        task_id: uuid.UUID,
        actor: User,
        *,
        title: str | None = None,
        priority: str | None = None,
        due_date: dt.date | None = None,
        description: str | None = None,
    ) -> TaskView:
        changes: dict[str, Any] = {}
        if title is not None:
            if not title.strip():
                raise TaskError("a task needs a title")
            changes["title"] = title.strip()
        if priority is not None:
            if priority not in TASK_PRIORITIES:
                raise TaskError(f"priority must be one of {', '.join(TASK_PRIORITIES)}")
            changes["priority"] = priority
        if due_date is not None:
            changes["due_date"] = due_date
        if description is not None:
            changes["description"] = description
        return await self._change(tenant_id, task_id, actor, "update", **changes)


OPEN_TASK_STATUSES = ("pending", "in_progress", "snoozed")


def _state(task: WorkflowTask) -> dict[str, Any]:
    return {name: getattr(task, name) for name in _DATED_FIELDS}


def _owner(state: dict[str, Any]) -> uuid.UUID | None:
    owner = state["owner_id"]
    return owner if isinstance(owner, uuid.UUID) else None


def _due_order(view: TaskView) -> tuple[Any, ...]:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (view.due_date is None, view.due_date or dt.date.max, view.created_at or far)


async def _undo_later(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    states: dict[uuid.UUID, dict[str, Any]],
    eod: dt.datetime,
) -> None:
    """Lay the audit trail's old values back over each task, newest change first, for every
    change made at or after `eod`; a completion later than that without a trail is undone too."""
    if not states:
        return
    later = (
        await session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.tenant_id == tenant_id,
                AuditEntry.entity_type == "task",
                AuditEntry.entity_id.in_([str(i) for i in states]),
                AuditEntry.created_at >= eod,
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id)
        )
    ).all()
    for entry in later:
        state = states[uuid.UUID(entry.entity_id)]
        for name, value in (entry.old_value or {}).items():
            if name in _DATED_FIELDS:
                state[name] = None if value is None else _DATED_FIELDS[name](value)
    for state in states.values():
        done = state["completed_at"]
        if done is not None and done.tzinfo is None:
            done = state["completed_at"] = done.replace(tzinfo=dt.UTC)
        if done is not None and done >= eod:
            state["completed_at"] = None
            if state["status"] == "completed":
                state["status"] = "pending"


async def _emails(session: AsyncSession, ids: set[Any]) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if isinstance(i, uuid.UUID)]
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.email).where(User.id.in_(wanted)))
    return {uid: email for uid, email in rows.all()}


def _open(task: WorkflowTask) -> None:
    if task.status in {"completed", "skipped", "cancelled"}:
        raise TaskError(f"the task is already {task.status}")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@dataclass(frozen=True)
class ArtifactView:
    """An artifact as the screens and the CLI read it: a copy, so nothing shown is a live row
    (changing it changes nothing stored, and an as-of list's replayed approval stays as read)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    customer_id: uuid.UUID
    execution_id: uuid.UUID | None
    task_id: uuid.UUID | None
    step_id: str | None
    kind: str
    title: str
    content: str
    data: dict[str, Any]
    created_by_ai: bool
    model: str | None
    prompt: str | None
    status: str
    created_by_id: uuid.UUID | None
    approved_by_id: uuid.UUID | None
    approved_at: dt.datetime | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


def artifact_view(row: TaskArtifact) -> ArtifactView:
    return ArtifactView(
        id=row.id,
        tenant_id=row.tenant_id,
        customer_id=row.customer_id,
        execution_id=row.execution_id,
        task_id=row.task_id,
        step_id=row.step_id,
        kind=row.kind,
        title=row.title,
        content=row.content,
        data=dict(row.data or {}),
        created_by_ai=bool(row.created_by_ai),
        model=row.model,
        prompt=row.prompt,
        status=row.status,
        created_by_id=row.created_by_id,
        approved_by_id=row.approved_by_id,
        approved_at=row.approved_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ArtifactService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def list(
        self,
        tenant_id: uuid.UUID,
        *,
        customer_id: uuid.UUID | None = None,
        execution_id: uuid.UUID | None = None,
        task_id: uuid.UUID | None = None,
        as_of: dt.date | None = None,
    ) -> list[ArtifactView]:
        """The artifacts, oldest first; with `as_of`, those made by the end of that day, each
        approved only if it was by then."""
        a = TaskArtifact
        query = select(a).where(a.tenant_id == tenant_id)
        if customer_id is not None:
            query = query.where(a.customer_id == customer_id)
        if execution_id is not None:
            query = query.where(a.execution_id == execution_id)
        if task_id is not None:
            query = query.where(a.task_id == task_id)
        if as_of is not None:
            query = query.where(a.created_at < end_of_day(as_of))
        async with self._db.sessions() as session:
            found = list((await session.scalars(query.order_by(a.created_at, a.title))).all())
            if as_of is not None:
                await _approval_as_of(session, tenant_id, found, end_of_day(as_of))
            return [artifact_view(row) for row in found]

    async def create(
        self,
        tenant_id: uuid.UUID,
        customer_id: uuid.UUID,
        *,
        actor: User | None,
        kind: str,
        title: str,
        content: str,
        execution_id: uuid.UUID | None = None,
        task_id: uuid.UUID | None = None,
        step_id: str | None = None,
        model: str | None = None,
        prompt: str | None = None,
    ) -> ArtifactView:
        """By hand (actor) or by the assistant (model and prompt recorded)."""
        if not title.strip():
            raise TaskError("an artifact needs a title")
        artifact = TaskArtifact(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            customer_id=customer_id,
            execution_id=execution_id,
            task_id=task_id,
            step_id=step_id,
            kind=kind,
            title=title.strip(),
            content=content,
            data={},
            created_by_ai=model is not None,
            model=model,
            prompt=prompt,
            status="draft",
            created_by_id=actor.id if actor else None,
        )
        async with self._db.write() as session:
            session.add(artifact)
            await session.flush()  # the defaults (status, dates) as stored
            return artifact_view(artifact)

    async def _get(
        self, session: AsyncSession, tenant_id: uuid.UUID, artifact_id: uuid.UUID
    ) -> TaskArtifact:
        artifact = await session.scalar(
            select(TaskArtifact).where(
                TaskArtifact.id == artifact_id, TaskArtifact.tenant_id == tenant_id
            )
        )
        if artifact is None:
            raise TaskError(f"no artifact {artifact_id} in this tenant")
        return artifact

    async def edit(
        self, tenant_id: uuid.UUID, artifact_id: uuid.UUID, actor: User, content: str
    ) -> ArtifactView:
        """A new text; an approved artifact that changes goes back to draft."""
        async with self._db.write() as session:
            artifact = await self._get(session, tenant_id, artifact_id)
            if artifact.content != content:
                session.add(
                    _audit(
                        tenant_id,
                        actor,
                        artifact,
                        "edit",
                        {"length": len(artifact.content)},
                        {"length": len(content)},
                    )
                )
                artifact.content = content
                artifact.status = "draft"
                artifact.approved_by_id = None
                artifact.approved_at = None
                await session.flush()
            return artifact_view(artifact)

    async def approve(
        self, tenant_id: uuid.UUID, artifact_id: uuid.UUID, actor: User
    ) -> ArtifactView:
        async with self._db.write() as session:
            artifact = await self._get(session, tenant_id, artifact_id)
            artifact.status = "approved"
            artifact.approved_by_id = actor.id
            artifact.approved_at = self._clock.now()
            session.add(_audit(tenant_id, actor, artifact, "approve", None, {"by": actor.email}))
            await session.flush()
            return artifact_view(artifact)

    async def delete(self, tenant_id: uuid.UUID, artifact_id: uuid.UUID, actor: User) -> None:
        async with self._db.write() as session:
            artifact = await self._get(session, tenant_id, artifact_id)
            session.add(
                _audit(tenant_id, actor, artifact, "delete", {"title": artifact.title}, None)
            )
            await session.delete(artifact)

    @staticmethod
    def to_markdown(artifact: ArtifactView) -> str:
        made = f"by the assistant ({artifact.model})" if artifact.created_by_ai else "by hand"
        state = "approved" if artifact.status == "approved" else "draft"
        return (
            f"# {artifact.title}\n\n"
            f"_{artifact.kind.replace('_', ' ')} · {state} · written {made}_\n\n"
            f"{artifact.content.rstrip()}\n"
        )

    async def export(
        self, artifacts: builtins.list[ArtifactView], folder: Path
    ) -> builtins.list[Path]:
        """Write each artifact as a Markdown file; names are derived, never taken as paths."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for artifact in artifacts:
            stem = re.sub(r"[^a-z0-9]+", "-", artifact.title.lower()).strip("-")[:60] or "artifact"
            path = folder / f"{stem}-{str(artifact.id)[:8]}.md"
            path.write_text(self.to_markdown(artifact), encoding="utf-8")
            written.append(path)
        return written


async def _approval_as_of(
    session: AsyncSession, tenant_id: uuid.UUID, artifacts: list[TaskArtifact], eod: dt.datetime
) -> None:
    """Each artifact's approval as it stood at `eod`, from its trail (approve, edit) up to then;
    the rows are detached first, so nothing of this reaches the database."""
    if not artifacts:
        return
    for artifact in artifacts:
        session.expunge(artifact)
    trail = (
        await session.execute(
            select(
                AuditEntry.entity_id, AuditEntry.action, AuditEntry.actor_id, AuditEntry.created_at
            )
            .where(
                AuditEntry.tenant_id == tenant_id,
                AuditEntry.entity_type == "artifact",
                AuditEntry.entity_id.in_([str(x.id) for x in artifacts]),
                AuditEntry.action.in_(("approve", "edit")),
            )
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    ).all()
    by_artifact: dict[str, list[Any]] = {}
    for row in trail:
        by_artifact.setdefault(row.entity_id, []).append(row)
    for artifact in artifacts:
        rows = by_artifact.get(str(artifact.id), [])
        if any(r.created_at >= eod for r in rows):  # changed later: replay what came before
            artifact.status, artifact.approved_by_id, artifact.approved_at = "draft", None, None
            for r in (r for r in rows if r.created_at < eod):
                approved = r.action == "approve"
                artifact.status = "approved" if approved else "draft"
                artifact.approved_by_id = r.actor_id if approved else None
                artifact.approved_at = r.created_at if approved else None
        if artifact.approved_at is not None and artifact.approved_at >= eod:
            artifact.status, artifact.approved_by_id, artifact.approved_at = "draft", None, None
        if artifact.updated_at is not None and artifact.updated_at >= eod:  # its last change then
            changes = [artifact.created_at, *(r.created_at for r in rows if r.created_at < eod)]
            artifact.updated_at = max(changes)


def _audit(
    tenant_id: uuid.UUID, actor: User, artifact: TaskArtifact, action: str, old: Any, new: Any
) -> AuditEntry:
    return AuditEntry(
        tenant_id=tenant_id,
        actor_id=actor.id,
        actor_label=actor.email,
        entity_type="artifact",
        entity_id=str(artifact.id),
        action=action,
        old_value=old,
        new_value=new,
    )
