"""The provider protocol, and `collect` for callers that want the whole answer at once.

`stream` is declared as a plain method returning an async generator because every provider
implements it as one (`async def … yield`); callers that stop reading early close it
(`contextlib.aclosing`), which needs its `aclose`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from renubu_tui.llm.events import Done, StreamError, StreamEvent, TextDelta, ToolCallRequest
from renubu_tui.llm.messages import ChatRequest


@runtime_checkable
class Provider(Protocol):
    """A model behind one vocabulary of stream events.

    `name` is the configured kind (offline, ollama, openai, anthropic); `label` says honestly
    what answers ("offline assistant", "ollama · llama3.1", …) and is shown beside answers.
    """

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]: ...

    async def aclose(self) -> None: ...


OFFLINE_SCHEMA_MODE = "written to fit the schema (offline)"


def schema_mode(provider: Provider) -> str:
    """How a step's output is held to its schema with `provider`, in words: constrained by
    the provider (and how), or asked for in the prompt and repaired once."""
    if provider.name == "offline":
        return OFFLINE_SCHEMA_MODE
    mode = getattr(provider, "schema_mode", None)
    return mode if isinstance(mode, str) and mode else "prompt + one repair"


@dataclass
class Answer:
    """A whole stream gathered: the text, any tool calls and the terminal event."""

    text: str = ""
    tool_calls: list[ToolCallRequest] = field(default_factory=list)
    done: Done | None = None
    error: StreamError | None = None

    @property
    def ok(self) -> bool:
        return self.done is not None


async def collect(
    provider: Provider,
    request: ChatRequest,
    on_text: Callable[[str], None] | None = None,
) -> Answer:
    """Run one request to the end (tests, JSON steps, benchmarks); `on_text` sees each piece
    of text as it comes (progress while the whole is awaited)."""
    answer = Answer()
    parts: list[str] = []
    async for event in provider.stream(request):
        if isinstance(event, TextDelta):
            parts.append(event.text)
            if on_text is not None:
                on_text(event.text)
        elif isinstance(event, ToolCallRequest):
            answer.tool_calls.append(event)
        elif isinstance(event, Done):
            answer.done = event
        elif isinstance(event, StreamError):
            answer.error = event
    answer.text = "".join(parts)
    return answer
