"""Retry timing, Retry-After, the circuit breaker and token estimates: pure, clock-injected.

Nothing here does I/O, so every rule is tested with fake clocks and fake randomness.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

BreakerState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before the first token.

    Delays use exponential backoff with full jitter (a random wait in [0, min(cap, base·2^n)])
    so that clients hit by the same outage do not retry in lockstep. A server's Retry-After is
    obeyed as given up to `max_retry_after`; a longer one is not waited out (the reader would
    stare at a spinner) but reported, with the wait, as a retryable error.
    """

    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    def backoff(self, retry_number: int, rand: Callable[[], float]) -> float:
        """The wait before retry `retry_number` (0 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * (2**retry_number))
        return rand() * ceiling


RETRY_STATUSES = frozenset({408, 425, 429})


def is_retryable_status(status: int) -> bool:
    """429 and friends, and server errors (501 'not implemented' will not change on retry)."""
    return status in RETRY_STATUSES or (status >= 500 and status != 501)


def parse_retry_after(
    value: str | None, now: dt.datetime | None = None, *, milliseconds: str | None = None
) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), else None.

    `milliseconds` is the `retry-after-ms` header some OpenAI-compatible servers send.
    """
    if milliseconds:
        try:
            ms = float(milliseconds)
        except ValueError:
            ms = math.nan
        if math.isfinite(ms) and ms >= 0:
            return ms / 1000.0
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        current = now or dt.datetime.now(dt.UTC)
        return max(0.0, (when - current).total_seconds())
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


class CircuitBreaker:
    """Stops calling a provider that keeps failing, so each question fails fast, not after
    every retry and timeout again.

    closed → open after `failure_threshold` consecutive failed calls; open refuses until
    `cooldown` seconds pass; then half_open lets exactly one trial call through: its success
    closes the breaker, its failure opens it for another cool-down. A call that ends neither
    way (cancelled) just frees the trial slot.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown:
            return "half_open"
        return "open"

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial through (0 when it would now)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """May a call start now? In half_open only the first caller gets the trial."""
        state = self.state
        if state == "closed":
            return True
        if state == "open" or self._trial_running:
            return False
        self._trial_running = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._trial_running = False

    def release(self) -> None:
        """The call ended without a verdict (cancelled): let the next caller try."""
        self._trial_running = False


def estimate_tokens(text: str) -> int:
    """≈ 4 characters per token, the usual rule of thumb for English with BPE tokenizers."""
    return (len(text) + 3) // 4
