"""Answering with the offline assistant when the configured model cannot, if configured.

Off by default: a silent switch would pass canned text off as the model's. When on, the
switch is never silent either: the Done label names both, and the first delta says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator

from renubu_tui.llm.events import Done, StreamError, StreamEvent, one_line
from renubu_tui.llm.messages import ChatRequest
from renubu_tui.llm.offline.provider import OfflineProvider
from renubu_tui.llm.provider import Provider, schema_mode


class FallbackProvider:
    """`primary`, or the offline assistant when `primary` fails before saying anything.

    After the primary has streamed something, its error stands: mixing two authors in one
    answer would be worse than a partial one. A cancelled answer never falls back.
    """

    def __init__(
        self, primary: Provider, offline: OfflineProvider | Provider, enabled: bool = True
    ) -> None:
        self.primary = primary
        self.offline = offline
        self.enabled = enabled
        self.name = primary.name

    @property
    def schema_mode(self) -> str:
        return schema_mode(self.primary)

    @property
    def label(self) -> str:
        if not self.enabled:
            return self.primary.label
        return f"{self.primary.label} (offline fallback on)"

    def fallback_label(self, reason: str | None = None) -> str:
        why = f": {reason}" if reason else ""
        return one_line(f"{self.offline.label} (fallback: {self.primary.label} unavailable{why})")

    def with_offline(self, offline: Provider) -> FallbackProvider:
        """The same primary (its breaker and client) with another offline writer, e.g. one
        that fits a step's output schema."""
        return FallbackProvider(self.primary, offline, enabled=self.enabled)

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
                if isinstance(self.offline, OfflineProvider) and not request.response_format_json:
                    note = f"_(model unavailable: {reason}; answered by the offline assistant)_\n\n"
                    async for fallback_event in self.offline.stream_with_note(
                        request, note, label=self.fallback_label()
                    ):
                        yield fallback_event
                    return
                # JSON must parse, so no note in the text: the label says it is a fallback
                # and why (the unreachable server's own error)
                async for fallback_event in self.offline.stream(request):
                    if isinstance(fallback_event, Done):
                        fallback_event = dataclasses.replace(
                            fallback_event, provider_label=self.fallback_label(reason)
                        )
                    yield fallback_event
                return
            if not isinstance(event, StreamError):
                started = True
            yield event
