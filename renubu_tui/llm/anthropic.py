"""Anthropic's Messages API: POST /v1/messages, typed SSE events, tool_use blocks whose
arguments arrive as JSON fragments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from renubu_tui.llm.events import TextDelta, ToolCallRequest
from renubu_tui.llm.http_base import (
    HttpProvider,
    StreamState,
    UpstreamError,
    host_of,
    parse_json_line,
)
from renubu_tui.llm.messages import ChatMessage, ChatRequest
from renubu_tui.llm.sse import sse_events

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
JSON_INSTRUCTION = "Answer with one JSON object and nothing else."
TRANSIENT_ERRORS = frozenset({"overloaded_error", "api_error", "rate_limit_error"})


def _blocks(message: ChatMessage) -> list[dict[str, Any]]:
    if message.role == "tool":
        return [
            {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id or "",
                "content": message.content,
            }
        ]
    blocks: list[dict[str, Any]] = []
    if message.content:
        blocks.append({"type": "text", "text": message.content})
    blocks.extend(
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
        for c in message.tool_calls
    )
    return blocks


def anthropic_messages(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """Non-system messages as Anthropic wants them: tool results ride in user turns, and
    consecutive turns of one role are merged (several tool results answer one tool_use turn)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if not blocks:
            continue
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    return out


class AnthropicProvider(HttpProvider):
    name = "anthropic"
    display = "Anthropic"
    server_noun = "the Anthropic API"
    default_base_url = DEFAULT_BASE_URL
    default_model = "claude-sonnet-4-5"
    schema_mode = "schema-constrained (a forced tool)"

    def label_for(self, model: str) -> str:
        where = "" if self.base_url == DEFAULT_BASE_URL else f" @ {host_of(self.base_url)}"
        return f"anthropic · {model}{where}"

    def config_problem(self) -> str | None:
        if not self.api_key:
            return "Anthropic: no API key — set RENUBU_LLM_API_KEY"
        return None

    def endpoint(self) -> str:
        root = self.base_url if self.base_url.endswith("/v1") else f"{self.base_url}/v1"
        return f"{root}/messages"

    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key or "", "anthropic-version": API_VERSION}

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        system = request.system_text()
        if request.response_format_json:
            system = f"{system}\n\n{JSON_INSTRUCTION}".strip()
        body: dict[str, Any] = {
            "model": self.model_for(request),
            "max_tokens": self.max_tokens_for(request),
            "temperature": request.temperature,
            "messages": anthropic_messages(list(request.messages)),
            "stream": True,
        }
        if system:
            body["system"] = system
        if request.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        if request.json_schema is not None:
            # Anthropic has no response schema: a tool whose input is the answer, forced
            body["tools"] = [
                *body.get("tools", ()),
                {
                    "name": request.schema_name,
                    "description": "Record the answer, fitting the schema exactly.",
                    "input_schema": request.json_schema,
                },
            ]
            body["tool_choice"] = {"type": "tool", "name": request.schema_name}
        return body

    async def parse(
        self, lines: AsyncIterator[str], state: StreamState
    ) -> AsyncIterator[TextDelta | ToolCallRequest]:
        tools: dict[int, dict[str, Any]] = {}
        async for event in sse_events(lines):
            data = parse_json_line(event.data, "event")
            if not isinstance(data, dict):
                raise UpstreamError("protocol", "unexpected event (not an object)", garbled=True)
            kind = data.get("type") or event.event
            if kind == "message_start":
                _read_usage(state, (data.get("message") or {}).get("usage"))
            elif kind == "content_block_start":
                block = data.get("content_block") or {}
                if block.get("type") == "tool_use":
                    tools[data.get("index", 0)] = {
                        "id": block.get("id", ""),
                        "name": block.get("name", ""),
                        "json": [],
                    }
                elif block.get("type") == "text" and block.get("text"):
                    yield TextDelta(block["text"])
            elif kind == "content_block_delta":
                delta = data.get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text"):
                    yield TextDelta(delta["text"])
                elif delta.get("type") == "input_json_delta":
                    tool = tools.get(data.get("index", 0))
                    if tool is None:
                        raise UpstreamError("protocol", "tool input for an unknown block")
                    tool["json"].append(delta.get("partial_json") or "")
            elif kind == "content_block_stop":
                tool = tools.pop(data.get("index", 0), None)
                if tool is not None:
                    raw = "".join(tool["json"]).strip()
                    arguments = parse_json_line(raw, "tool input") if raw else {}
                    yield ToolCallRequest(tool["id"], tool["name"], arguments)
            elif kind == "message_delta":
                stop = (data.get("delta") or {}).get("stop_reason")
                if stop:
                    state.stop_reason = stop
                _read_usage(state, data.get("usage"))
            elif kind == "message_stop":
                return
            elif kind == "error":
                error = data.get("error") or {}
                raise UpstreamError(
                    "http",
                    f"{error.get('type', 'error')}: {error.get('message', '')}",
                    transient=error.get("type") in TRANSIENT_ERRORS,
                )
            # ping and event types added later are ignored
        raise UpstreamError("protocol", "the reply ended before the model finished")


def _read_usage(state: StreamState, usage: Any) -> None:
    """message_start carries the input count, message_delta the cumulative output count."""
    if not isinstance(usage, dict):
        return
    inputs = [usage.get(k) for k in ("input_tokens", "cache_creation_input_tokens")]
    inputs.append(usage.get("cache_read_input_tokens"))
    counted = [v for v in inputs if isinstance(v, int)]
    if isinstance(usage.get("input_tokens"), int):
        state.input_tokens = sum(counted)
    if isinstance(usage.get("output_tokens"), int):
        state.output_tokens = usage["output_tokens"]
