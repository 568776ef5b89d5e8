"""Shared pieces of the chat tests: the demo's people, a started workflow, scripted providers."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import Customer, User, WorkflowExecution
from renubu_tui.data.seed.files import workflow_version_id
from renubu_tui.data.seed.ids import key_id
from renubu_tui.llm.events import Done, StreamError, StreamEvent, TextDelta, ToolCallRequest, Usage
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.offline.provider import OfflineProvider
from renubu_tui.llm.provider import Provider
from renubu_tui.services.chat.service import ChatService
from renubu_tui.services.workflows.executions import ExecutionService
from renubu_tui.services.workflows.step_runner import StepRunner
from tests.conftest import TEST_TODAY

TENANT = key_id("tenant", "acme-cs")
MAYA = "maya.patel@acmecloud.com"


@dataclass
class Env:
    db: Database
    clock: Clock
    executions: ExecutionService
    chat: ChatService
    runner: StepRunner
    maya: User
    providers: list[Provider] = field(default_factory=list)

    async def customer(self, name: str) -> uuid.UUID:
        async with self.db.sessions() as s:
            cid = await s.scalar(select(Customer.id).where(Customer.name == name))
        assert cid is not None, name
        return cid


async def make_env(
    db: Database, factory: Callable[[], Provider] | None = None, *, today: dt.date = TEST_TODAY
) -> Env:
    clock = Clock(today)
    executions = ExecutionService(db, clock, tenant_slug="acme-cs")
    made: list[Provider] = []

    def default() -> Provider:
        provider = OfflineProvider()
        made.append(provider)
        return provider

    chosen = factory or default
    async with db.sessions() as s:
        maya = await s.scalar(select(User).where(User.email == MAYA))
    assert maya is not None
    return Env(
        db,
        clock,
        executions,
        ChatService(db, clock, chosen, executions),
        StepRunner(db, clock, chosen, executions),
        maya,
        made,
    )


async def open_critical(db: Database, customer: str = "Kestrel Networks") -> uuid.UUID:
    """An in-progress Critical execution at its first step."""
    return await open_at(db, "critical", "critical-status-assessment", customer)


async def open_at(
    db: Database, workflow: str, step_id: str, customer: str | uuid.UUID = "Kestrel Networks"
) -> uuid.UUID:
    """An in-progress execution of a core workflow standing at `step_id`, opened directly (as
    the engine would have left it), so a test can start anywhere without walking the routes."""
    from renubu_tui.data.models import StepExecution, Workflow

    started = dt.datetime(2025, 9, 20, 9, tzinfo=dt.UTC)
    async with db.sessions() as s, s.begin():
        maya = await s.scalar(select(User).where(User.email == MAYA))
        if isinstance(customer, uuid.UUID):
            cust = await s.get(Customer, customer)
        else:
            cust = await s.scalar(select(Customer).where(Customer.name == customer))
        wid = key_id("workflow", "core", workflow)
        flow = await s.get(Workflow, wid)
        assert maya is not None and cust is not None and flow is not None
        index = [st["id"] for st in flow.config["steps"]].index(step_id)
        run = WorkflowExecution(
            id=uuid.uuid4(),
            tenant_id=TENANT,
            customer_id=cust.id,
            workflow_id=wid,
            workflow_version_id=workflow_version_id(wid, flow.current_version),
            workflow_type=flow.workflow_type,
            owner_id=maya.id,
            status="in_progress",
            current_step_id=step_id,
            outputs={},
            started_at=started,
        )
        s.add(run)
        await s.flush()
        s.add(
            StepExecution(
                execution_id=run.id,
                step_id=step_id,
                step_index=index,
                attempt=1,
                status="in_progress",
                started_at=started,
            )
        )
    return run.id


Script = Sequence[StreamEvent | float]


class ScriptedProvider:
    """Yields a script per call (floats are pauses); records every request it was sent."""

    name = "scripted"

    def __init__(self, *scripts: Script, label: str = "scripted model") -> None:
        self.scripts = list(scripts)
        self.requests: list[ChatRequest] = []
        self._label = label
        self.closed = 0

    @property
    def label(self) -> str:
        return self._label

    async def aclose(self) -> None:
        self.closed += 1

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        script = self.scripts.pop(0) if self.scripts else [text("…"), done()]
        for item in script:
            if isinstance(item, float):
                await asyncio.sleep(item)
            else:
                yield item


def text(value: str) -> TextDelta:
    return TextDelta(value)


def done(label: str = "scripted model", stop: str = "end_turn") -> Done:
    return Done(label, "scripted-1", stop, Usage(12, 5))


def tool(name: str, **arguments: object) -> ToolCallRequest:
    return ToolCallRequest(f"call-{name}-{len(arguments)}", name, dict(arguments))


def failure(message: str = "connection refused") -> StreamError:
    return StreamError("connect", message, retryable=True)
