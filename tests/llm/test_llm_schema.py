"""Schema-constrained step outputs: the workflow subset converted to standard JSON Schema once,
sent as each provider's constrained decoding (the exact JSON on the wire), and the reply read
back as the answer's text."""

from __future__ import annotations

import json
from typing import Any

from renubu_tui.llm import ChatMessage, ChatRequest, Done, TextDelta
from renubu_tui.llm.anthropic import AnthropicProvider
from renubu_tui.llm.json_schema import drop_optional_nulls, schema_name, standard_schema
from renubu_tui.llm.ollama import OllamaProvider
from renubu_tui.llm.openai_compat import OpenAICompatProvider
from renubu_tui.services.workflows.schema_check import problems
from tests.llm.conftest import FakeSleep, Replay, events_of, streamed, text_of

SUBSET: dict[str, Any] = {
    "type": "object",
    "properties": {
        "route": {"type": "string", "enum": ["SIGNATURE_PENDING", "ALL_COMPLETE"]},
        "blockers": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": "string", "properties": {"ignored": {"type": "string"}}},
        "risk": {"type": ["number", "null"]},
    },
    "required": ["route", "blockers"],
}

STANDARD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "route": {"type": "string", "enum": ["SIGNATURE_PENDING", "ALL_COMPLETE"]},
        "blockers": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": ["string", "null"]},
        "risk": {"type": ["number", "null"]},
    },
    "required": ["route", "blockers", "summary", "risk"],
    "additionalProperties": False,
}

REQUEST = ChatRequest(
    [ChatMessage("system", "You are renubu."), ChatMessage("user", "Assess Bluesoft.")],
    temperature=0.2,
    max_tokens=500,
    response_format_json=True,
    json_schema=standard_schema(SUBSET),
    schema_name=schema_name("critical-status assessment"),
)
ANSWER = {"route": "SIGNATURE_PENDING", "blockers": ["CFO signature"], "summary": None, "risk": 0.4}


def test_the_subset_becomes_strict_standard_json_schema() -> None:
    assert standard_schema(SUBSET) == STANDARD
    assert schema_name("critical-status assessment") == "critical-status_assessment"
    assert standard_schema({"properties": {"a": {"enum": ["x"]}}}) == {
        "type": "object",
        "properties": {"a": {"enum": ["x", None]}},
        "required": ["a"],
        "additionalProperties": False,
    }
    # the nulls strict mode asks for are dropped before the workflow's own check
    kept = drop_optional_nulls(SUBSET, ANSWER)
    assert kept == {"route": "SIGNATURE_PENDING", "blockers": ["CFO signature"], "risk": 0.4}
    assert problems(SUBSET, kept) == []


async def test_openai_compatible_sends_response_format_json_schema() -> None:
    content = json.dumps(ANSWER)
    body = (
        f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': content[:20]}}]})}\n\n"
        f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': content[20:]}}]})}\n\n"
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
        "data: [DONE]\n\n"
    )
    replay = Replay(streamed(body))
    provider = OpenAICompatProvider(
        model="smol", base_url="http://127.0.0.1:8080", transport=replay.transport
    )
    events = await events_of(provider, REQUEST)
    assert json.loads(replay.requests[0].content) == {
        "model": "smol",
        "messages": [
            {"role": "system", "content": "You are renubu."},
            {"role": "user", "content": "Assess Bluesoft."},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.2,
        "max_tokens": 500,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "critical-status_assessment",
                "schema": STANDARD,
                "strict": True,
            },
        },
    }
    assert json.loads(text_of(events)) == ANSWER
    assert isinstance(events[-1], Done) and events[-1].stop_reason == "end_turn"


async def test_ollama_sends_the_schema_as_format() -> None:
    content = json.dumps(ANSWER)
    lines = [
        {"message": {"role": "assistant", "content": content}, "done": False},
        {"message": {"content": ""}, "done": True, "done_reason": "stop", "eval_count": 30},
    ]
    replay = Replay(streamed("".join(json.dumps(x) + "\n" for x in lines), content_type="x"))
    provider = OllamaProvider(model="qwen2.5", transport=replay.transport, sleep=FakeSleep())
    events = await events_of(provider, REQUEST)
    assert json.loads(replay.requests[0].content) == {
        "model": "qwen2.5",
        "messages": [
            {"role": "system", "content": "You are renubu."},
            {"role": "user", "content": "Assess Bluesoft."},
        ],
        "stream": True,
        "options": {"temperature": 0.2, "num_predict": 500},
        "format": STANDARD,
    }
    assert json.loads(text_of(events)) == ANSWER and isinstance(events[-1], Done)


def _event(kind: str, **data: object) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"


async def test_anthropic_forces_a_tool_whose_input_is_the_answer() -> None:
    content = json.dumps(ANSWER)
    body = (
        _event("message_start", message={"usage": {"input_tokens": 40, "output_tokens": 1}})
        + _event(
            "content_block_start",
            index=0,
            content_block={
                "type": "tool_use",
                "id": "toolu_1",
                "name": "critical-status_assessment",
            },
        )
        + _event("ping")
        + "".join(
            _event(
                "content_block_delta",
                index=0,
                delta={"type": "input_json_delta", "partial_json": content[i : i + 9]},
            )
            for i in range(0, len(content), 9)
        )
        + _event("content_block_stop", index=0)
        + _event("message_delta", delta={"stop_reason": "tool_use"}, usage={"output_tokens": 31})
        + _event("message_stop")
    )
    replay = Replay(streamed(body))
    provider = AnthropicProvider(
        model="claude-test", api_key="sk-ant-x", transport=replay.transport, sleep=FakeSleep()
    )
    events = await events_of(provider, REQUEST)
    sent = json.loads(replay.requests[0].content)
    assert sent["tools"] == [
        {
            "name": "critical-status_assessment",
            "description": "Record the answer, fitting the schema exactly.",
            "input_schema": STANDARD,
        }
    ]
    assert sent["tool_choice"] == {"type": "tool", "name": "critical-status_assessment"}
    assert sent["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Assess Bluesoft."}]}
    ]
    assert [type(e) for e in events] == [TextDelta, Done]  # the tool input is the answer
    assert json.loads(text_of(events)) == ANSWER
    done = events[-1]
    assert isinstance(done, Done) and done.stop_reason == "end_turn"
    assert (done.usage.input_tokens, done.usage.output_tokens) == (40, 31)
