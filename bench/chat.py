"""Chat benchmark through the whole service path: `python bench/chat.py [--runs 20]`.

Each run is what `renubu ask bluesoft "…"` does: `ChatService.open_thread` (in Bluesoft's open
workflow step if there is one, as `ask` does — the seeded demo has none, so it is the
customer's own thread; a new thread per run: the previous one is completed after its timing,
so every run pays for the customer context and the system prompt) and
`ChatService.send`, read to its end: the user's message committed, the provider called, the
answer streamed, its message row opened at the first words and stored at the end.

Two providers, built by the app's own factory: the offline assistant at pace 0, and the
OpenAI-compatible provider against a mock SSE server this script starts on 127.0.0.1 (a fixed
≈ 300-token answer, one SSE event per word; it serves a bounded number of requests and closes
itself after a deadline). The database is a throwaway SQLite file seeded as the demo is.

Prints medians and 95th percentiles of time to first token (from before open_thread to the
first text through `send`), total time and tokens per second over the total (tokens ≈
characters / 4). The service's overhead replays every request the provider received through
a fresh provider alone (built by the same factory, closed the same way) and divides the
difference by the answer's chunk count: once for the whole path (thread, commits, history,
stored answer — fixed costs spread over the chunks) and once between the first and the last
chunk only (what each chunk costs while it streams).
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
import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import AsyncIterator, Callable, Sequence  # noqa: E402
from contextlib import aclosing  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from renubu_tui.data.engine import create_database  # noqa: E402
from renubu_tui.data.migrate import upgrade  # noqa: E402
from renubu_tui.llm.events import Done, StreamError, TextDelta, ToolCallRequest  # noqa: E402
from renubu_tui.llm.factory import make_provider  # noqa: E402
from renubu_tui.llm.messages import ChatRequest  # noqa: E402
from renubu_tui.llm.provider import Provider  # noqa: E402
from renubu_tui.llm.resilience import estimate_tokens  # noqa: E402
from renubu_tui.services.chat.answer import MessageSaved  # noqa: E402
from renubu_tui.services.chat.service import ChatService  # noqa: E402
from renubu_tui.services.container import Services, build_services  # noqa: E402
from renubu_tui.services.customers.lookup import customer_by_ref  # noqa: E402
from renubu_tui.services.demo.seeding import seed_everything  # noqa: E402
from renubu_tui.settings import Settings  # noqa: E402

TODAY = dt.date(2025, 9, 24)
CUSTOMER = "bluesoft"
# questions the offline assistant answers in text (a trend or a policy question would run a
# tool first); cycled over the runs
QUESTIONS = (
    "Summarize health, usage and engagement",
    "Draft an email to the decision maker about the signature",
    "What are the risks here?",
    "Who are the stakeholders?",
    "Give me a quick overview before my call",
)
SERVER_DEADLINE = 50.0  # seconds; the mock server closes itself after this at the latest

# The mock model's answer: ≈ 300 tokens, streamed one word (with its trailing space) per event.
ANSWER = (
    "Bluesoft renews in a few weeks and the signals are mixed, so here is where I would focus. "
    "Health has slipped over the last quarter while usage held steady among the core team, "
    "which usually means the champions are still engaged but the wider rollout stalled. "
    "Engagement dropped after the last executive change: the new decision maker has not yet "
    "joined a business review, and the open support tickets are older than they should be. "
    "First, confirm who signs the renewal and what they need to see; a short note that recaps "
    "the value delivered this year, with the adoption figures and the savings the team "
    "reported, gives them something concrete to forward. Second, close the two oldest tickets "
    "before the call, or at least agree dates with support, so the conversation is not about "
    "them. Third, offer a working session for the teams that licensed seats but have not "
    "logged in, since utilization is the number finance will ask about. If the decision maker "
    "raises price, anchor on outcomes rather than seats, and keep the multi-year option for "
    "the second conversation. Finally, record the next steps in the workflow so the "
    "follow-up reminders fire on time and nothing depends on memory alone."
)
ANSWER_WORDS = tuple(f"{w} " for w in ANSWER.split())


# --- the mock OpenAI-compatible server ----------------------------------------------------


def _sse(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n".encode()


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "mock",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


async def serve_sse(max_requests: int) -> tuple[asyncio.Server, str]:
    """`POST /v1/chat/completions` with `stream: true` → the fixed answer as SSE, then [DONE].

    Closes itself after `max_requests` requests or SERVER_DEADLINE seconds, whichever is first.
    """
    served = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            headers = dict(
                (k.strip().lower(), v.strip())
                for k, _, v in (line.partition(":") for line in lines[1:] if line)
            )
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            method, path, _ = lines[0].split(" ", 2)
            if method != "POST" or path != "/v1/chat/completions":
                writer.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n")
                writer.write(b"connection: close\r\n\r\n")
                return
            if json.loads(body or b"{}").get("stream") is not True:
                writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n")
                writer.write(b"connection: close\r\n\r\n")
                return
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
            writer.write(b"cache-control: no-cache\r\nconnection: close\r\n\r\n")
            writer.write(_sse(_chunk({"role": "assistant", "content": ""})))
            for i, word in enumerate(ANSWER_WORDS):
                writer.write(_sse(_chunk({"content": word})))
                if i % 16 == 0:
                    await writer.drain()
            writer.write(_sse(_chunk({}, "stop")))
            usage = {
                "prompt_tokens": 0,
                "completion_tokens": len(ANSWER_WORDS),
                "total_tokens": len(ANSWER_WORDS),
            }
            writer.write(_sse({**_chunk({}), "choices": [], "usage": usage}))
            writer.write(b"data: [DONE]\n\n")
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
            served += 1
            if served >= max_requests:
                server.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    asyncio.get_running_loop().call_later(SERVER_DEADLINE, server.close)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds from the start to the thread being open (service only), to the first and the
    last text chunk and to the end."""

    opened: float
    first: float
    last: float
    total: float
    chunks: int
    text: str


class Recorder:
    """A provider factory that notes every request its providers are asked to stream.

    `stream` is replaced by a plain function returning the provider's own async generator, so
    the service reads the provider directly: no extra layer per chunk.
    """

    def __init__(self, factory: Callable[[], Provider]) -> None:
        self.factory = factory
        self.requests: list[ChatRequest] = []

    def __call__(self) -> Provider:
        provider = self.factory()
        original = provider.stream

        def stream(request: ChatRequest) -> AsyncIterator[Any]:
            self.requests.append(request)
            return original(request)

        provider.stream = stream  # type: ignore[method-assign]
        return provider


async def through_service(
    chat: ChatService, s: Services, customer_id: Any, execution_id: Any, question: str
) -> Timing:
    start = time.perf_counter()
    first = last = 0.0
    parts: list[str] = []
    saved: MessageSaved | None = None
    thread = await chat.open_thread(
        s.tenant.id, actor=s.user, execution_id=execution_id, customer_id=customer_id
    )
    opened = time.perf_counter() - start
    async with aclosing(chat.send(thread.id, question)) as events:
        async for event in events:
            if isinstance(event, TextDelta | ToolCallRequest):
                last = time.perf_counter() - start
                first = first or last
                if isinstance(event, TextDelta):
                    parts.append(event.text)
            elif isinstance(event, StreamError):
                raise RuntimeError(f"the answer failed: {event.kind}: {event.message}")
            elif isinstance(event, MessageSaved):
                saved = event
    total = time.perf_counter() - start
    text = "".join(parts)
    stored = saved.message if saved is not None else None
    if stored is None or stored.status != "complete" or stored.content != text:
        raise RuntimeError("the stored answer is not the streamed one")
    await chat.complete_thread(thread.id)  # untimed: the next run opens a new thread
    return Timing(opened, first, last, total, len(parts), text)


async def through_provider(
    factory: Callable[[], Provider], requests: Sequence[ChatRequest]
) -> Timing:
    """The same requests through a fresh provider alone, built and closed as the service does."""
    start = time.perf_counter()
    first = last = 0.0
    parts: list[str] = []
    provider = factory()
    try:
        for request in requests:
            async with aclosing(provider.stream(request)) as events:
                async for event in events:
                    if isinstance(event, TextDelta | ToolCallRequest):
                        last = time.perf_counter() - start
                        first = first or last
                        if isinstance(event, TextDelta):
                            parts.append(event.text)
                    elif isinstance(event, StreamError):
                        raise RuntimeError(f"the replay failed: {event.kind}: {event.message}")
                    elif not isinstance(event, Done):
                        raise RuntimeError(f"unexpected event {event!r}")
    finally:
        await provider.aclose()
    return Timing(0.0, first, last, time.perf_counter() - start, len(parts), "".join(parts))


@dataclass(frozen=True)
class Sample:
    service: Timing
    alone: Timing

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.service.text)

    @property
    def overhead_per_chunk(self) -> float:
        return (self.service.total - self.alone.total) / max(1, self.service.chunks)

    @property
    def in_stream_per_chunk(self) -> float:
        service = self.service.last - self.service.first
        alone = self.alone.last - self.alone.first
        return (service - alone) / max(1, self.service.chunks - 1)


async def run(s: Services, factory: Callable[[], Provider], runs: int) -> list[Sample]:
    recorder = Recorder(factory)
    chat = ChatService(s.db, s.clock, recorder, s.executions, actions=s.actions)
    async with s.db.sessions() as session:
        customer = await customer_by_ref(session, s.tenant, CUSTOMER)
    open_runs = await s.executions.open_for(s.tenant.id, customer.id)
    execution_id = open_runs[0].id if open_runs else None
    samples: list[Sample] = []
    for i in range(runs + 1):  # the first is a warm-up: imports, caches, first connection
        recorder.requests.clear()
        service = await through_service(
            chat, s, customer.id, execution_id, QUESTIONS[i % len(QUESTIONS)]
        )
        alone = await through_provider(factory, list(recorder.requests))
        if alone.text != service.text:
            raise RuntimeError("the provider alone did not give the same answer")
        if i:
            samples.append(Sample(service, alone))
    return samples


# --- reporting ------------------------------------------------------------------------------


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def p5(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.05 * (len(ordered) - 1))]


def pair(values: Sequence[float], scale: float) -> str:
    scaled = [v * scale for v in values]
    return f"{statistics.median(scaled):>8.2f} /{p95(scaled):>7.2f}"


def table(title: str, heads: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> None:
    print(title)
    print(f"{'':<31}" + "".join(f"{h:>21}" for h in heads))
    for name, cells in rows:
        print(f"{name:<31}" + "".join(f"{c:>21}" for c in cells))
    print()


def print_tables(rows: list[tuple[str, list[Sample]]], runs: int) -> None:
    print(
        f"{runs} questions per provider on Bluesoft (after one warm-up), a new thread per run\n"
        "times median / p95; tokens ≈ characters / 4\n"
    )
    whole = []
    for name, samples in rows:
        rate = [x.tokens / x.service.total for x in samples]
        whole.append(
            (
                name,
                (
                    pair([x.service.first for x in samples], 1e3),
                    pair([x.service.total for x in samples], 1e3),
                    f"{statistics.median(rate):>8,.0f} /{p5(rate):>7,.0f}",
                    f"{statistics.median(x.tokens for x in samples):.0f}"
                    f" / {statistics.median(x.service.chunks for x in samples):.0f}",
                ),
            )
        )
    table(
        "whole path: open_thread + send, read to the end (answer stored)",
        ("first token ms", "total ms", "tokens/s (med / p5)", "tokens / chunks"),
        whole,
    )
    parts = [
        (
            name,
            (
                pair([x.service.opened for x in samples], 1e3),
                pair([x.alone.first for x in samples], 1e3),
                pair([x.alone.total for x in samples], 1e3),
                pair([x.overhead_per_chunk for x in samples], 1e6),
                pair([x.in_stream_per_chunk for x in samples], 1e6),
            ),
        )
        for name, samples in rows
    ]
    table(
        "service overhead: the same requests through the provider alone, subtracted",
        (
            "open_thread ms",
            "alone: 1st tok ms",
            "alone: total ms",
            "µs / chunk",
            "in-stream µs/chunk",
        ),
        parts,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="questions per provider")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db = create_database(url)
        try:
            await upgrade(db)
            await seed_everything(db, today=TODAY)
            settings = Settings(database_url=url, today=TODAY)
            s = await build_services(db, settings, settings.clock())
            offline = await run(s, lambda: make_provider(settings, offline_pace=0), args.runs)

            # two requests a run (the service's and the replay's), plus the warm-up
            server, base = await serve_sse(max_requests=2 * (args.runs + 1))
            async with server:
                mock = dataclasses.replace(
                    settings,
                    llm_provider="openai",
                    llm_base_url=base,
                    llm_model="mock",
                    llm_timeout=10.0,
                )
                s = await build_services(db, mock, mock.clock())
                sse = await run(s, lambda: make_provider(mock), args.runs)
        finally:
            await db.dispose()

    print_tables(
        [("offline assistant (pace 0)", offline), ("openai-compat → local SSE mock", sse)],
        args.runs,
    )


if __name__ == "__main__":
    asyncio.run(main())
