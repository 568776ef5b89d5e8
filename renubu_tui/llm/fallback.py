"""Answering with the offline assistant when the configured model cannot, if configured.

Off by default: a silent switch would pass canned text off as the model's. When on, the
switch is never silent either: the Done label names both, and the first delta says why.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from renubu_tui.llm.events import StreamError, StreamEvent
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.offline.provider import OfflineProvider
from renubu_tui.llm.provider import Provider


class FallbackProvider:
    """`primary`, or the offline assistant when `primary` fails before saying anything.

    After the primary has streamed something, its error stands: mixing two authors in one
    answer would be worse than a partial one. A cancelled answer never falls back.
    """

    def __init__(self, primary: Provider, offline: OfflineProvider, enabled: bool = True) -> None:
        self.primary = primary
        self.offline = offline
        self.enabled = enabled
        self.name = primary.name

    @property
    def label(self) -> str:
        if not self.enabled:
            return self.primary.label
        return f"{self.primary.label} (offline fallback on)"

    def fallback_label(self) -> str:
        return f"{self.offline.label} (fallback: {self.primary.label} unavailable)"

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.offline.aclose()

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        started = False
        async for event in self.primary.stream(request):
            if (
                isinstance(event, StreamError)
                and self.enabled
                and not started
                and event.kind != "cancelled"
            ):
                reason = event.message.rstrip(".")
                note = f"_(model unavailable: {reason}; answered by the offline assistant)_\n\n"
                async for fallback_event in self.offline.stream_with_note(
                    request, note, label=self.fallback_label()
                ):
                    yield fallback_event
                return
            if not isinstance(event, StreamError):
                started = True
            yield event
