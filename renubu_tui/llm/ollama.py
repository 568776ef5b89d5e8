"""Ollama's native chat API: POST /api/chat, NDJSON lines, usage in the final line."""

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

DEFAULT_BASE_URL = "http://127.0.0.1:11434"


def ollama_message(message: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = [
            {"function": {"name": call.name, "arguments": call.arguments}}
            for call in message.tool_calls
        ]
    if message.role == "tool" and message.name:
        out["tool_name"] = message.name
    return out


class OllamaProvider(HttpProvider):
    name = "ollama"
    display = "ollama"
    server_noun = "an ollama server"
    default_base_url = DEFAULT_BASE_URL
    default_model = "llama3.1"
    schema_mode = "schema-constrained (format)"

    def label_for(self, model: str) -> str:
        where = "" if self.base_url == DEFAULT_BASE_URL else f" @ {host_of(self.base_url)}"
        return f"ollama · {model}{where}"

    def endpoint(self) -> str:
        return f"{self.base_url}/api/chat"

    async def probe_window(self, model: str) -> int | None:
        """`POST /api/show`: the Modelfile's `num_ctx` (what the server runs the model with)
        when set, else the architecture's `<arch>.context_length`."""
        data = await self._probe_json("POST", f"{self.base_url}/api/show", {"model": model})
        if not isinstance(data, dict):
            return None
        for line in str(data.get("parameters") or "").splitlines():
            name, _, value = line.strip().partition(" ")
            if name == "num_ctx" and value.strip().isdigit():
                return int(value.strip())
        info = data.get("model_info")
        if not isinstance(info, dict):
            return None
        arch = info.get("general.architecture")
        length = info.get(f"{arch}.context_length") if arch else None
        if length is None:
            length = next((v for k, v in info.items() if k.endswith(".context_length")), None)
        return _int(length)

    def pull_hint(self, model: str) -> str:
        return f" or run `ollama pull {model}`"

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_for(request),
            "messages": [ollama_message(m) for m in request.messages],
            "stream": True,
            "options": {
                "temperature": request.temperature,
                "num_predict": self.max_tokens_for(request),
            },
        }
        if self.context_tokens:
            # the configured window is the one ollama runs with (its default may be smaller,
            # and it would cut the prompt silently)
            body["options"]["num_ctx"] = self.context_tokens
        if request.json_schema is not None:
            body["format"] = request.json_schema  # structured outputs (ollama 0.5+)
        elif request.response_format_json:
            body["format"] = "json"
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
        calls = 0
        async for line in lines:
            if not line.strip():
                continue
            data = parse_json_line(line, "line")
            if not isinstance(data, dict):
                raise UpstreamError("protocol", f"unexpected line: {line[:60]!r}", garbled=True)
            if "error" in data:
                raise UpstreamError("http", f"ollama error: {data['error']}")
            message = data.get("message") or {}
            content = message.get("content")
            if content:
                yield TextDelta(content)
            for call in message.get("tool_calls") or ():
                function = call.get("function") or {}
                arguments = function.get("arguments") or {}
                if isinstance(arguments, str):  # some builds send a JSON string
                    arguments = parse_json_line(arguments, "tool arguments")
                calls += 1
                yield ToolCallRequest(
                    id=call.get("id") or f"ollama-call-{calls}",
                    name=str(function.get("name", "")),
                    arguments=arguments,
                )
            if data.get("done"):
                state.stop_reason = data.get("done_reason") or "stop"
                state.input_tokens = _int(data.get("prompt_eval_count"))
                state.output_tokens = _int(data.get("eval_count"))
                return
        raise UpstreamError("protocol", "the reply ended before the model finished")


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
