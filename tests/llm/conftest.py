"""Fixtures for the provider tests: the real Bluesoft context, replayable HTTP bodies split
into awkward chunks, and fake sleep, randomness and clocks so nothing waits."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_TODAY

ODD_SIZES = (1, 7, 3, 13, 5, 2, 11)


def odd_chunks(body: bytes, sizes: Iterable[int] = ODD_SIZES) -> list[bytes]:
    """`body` cut into odd-sized pieces, so lines (and UTF-8 characters) split mid-way."""
    pieces, start, sizes = [], 0, list(sizes)
    i = 0
    while start < len(body):
        size = sizes[i % len(sizes)]
        pieces.append(body[start : start + size])
        start += size
        i += 1
    return pieces


class Chunks(httpx.AsyncByteStream):
    """A response body delivered piece by piece, optionally failing after the pieces."""

    def __init__(self, pieces: list[bytes], error: Exception | None = None) -> None:
        self.pieces = pieces
        self.error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            await asyncio.sleep(0)
            yield piece
        if self.error is not None:
            raise self.error

    async def aclose(self) -> None:
        return None


def streamed(
    body: str | bytes,
    *,
    status: int = 200,
    error: Exception | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = "text/event-stream",
) -> httpx.Response:
    raw = body.encode() if isinstance(body, str) else body
    return httpx.Response(
        status,
        headers={"content-type": content_type, **(headers or {})},
        stream=Chunks(odd_chunks(raw), error),
    )


class Replay:
    """A MockTransport handler answering with queued responses (or raising queued errors),
    recording every request it saw."""

    def __init__(self, *responses: httpx.Response | Exception | Callable[..., Any]) -> None:
        self.queue = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.queue.pop(0) if len(self.queue) > 1 else self.queue[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


class FakeSleep:
    """Records waits instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture(scope="session")
def bluesoft_context(
    sqlite_templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Bluesoft's real template context on 2025-09-24, built from the seeded demo data."""
    from renubu_tui.data.engine import create_database
    from renubu_tui.services.customers.context import build_context

    path = tmp_path_factory.mktemp("llm") / "seeded.sqlite3"
    shutil.copyfile(sqlite_templates["seeded"], path)

    async def build() -> dict[str, Any]:
        database = create_database(f"sqlite+aiosqlite:///{path}")
        try:
            return await build_context(database, "acme-cs", "bluesoft", TEST_TODAY)
        finally:
            await database.dispose()

    return asyncio.run(build())


async def events_of(provider: Any, request: Any) -> list[Any]:
    return [event async for event in provider.stream(request)]


def text_of(events: list[Any]) -> str:
    from renubu_tui.llm.events import TextDelta

    return "".join(e.text for e in events if isinstance(e, TextDelta))
