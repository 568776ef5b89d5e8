"""One real round trip: a tiny OpenAI-compatible SSE server on 127.0.0.1 and the provider
with a real httpx client (sockets, chunked writes, connection close)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from renubu_tui.llm import ChatMessage, ChatRequest, Done, TextDelta, collect
from renubu_tui.llm.openai_compat import OpenAICompatProvider

WORDS = ["Bluesoft ", "renews ", "in ", "15 ", "days — ", "signature ", "pending."]


class MiniServer:
    """Answers every POST with a streamed chat completion, one SSE event per write."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.paths: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.paths.append(lines[0].split()[1])
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = int(next(v for k, v in headers.items() if k.lower() == "content-length"))
        self.bodies.append(json.loads(await reader.readexactly(length)))
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
        )
        events = [{"choices": [{"index": 0, "delta": {"content": w}}]} for w in WORDS]
        events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        events.append({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 7}})
        for event in events:
            writer.write(f"data: {json.dumps(event)}\n\n".encode())
            await writer.drain()
            await asyncio.sleep(0)
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()
        writer.close()


@pytest.fixture
async def server() -> AsyncIterator[tuple[MiniServer, str]]:
    mini = MiniServer()
    srv = await asyncio.start_server(mini.handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    async with srv:
        yield mini, f"http://127.0.0.1:{port}"


async def test_streams_from_a_real_local_server(server: tuple[MiniServer, str]) -> None:
    mini, base = server
    provider = OpenAICompatProvider(model="tiny", base_url=base, timeout=5)
    try:
        request = ChatRequest([ChatMessage("user", "Status?")], max_tokens=50)
        deltas = []
        async for event in provider.stream(request):
            if isinstance(event, TextDelta):
                deltas.append(event.text)
            else:
                assert isinstance(event, Done)
                done = event
        again = await collect(provider, request)  # the same pooled client, a second call
    finally:
        await provider.aclose()
    assert deltas == WORDS
    assert done.usage.input_tokens == 9 and not done.usage.estimated
    assert done.provider_label.startswith("openai-compatible · tiny @ 127.0.0.1:")
    assert again.text == "".join(WORDS)
    assert mini.paths == ["/v1/chat/completions"] * 2
    assert mini.bodies[0]["stream"] is True and mini.bodies[0]["max_tokens"] == 50
