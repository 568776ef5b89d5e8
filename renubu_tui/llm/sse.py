"""Server-sent events from already-split lines (httpx buffers lines split across chunks).

Strict where it helps: a line that is not an SSE field (an HTML error page, a bare JSON body)
raises a protocol error instead of being silently skipped, so a wrong base URL is reported
rather than producing an empty answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from renubu_tui.llm.events import one_line
from renubu_tui.llm.http_base import UpstreamError

_FIELDS = frozenset({"data", "event", "id", "retry"})


@dataclass(frozen=True)
class SSEEvent:
    event: str | None
    data: str


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[SSEEvent]:
    """Events dispatched at each blank line (and at the end of the body); comments skipped."""
    event: str | None = None
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield SSEEvent(event, "\n".join(data))
            event, data = None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if name not in _FIELDS:
            snippet = one_line(line, 60)
            raise UpstreamError(
                "protocol", f"unexpected line in event stream: {snippet!r}", garbled=True
            )
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
    if data:
        yield SSEEvent(event, "\n".join(data))
