"""Threads: numbered messages, the user's message saved first, errors and retry, stop, tools."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import Any

import pytest
from sqlalchemy import select

from renubu_tui.data.engine import Database
from renubu_tui.data.models import ChatMessage, LlmContext, ToolCall
from renubu_tui.llm.events import Done, StreamError, TextDelta
from renubu_tui.services.chat.answer import MAX_TOOL_ROUNDS, MessageSaved, ToolRan
from renubu_tui.services.chat.store import ChatError
from tests.services.chat.helpers import (
    TENANT,
    Env,
    ScriptedProvider,
    done,
    failure,
    make_env,
    text,
    tool,
)


async def _collect(events: Any) -> list[Any]:
    async with aclosing(events) as stream:
        return [event async for event in stream]


async def _rows(db: Database, thread_id: Any) -> list[ChatMessage]:
    async with db.sessions() as s:
        return list(
            (
                await s.scalars(
                    select(ChatMessage)
                    .where(ChatMessage.thread_id == thread_id)
                    .order_by(ChatMessage.seq)
                )
            ).all()
        )


async def _free_thread(env: Env, customer: str = "Bluesoft Corporation") -> Any:
    return await env.chat.open_thread(
        TENANT, actor=env.maya, customer_id=await env.customer(customer)
    )


async def test_an_offline_answer_is_streamed_and_recorded(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    thread = await _free_thread(env)
    assert [m.role for m in thread.messages] == ["system"]
    assert thread.temperature == 0.7 and thread.max_tokens == 2000
    events = await _collect(env.chat.send(thread.id, "Give me a summary of the account"))
    assert isinstance(events[0], MessageSaved) and events[0].message.role == "user"
    deltas = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "Bluesoft Corporation" in deltas
    final = events[-1]
    assert isinstance(final, MessageSaved) and final.message.status == "complete"
    assert final.message.content == deltas
    assert final.message.provider_label == "offline assistant"
    assert isinstance(events[-2], Done) and events[-2].provider_label == "offline assistant"
    after = await env.chat.thread(thread.id)
    assert [(m.seq, m.role) for m in after.messages] == [
        (1, "system"),
        (2, "user"),
        (3, "assistant"),
    ]
    assert after.tokens_in > 0 and after.tokens_out > 0 and after.provider == "offline"
    async with seeded_db.sessions() as s:
        record = await s.scalar(select(LlmContext).where(LlmContext.thread_id == thread.id))
    assert record is not None and record.prompt == "Give me a summary of the account"
    assert record.provider == "offline" and record.tokens_out == final.message.tokens


async def test_messages_are_numbered_contiguously_across_tools_and_turns(
    seeded_db: Database,
) -> None:
    env = await make_env(seeded_db)
    thread = await _free_thread(env)
    for question in (
        "Show me the health trend over time",
        "What is our escalation policy for a VP approval?",
        "Who are the stakeholders?",
    ):
        await _collect(env.chat.send(thread.id, question))
    rows = await _rows(seeded_db, thread.id)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert [r.message_type for r in rows].count("chart") == 1
    assert all(r.status == "complete" for r in rows)
    assert [r.role for r in rows if r.message_type == "text"] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
        "assistant",
    ]


async def test_tool_calls_are_run_logged_and_fed_back(seeded_db: Database) -> None:
    env = await make_env(seeded_db)
    thread = await _free_thread(env)
    events = await _collect(env.chat.send(thread.id, "Show me the health trend over time"))
    ran = [e for e in events if isinstance(e, ToolRan)]
    assert [(r.name, r.success) for r in ran] == [("create_chart", True)]
    chart = next(
        e.message
        for e in events
        if isinstance(e, MessageSaved) and e.message.message_type == "chart"
    )
    assert chart.provider_label == "create_chart tool"
    assert chart.meta["chart"]["series"][0]["name"] == "Health"
    answer = events[-1].message
    assert "The chart is above" in answer.content and "72 → 74" in answer.content
    async with seeded_db.sessions() as s:
        calls = (await s.scalars(select(ToolCall).where(ToolCall.thread_id == thread.id))).all()
    assert len(calls) == 1
    call = calls[0]
    assert call.tool_name == "create_chart" and call.success and call.error is None
    assert call.input["metrics"] and call.output["series"]["Health"][0] == ["2025-06-11", 72.0]
    assert call.message_id == answer.id and call.duration_ms is not None

    events = await _collect(env.chat.send(thread.id, "What is our escalation policy?"))
    assert [(e.name, e.success) for e in events if isinstance(e, ToolRan)] == [("rag_search", True)]
    assert "escalation-policy" in events[-1].message.content


async def test_the_users_message_is_committed_before_the_model_is_called(
    seeded_db: Database,
) -> None:
    seen: list[list[str]] = []

    class Peeking(ScriptedProvider):
        async def stream(self, request: Any) -> Any:
            async with seeded_db.sessions() as s:  # another connection: only committed rows
                seen.append(list((await s.scalars(select(ChatMessage.content))).all()))
            async for event in super().stream(request):
                yield event

    provider = Peeking([failure("model down")])
    env = await make_env(seeded_db, lambda: provider)
    thread = await _free_thread(env)
    events = await _collect(env.chat.send(thread.id, "Is the renewal safe?"))
    assert "Is the renewal safe?" in seen[0]
    assert [type(e) for e in events] == [MessageSaved, StreamError, MessageSaved]
    failed = events[-1].message
    assert (failed.role, failed.status, failed.error) == ("assistant", "error", "model down")
    assert failed.provider_label == "scripted model"


async def test_retry_asks_again_without_duplicating_the_question(seeded_db: Database) -> None:
    provider = ScriptedProvider(
        [text("Half an ans"), failure("connection reset")],
        [text("The whole answer."), done()],
    )
    env = await make_env(seeded_db, lambda: provider)
    thread = await _free_thread(env)
    await _collect(env.chat.send(thread.id, "Status?"))
    rows = await _rows(seeded_db, thread.id)
    assert [(r.role, r.status, r.content) for r in rows[1:]] == [
        ("user", "complete", "Status?"),
        ("assistant", "error", "Half an ans"),
    ]
    events = await _collect(env.chat.retry(thread.id))
    assert isinstance(events[0], TextDelta)  # no new user message
    rows = await _rows(seeded_db, thread.id)
    assert [r.role for r in rows] == ["system", "user", "assistant", "assistant"]
    assert (rows[-1].status, rows[-1].content) == ("complete", "The whole answer.")
    sent = provider.requests[-1].messages
    assert [m.role for m in sent] == ["system", "user"]  # the failed answer is not replayed
    assert sent[-1].content == "Status?"
    with pytest.raises(ChatError, match="nothing to retry"):
        await _collect(env.chat.retry(thread.id))


async def test_closing_the_stream_keeps_the_partial_text_as_stopped(seeded_db: Database) -> None:
    provider = ScriptedProvider([text("Partial "), text("answer"), 5.0, text(" never"), done()])
    env = await make_env(seeded_db, lambda: provider)
    thread = await _free_thread(env)
    stream = env.chat.send(thread.id, "Tell me everything")
    got = []
    async for event in stream:
        got.append(event)
        if sum(isinstance(e, TextDelta) for e in got) == 2:
            break
    await stream.aclose()
    rows = await _rows(seeded_db, thread.id)
    assert (rows[-1].role, rows[-1].status, rows[-1].content) == (
        "assistant",
        "stopped",
        "Partial answer",
    )
    assert provider.closed == 1


async def test_cancelling_the_reader_task_marks_the_answer_stopped(seeded_db: Database) -> None:
    provider = ScriptedProvider([text("Still thinking"), 10.0, text(" no"), done()])
    env = await make_env(seeded_db, lambda: provider)
    thread = await _free_thread(env)
    first_text = asyncio.Event()

    async def read() -> None:
        async with aclosing(env.chat.send(thread.id, "Slow one")) as stream:
            async for event in stream:
                if isinstance(event, TextDelta):
                    first_text.set()

    task = asyncio.create_task(read())
    await asyncio.wait_for(first_text.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    rows = await _rows(seeded_db, thread.id)
    assert (rows[-1].status, rows[-1].content) == ("stopped", "Still thinking")
    # retry asks the question again: the stopped text stays visible (marked stopped) but is
    # not sent, or the model would continue it instead of answering
    retry_provider = ScriptedProvider([text("Done now."), done()], [text("Sure."), done()])
    env2 = await make_env(seeded_db, lambda: retry_provider)
    await _collect(env2.chat.retry(thread.id))
    sent = retry_provider.requests[0].messages
    assert [m.role for m in sent] == ["system", "user"] and sent[-1].content == "Slow one"
    rows = await _rows(seeded_db, thread.id)
    assert [(r.role, r.status, r.content) for r in rows[-3:]] == [
        ("user", "complete", "Slow one"),
        ("assistant", "stopped", "Still thinking"),
        ("assistant", "complete", "Done now."),
    ]
    # later turns see the answer the retry gave, not the superseded stopped one
    await _collect(env2.chat.send(thread.id, "And then?"))
    later = [(m.role, m.content) for m in retry_provider.requests[1].messages][1:]
    assert later == [("user", "Slow one"), ("assistant", "Done now."), ("user", "And then?")]


async def test_a_stopped_answer_the_reader_went_on_from_is_kept(seeded_db: Database) -> None:
    provider = ScriptedProvider([text("Partial"), 10.0, done()], [text("Ok."), done()])
    env = await make_env(seeded_db, lambda: provider)
    thread = await _free_thread(env)
    stream = env.chat.send(thread.id, "First?")
    async for event in stream:
        if isinstance(event, TextDelta):
            break
    await stream.aclose()
    await _collect(env.chat.send(thread.id, "Second?"))
    sent = [(m.role, m.content) for m in provider.requests[1].messages][1:]
    assert sent == [("user", "First?"), ("assistant", "Partial"), ("user", "Second?")]


async def test_tool_rounds_are_bounded(seeded_db: Database) -> None:
    provider = ScriptedProvider(
        *[[tool("rag_search", query=f"q{i}"), done(stop="tool_use")] for i in range(5)],
    )
    env = await make_env(seeded_db, lambda: provider)
    thread = await _free_thread(env)
    events = await _collect(env.chat.send(thread.id, "Loop forever"))
    assert len(provider.requests) == MAX_TOOL_ROUNDS + 1
    assert provider.requests[-1].tools is None  # the last round must answer
    assert all(r.tools for r in provider.requests[:-1])
    assert sum(isinstance(e, ToolRan) for e in events) == MAX_TOOL_ROUNDS
    async with seeded_db.sessions() as s:
        logged = (await s.scalars(select(ToolCall).where(ToolCall.thread_id == thread.id))).all()
    assert len(logged) == MAX_TOOL_ROUNDS


async def test_database_query_tool_is_confined_and_refusals_are_logged(
    seeded_db: Database,
) -> None:
    provider = ScriptedProvider(
        [
            tool("database_query", sql="SELECT name, csm_name FROM customer_overview"),
            tool("database_query", sql="SELECT email FROM users"),
            tool("teleport", to="mars"),
            done(stop="tool_use"),
        ],
        [text("Bluesoft is Maya's."), done()],
    )
    env = await make_env(seeded_db, lambda: provider)
    thread = await _free_thread(env)
    events = await _collect(env.chat.send(thread.id, "Who owns this account?"))
    assert [(e.name, e.success) for e in events if isinstance(e, ToolRan)] == [
        ("database_query", True),
        ("database_query", False),
        ("teleport", False),
    ]
    async with seeded_db.sessions() as s:
        logged = (
            await s.scalars(
                select(ToolCall)
                .where(ToolCall.thread_id == thread.id)
                .order_by(ToolCall.created_at)
            )
        ).all()
    assert len(logged) == 2  # an unknown tool is answered with an error, not logged
    ok, refused = sorted(logged, key=lambda c: c.success, reverse=True)
    assert ok.output["rows"] == [["Bluesoft Corporation", "Maya Patel"]]
    assert refused.output is None and "users is not one of the allowed views" in refused.error
    fed_back = [m for m in provider.requests[1].messages if m.role == "tool"]
    assert [m.name for m in fed_back] == ["database_query", "database_query", "teleport"]
    assert '"error"' in fed_back[1].content and "unknown tool" in fed_back[2].content


async def test_a_thread_without_a_customer_only_searches_the_knowledge_base(
    seeded_db: Database,
) -> None:
    provider = ScriptedProvider([text("Hello."), done()])
    env = await make_env(seeded_db, lambda: provider)
    thread = await env.chat.open_thread(TENANT, actor=env.maya)
    await _collect(env.chat.send(thread.id, "Hi"))
    assert [t.name for t in provider.requests[0].tools or []] == ["rag_search"]
    assert provider.requests[0].context is None


async def test_threads_are_reused_while_active_and_closed_ones_refuse_messages(
    seeded_db: Database,
) -> None:
    env = await make_env(seeded_db)
    first = await _free_thread(env)
    assert (await _free_thread(env)).id == first.id
    closed = await env.chat.abandon_thread(first.id)
    assert closed.status == "abandoned"
    with pytest.raises(ChatError, match="abandoned"):
        await _collect(env.chat.send(first.id, "hello?"))
    assert (await _free_thread(env)).id != first.id
    with pytest.raises(ChatError, match="empty"):
        await _collect(env.chat.send(first.id, "  "))


async def test_a_provider_that_raises_is_an_error_record_not_a_crash(seeded_db: Database) -> None:
    class Raising(ScriptedProvider):
        async def stream(self, request: Any) -> Any:
            yield text("Starting")
            raise RuntimeError("socket exploded")

    env = await make_env(seeded_db, lambda: Raising())
    thread = await _free_thread(env)
    events = await _collect(env.chat.send(thread.id, "Anything?"))
    error = next(e for e in events if isinstance(e, StreamError))
    assert "socket exploded" in error.message
    rows = await _rows(seeded_db, thread.id)
    assert [(r.role, r.status, r.content) for r in rows[1:]] == [
        ("user", "complete", "Anything?"),
        ("assistant", "error", "Starting"),
    ]
