"""Chat threads and messages in the database: numbering, views, and the history a model reads.

Messages are numbered 1..n per thread with no gaps: the next number is computed inside the
transaction that inserts the message, with the thread row locked (PostgreSQL) or the write lock
held (SQLite), and (thread_id, seq) is unique, so a race fails loudly instead of duplicating.

`dated_view` shows a thread as it stood at the end of a day (time travel): the messages written
by then, still active if it was completed or abandoned later, and the tokens of the model calls
made by then.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.engine import Database
from renubu_tui.data.models import ChatMessage, ChatThread, LlmContext
from renubu_tui.llm.messages import ChatMessage as LlmMessage
from renubu_tui.services.refusals import Refused

T = TypeVar("T")
WRITE_ATTEMPTS = 3


class ChatError(Refused):
    """A chat request that cannot be served (closed thread, nothing to retry…); one line."""


@dataclass(frozen=True)
class MessageView:
    id: uuid.UUID
    seq: int
    role: str
    message_type: str
    content: str
    meta: dict[str, Any]
    status: str
    provider_label: str | None
    tokens: int
    error: str | None
    created_at: dt.datetime | None


@dataclass(frozen=True)
class ThreadView:
    id: uuid.UUID
    tenant_id: uuid.UUID
    status: str
    customer_id: uuid.UUID | None
    execution_id: uuid.UUID | None
    step_execution_id: uuid.UUID | None
    branch_id: uuid.UUID | None
    provider: str | None
    model: str | None
    temperature: float
    max_tokens: int
    tokens_in: int
    tokens_out: int
    system_prompt: str
    messages: list[MessageView] = field(default_factory=list)

    @property
    def last(self) -> MessageView | None:
        return self.messages[-1] if self.messages else None


def message_view(row: ChatMessage) -> MessageView:
    return MessageView(
        row.id,
        row.seq,
        row.role,
        row.message_type,
        row.content,
        dict(row.meta or {}),
        row.status,
        row.provider_label,
        row.tokens,
        row.error,
        row.created_at,
    )


def thread_view(thread: ChatThread, messages: Sequence[ChatMessage]) -> ThreadView:
    return ThreadView(
        id=thread.id,
        tenant_id=thread.tenant_id,
        status=thread.status,
        customer_id=thread.customer_id,
        execution_id=thread.execution_id,
        step_execution_id=thread.step_execution_id,
        branch_id=thread.branch_id,
        provider=thread.provider,
        model=thread.model,
        temperature=thread.temperature,
        max_tokens=thread.max_tokens,
        tokens_in=thread.tokens_in,
        tokens_out=thread.tokens_out,
        system_prompt=thread.system_prompt,
        messages=[message_view(m) for m in messages],
    )


async def load_thread(
    session: AsyncSession,
    thread_id: uuid.UUID,
    *,
    tenant_id: uuid.UUID | None = None,
    lock: bool = False,
) -> ChatThread:
    query = select(ChatThread).where(ChatThread.id == thread_id)
    if tenant_id is not None:
        query = query.where(ChatThread.tenant_id == tenant_id)
    if lock:
        query = query.with_for_update()
    thread = await session.scalar(query)
    if thread is None:
        raise ChatError(f"no chat thread {thread_id}")
    return thread


async def messages_of(
    session: AsyncSession, thread_id: uuid.UUID, *, before: dt.datetime | None = None
) -> list[ChatMessage]:
    """The thread's messages in order; with `before`, only those written before that instant."""
    query = select(ChatMessage).where(ChatMessage.thread_id == thread_id)
    if before is not None:
        query = query.where(ChatMessage.created_at < before)
    rows = await session.scalars(query.order_by(ChatMessage.seq))
    return list(rows.all())


async def dated_view(session: AsyncSession, thread: ChatThread, eod: dt.datetime) -> ThreadView:
    """The thread as it stood at `eod` (the end of a day): see the module docstring."""
    messages = await messages_of(session, thread.id, before=eod)
    view = thread_view(thread, messages)
    later = await session.scalar(
        select(func.count())
        .select_from(ChatMessage)
        .where(ChatMessage.thread_id == thread.id, ChatMessage.created_at >= eod)
    )
    if later:
        tokens = (
            await session.execute(
                select(
                    func.coalesce(func.sum(LlmContext.tokens_in), 0),
                    func.coalesce(func.sum(LlmContext.tokens_out), 0),
                ).where(LlmContext.thread_id == thread.id, LlmContext.created_at < eod)
            )
        ).one()
        view = replace(view, tokens_in=int(tokens[0]), tokens_out=int(tokens[1]))
    if thread.completed_at is not None and thread.completed_at >= eod:
        view = replace(view, status="active")
    return view


async def append(
    session: AsyncSession,
    thread: ChatThread,
    role: str,
    content: str,
    *,
    message_type: str = "text",
    meta: dict[str, Any] | None = None,
    status: str = "complete",
    provider_label: str | None = None,
    tokens: int = 0,
    error: str | None = None,
) -> ChatMessage:
    """Add the thread's next message; the caller's transaction must hold the thread row."""
    last = await session.scalar(
        select(func.max(ChatMessage.seq)).where(ChatMessage.thread_id == thread.id)
    )
    row = ChatMessage(
        id=uuid.uuid4(),
        thread_id=thread.id,
        seq=int(last or 0) + 1,
        role=role,
        message_type=message_type,
        content=content,
        meta=meta or {},
        status=status,
        provider_label=provider_label,
        tokens=tokens,
        error=error,
    )
    session.add(row)
    await session.flush()
    return row


async def write(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in its own transaction, again if a concurrent writer won the race."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            async with db.write() as session:
                return await work(session)
        except (IntegrityError, OperationalError) as exc:
            retryable = isinstance(exc, IntegrityError) or "locked" in str(exc)
            if not retryable or attempt == WRITE_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def history(messages: Sequence[ChatMessage], context_block: str) -> list[LlmMessage]:
    """What the model reads: the system prompt (with the customer data) and the conversation.

    Failed answers are left out (a retry must not see them). A stopped answer is kept as far as
    it got once the reader has asked something after it (they read it and went on); one that
    ends the thread, or that a retry answered again, is left out: a retry asks the question
    again rather than continuing the stopped text. Charts are summarised, their data being in
    the tool log.
    """
    out: list[LlmMessage] = []
    for index, m in enumerate(messages):
        if (
            m.role == "assistant"
            and m.status == "stopped"
            and not _followed_by_user(messages, index)
        ):
            continue
        if m.role == "system":
            text = f"{m.content}\n\n{context_block}" if context_block else m.content
            out.append(LlmMessage("system", text.strip()))
        elif m.role == "user":
            out.append(LlmMessage("user", m.content))
        elif m.role == "assistant" and m.status in {"complete", "stopped"} and m.content:
            if m.message_type == "chart":
                out.append(LlmMessage("assistant", f"[chart shown: {m.content}]"))
            else:
                out.append(LlmMessage("assistant", m.content))
    return out


def _followed_by_user(messages: Sequence[ChatMessage], index: int) -> bool:
    """Is the next text turn after `index` the user's (not another answer to the same question)?"""
    for later in messages[index + 1 :]:
        if later.role == "user":
            return True
        if later.role == "assistant" and later.message_type != "chart" and later.content:
            return False
    return False


__all__ = [
    "ChatError",
    "MessageView",
    "ThreadView",
    "append",
    "dated_view",
    "history",
    "load_thread",
    "message_view",
    "messages_of",
    "thread_view",
    "write",
]
