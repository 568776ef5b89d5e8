"""Chat inside a workflow step (domain.md §11): branches, threads, streamed answers, tools.

A step offers branches (rows of workflow_chat_branches for the execution's workflow and step; a
tenant's clone has its own rows): **fixed** records the prompt and its canned response and
moves the execution on its route; **llm** and **rag** open (or reuse) a thread; **saved_action**
runs the action and stays. Suggested replies are the fixed branches' prompts, in order.
Only what can be taken is offered: while the step's gate is closed the fixed branches (each
would leave the step) are withheld, as is an action the person's role cannot record; the
listing carries the gate's state so the pane can say why instead.

A thread starts with its system message: the workflow's `context.systemPrompt` and the step's
`llmPrompt`, rendered against the customer context (which is also kept as the thread's
snapshot and shown to the model as data). `send` commits the user's message before the model
is called, so a failure never loses it (`retry` asks again without duplicating it).

Reading a thread as of a day (`as_of`, time travel) finds only threads opened by the end of that
day, on the step that was open then, with the messages written by then (`chat_store.dated_view`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.clock import Clock
from renubu_tui.data.engine import Database
from renubu_tui.data.models import (
    ChatBranch,
    ChatMessage,
    ChatThread,
    StepExecution,
    Tenant,
    User,
    WorkflowExecution,
)
from renubu_tui.domain.enums import StepStatus
from renubu_tui.domain.workflow_model import Step, WorkflowConfig, as_config, as_step
from renubu_tui.llm.provider import Provider
from renubu_tui.services.chat.answer import AnswerSetup, ChatEvent, MessageSaved, answer
from renubu_tui.services.chat.store import (
    ChatError,
    ThreadView,
    append,
    dated_view,
    load_thread,
    message_view,
    messages_of,
    thread_view,
    write,
)
from renubu_tui.services.chat.tools.runner import ToolScope
from renubu_tui.services.queue.sql import end_of_day
from renubu_tui.services.workflows.actions import ActionOutcome, ActionService
from renubu_tui.services.workflows.executions import (
    MANAGER_ONLY,
    ExecutionService,
    ExecutionView,
    GateState,
    require_open_step,
)

FREE_SYSTEM_PROMPT = (
    "You are renubu's assistant for a customer-success manager. Answer from the customer data "
    "below and from your tools; never invent figures, names or dates, and say when something "
    "is not recorded."
)
RAG_INSTRUCTION = (
    "Answer from the knowledge base: search it with rag_search and quote the passages you rely "
    "on with their source."
)
CANNED_LABEL = "workflow (canned response)"
ALL_TOOLS = ("rag_search", "database_query", "create_chart")


@dataclass(frozen=True)
class BranchView:
    id: uuid.UUID
    key: str
    label: str
    type: str
    prompts: list[str]
    response: str | None
    next_step_id: str | None
    route: str | None
    saved_action: str | None
    return_step_id: str | None


@dataclass(frozen=True)
class Withheld:
    """A branch not offered now, and why in words (e.g. the gate it would leave)."""

    branch: BranchView
    reason: str


@dataclass(frozen=True)
class StepBranches:
    execution_id: uuid.UUID
    step_id: str | None
    branches: list[BranchView]  # what the person can take now, in position order
    withheld: list[Withheld] = field(default_factory=list)
    gate: GateState | None = None  # the step's gate (open or closed), if it has one

    @property
    def suggested_replies(self) -> list[str]:
        """The offered fixed branches' prompts, in branch order."""
        return [p for b in self.branches if b.type == "fixed" for p in b.prompts]

    def find(self, key: str) -> BranchView | None:
        """A branch by key, offered or withheld (choosing a withheld one says why not)."""
        every = [*self.branches, *(w.branch for w in self.withheld)]
        return next((b for b in every if b.key == key), None)


@dataclass(frozen=True)
class BranchOutcome:
    """What choosing a branch did: moved the execution, opened a thread, or ran an action."""

    kind: str  # moved | thread | action
    branch: BranchView
    view: ExecutionView | None = None
    thread: ThreadView | None = None
    action: ActionOutcome | None = None


def _branch_view(row: ChatBranch) -> BranchView:
    return BranchView(
        row.id,
        row.branch_key,
        row.label,
        row.branch_type,
        [str(p) for p in row.prompts or []],
        row.response,
        row.next_step_id,
        row.route,
        row.saved_action_slug,
        row.return_step_id,
    )


class ChatService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        provider_factory: Callable[[], Provider],
        executions: ExecutionService,
        *,
        actions: ActionService | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._provider_factory = provider_factory
        self._executions = executions
        self._actions = actions or ActionService(db, clock, workflow_actions=executions)

    # --- branches ------------------------------------------------------------------------

    async def branches(
        self, tenant_id: uuid.UUID, execution_id: uuid.UUID, *, actor: User | None = None
    ) -> StepBranches:
        """The current step's branches the person can take, in position order; the others
        are `withheld` with a reason (a closed gate; an action `actor`'s role cannot record,
        or one already recorded)."""
        view = await self._executions.view(tenant_id, execution_id)
        gate = view.gate_state
        async with self._db.sessions() as session:
            execution = await _execution(session, tenant_id, execution_id)
            rows = (
                await session.scalars(
                    select(ChatBranch)
                    .where(
                        ChatBranch.workflow_id == execution.workflow_id,
                        ChatBranch.step_id == execution.current_step_id,
                    )
                    .order_by(ChatBranch.position, ChatBranch.branch_key)
                )
            ).all()
        offered: list[BranchView] = []
        withheld: list[Withheld] = []
        for branch in map(_branch_view, rows):
            reason = _why_not(branch, gate, actor)
            if reason is None:
                offered.append(branch)
            else:
                withheld.append(Withheld(branch, reason))
        return StepBranches(execution_id, execution.current_step_id, offered, withheld, gate)

    async def choose_branch(
        self,
        tenant_id: uuid.UUID,
        execution_id: uuid.UUID,
        branch_key: str,
        *,
        actor: User,
        params: Mapping[str, Any] | None = None,
    ) -> BranchOutcome:
        listing = await self.branches(tenant_id, execution_id)
        branch = listing.find(branch_key)
        if branch is None:
            known = ", ".join(b.key for b in listing.branches) or "none"
            raise ChatError(f"step {listing.step_id!r} has no branch {branch_key!r} (has: {known})")
        if branch.type == "fixed":
            return await self._fixed(tenant_id, execution_id, branch, actor)
        if branch.type == "saved_action":
            view = await self._executions.view(tenant_id, execution_id)
            outcome = await self._actions.run(
                tenant_id,
                branch.saved_action or "",
                actor=actor,
                customer_id=view.customer_id,
                params=params,
                execution_id=execution_id,
            )
            after = await self._executions.view(tenant_id, execution_id)
            return BranchOutcome("action", branch, view=after, action=outcome)
        thread = await self.open_thread(
            tenant_id, actor=actor, execution_id=execution_id, branch_id=branch.id
        )
        return BranchOutcome("thread", branch, thread=thread)

    async def _fixed(
        self, tenant_id: uuid.UUID, execution_id: uuid.UUID, branch: BranchView, actor: User
    ) -> BranchOutcome:
        """Record the exchange in the step's thread, then complete the step on its route."""
        view = await self._executions.view(tenant_id, execution_id)
        step = require_open_step(view, "answer")
        route = branch.route or _route_to(step, branch.next_step_id)
        thread = await self.open_thread(tenant_id, actor=actor, execution_id=execution_id)

        async def record(session: AsyncSession) -> None:
            row = await load_thread(session, thread.id, lock=True)
            await append(
                session, row, "user", branch.prompts[0] if branch.prompts else branch.label
            )
            await append(
                session,
                row,
                "assistant",
                branch.response or "",
                provider_label=CANNED_LABEL,
                meta={"branch": branch.key, "route": route},
            )

        await write(self._db, record)
        outputs = {"branch": branch.key, **({"route": route} if route else {})}
        moved = await self._executions.complete_step(
            tenant_id, execution_id, actor=actor, outputs=outputs, chosen_route=route
        )
        done = await self._close(thread.id, "completed")
        return BranchOutcome("moved", branch, view=moved, thread=done)

    # --- threads -------------------------------------------------------------------------

    async def open_thread(
        self,
        tenant_id: uuid.UUID,
        *,
        actor: User,
        execution_id: uuid.UUID | None = None,
        customer_id: uuid.UUID | None = None,
        branch_id: uuid.UUID | None = None,
        model: str | None = None,
    ) -> ThreadView:
        """The active thread for this step and branch (or this customer, without an execution),
        reusing one that is still open; a new one starts with its system message."""
        today = self._clock.today()
        slug, customer_id, step_row, existing = await self._lookup(
            tenant_id, actor, execution_id, customer_id, branch_id
        )
        if existing is not None:
            return existing
        step: Step | None = None
        config: WorkflowConfig | None = None
        context: dict[str, Any] = {}
        if customer_id is not None:
            from renubu_tui.services.customers.context import build_context

            context = await build_context(
                self._db, slug, customer_id, today, execution_id=execution_id
            )
            notes = await notes_context(self._db, tenant_id, customer_id, today)
            if notes:  # the people's notes on this customer, newest first
                context = {**context, "notes": notes}
        if execution_id is not None:
            view = await self._executions.view(tenant_id, execution_id)
            step, config = view.step, view.workflow
        branch_type = None
        if branch_id is not None:
            async with self._db.sessions() as session:
                branch = await session.get(ChatBranch, branch_id)
                branch_type = branch.branch_type if branch else None
        system = system_prompt(config, step, context, rag=branch_type == "rag")

        async def create(session: AsyncSession) -> ThreadView:
            thread = ChatThread(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                execution_id=execution_id,
                step_execution_id=step_row.id if step_row is not None else None,
                branch_id=branch_id,
                customer_id=customer_id,
                user_id=actor.id,
                status="active",
                system_prompt=system,
                model=model,
                temperature=0.7,
                max_tokens=2000,
                context_snapshot=context,
            )
            session.add(thread)
            await session.flush()
            await append(session, thread, "system", system)
            return thread_view(thread, await messages_of(session, thread.id))

        return await write(self._db, create)

    async def find_thread(
        self,
        tenant_id: uuid.UUID,
        *,
        actor: User,
        execution_id: uuid.UUID | None = None,
        customer_id: uuid.UUID | None = None,
        branch_id: uuid.UUID | None = None,
        as_of: dt.date | None = None,
    ) -> ThreadView | None:
        """The thread `open_thread` would reuse, or None: reading a step never writes. With
        `as_of`, the one that was open at the end of that day, as it stood then."""
        found = await self._lookup(tenant_id, actor, execution_id, customer_id, branch_id, as_of)
        return found[3]

    async def earlier_thread(
        self,
        tenant_id: uuid.UUID,
        *,
        actor: User,
        execution_id: uuid.UUID,
        as_of: dt.date | None = None,
    ) -> ThreadView | None:
        """The execution's latest thread on another step than the current one (e.g. the one
        where a fixed branch moved it on), so the person still sees that conversation. With
        `as_of`, among the threads opened by then, beside the step open then."""
        eod = end_of_day(as_of) if as_of is not None else None
        async with self._db.sessions() as session:
            execution = await _execution(session, tenant_id, execution_id)
            current = await _current_step_row(session, execution, eod)
            query = select(ChatThread).where(
                ChatThread.tenant_id == tenant_id,
                ChatThread.execution_id == execution_id,
                ChatThread.step_execution_id.is_not(None),
                or_(ChatThread.user_id == actor.id, ChatThread.user_id.is_(None)),
            )
            if current is not None:
                query = query.where(ChatThread.step_execution_id != current.id)
            if eod is not None:
                query = query.where(ChatThread.created_at < eod)
            row = await session.scalar(query.order_by(ChatThread.created_at.desc()).limit(1))
            if row is None:
                return None
            if eod is not None:
                return await dated_view(session, row, eod)
            return thread_view(row, await messages_of(session, row.id))

    async def _lookup(
        self,
        tenant_id: uuid.UUID,
        actor: User,
        execution_id: uuid.UUID | None,
        customer_id: uuid.UUID | None,
        branch_id: uuid.UUID | None,
        as_of: dt.date | None = None,
    ) -> tuple[str, uuid.UUID | None, StepExecution | None, ThreadView | None]:
        """The tenant's slug, the customer, the current step row and the reusable thread (as of
        the end of `as_of`, when given)."""
        eod = end_of_day(as_of) if as_of is not None else None
        async with self._db.sessions() as session:
            slug = await session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))
            if slug is None:
                raise ChatError(f"no tenant {tenant_id}")
            step_row = None
            if execution_id is not None:
                execution = await _execution(session, tenant_id, execution_id)
                customer_id = execution.customer_id
                step_row = await _current_step_row(session, execution, eod)
            existing = await session.scalar(
                _reusable(tenant_id, actor.id, customer_id, execution_id, step_row, branch_id, eod)
            )
            found = None
            if existing is not None and eod is not None:
                found = await dated_view(session, existing, eod)
            elif existing is not None:
                found = thread_view(existing, await messages_of(session, existing.id))
            return slug, customer_id, step_row, found

    async def thread(
        self,
        thread_id: uuid.UUID,
        *,
        tenant_id: uuid.UUID | None = None,
        as_of: dt.date | None = None,
    ) -> ThreadView:
        """A thread; with `as_of`, as it stood at the end of that day (ChatError if it had not
        been opened by then)."""
        async with self._db.sessions() as session:
            row = await load_thread(session, thread_id, tenant_id=tenant_id)
            if as_of is None:
                return thread_view(row, await messages_of(session, row.id))
            if row.created_at >= end_of_day(as_of):
                raise ChatError(f"chat thread {thread_id} was not opened by {as_of}")
            return await dated_view(session, row, end_of_day(as_of))

    async def send(
        self, thread_id: uuid.UUID, text: str, *, tenant_id: uuid.UUID | None = None
    ) -> AsyncGenerator[ChatEvent, None]:
        """Save the user's message (committed before the model is called), stream the answer."""
        if not text.strip():
            raise ChatError("the message is empty")

        async def save(session: AsyncSession) -> MessageSaved:
            thread = await load_thread(session, thread_id, tenant_id=tenant_id, lock=True)
            _require_active(thread)
            return MessageSaved(message_view(await append(session, thread, "user", text)))

        yield await write(self._db, save)
        async with aclosing(await self._answer(thread_id)) as events:
            async for event in events:
                yield event

    async def retry(
        self, thread_id: uuid.UUID, *, tenant_id: uuid.UUID | None = None
    ) -> AsyncGenerator[ChatEvent, None]:
        """Ask again for the last user message, after a failed or stopped answer."""
        async with self._db.sessions() as session:
            thread = await load_thread(session, thread_id, tenant_id=tenant_id)
            _require_active(thread)
            rows = await messages_of(session, thread.id)
        last_user = max((m.seq for m in rows if m.role == "user"), default=None)
        answers = [m for m in rows if m.role == "assistant" and last_user and m.seq > last_user]
        if last_user is None or (answers and answers[-1].status == "complete"):
            raise ChatError("nothing to retry: the last message has its answer")
        async with aclosing(await self._answer(thread_id)) as events:
            async for event in events:
                yield event

    async def _answer(self, thread_id: uuid.UUID) -> AsyncGenerator[ChatEvent, None]:
        async with self._db.sessions() as session:
            thread = await load_thread(session, thread_id)
            branch = await session.get(ChatBranch, thread.branch_id) if thread.branch_id else None
        rag_only = branch is not None and branch.branch_type == "rag"
        tools = ("rag_search",) if rag_only or thread.customer_id is None else ALL_TOOLS
        setup = AnswerSetup(
            db=self._db,
            thread_id=thread_id,
            provider_factory=self._provider_factory,
            scope=ToolScope(self._db, thread.tenant_id, thread.customer_id, self._clock.today()),
            tools=tools,
            context_block=context_block(thread.context_snapshot),
        )
        return answer(setup)

    async def complete_thread(
        self, thread_id: uuid.UUID, *, actor: User | None = None, tenant_id: uuid.UUID | None = None
    ) -> ThreadView:
        """Close the thread: its counts go to its step execution; the branch's return step holds.

        When the branch returns to a step other than the one still in progress, the step is
        completed on the route that leads there (which needs `actor`).
        """
        closed = await self._close(thread_id, "completed", tenant_id=tenant_id)
        if closed.branch_id is None or closed.execution_id is None:
            return closed
        async with self._db.sessions() as session:
            branch = await session.get(ChatBranch, closed.branch_id)
            step_row = (
                await session.get(StepExecution, closed.step_execution_id)
                if closed.step_execution_id
                else None
            )
        target = branch.return_step_id if branch else None
        if (
            step_row is None
            or step_row.status != StepStatus.IN_PROGRESS
            or target in (None, step_row.step_id)
        ):
            return closed
        view = await self._executions.view(closed.tenant_id, closed.execution_id)
        route = _route_to(view.step, target)
        if actor is None or route is None:
            raise ChatError(f"cannot return to step {target!r} from {step_row.step_id!r}")
        await self._executions.complete_step(
            closed.tenant_id, closed.execution_id, actor=actor, chosen_route=route
        )
        return closed

    async def abandon_thread(
        self, thread_id: uuid.UUID, *, tenant_id: uuid.UUID | None = None
    ) -> ThreadView:
        return await self._close(thread_id, "abandoned", tenant_id=tenant_id)

    async def _close(
        self, thread_id: uuid.UUID, status: str, *, tenant_id: uuid.UUID | None = None
    ) -> ThreadView:
        now = self._clock.now()

        async def work(session: AsyncSession) -> ThreadView:
            thread = await load_thread(session, thread_id, tenant_id=tenant_id, lock=True)
            _require_active(thread)
            thread.status = status
            thread.completed_at = now
            if status == "completed" and thread.step_execution_id is not None:
                step_row = await session.get(StepExecution, thread.step_execution_id)
                count = await session.scalar(
                    select(func.count())
                    .select_from(ChatMessage)
                    .where(ChatMessage.thread_id == thread.id, ChatMessage.role != "system")
                )
                if step_row is not None:
                    step_row.message_count += int(count or 0)
                    step_row.token_count += thread.tokens_in + thread.tokens_out
            await session.flush()
            return thread_view(thread, await messages_of(session, thread.id))

        return await write(self._db, work)


def system_prompt(
    config: WorkflowConfig | Mapping[str, Any] | None,
    step: Step | Mapping[str, Any] | None,
    context: Mapping[str, Any],
    *,
    rag: bool = False,
) -> str:
    """The workflow's system prompt and the step's task, rendered; a generic one otherwise."""
    parts: list[str] = []
    if config is not None and step is not None:
        from renubu_tui.handlebars import render_text as render  # text, not HTML

        config, step = as_config(config), as_step(step)
        if config.system_prompt:
            parts.append(render(config.system_prompt, context).strip())
        task = step.task.llm_prompt or ""
        parts.append(f"Current step: {step.name}.")
        if task:
            parts.append(render(task, context).strip())
    else:
        parts.append(FREE_SYSTEM_PROMPT)
    if rag:
        parts.append(RAG_INSTRUCTION)
    return "\n\n".join(p for p in parts if p)


NOTES_IN_CONTEXT = 20


async def notes_context(
    db: Database, tenant_id: uuid.UUID, customer_id: uuid.UUID, today: dt.date
) -> list[dict[str, Any]]:
    """The customer's newest notes as the assistant reads them (who, when, tag, the text as
    written: data, not instructions; the system prompt says the context is data)."""
    from renubu_tui.services.customers.notes import notes_of
    from renubu_tui.services.customers.timeline import end_of

    notes = await notes_of(db, tenant_id, customer_id, end_of(today), limit=NOTES_IN_CONTEXT)
    return [
        {
            "writtenAt": n.created_at.isoformat(),
            "author": n.author,
            "tag": n.tag,
            "text": n.body,
            "edited": n.edited,
        }
        for n in notes
    ]


def context_block(snapshot: Mapping[str, Any] | None) -> str:
    if not snapshot:
        return ""
    data = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"Customer data (JSON, as known today):\n{data}"


def _why_not(branch: BranchView, gate: GateState | None, actor: User | None) -> str | None:
    """Why a branch is not offered now, in words; None when it can be taken."""
    if branch.type == "fixed" and gate is not None and not gate.open:
        return f"Not yet: {gate.reason[0].lower()}{gate.reason[1:]}"
    action = branch.saved_action or ""
    if gate is not None and action == gate.action and gate.open:
        return gate.reason  # already recorded: the gate is open
    if action in MANAGER_ONLY and actor is not None and actor.role != "manager":
        who = gate.opener if gate is not None else "a manager"
        return f"Only a manager can record this; it waits for {who}"
    return None


def _route_to(step: Step | None, target: str | None) -> str | None:
    """The route of `step` whose next step is `target`, if one does."""
    if target is None or step is None:
        return None
    return next((r.id for r in step.routes if r.next_step_id == target), None)


def _require_active(thread: ChatThread) -> None:
    if thread.status != "active":
        raise ChatError(f"the thread is {thread.status}")


async def _execution(
    session: AsyncSession, tenant_id: uuid.UUID, execution_id: uuid.UUID
) -> WorkflowExecution:
    execution = await session.scalar(
        select(WorkflowExecution).where(
            WorkflowExecution.id == execution_id, WorkflowExecution.tenant_id == tenant_id
        )
    )
    if execution is None:
        raise ChatError(f"no execution {execution_id} in this tenant")
    return execution


async def _current_step_row(
    session: AsyncSession, execution: WorkflowExecution, eod: dt.datetime | None = None
) -> StepExecution | None:
    """The row of the step open now; with `eod`, of the step open at that instant (started
    before it and not ended by it), None if none was."""
    if eod is not None:
        step = StepExecution
        return await session.scalar(
            select(step)
            .where(
                step.execution_id == execution.id,
                step.started_at < eod,
                or_(step.completed_at.is_(None), step.completed_at >= eod),
            )
            .order_by(step.started_at.desc(), step.attempt.desc())
            .limit(1)
        )
    if execution.current_step_id is None:
        return None
    return await session.scalar(
        select(StepExecution)
        .where(
            StepExecution.execution_id == execution.id,
            StepExecution.step_id == execution.current_step_id,
        )
        .order_by(StepExecution.attempt.desc())
        .limit(1)
    )


def _reusable(
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    execution_id: uuid.UUID | None,
    step_row: StepExecution | None,
    branch_id: uuid.UUID | None,
    eod: dt.datetime | None = None,
) -> Any:
    """The thread to reuse: active (with `eod`: opened before it, and active then)."""
    if eod is None:
        active: Any = ChatThread.status == "active"
    else:
        active = and_(
            ChatThread.created_at < eod,
            or_(
                ChatThread.status == "active",
                and_(ChatThread.completed_at.is_not(None), ChatThread.completed_at >= eod),
            ),
        )
    query = select(ChatThread).where(
        ChatThread.tenant_id == tenant_id,
        active,
        or_(ChatThread.user_id == user_id, ChatThread.user_id.is_(None)),
    )
    query = query.where(
        ChatThread.execution_id == execution_id
        if execution_id
        else ChatThread.execution_id.is_(None)
    )
    query = query.where(
        ChatThread.step_execution_id == step_row.id
        if step_row is not None
        else ChatThread.step_execution_id.is_(None)
    )
    query = query.where(
        ChatThread.branch_id == branch_id if branch_id else ChatThread.branch_id.is_(None)
    )
    query = query.where(
        ChatThread.customer_id == customer_id if customer_id else ChatThread.customer_id.is_(None)
    )
    return query.order_by(ChatThread.created_at.desc()).limit(1)


__all__ = [
    "BranchOutcome",
    "BranchView",
    "ChatError",
    "ChatService",
    "StepBranches",
    "Withheld",
    "context_block",
    "system_prompt",
]
