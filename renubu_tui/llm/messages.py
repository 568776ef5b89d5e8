"""What a caller sends: the conversation, the model settings and, for the offline assistant,
the customer context it writes from (domain.md §9 shape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from renubu_tui.llm.events import ToolCallRequest

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call; `parameters` is a JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object"})


@dataclass(frozen=True)
class ChatMessage:
    """One message. An assistant message that asked for tools carries them in `tool_calls`;
    each answer to one is a `tool` message naming it by `tool_call_id` (and `name`)."""

    role: Role
    content: str
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: tuple[ToolCallRequest, ...] = ()


@dataclass(frozen=True)
class ChatRequest:
    """One model call. Defaults follow domain.md §11 (temperature 0.7, 2000 max tokens)."""

    messages: Sequence[ChatMessage]
    model: str | None = None
    temperature: float = 0.7
    max_tokens: int = 2000
    tools: list[ToolSpec] | None = None
    response_format_json: bool = False
    # standard JSON Schema the answer must fit (llm.json_schema), sent as constrained decoding
    # where the provider offers it; `schema_name` names it (OpenAI json_schema, Anthropic tool)
    json_schema: dict[str, Any] | None = None
    schema_name: str = "output"
    context: dict[str, Any] | None = None
    # set by a provider's fit(): the messages and max_tokens fit `window` tokens
    fitted: bool = False
    window: int | None = None

    def system_text(self) -> str:
        return "\n\n".join(m.content for m in self.messages if m.role == "system")

    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message.role == "user":
                return message.content
        return ""

    def tool_names(self) -> set[str]:
        return {tool.name for tool in self.tools or ()}
