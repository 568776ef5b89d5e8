"""A spinner on stderr while the model works: elapsed time and tokens so far.

Only on a terminal: a pipe or a file gets nothing of it (no carriage returns, no escape
sequences in a log). The line is redrawn in place and erased before anything else is written,
so the answer and the errors start at the beginning of a clean line.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from typing import TextIO

from renubu_tui.safe_text import printable

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
INTERVAL = 0.1  # seconds between frames
CLEAR = "\r\x1b[K"


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False


class Spinner:
    """`async with Spinner("asking …"):` draws "⠙ asking … · 12 s · ≈85 tokens" on stderr.

    `add(text)` counts the answer's text as it comes (≈ 4 characters a token, as the
    providers estimate); `hide()` erases the line for good (the answer itself now shows the
    progress on the same terminal).
    """

    def __init__(
        self,
        what: str,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = INTERVAL,
    ) -> None:
        self.what = printable(what)
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._chars = 0
        self._frame = 0
        self._drawn = False
        self._task: asyncio.Task[None] | None = None

    @property
    def tokens(self) -> int:
        return (self._chars + 3) // 4

    def add(self, text: str) -> None:
        self._chars += len(text)

    def line(self) -> str:
        elapsed = self._clock() - self._started
        tokens = f" · ≈{self.tokens:,} tokens" if self._chars else ""
        return f"{FRAMES[self._frame % len(FRAMES)]} {self.what} · {elapsed:.0f} s{tokens}"

    def _draw(self) -> None:
        self.stream.write(CLEAR + self.line())
        self.stream.flush()
        self._drawn = True
        self._frame += 1

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._drawn = False

    async def _spin(self) -> None:
        while True:
            self._draw()
            await asyncio.sleep(self._interval)

    def clear(self) -> None:
        """Erase the line for a moment (a line is about to be written); the next frame is
        drawn again."""
        self._clear()

    def hide(self) -> None:
        """Stop drawing and erase the line (something else is written to the terminal now)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._clear()

    async def __aenter__(self) -> Spinner:
        self._started = self._clock()
        if self.enabled:
            self._task = asyncio.create_task(self._spin())
            await asyncio.sleep(0)  # the first frame at once
        return self

    async def __aexit__(self, *exc: object) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._clear()
