"""Anthropic's typed SSE events replayed in odd-sized chunks."""

from __future__ import annotations

import json

from renubu_tui.llm import ChatMessage, ChatRequest, StreamError, TextDelta, ToolCallRequest
from renubu_tui.llm.anthropic import AnthropicProvider
from renubu_tui.llm.tools import CREATE_CHART
from tests.llm.conftest import FakeSleep, Replay, events_of, streamed, text_of

REQUEST = ChatRequest(
    [
        ChatMessage("system", "You help CSMs."),
        ChatMessage("user", "Chart usage"),
        ChatMessage("assistant", "Charting.", tool_calls=(ToolCallRequest("t1", "create_chart"),)),
        ChatMessage("tool", '{"ok": true}', name="create_chart", tool_call_id="t1"),
        ChatMessage("tool", '{"ok": 2}', name="create_chart", tool_call_id="t2"),
    ],
    tools=[CREATE_CHART],
    max_tokens=500,
)


def event(kind: str, **data: object) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"


def text_delta(index: int, text: str) -> str:
    return event("content_block_delta", index=index, delta={"type": "text_delta", "text": text})


def json_delta(index: int, partial: str) -> str:
    delta = {"type": "input_json_delta", "partial_json": partial}
    return event("content_block_delta", index=index, delta=delta)


START = event(
    "message_start",
    message={"id": "msg_1", "role": "assistant", "usage": {"input_tokens": 25, "output_tokens": 1}},
)
STOP = event("message_stop")


def provider(replay: Replay, **kw: object) -> AnthropicProvider:
    return AnthropicProvider(
        model="claude-test",
        api_key="sk-ant-x",
        transport=replay.transport,
        **{"sleep": FakeSleep(), **kw},
    )


async def test_anthropic_text_tool_use_and_usage() -> None:
    body = (
        START
        + event("content_block_start", index=0, content_block={"type": "text", "text": ""})
        + ": comment line\n\n"
        + event("ping")
        + text_delta(0, "Usage is ")
        + text_delta(0, "up — 38 of 40 seats.")
        + event("content_block_stop", index=0)
        + event(
            "content_block_start",
            index=1,
            content_block={
                "type": "tool_use",
                "id": "toolu_1",
                "name": "create_chart",
                "input": {},
            },
        )
        + json_delta(1, '{"type": "li')
        + json_delta(1, 'ne", "metrics": ["activeUsers"]}')
        + event("content_block_stop", index=1)
        + event("message_delta", delta={"stop_reason": "tool_use"}, usage={"output_tokens": 42})
        + STOP
    )
    replay = Replay(streamed(body))
    events = await events_of(provider(replay), REQUEST)
    assert text_of(events) == "Usage is up — 38 of 40 seats."
    assert (
        ToolCallRequest("toolu_1", "create_chart", {"type": "line", "metrics": ["activeUsers"]})
        in events
    )
    done = events[-1]
    assert done.provider_label == "anthropic · claude-test"
    assert done.stop_reason == "tool_use"
    assert (done.usage.input_tokens, done.usage.output_tokens, done.usage.estimated) == (
        25,
        42,
        False,
    )
    sent = replay.requests[0]
    assert str(sent.url) == "https://api.anthropic.com/v1/messages"
    assert sent.headers["x-api-key"] == "sk-ant-x"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    body_sent = json.loads(sent.content)
    assert body_sent["system"] == "You help CSMs." and body_sent["stream"] is True
    assert body_sent["tools"][0]["input_schema"]["type"] == "object"
    roles = [m["role"] for m in body_sent["messages"]]
    assert roles == ["user", "assistant", "user"]  # both tool results in one user turn
    assert [b["type"] for b in body_sent["messages"][1]["content"]] == ["text", "tool_use"]
    assert [b["tool_use_id"] for b in body_sent["messages"][2]["content"]] == ["t1", "t2"]


async def test_anthropic_error_event_before_text_is_retried_when_overloaded() -> None:
    error = event("error", error={"type": "overloaded_error", "message": "Overloaded"})
    ok = START + text_delta(0, "Fine now.") + STOP
    sleep = FakeSleep()
    replay = Replay(streamed(error), streamed(ok))
    events = await events_of(provider(replay, sleep=sleep, rand=lambda: 0.5), REQUEST)
    assert text_of(events) == "Fine now."
    assert len(replay.requests) == 2 and sleep.calls == [0.25]


async def test_anthropic_error_event_after_text_ends_the_stream() -> None:
    error = event("error", error={"type": "overloaded_error", "message": "Overloaded"})
    replay = Replay(streamed(START + text_delta(0, "Half") + error))
    events = await events_of(provider(replay), REQUEST)
    assert [type(e) for e in events] == [TextDelta, StreamError]
    assert events[-1].message == (
        "anthropic · claude-test: overloaded_error: Overloaded (the partial answer is kept)"
    )
    assert events[-1].retryable is False and len(replay.requests) == 1


async def test_anthropic_malformed_data_and_early_end() -> None:
    events = await events_of(
        provider(Replay(streamed("event: message_start\ndata: {\n\n"))), REQUEST
    )
    assert events[0].kind == "protocol" and "the Anthropic API?" in events[0].message
    events = await events_of(provider(Replay(streamed(START + text_delta(0, "cut")))), REQUEST)
    assert text_of(events) == "cut" and events[-1].kind == "protocol"


async def test_anthropic_without_key_fails_before_any_request() -> None:
    replay = Replay(streamed(STOP))
    events = await events_of(AnthropicProvider(transport=replay.transport), REQUEST)
    assert events == [
        StreamError("config", "Anthropic: no API key — set RENUBU_LLM_API_KEY", False)
    ]
    assert replay.requests == []


async def test_anthropic_bad_key_and_unknown_model() -> None:
    body = json.dumps({"type": "error", "error": {"type": "authentication_error", "message": "x"}})
    events = await events_of(provider(Replay(streamed(body, status=401))), REQUEST)
    assert events == [
        StreamError(
            "config",
            "anthropic · claude-test: bad API key (HTTP 401) — check RENUBU_LLM_API_KEY",
            False,
        )
    ]
    body = json.dumps(
        {"type": "error", "error": {"type": "not_found_error", "message": "model: claude-test"}}
    )
    events = await events_of(provider(Replay(streamed(body, status=404))), REQUEST)
    assert events[0].kind == "config"
    assert "model 'claude-test' not found on https://api.anthropic.com" in events[0].message


async def test_anthropic_json_mode_asks_in_the_system_prompt() -> None:
    replay = Replay(streamed(START + text_delta(0, "{}") + STOP))
    request = ChatRequest([ChatMessage("user", "Route?")], response_format_json=True)
    await events_of(provider(replay), request)
    assert json.loads(replay.requests[0].content)["system"].startswith("Answer with one JSON")
