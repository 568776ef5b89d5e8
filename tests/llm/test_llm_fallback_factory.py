"""Choosing a provider from settings, and the offline fallback that always says it is one."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from renubu_tui.llm import (
    ChatMessage,
    ChatRequest,
    Done,
    OfflineProvider,
    Provider,
    StreamError,
    TextDelta,
    make_provider,
)
from renubu_tui.llm.anthropic import AnthropicProvider
from renubu_tui.llm.fallback import FallbackProvider
from renubu_tui.llm.ollama import OllamaProvider
from renubu_tui.llm.openai_compat import OpenAICompatProvider
from renubu_tui.llm.resilience import RetryPolicy
from renubu_tui.settings import Settings
from tests.llm.conftest import FakeSleep, Replay, events_of, streamed, text_of


def settings(**kw: Any) -> SimpleNamespace:
    base = {"llm_provider": None, "llm_model": None, "llm_base_url": None}
    base |= {"llm_api_key": None, "llm_timeout": 60.0}
    return SimpleNamespace(**(base | kw))


def test_default_is_the_offline_assistant() -> None:
    provider = make_provider(Settings())
    assert isinstance(provider, OfflineProvider) and isinstance(provider, Provider)
    assert provider.label == "offline assistant"
    assert isinstance(make_provider(settings()), OfflineProvider)


@pytest.mark.parametrize(
    ("kw", "cls", "label"),
    [
        ({"llm_provider": "ollama"}, OllamaProvider, "ollama · llama3.1"),
        (
            {"llm_provider": "Ollama", "llm_model": "qwen2.5", "llm_base_url": "http://gpu:11434"},
            OllamaProvider,
            "ollama · qwen2.5 @ gpu:11434",
        ),
        (
            {
                "llm_provider": "openai",
                "llm_model": "gpt-4o-mini",
                "llm_base_url": "http://localhost:8080",
            },
            OpenAICompatProvider,
            "openai-compatible · gpt-4o-mini @ localhost:8080",
        ),
        (
            {"llm_provider": "openai", "llm_api_key": "sk"},
            OpenAICompatProvider,
            "openai · gpt-4o-mini",
        ),
        (
            {"llm_provider": "anthropic", "llm_model": "claude-haiku-4-5"},
            AnthropicProvider,
            "anthropic · claude-haiku-4-5",
        ),
    ],
)
def test_named_providers(kw: dict[str, Any], cls: type, label: str) -> None:
    provider = make_provider(settings(**kw, llm_timeout=12))
    assert type(provider) is cls and provider.label == label
    assert isinstance(provider, Provider)
    assert provider.timeout == 12.0


def test_unknown_provider_lists_the_choices() -> None:
    with pytest.raises(
        ValueError,
        match="unknown LLM provider 'gpt' — choose one of: offline, ollama, openai, anthropic",
    ):
        make_provider(settings(llm_provider="gpt"))


def test_fallback_is_opt_in() -> None:
    assert isinstance(make_provider(settings(llm_provider="ollama")), OllamaProvider)
    wrapped = make_provider(settings(llm_provider="ollama", llm_fallback=True))
    assert isinstance(wrapped, FallbackProvider)
    assert wrapped.label == "ollama · llama3.1 (offline fallback on)"
    assert isinstance(
        make_provider(settings(llm_provider="ollama"), fallback=True), FallbackProvider
    )


REQUEST = ChatRequest(
    [ChatMessage("user", "Summarize")],
    context={"customer": {"name": "Bluesoft Corporation", "arr": 180000, "healthScore": 74}},
)


def down_ollama(replay: Replay) -> OllamaProvider:
    return OllamaProvider(
        transport=replay.transport, sleep=FakeSleep(), retry=RetryPolicy(max_attempts=1)
    )


async def test_fallback_answers_offline_and_says_so() -> None:
    provider = FallbackProvider(
        down_ollama(Replay(httpx.ConnectError("refused"))), OfflineProvider()
    )
    events = await events_of(provider, REQUEST)
    first = events[0]
    assert isinstance(first, TextDelta)
    text = text_of(events)
    assert text.startswith(
        "_(model unavailable: cannot reach ollama at http://127.0.0.1:11434 — is it running?; "
        "answered by the offline assistant)_\n\n"
    )
    assert "no model configured" not in text  # the honest note replaces the usual one
    assert "Bluesoft Corporation" in text and "$180,000" in text
    done = events[-1]
    assert isinstance(done, Done)
    assert done.provider_label == "offline assistant (fallback: ollama · llama3.1 unavailable)"


async def test_fallback_off_passes_the_error_through() -> None:
    provider = FallbackProvider(
        down_ollama(Replay(httpx.ConnectError("refused"))), OfflineProvider(), enabled=False
    )
    events = await events_of(provider, REQUEST)
    assert [type(e) for e in events] == [StreamError]


async def test_no_fallback_after_the_model_has_spoken() -> None:
    line = json.dumps({"message": {"content": "Partial "}, "done": False}) + "\n"
    replay = Replay(streamed(line, error=httpx.ReadError("reset")))
    events = await events_of(FallbackProvider(down_ollama(replay), OfflineProvider()), REQUEST)
    assert text_of(events) == "Partial " and isinstance(events[-1], StreamError)


async def test_fallback_json_stays_parseable() -> None:
    provider = FallbackProvider(AnthropicProvider(), OfflineProvider())  # no key: config error
    request = ChatRequest(
        [ChatMessage("user", "Route: SIGNATURE_PENDING or ALL_COMPLETE")],
        response_format_json=True,
        context=REQUEST.context,
    )
    events = await events_of(provider, request)
    data = json.loads(text_of(events))
    assert data["route"] == "SIGNATURE_PENDING"
    assert events[-1].provider_label.startswith("offline assistant (fallback: anthropic")


# --- one provider per configuration for the process -------------------------------------------


def test_one_provider_per_configuration() -> None:
    first = make_provider(settings(llm_provider="ollama"))
    assert make_provider(settings(llm_provider="ollama")) is first
    assert make_provider(settings(llm_provider="ollama", llm_model="qwen2.5")) is not first
    assert make_provider(settings(llm_provider="ollama"), shared=False) is not first


async def test_the_breaker_trips_across_answers() -> None:
    """Each answer asks the factory again (as the services do); the failures add up, and after
    the threshold the next answer fails at once without a request."""
    replay = Replay(httpx.Response(500, json={"error": "boom"}))
    options: dict[str, Any] = {
        "transport": replay.transport,
        "sleep": FakeSleep(),
        "retry": RetryPolicy(max_attempts=1),
    }
    config = settings(llm_provider="ollama")
    threshold = make_provider(config, **options).breaker.failure_threshold
    for _ in range(threshold):
        provider = make_provider(config, **options)
        events = await events_of(provider, REQUEST)
        await provider.aclose()  # what every answer does: the shared client stays open
        assert isinstance(events[-1], StreamError) and events[-1].kind == "http"
    # the context window was asked once (refused: not asked again), then one call per answer
    paths = [r.url.path for r in replay.requests]
    assert paths == ["/api/show"] + ["/api/chat"] * threshold
    provider = make_provider(config, **options)
    events = await events_of(provider, REQUEST)
    assert [type(e) for e in events] == [StreamError]
    assert events[0].kind == "circuit_open"
    assert events[0].message.startswith(
        f"ollama · llama3.1: paused after {threshold} failed calls in a row"
    )
    assert len(replay.requests) == threshold + 1  # no request was sent
    assert provider._client is not None  # one client, kept across answers
    await provider.close()


def test_max_tokens_setting_overrides_the_request() -> None:
    provider = make_provider(settings(llm_provider="openai", llm_api_key="sk", llm_max_tokens=64))
    assert isinstance(provider, OpenAICompatProvider)
    assert provider.payload(REQUEST)["max_tokens"] == 64
    assert (
        make_provider(settings(llm_provider="ollama")).payload(REQUEST)["options"]["num_predict"]
        == REQUEST.max_tokens
    )
