"""Backoff, Retry-After and the circuit breaker, with fake clocks and randomness."""

from __future__ import annotations

import datetime as dt

import pytest

from renubu_tui.llm.resilience import (
    CircuitBreaker,
    RetryPolicy,
    estimate_tokens,
    is_retryable_status,
    parse_retry_after,
)
from tests.llm.conftest import FakeClock

NOW = dt.datetime(2025, 9, 24, 12, 0, 0, tzinfo=dt.UTC)


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    assert [policy.backoff(n, lambda: 1.0) for n in range(6)] == [0.5, 1, 2, 4, 8, 8]
    assert policy.backoff(3, lambda: 0.25) == 1.0
    assert policy.backoff(3, lambda: 0.0) == 0.0


@pytest.mark.parametrize(
    ("value", "ms", "expected"),
    [
        ("7", None, 7.0),
        (" 1.5 ", None, 1.5),
        ("Wed, 24 Sep 2025 12:00:30 GMT", None, 30.0),
        ("Wed, 24 Sep 2025 11:00:00 GMT", None, 0.0),  # a date in the past: no wait
        ("-3", None, None),
        ("soon", None, None),
        (None, None, None),
        ("9", "250", 0.25),  # retry-after-ms is the more precise of the two
    ],
)
def test_retry_after(value: str | None, ms: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW, milliseconds=ms) == expected


def test_retryable_statuses() -> None:
    assert [
        s for s in (400, 401, 404, 408, 429, 500, 501, 502, 503, 529) if is_retryable_status(s)
    ] == [
        408,
        429,
        500,
        502,
        503,
        529,
    ]


def test_breaker_opens_after_consecutive_failures_and_recovers_through_half_open() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, cooldown=30.0, clock=clock)
    assert breaker.state == "closed"
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.allow()
    breaker.record_success()  # a success resets the count: failures must be consecutive
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == "open"
    assert not breaker.allow()
    assert breaker.retry_in() == 30.0
    clock.advance(29.9)
    assert breaker.state == "open" and not breaker.allow()
    clock.advance(0.1)
    assert breaker.state == "half_open"
    assert breaker.allow()  # the one trial
    assert not breaker.allow()  # nobody else while it runs
    breaker.record_failure()  # the trial failed: open for another cool-down
    assert breaker.state == "open"
    clock.advance(30)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed" and breaker.consecutive_failures == 0
    assert breaker.allow() and breaker.allow()


def test_breaker_release_frees_the_trial_without_a_verdict() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown=5.0, clock=clock)
    breaker.record_failure()
    clock.advance(5)
    assert breaker.allow()
    breaker.release()  # cancelled trial
    assert breaker.state == "half_open"
    assert breaker.allow()


def test_token_estimate_is_about_four_characters_per_token() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("x" * 400) == 100
