"""The default provider: a deterministic assistant that needs no network and no model.

It writes from the customer context and the conversation only (same input, same output), says
plainly that it is the offline assistant, asks for tools the way a model would (a chart for
trends, a knowledge-base search for policy) and writes its final answer from the tool results
the caller sends back. It streams in word groups with an optional pace so the UI path is the
same as for a real model.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator, Awaitable, Callable

from renubu_tui.llm.events import Done, StreamEvent, TextDelta, ToolCallRequest, Usage
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.offline.facts import Facts
from renubu_tui.llm.offline.structured import json_text
from renubu_tui.llm.offline.tools import (
    chart_call,
    pending_tool_results,
    search_call,
    tool_answer,
)
from renubu_tui.llm.offline.writer import (
    NUMBERED,
    email,
    guidance,
    intent_of,
    policy_without_search,
    risk,
    stakeholders,
    summary,
    trends,
)
from renubu_tui.llm.resilience import estimate_tokens

OFFLINE_LABEL = "offline assistant"
OFFLINE_NOTE = "_(offline assistant — no model configured)_\n\n"
_WORD = re.compile(r"\s+|\S+\s*")


def chunks(text: str, words: int) -> list[str]:
    """Word groups whose concatenation is exactly `text`."""
    tokens = _WORD.findall(text)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


class OfflineProvider:
    """See the module docstring. `pace_seconds` is the pause between chunks (0 in tests)."""

    name = "offline"

    def __init__(
        self,
        pace_seconds: float = 0.0,
        *,
        words_per_chunk: int = 3,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.pace_seconds = pace_seconds
        self.words_per_chunk = max(1, words_per_chunk)
        self._sleep = sleep or asyncio.sleep

    @property
    def label(self) -> str:
        return OFFLINE_LABEL

    async def aclose(self) -> None:
        return None

    def compose(self, request: ChatRequest) -> tuple[str, list[ToolCallRequest]]:
        """The whole answer: text, or tool calls to run first. Pure and deterministic."""
        facts = Facts(request.context)
        question = request.last_user_text()
        if request.response_format_json:
            return json_text(f"{request.system_text()}\n{question}", facts), []
        results = pending_tool_results(request.messages)
        if results:
            return tool_answer(question, results, facts), []
        tools = request.tool_names()
        intent = intent_of(question)
        if intent == "chart":
            if "create_chart" in tools and facts.present:
                return "", [chart_call(question, facts)]
            return trends(facts), []
        if intent == "policy":
            if "rag_search" in tools:
                return "", [search_call(question)]
            return policy_without_search(facts), []
        if intent == "email":
            return email(question, facts), []
        if intent == "stakeholders":
            return stakeholders(facts), []
        if intent == "risk":
            return risk(facts), []
        if intent == "guidance":
            task = question if len(NUMBERED.findall(question)) >= 2 else request.system_text()
            return guidance(task, facts), []
        return summary(facts), []

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        async for event in self.stream_with_note(request, OFFLINE_NOTE):
            yield event

    async def stream_with_note(
        self, request: ChatRequest, note: str | None, label: str | None = None
    ) -> AsyncGenerator[StreamEvent, None]:
        """Stream the answer after `note` (left out of JSON answers, which must parse)."""
        body, calls = self.compose(request)
        text = body if request.response_format_json or calls or not note else note + body
        pieces = chunks(text, self.words_per_chunk)
        for index, piece in enumerate(pieces):
            yield TextDelta(piece)
            if self.pace_seconds > 0 and index < len(pieces) - 1:
                await self._sleep(self.pace_seconds)
        for call in calls:
            yield ToolCallRequest(call.id, call.name, call.arguments)
        spoken = text + "".join(json.dumps(c.arguments) for c in calls)
        usage = Usage(
            input_tokens=estimate_tokens("".join(m.content for m in request.messages)),
            output_tokens=estimate_tokens(spoken),
            estimated=True,
        )
        yield Done(
            provider_label=label or self.label,
            model="offline",
            stop_reason="tool_use" if calls else "end_turn",
            usage=usage,
        )
