"""LLM streaming benchmark: `python bench/llm_stream.py [--runs 30] [--words 400]`.

Times the provider path the chat screen uses, with no model in the loop: the offline assistant
at pace 0 (Bluesoft's real context from a throwaway seeded SQLite database) and the
OpenAI-compatible provider against a local SSE server on 127.0.0.1 that streams as fast as it
can. Prints medians and 95th percentiles of time to first token (a tool call counts as one),
total time and tokens per second (tokens estimated at ≈ 4 characters each for both, so the
rows compare).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ also holds queue.py, which would shadow the standard library's `queue` (aiosqlite and
# concurrent.futures import it) while this folder is first on sys.path.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from renubu_tui.llm import (  # noqa: E402
    ChatMessage,
    ChatRequest,
    OfflineProvider,
    Provider,
    TextDelta,
    ToolCallRequest,
)
from renubu_tui.llm.openai_compat import OpenAICompatProvider  # noqa: E402
from renubu_tui.llm.resilience import estimate_tokens  # noqa: E402
from renubu_tui.llm.tools import STANDARD_TOOLS  # noqa: E402

TODAY = dt.date(2025, 9, 24)
QUESTIONS = (
    "Summarize health, usage and engagement",
    "Draft an email to the decision maker about the signature",
    "What are the risks here?",
)


async def bluesoft_context() -> dict[str, Any]:
    from renubu_tui.data.engine import create_database
    from renubu_tui.data.migrate import upgrade
    from renubu_tui.data.seed.demo import seed_all
    from renubu_tui.services.customers.context import build_context

    with tempfile.TemporaryDirectory() as tmp:
        database = create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            await upgrade(database)
            await seed_all(database, today=TODAY)
            return await build_context(database, "acme-cs", "bluesoft", TODAY)
        finally:
            await database.dispose()


async def serve_sse(words: int) -> tuple[asyncio.Server, str]:
    """A local OpenAI-compatible server streaming `words` words, one SSE event each."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode().lower()
        length = int(head.split("content-length: ", 1)[1].split("\r\n", 1)[0])
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
        writer.write(b"connection: close\r\n\r\n")
        for i in range(words):
            event = {"choices": [{"index": 0, "delta": {"content": f"word{i % 10} "}}]}
            writer.write(f"data: {json.dumps(event)}\n\n".encode())
            if i % 16 == 0:
                await writer.drain()
        stop = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        writer.write(f"data: {json.dumps(stop)}\n\ndata: [DONE]\n\n".encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def measure(provider: Provider, request: ChatRequest) -> tuple[float, float, int]:
    """(seconds to the first text or tool call, total seconds, estimated tokens)."""
    start = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    async for event in provider.stream(request):
        if first is None and isinstance(event, TextDelta | ToolCallRequest):
            first = time.perf_counter() - start
        if isinstance(event, TextDelta):
            parts.append(event.text)
    total = time.perf_counter() - start
    return first or total, total, estimate_tokens("".join(parts))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def row(name: str, provider: Provider, make: Callable[[int], ChatRequest], runs: int) -> None:
    await measure(provider, make(0))  # warm-up: imports, first connection
    samples = [await measure(provider, make(i)) for i in range(runs)]
    ttft = [s[0] * 1000 for s in samples]
    total = [s[1] * 1000 for s in samples]
    rate = [s[2] / s[1] for s in samples if s[1] > 0]
    tokens = statistics.median(s[2] for s in samples)
    print(
        f"{name:<34}{statistics.median(ttft):>9.2f} /{p95(ttft):>8.2f}"
        f"{statistics.median(total):>10.2f} /{p95(total):>8.2f}"
        f"{statistics.median(rate):>12,.0f}{tokens:>9.0f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--words", type=int, default=400, help="words the mock server streams")
    args = parser.parse_args()

    context = await bluesoft_context()
    print(f"{args.runs} runs each; times in ms (median / p95); tokens ≈ characters / 4")
    print(f"{'':<34}{'first token':>19}{'total':>20}{'tokens/s':>12}{'tokens':>9}")

    offline = OfflineProvider(pace_seconds=0)
    for question in QUESTIONS:
        request = ChatRequest([ChatMessage("user", question)], context=context)
        await row(f"offline: {question[:24]}…", offline, lambda _i, r=request: r, args.runs)
    tools = list(STANDARD_TOOLS)
    tool_request = ChatRequest(
        [ChatMessage("user", "How has usage trended over time?")], context=context, tools=tools
    )
    await row("offline: chart tool call", offline, lambda _i: tool_request, args.runs)

    server, base = await serve_sse(args.words)
    async with server:
        provider = OpenAICompatProvider(model="mock", base_url=base, timeout=10)
        try:
            request = ChatRequest([ChatMessage("user", "Stream please")])
            await row(
                f"openai-compat, local SSE ({args.words} w)",
                provider,
                lambda _i: request,
                args.runs,
            )
        finally:
            await provider.aclose()


if __name__ == "__main__":
    asyncio.run(main())
