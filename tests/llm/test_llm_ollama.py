"""Ollama's NDJSON stream replayed through httpx.MockTransport in odd-sized chunks."""

from __future__ import annotations

import json

from renubu_tui.llm import ChatMessage, ChatRequest, Done, StreamError, TextDelta, ToolCallRequest
from renubu_tui.llm.ollama import OllamaProvider
from renubu_tui.llm.tools import CREATE_CHART
from tests.llm.conftest import FakeSleep, Replay, events_of, streamed, text_of

REQUEST = ChatRequest(
    [ChatMessage("system", "You help CSMs."), ChatMessage("user", "Status of Bluesoft?")],
    temperature=0.2,
    max_tokens=300,
)


def ndjson(*lines: dict) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def chat(content: str, **extra: object) -> dict:
    return {"model": "llama3.1", "message": {"role": "assistant", "content": content}, **extra}


FINAL = chat("", done=True, done_reason="stop", prompt_eval_count=26, eval_count=298)


def provider(replay: Replay, **kw: object) -> OllamaProvider:
    return OllamaProvider(
        model="llama3.1", transport=replay.transport, **{"sleep": FakeSleep(), **kw}
    )


async def test_ollama_streams_text_and_reports_usage_from_the_final_line() -> None:
    body = ndjson(chat("Bluesoft "), chat("renews — café ☕ "), chat("in 15 days."), FINAL)
    replay = Replay(streamed(body, content_type="application/x-ndjson"))
    events = await events_of(provider(replay), REQUEST)
    assert text_of(events) == "Bluesoft renews — café ☕ in 15 days."
    assert all(isinstance(e, TextDelta) for e in events[:-1])
    assert events[-1] == Done(
        provider_label="ollama · llama3.1",
        model="llama3.1",
        stop_reason="end_turn",
        usage=events[-1].usage,
    )
    usage = events[-1].usage
    assert (usage.input_tokens, usage.output_tokens, usage.estimated) == (26, 298, False)
    sent = json.loads(replay.requests[0].content)
    assert str(replay.requests[0].url) == "http://127.0.0.1:11434/api/chat"
    assert sent["stream"] is True and sent["model"] == "llama3.1"
    assert sent["options"] == {"temperature": 0.2, "num_predict": 300}
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]


async def test_ollama_blank_lines_are_skipped_and_usage_is_estimated_when_missing() -> None:
    body = "\n" + ndjson(chat("Hello there")) + "\n\n" + ndjson(chat("", done=True))
    events = await events_of(provider(Replay(streamed(body))), REQUEST)
    assert text_of(events) == "Hello there"
    usage = events[-1].usage
    assert usage.estimated and usage.output_tokens == 3  # 11 characters ≈ 3 tokens


async def test_ollama_tool_calls_and_json_format() -> None:
    call = {"function": {"name": "create_chart", "arguments": {"type": "line"}}}
    body = ndjson(
        {"message": {"role": "assistant", "content": "", "tool_calls": [call]}, "done": False},
        chat("", done=True, done_reason="stop", prompt_eval_count=5, eval_count=9),
    )
    replay = Replay(streamed(body))
    request = ChatRequest(REQUEST.messages, tools=[CREATE_CHART], response_format_json=True)
    events = await events_of(provider(replay), request)
    assert events[0] == ToolCallRequest("ollama-call-1", "create_chart", {"type": "line"})
    assert events[-1].stop_reason == "tool_use"
    sent = json.loads(replay.requests[0].content)
    assert sent["format"] == "json"
    assert sent["tools"][0]["function"]["name"] == "create_chart"


async def test_ollama_malformed_line_before_any_text_is_a_protocol_error() -> None:
    body = "<html>not ollama</html>\n"
    events = await events_of(provider(Replay(streamed(body))), REQUEST)
    assert len(events) == 1 and isinstance(events[0], StreamError)
    assert events[0].kind == "protocol"
    assert "is http://127.0.0.1:11434 an ollama server?" in events[0].message


async def test_ollama_malformed_line_after_text_keeps_the_partial_answer() -> None:
    body = ndjson(chat("Part one, ")) + '{"message": {"content": "bro\n'
    events = await events_of(provider(Replay(streamed(body))), REQUEST)
    assert text_of(events) == "Part one, "
    error = events[-1]
    assert isinstance(error, StreamError) and error.kind == "protocol"
    assert not error.retryable and "partial answer is kept" in error.message


async def test_ollama_error_line_and_early_end() -> None:
    events = await events_of(
        provider(Replay(streamed(ndjson({"error": "out of memory"})))), REQUEST
    )
    assert events == [StreamError("http", "ollama · llama3.1: ollama error: out of memory", False)]
    events = await events_of(provider(Replay(streamed(ndjson(chat("Half"))))), REQUEST)
    assert text_of(events) == "Half"
    assert events[-1].kind == "protocol" and "ended before the model finished" in events[-1].message


async def test_ollama_missing_model_says_which_and_how_to_get_it() -> None:
    body = json.dumps({"error": 'model "llama9" not found, try pulling it first'})
    replay = Replay(streamed(body, status=404, content_type="application/json"))
    events = await events_of(OllamaProvider(model="llama9", transport=replay.transport), REQUEST)
    assert events == [
        StreamError(
            "config",
            "ollama · llama9: model 'llama9' not found on http://127.0.0.1:11434 — check "
            "RENUBU_LLM_MODEL or run `ollama pull llama9`",
            False,
        )
    ]
