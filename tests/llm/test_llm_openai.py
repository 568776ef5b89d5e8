"""The OpenAI-compatible SSE stream replayed in odd-sized chunks: comments, blank lines,
usage, tool-call fragments, [DONE], and the hosted-versus-local key rule."""

from __future__ import annotations

import json

from renubu_tui.llm import ChatMessage, ChatRequest, StreamError, ToolCallRequest
from renubu_tui.llm.openai_compat import OpenAICompatProvider
from renubu_tui.llm.tools import RAG_SEARCH
from tests.llm.conftest import FakeSleep, Replay, events_of, streamed, text_of

REQUEST = ChatRequest([ChatMessage("system", "Be brief."), ChatMessage("user", "Hi")])
LOCAL = "http://localhost:8080"


def sse(*events: dict | str) -> str:
    out = []
    for event in events:
        payload = event if isinstance(event, str) else json.dumps(event)
        out.append(f"data: {payload}\n\n")
    return "".join(out)


def delta(content: str | None = None, finish: str | None = None, **fields: object) -> dict:
    d: dict = dict(fields)
    if content is not None:
        d["content"] = content
    return {"choices": [{"index": 0, "delta": d, "finish_reason": finish}]}


USAGE = {"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 4}}


def local(replay: Replay, **kw: object) -> OpenAICompatProvider:
    return OpenAICompatProvider(
        model="qwen2.5", base_url=LOCAL, transport=replay.transport, **{"sleep": FakeSleep(), **kw}
    )


async def test_openai_streams_text_with_usage_and_done_marker() -> None:
    body = (
        ": keep-alive\n\n"
        + sse(delta("", role="assistant"), delta("Hello"), delta(", naïve "), delta("wörld"))
        + "\n"
        + sse(delta(finish="stop"), USAGE, "[DONE]")
    )
    replay = Replay(streamed(body))
    events = await events_of(local(replay), REQUEST)
    assert text_of(events) == "Hello, naïve wörld"
    done = events[-1]
    assert done.provider_label == "openai-compatible · qwen2.5 @ localhost:8080"
    assert done.stop_reason == "end_turn"
    assert (done.usage.input_tokens, done.usage.output_tokens, done.usage.estimated) == (
        12,
        4,
        False,
    )
    sent = json.loads(replay.requests[0].content)
    assert str(replay.requests[0].url) == "http://localhost:8080/v1/chat/completions"
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert "authorization" not in replay.requests[0].headers  # local server, no key


async def test_openai_base_url_with_v1_and_bearer_key() -> None:
    replay = Replay(streamed(sse(delta("ok", finish="stop"), "[DONE]")))
    provider = OpenAICompatProvider(
        model="m", base_url=f"{LOCAL}/v1/", api_key="sk-local", transport=replay.transport
    )
    events = await events_of(provider, REQUEST)
    assert text_of(events) == "ok" and events[-1].usage.estimated
    assert str(replay.requests[0].url) == "http://localhost:8080/v1/chat/completions"
    assert replay.requests[0].headers["authorization"] == "Bearer sk-local"


async def test_openai_tool_call_fragments_are_assembled() -> None:
    first = {"index": 0, "id": "call_1", "type": "function"}
    first["function"] = {"name": "rag_search", "arguments": ""}
    body = sse(
        delta(tool_calls=[first]),
        delta(tool_calls=[{"index": 0, "function": {"arguments": '{"que'}}]),
        delta(tool_calls=[{"index": 0, "function": {"arguments": 'ry": "discount"}'}}]),
        delta(finish="tool_calls"),
        "[DONE]",
    )
    replay = Replay(streamed(body))
    request = ChatRequest(
        [
            ChatMessage("user", "Discount policy?"),
            ChatMessage("assistant", "", tool_calls=(ToolCallRequest("c0", "rag_search", {}),)),
            ChatMessage("tool", "[]", name="rag_search", tool_call_id="c0"),
        ],
        tools=[RAG_SEARCH],
        response_format_json=True,
    )
    events = await events_of(local(replay), request)
    assert events[0] == ToolCallRequest("call_1", "rag_search", {"query": "discount"})
    assert events[-1].stop_reason == "tool_use"
    sent = json.loads(replay.requests[0].content)
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["tools"][0]["function"]["name"] == "rag_search"
    assistant, tool = sent["messages"][1], sent["messages"][2]
    assert assistant["tool_calls"][0]["function"] == {"name": "rag_search", "arguments": "{}"}
    assert tool == {"role": "tool", "content": "[]", "tool_call_id": "c0"}


async def test_openai_malformed_event_before_and_after_text() -> None:
    events = await events_of(local(Replay(streamed("data: {not json\n\n"))), REQUEST)
    assert [type(e) for e in events] == [StreamError]
    assert events[0].kind == "protocol" and "OpenAI-compatible server?" in events[0].message
    body = sse(delta("Partial")) + "data: {oops\n\n"
    events = await events_of(local(Replay(streamed(body))), REQUEST)
    assert text_of(events) == "Partial"
    assert events[-1].kind == "protocol" and events[-1].retryable is False


async def test_openai_html_page_is_reported_not_swallowed() -> None:
    page = "<!doctype html>\n<html><body>Welcome to nginx</body></html>\n"
    events = await events_of(local(Replay(streamed(page, content_type="text/html"))), REQUEST)
    assert len(events) == 1 and events[0].kind == "protocol"
    assert "\n" not in events[0].message


async def test_openai_hosted_needs_a_key_before_any_request() -> None:
    replay = Replay(streamed(sse("[DONE]")))
    provider = OpenAICompatProvider(model="gpt-4o-mini", transport=replay.transport)
    assert provider.label == "openai · gpt-4o-mini"
    events = await events_of(provider, REQUEST)
    assert events == [StreamError("config", "OpenAI: no API key — set RENUBU_LLM_API_KEY", False)]
    assert replay.requests == []


async def test_openai_unknown_model_and_wrong_path() -> None:
    body = json.dumps(
        {"error": {"message": "The model `gpt-9` does not exist", "code": "model_not_found"}}
    )
    replay = Replay(streamed(body, status=404, content_type="application/json"))
    events = await events_of(local(replay, api_key="k"), REQUEST)
    assert events[0].kind == "config"
    assert events[0].message.startswith(
        "openai-compatible · qwen2.5 @ localhost:8080: model 'qwen2.5' not found on "
        "http://localhost:8080"
    )
    replay = Replay(streamed("Not Found", status=404, content_type="text/plain"))
    events = await events_of(local(replay), REQUEST)
    assert "http://localhost:8080/v1/chat/completions not found (HTTP 404)" in events[0].message


async def test_openai_error_event_mid_stream() -> None:
    body = sse(delta("So far "), {"error": {"message": "upstream crashed", "type": "server_error"}})
    events = await events_of(local(Replay(streamed(body))), REQUEST)
    assert text_of(events) == "So far "
    assert events[-1].kind == "http" and "upstream crashed" in events[-1].message
    assert events[-1].retryable is False


async def test_openai_unexpected_json_shape_is_a_protocol_error() -> None:
    events = await events_of(local(Replay(streamed(sse({"choices": ["weird"]})))), REQUEST)
    assert [e.kind for e in events] == ["protocol"]
    assert "unexpected reply shape" in events[0].message


async def test_openai_base_url_without_scheme_is_a_config_error() -> None:
    replay = Replay(streamed(sse("[DONE]")))
    provider = OpenAICompatProvider(base_url="localhost:8080", transport=replay.transport)
    [error] = await events_of(provider, REQUEST)
    assert error == StreamError(
        "config",
        "openai: 'localhost:8080' is not an http(s) URL — check RENUBU_LLM_BASE_URL",
        False,
    )
    assert replay.requests == []


async def test_a_thread_may_pin_its_own_model() -> None:
    replay = Replay(streamed(sse(delta("ok", finish="stop"), "[DONE]")))
    request = ChatRequest([ChatMessage("user", "Hi")], model="llama-3.2-3b")
    events = await events_of(local(replay), request)
    assert json.loads(replay.requests[0].content)["model"] == "llama-3.2-3b"
    assert events[-1].model == "llama-3.2-3b"
    assert events[-1].provider_label == "openai-compatible · llama-3.2-3b @ localhost:8080"
