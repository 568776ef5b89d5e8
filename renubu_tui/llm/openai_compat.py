"""OpenAI's chat completions API and the many local servers that speak it (llama.cpp,
vLLM, LM Studio, ollama's /v1): SSE `data:` lines ending with `[DONE]`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

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

DEFAULT_BASE_URL = "https://api.openai.com"
HOSTED = frozenset({"api.openai.com"})


def openai_message(message: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.role == "tool":
        out["tool_call_id"] = message.tool_call_id or ""
    if message.tool_calls:
        out["content"] = message.content or None
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in message.tool_calls
        ]
    return out


class OpenAICompatProvider(HttpProvider):
    name = "openai"
    default_base_url = DEFAULT_BASE_URL
    default_model = "gpt-4o-mini"
    schema_mode = "schema-constrained (response_format json_schema)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hosted = (urlsplit(self.base_url).hostname or "") in HOSTED
        self.display = "OpenAI" if self.hosted else "the OpenAI-compatible server"
        self.server_noun = "the OpenAI API" if self.hosted else "an OpenAI-compatible server"

    def label_for(self, model: str) -> str:
        if self.hosted:
            return f"openai · {model}"
        return f"openai-compatible · {model} @ {host_of(self.base_url)}"

    def config_problem(self) -> str | None:
        if self.hosted and not self.api_key:
            return "OpenAI: no API key — set RENUBU_LLM_API_KEY"
        return None

    def endpoint(self) -> str:
        root = self.base_url if self.base_url.endswith("/v1") else f"{self.base_url}/v1"
        return f"{root}/chat/completions"

    async def probe_window(self, model: str) -> int | None:
        """llama.cpp's `GET /props` (`default_generation_settings.n_ctx`), else vLLM's
        `GET /v1/models` (`max_model_len` of the model). OpenAI itself says neither."""
        if self.hosted:
            return None
        server = self.base_url.removesuffix("/v1")
        props = await self._probe_json("GET", f"{server}/props")
        if isinstance(props, dict):
            settings = props.get("default_generation_settings")
            n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
            found = _int(n_ctx if n_ctx is not None else props.get("n_ctx"))
            if found:
                return found
        models = await self._probe_json("GET", f"{server}/v1/models")
        for entry in (models.get("data") or []) if isinstance(models, dict) else []:
            if isinstance(entry, dict) and entry.get("id") == model:
                return _int(entry.get("max_model_len"))
        return None

    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_for(request),
            "messages": [openai_message(m) for m in request.messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": request.temperature,
            "max_tokens": self.max_tokens_for(request),
        }
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": request.json_schema,
                    "strict": True,
                },
            }
        elif request.response_format_json:
            body["response_format"] = {"type": "json_object"}
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in request.tools
            ]
        return body

    async def parse(
        self, lines: AsyncIterator[str], state: StreamState
    ) -> AsyncIterator[TextDelta | ToolCallRequest]:
        calls: dict[int, dict[str, Any]] = {}
        finished = said = False
        async for event in sse_events(lines):
            if event.data.strip() == "[DONE]":
                finished = True
                break
            data = parse_json_line(event.data, "event")
            if not isinstance(data, dict):
                raise UpstreamError("protocol", "unexpected event (not an object)", garbled=True)
            if data.get("error"):
                raise _error_event(data["error"])
            usage = data.get("usage")
            if isinstance(usage, dict):
                state.input_tokens = _int(usage.get("prompt_tokens"))
                state.output_tokens = _int(usage.get("completion_tokens"))
            for choice in data.get("choices") or ():
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    said = True
                    yield TextDelta(delta["content"])
                for part in delta.get("tool_calls") or ():
                    _merge_tool_call(calls, part)
                if choice.get("finish_reason"):
                    state.stop_reason = choice["finish_reason"]
        if not finished and state.stop_reason is None:
            if not said and not calls:  # llama-cpp-python's server ends so on a prompt too long
                raise UpstreamError(
                    "protocol",
                    "the reply ended before the model wrote anything — a prompt longer than the "
                    "model's context ends so on some servers: set [llm] context_tokens to its "
                    "window",
                )
            raise UpstreamError("protocol", "the reply ended before the model finished")
        for index in sorted(calls):
            call = calls[index]
            raw = "".join(call["arguments"]).strip()
            arguments = parse_json_line(raw, "tool arguments") if raw else {}
            yield ToolCallRequest(
                id=call["id"] or f"call-{index}",
                name=call["name"],
                arguments=arguments if isinstance(arguments, dict) else {"value": arguments},
            )


def _merge_tool_call(calls: dict[int, dict[str, Any]], part: dict[str, Any]) -> None:
    """Tool calls arrive in pieces keyed by index: id and name once, arguments as fragments."""
    index = part.get("index", 0)
    call = calls.setdefault(index, {"id": None, "name": "", "arguments": []})
    if part.get("id"):
        call["id"] = part["id"]
    function = part.get("function") or {}
    if function.get("name"):
        call["name"] = function["name"]
    if function.get("arguments"):
        call["arguments"].append(function["arguments"])


def _error_event(error: Any) -> UpstreamError:
    message = error.get("message", str(error)) if isinstance(error, dict) else str(error)
    kind = str(error.get("type", "")) if isinstance(error, dict) else ""
    transient = "server" in kind or "overload" in message.lower()
    return UpstreamError("http", f"server error: {message}", transient=transient)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
