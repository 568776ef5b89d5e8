"""Playing the Bluesoft journey's script through the services a CSM uses.

`advance(db, day)` applies every scripted event dated up to `day` that has not been applied
yet, each through the same service call a person's key press makes (start, complete with a
route, an action, a task, an artifact, a message to the assistant), with the clock set to the
event's day and time; before each new day's events, and at the end, the notification sweep
runs, so day-based notifications fire on their days exactly once. So every row is what the
engine itself would have written, and nothing dated after `day` exists.

Where the script stands is kept with the tenant (company settings, `journey`): how many events
were applied, the day reached, and how many trail rows (`action_executions`) the script's own
work left. More trail rows than that means a person acted: the database has left the script,
and `advance` then writes nothing (the demo only moves its clock).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ActionExecution,
    CompanySettings,
    Customer,
    User,
    WorkflowExecution,
    WorkflowTask,
)
from renubu_tui.data.seed.files import TenantKeys, read_json
from renubu_tui.domain.journey import renewal_day
from renubu_tui.domain.journey_script import JourneyEvent, ScriptError, day_label, parse_script
from renubu_tui.domain.vocabulary import OPEN_EXECUTION_STATUSES
from renubu_tui.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from renubu_tui.services.container import Services

STATE_KEY = "journey"


class JourneyError(RuntimeError):
    """The script could not be applied (it no longer fits the workflows); names the event."""


@dataclass(frozen=True)
class Script:
    """The journey as shipped: its customer, its renewal day in this database, its events."""

    tenant: str
    customer_domain: str
    owner: str
    renewal: dt.date
    events: list[JourneyEvent]
    milestones: list[tuple[int, str]]

    def begins(self) -> dt.date:
        first = min([self.events[0].day if self.events else 0, *(d for d, _ in self.milestones)])
        return self.renewal + dt.timedelta(days=first)

    def ends(self) -> dt.date:
        last = max([self.events[-1].day if self.events else 0, *(d for d, _ in self.milestones)])
        return self.renewal + dt.timedelta(days=last)


@dataclass(frozen=True)
class JourneyState:
    """Where this database stands on the script."""

    applied: int = 0  # events applied
    through: dt.date | None = None  # the last day whose events (and sweep) were applied
    trail: int = 0  # action_executions rows when the script last wrote
    left_on: dt.date | None = None  # the day a person first acted (off the script since)

    @staticmethod
    def read(settings: Mapping[str, Any] | None) -> JourneyState:
        raw = (settings or {}).get(STATE_KEY) or {}
        through, left = raw.get("through"), raw.get("leftOn")
        return JourneyState(
            applied=int(raw.get("applied", 0)),
            through=dt.date.fromisoformat(through) if through else None,
            trail=int(raw.get("trail", 0)),
            left_on=dt.date.fromisoformat(left) if left else None,
        )

    def written(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "through": self.through.isoformat() if self.through else None,
            "trail": self.trail,
            "leftOn": self.left_on.isoformat() if self.left_on else None,
        }


@dataclass(frozen=True)
class Progress:
    """What `advance` did: events applied (with their narration), and whether it could."""

    applied: list[JourneyEvent]
    on_script: bool
    state: JourneyState


def load_script(root: Path, anchor: dt.date) -> Script:
    """The shipped journey placed in a database anchored on `anchor`."""
    data = read_json(root / "demo" / "bluesoft.json")
    tenant = read_json(root / "demo" / "tenant.json")["tenant"]["slug"]
    try:
        events = parse_script(data)
    except ScriptError as exc:
        raise JourneyError(str(exc)) from None
    milestones = sorted((int(m["day"]), str(m["label"])) for m in data.get("milestones", []))
    return Script(
        tenant=tenant,
        customer_domain=str(data["customer"]["domain"]).lower(),
        owner=str(data["customer"]["owner"]).lower(),
        renewal=renewal_day(anchor, data),
        events=events,
        milestones=milestones,
    )


async def script_for(db: Database, root: Path | None = None) -> tuple[Script, uuid.UUID] | None:
    """The script and the tenant's id, when the demo tenant is in this database."""
    from renubu_tui.resources import seeds_dir

    root = root or seeds_dir()
    tenant = read_json(root / "demo" / "tenant.json")["tenant"]["slug"]
    tenant_id = TenantKeys(tenant).tenant_id
    async with db.sessions() as session:
        anchor = await session.scalar(
            select(CompanySettings.seed_anchor_date).where(CompanySettings.tenant_id == tenant_id)
        )
    if anchor is None:
        return None
    return load_script(root, anchor), tenant_id


async def read_state(db: Database, tenant_id: uuid.UUID) -> tuple[JourneyState, bool]:
    """The stored state, and whether the database is still on the script (no one else acted)."""
    async with db.sessions() as session:
        company = await session.get(CompanySettings, tenant_id)
        state = JourneyState.read(company.settings if company else None)
        trail = await _trail_count(session, tenant_id)
    return state, state.left_on is None and trail == state.trail


async def _trail_count(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(ActionExecution)
            .where(ActionExecution.tenant_id == tenant_id)
        )
        or 0
    )


async def _write_state(db: Database, tenant_id: uuid.UUID, state: JourneyState) -> None:
    async with db.write() as session:
        company = await session.get(CompanySettings, tenant_id)
        if company is not None:
            company.settings = {**(company.settings or {}), STATE_KEY: state.written()}


async def mark_left(db: Database, tenant_id: uuid.UUID, day: dt.date) -> None:
    """Record that a person took the wheel on `day` (the header says so from then on)."""
    state, _ = await read_state(db, tenant_id)
    if state.left_on is None:
        await _write_state(db, tenant_id, replace(state, left_on=day))


async def advance(
    db: Database,
    day: dt.date,
    *,
    settings: Settings | None = None,
    root: Path | None = None,
    on_event: Callable[[JourneyEvent], Awaitable[None]] | None = None,
) -> Progress:
    """Apply the script's events up to `day` (and the sweeps between); see the module doc."""
    found = await script_for(db, root)
    if found is None:
        return Progress([], False, JourneyState())
    script, tenant_id = found
    state, on_script = await read_state(db, tenant_id)
    if not on_script:
        return Progress([], False, state)
    if state.through is not None and state.through >= day:
        return Progress([], True, state)
    player = await _Player.open(db, script, settings)
    applied: list[JourneyEvent] = []
    try:
        pending = [e for e in script.events[state.applied :] if e.date(script.renewal) <= day]
        swept: dt.date | None = state.through
        for event in pending:
            when = event.date(script.renewal)
            if swept is None or swept < when - dt.timedelta(days=1):
                await player.sweep(when - dt.timedelta(days=1))
                swept = when - dt.timedelta(days=1)
            await player.apply(event)
            applied.append(event)
            state = replace(state, applied=event.index + 1)
            await _write_state(db, tenant_id, state)
            if on_event is not None:
                await on_event(event)
        await player.sweep(day)
        async with db.sessions() as session:
            trail = await _trail_count(session, tenant_id)
        state = replace(state, through=day, trail=trail)
        # still on the script's clock: the tenant's settings row is dated on `day`, not now
        await _write_state(db, tenant_id, state)
    finally:
        player.close()
    return Progress(applied, True, state)


class _Player:
    """Applies events as the people named in them, on the clock of each event."""

    def __init__(self, services: Services, script: Script, previous: Clock | None) -> None:
        self.services = services
        self.script = script
        self._previous = previous
        self._customer_id: uuid.UUID | None = None

    @classmethod
    async def open(cls, db: Database, script: Script, settings: Settings | None) -> _Player:
        from renubu_tui import clock as clock_module
        from renubu_tui.services.container import build_services

        previous = clock_module._installed
        base = settings or Settings(database_url="sqlite+aiosqlite://")
        # the script is the demo's own: its assistant is always the offline one
        acting = replace(base, tenant=script.tenant, user=script.owner, llm_provider="offline")
        services = await build_services(db, acting, Clock(fixed=script.begins()))
        return cls(services, script, previous)

    def close(self) -> None:
        if self._previous is not None:
            self._previous.install()
        else:
            Clock.uninstall()

    async def sweep(self, day: dt.date) -> None:
        self.services.clock.set(day, dt.time(7, 0))
        await self.services.notifications.sweep(self.script.tenant, day)

    async def _customer(self) -> uuid.UUID:
        if self._customer_id is None:
            async with self.services.db.sessions() as session:
                found = await session.scalar(
                    select(Customer.id).where(
                        Customer.tenant_id == self.services.tenant.id,
                        Customer.domain == self.script.customer_domain,
                    )
                )
            if found is None:
                raise JourneyError(
                    f"the journey's customer {self.script.customer_domain} is missing"
                )
            self._customer_id = found
        return self._customer_id

    async def _actor(self, email: str | None) -> User:
        if email is None or email.lower() == self.services.user.email:
            return self.services.user
        async with self.services.db.sessions() as session:
            user = await session.scalar(
                select(User).where(
                    User.tenant_id == self.services.tenant.id, User.email == email.lower()
                )
            )
        if user is None:
            raise JourneyError(f"the journey names an unknown user {email!r}")
        return user

    async def _execution(self, event: JourneyEvent) -> uuid.UUID:
        """The customer's open execution of the event's workflow."""
        from renubu_tui.data.models import Workflow

        async with self.services.db.sessions() as session:
            found = await session.scalar(
                select(WorkflowExecution.id)
                .join(Workflow, Workflow.id == WorkflowExecution.workflow_id)
                .where(
                    WorkflowExecution.tenant_id == self.services.tenant.id,
                    WorkflowExecution.customer_id == await self._customer(),
                    Workflow.slug == event.workflow,
                    WorkflowExecution.status.in_(OPEN_EXECUTION_STATUSES),
                )
                .order_by(WorkflowExecution.started_at.desc())
                .limit(1)
            )
        if found is None:
            raise JourneyError(f"{event.describe()}: no open {event.workflow} workflow")
        return found

    async def apply(self, event: JourneyEvent) -> None:
        services = self.services
        services.clock.set(event.date(self.script.renewal), event.time)
        actor = await self._actor(event.by)
        tenant_id = services.tenant.id
        try:
            await _HANDLERS[event.kind](self, event, actor, tenant_id)
        except JourneyError:
            raise
        except Exception as exc:  # a service refused: the script no longer fits
            raise JourneyError(f"{event.describe()}: {exc}") from exc

    async def _start(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        await self.services.executions.start(
            tenant_id, await self._customer(), actor=actor, workflow_slug=event.workflow
        )

    async def _current(self, event: JourneyEvent, tenant_id: uuid.UUID) -> uuid.UUID:
        execution_id = await self._execution(event)
        view = await self.services.executions.view(tenant_id, execution_id)
        at = view.step.id if view.step else None
        if at != event.step:
            raise JourneyError(
                f"{event.describe()}: the workflow is on {at or 'no step'}, not {event.step}"
            )
        return execution_id

    async def _complete(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        execution_id = await self._current(event, tenant_id)
        await self.services.executions.complete_step(
            tenant_id,
            execution_id,
            actor=actor,
            outputs=dict(event.fields.get("outputs") or {}),
            chosen_route=event.route,
        )

    async def _skip(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        execution_id = await self._current(event, tenant_id)
        await self.services.executions.skip_step(
            tenant_id, execution_id, actor=actor, reason=str(event.reason)
        )

    async def _action(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        await self.services.actions.run(
            tenant_id,
            str(event.action),
            actor=actor,
            customer_id=await self._customer(),
            execution_id=await self._execution(event),
            params=dict(event.fields.get("params") or {}),
        )

    async def _task(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        due = self.script.renewal + dt.timedelta(days=int(event.fields["due"]))
        params: dict[str, Any] = {
            "title": event.title,
            "dueDate": due.isoformat(),
            "priority": event.fields.get("priority", "medium"),
        }
        if event.fields.get("description"):
            params["description"] = event.fields["description"]
        if event.fields.get("owner"):
            params["owner"] = event.fields["owner"]
        await self.services.actions.run(
            tenant_id,
            "create-task",
            actor=actor,
            customer_id=await self._customer(),
            execution_id=await self._execution(event) if event.workflow else None,
            params=params,
        )

    async def _task_done(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        async with self.services.db.sessions() as session:
            task_id = await session.scalar(
                select(WorkflowTask.id).where(
                    WorkflowTask.tenant_id == tenant_id,
                    WorkflowTask.customer_id == await self._customer(),
                    WorkflowTask.title == event.title,
                )
            )
        if task_id is None:
            raise JourneyError(f"{event.describe()}: no task titled {event.title!r}")
        await self.services.tasks.complete(tenant_id, task_id, actor)

    async def _artifact(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        execution_id = await self._execution(event)
        view = await self.services.executions.view(tenant_id, execution_id)
        artifact = await self.services.artifacts.create(
            tenant_id,
            await self._customer(),
            actor=actor,
            kind=str(event.fields["kind"]),
            title=str(event.title),
            content=str(event.fields["content"]),
            execution_id=execution_id,
            step_id=event.step or (view.step.id if view.step else None),
            model="offline",
            prompt=f"Draft the {event.fields['kind']} for this step",
        )
        if event.fields.get("approve", True):
            await self.services.artifacts.approve(tenant_id, artifact.id, actor)

    async def _chat(self, event: JourneyEvent, actor: User, tenant_id: uuid.UUID) -> None:
        chat = self.services.chat(pace=0)
        thread = await chat.open_thread(
            tenant_id, actor=actor, execution_id=await self._execution(event)
        )
        for text in event.fields["messages"]:
            async for _ in chat.send(thread.id, str(text), tenant_id=tenant_id):
                pass


_HANDLERS: dict[str, Callable[[_Player, JourneyEvent, User, uuid.UUID], Awaitable[None]]] = {
    "start": _Player._start,
    "complete": _Player._complete,
    "skip": _Player._skip,
    "action": _Player._action,
    "task": _Player._task,
    "task-done": _Player._task_done,
    "artifact": _Player._artifact,
    "chat": _Player._chat,
}

__all__ = [
    "JourneyError",
    "JourneyState",
    "Progress",
    "Script",
    "advance",
    "day_label",
    "load_script",
    "mark_left",
    "read_state",
    "script_for",
]
