"""One assistant answer in a thread: stream it, run the tools it asks for, record the outcome.

The answer's message row is created when its first words arrive (status "streaming") and its
content written once at the end, never per token. It ends "complete", "error" (the error text
recorded; the user's message stays and `retry` can ask again) or "stopped" when the reader
cancels: the partial text is kept. Tool calls are run between rounds of the same answer, each
logged in workflow_llm_tool_calls and fed back as a tool message, for at most MAX_TOOL_ROUNDS
rounds; the last round is offered no tools, so it has to answer.

Consumers should close the iterator when they stop reading early (`contextlib.aclosing`), so
the "stopped" record is written at once rather than when the generator is collected.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.engine import Database
from renubu_tui.data.models import ChatMessage, LlmContext, ToolCall
from renubu_tui.domain.vocabulary import TOOL_NAMES
from renubu_tui.llm.events import (
    Done,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCallRequest,
    Usage,
    one_line,
)
from renubu_tui.llm.messages import ChatMessage as LlmMessage
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.provider import Provider
from renubu_tui.services.chat.store import (
    MessageView,
    append,
    history,
    load_thread,
    message_view,
    messages_of,
    write,
)
from renubu_tui.services.chat.tools.runner import ToolResult, ToolScope, run_tool, tool_specs

MAX_TOOL_ROUNDS = 3
TOOL_LABEL = "create_chart tool"


@dataclass(frozen=True)
class MessageSaved:
    """A message was committed (the user's, a chart, or the finished answer)."""

    message: MessageView


@dataclass(frozen=True)
class ToolRan:
    """A tool the model asked for has run (and been logged)."""

    name: str
    success: bool
    error: str | None
    duration_ms: int


ChatEvent: TypeAlias = StreamEvent | MessageSaved | ToolRan


@dataclass
class _State:
    parts: list[str] = field(default_factory=list)
    message_id: uuid.UUID | None = None
    tool_call_ids: list[uuid.UUID] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    estimated: bool = False
    label: str | None = None
    model: str | None = None
    stop_reason: str = "end_turn"
    prompt_tokens: int | None = None  # the last round's prompt as sent (estimated)
    context_tokens: int | None = None  # the window it was fitted to, when known
    started: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class AnswerSetup:
    """Everything one answer needs besides the thread's stored history."""

    db: Database
    thread_id: uuid.UUID
    provider_factory: Callable[[], Provider]
    scope: ToolScope
    tools: tuple[str, ...]
    context_block: str


async def answer(setup: AnswerSetup) -> AsyncGenerator[ChatEvent, None]:
    """Stream the assistant's answer to the thread's history as it stands."""
    db, state = setup.db, _State()
    async with db.sessions() as session:
        thread = await load_thread(session, setup.thread_id)
        rows = await messages_of(session, thread.id)
    conversation = history(rows, setup.context_block)
    provider = setup.provider_factory()
    settled = False
    try:
        for round_no in range(MAX_TOOL_ROUNDS + 1):
            offer = tool_specs(setup.tools) if setup.tools and round_no < MAX_TOOL_ROUNDS else None
            request = ChatRequest(
                messages=list(conversation),
                model=thread.model,
                temperature=thread.temperature,
                max_tokens=thread.max_tokens,
                tools=offer,
                context=thread.context_snapshot or None,
            )
            calls: list[ToolCallRequest] = []
            round_parts: list[str] = []
            outcome: Done | StreamError | None = None
            try:
                async with aclosing(provider.stream(request)) as events:
                    async for event in events:
                        if isinstance(event, TextDelta):
                            round_parts.append(event.text)
                            state.parts.append(event.text)
                            if state.message_id is None:
                                state.message_id = await _open_message(db, setup.thread_id)
                            yield event
                        elif isinstance(event, ToolCallRequest):
                            calls.append(event)
                            yield event
                        elif isinstance(event, Done | StreamError):
                            outcome = event
            except Exception as exc:  # a provider must not raise; if one does, it is an error
                outcome = StreamError("protocol", one_line(f"{type(exc).__name__}: {exc}"))
            if isinstance(outcome, Done):
                _count(state, outcome)
            if outcome is None or isinstance(outcome, StreamError):
                error = outcome or StreamError("protocol", "the answer ended without a result")
                settled = True
                saved = await _settle(setup, state, provider, "error", error.message)
                yield error
                yield MessageSaved(saved)
                return
            if not calls or offer is None:
                break
            conversation.append(
                LlmMessage("assistant", "".join(round_parts), tool_calls=tuple(calls))
            )
            for call in calls:
                result = await run_tool(setup.scope, call.name, call.arguments)
                chart_message = await _log_tool(setup, state, call, result)
                yield ToolRan(result.name, result.success, result.error, result.duration_ms)
                if chart_message is not None:
                    yield MessageSaved(chart_message)
                conversation.append(
                    LlmMessage("tool", result.for_model(), name=call.name, tool_call_id=call.id)
                )
        settled = True
        saved = await _settle(setup, state, provider, "complete", None)
        usage = Usage(state.tokens_in, state.tokens_out, state.estimated)
        yield Done(
            state.label or provider.label,
            state.model or "",
            state.stop_reason,
            usage,
            prompt_tokens=state.prompt_tokens,
            context_tokens=state.context_tokens,
        )
        yield MessageSaved(saved)
    except (asyncio.CancelledError, GeneratorExit):
        if not settled:
            settled = True
            # shielded: a second cancellation must not lose the partial answer
            await asyncio.shield(_settle(setup, state, provider, "stopped", "stopped by the user"))
        raise
    finally:
        if not settled:  # an unexpected failure: never leave a message "streaming"
            await _settle(setup, state, provider, "error", "the answer failed unexpectedly")
        await provider.aclose()


def _count(state: _State, done: Done) -> None:
    state.tokens_in += done.usage.input_tokens
    state.tokens_out += done.usage.output_tokens
    state.estimated = state.estimated or done.usage.estimated
    state.label, state.model, state.stop_reason = done.provider_label, done.model, done.stop_reason
    state.prompt_tokens, state.context_tokens = done.prompt_tokens, done.context_tokens


async def _open_message(db: Database, thread_id: uuid.UUID) -> uuid.UUID:
    async def work(session: AsyncSession) -> uuid.UUID:
        thread = await load_thread(session, thread_id, lock=True)
        row = await append(session, thread, "assistant", "", status="streaming")
        return row.id

    return await write(db, work)


async def _log_tool(
    setup: AnswerSetup, state: _State, call: ToolCallRequest, result: ToolResult
) -> MessageView | None:
    """Log the call; a chart becomes a message of its own (data in its metadata)."""

    async def work(session: AsyncSession) -> MessageView | None:
        chart = None
        if result.chart is not None:
            thread = await load_thread(session, setup.thread_id, lock=True)
            row = await append(
                session,
                thread,
                "assistant",
                result.chart.title,
                message_type="chart",
                meta={"chart": result.chart.as_json(), "toolCallId": call.id},
                provider_label=TOOL_LABEL,
            )
            chart = message_view(row)
        if call.name in TOOL_NAMES:
            log = ToolCall(
                id=uuid.uuid4(),
                thread_id=setup.thread_id,
                message_id=state.message_id,
                tool_name=call.name,
                input=_json_safe(result.arguments),
                output=_json_safe(result.output),
                success=result.success,
                error=result.error,
                duration_ms=result.duration_ms,
            )
            session.add(log)
            state.tool_call_ids.append(log.id)
        return chart

    return await write(setup.db, work)


async def _settle(
    setup: AnswerSetup, state: _State, provider: Provider, status: str, error: str | None
) -> MessageView:
    """Write the answer's final content and status, its tokens, and the call's record."""
    label = state.label or provider.label

    async def work(session: AsyncSession) -> MessageView:
        thread = await load_thread(session, setup.thread_id, lock=True)
        if state.message_id is None:
            row = await append(session, thread, "assistant", "", status="streaming")
            state.message_id = row.id
        else:
            found = await session.get(ChatMessage, state.message_id)
            assert found is not None
            row = found
        row.content = state.text
        row.status = status
        row.error = error
        row.tokens = state.tokens_out
        row.provider_label = label
        row.meta = {
            **(row.meta or {}),
            "model": state.model,
            "stopReason": state.stop_reason if status == "complete" else status,
            "tokensEstimated": state.estimated,
            "promptTokens": state.prompt_tokens,
            "contextTokens": state.context_tokens,
        }
        thread.tokens_in += state.tokens_in
        thread.tokens_out += state.tokens_out
        thread.provider = provider.name
        if state.tool_call_ids:
            await session.execute(
                update(ToolCall)
                .where(ToolCall.id.in_(state.tool_call_ids))
                .values(message_id=row.id)
            )
        rows = await messages_of(session, thread.id)
        question = next((m.content for m in reversed(rows) if m.role == "user"), "")
        session.add(
            LlmContext(
                execution_id=thread.execution_id,
                step_execution_id=thread.step_execution_id,
                thread_id=thread.id,
                provider=provider.name,
                model=state.model,
                system_prompt=thread.system_prompt,
                prompt=question,
                response=state.text,
                tokens_in=state.tokens_in,
                tokens_out=state.tokens_out,
                duration_ms=int((time.monotonic() - state.started) * 1000),
                error=error if status == "error" else None,
            )
        )
        await session.flush()
        return message_view(row)

    return await write(setup.db, work)


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_default)) if value is not None else None


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


__all__ = ["MAX_TOOL_ROUNDS", "AnswerSetup", "ChatEvent", "MessageSaved", "ToolRan", "answer"]
