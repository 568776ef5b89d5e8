"""Build the configured provider from settings (or anything with the same llm_* attributes).

The HTTP providers are imported only when chosen, so the default offline path never loads
httpx.
"""

from __future__ import annotations

from typing import Any

from renubu_tui.llm.offline.provider import OfflineProvider
from renubu_tui.llm.provider import Provider

PROVIDERS = ("offline", "ollama", "openai", "anthropic")
DEFAULT_OFFLINE_PACE = 0.02  # seconds per word group: reads as typing, costs nothing


def make_provider(
    settings: object,
    *,
    offline_pace: float = DEFAULT_OFFLINE_PACE,
    fallback: bool | None = None,
    **http_options: Any,
) -> Provider:
    """The provider named by `settings.llm_provider` ("offline" when unset).

    `fallback` (default: `settings.llm_fallback`, else off) wraps an HTTP provider so that
    failures before the first token are answered by the offline assistant, labelled as such.
    `http_options` (transport, retry, breaker, sleep, rand, now) reach the HTTP provider; tests
    use them to inject a mock transport and a fake clock.
    """
    name = str(getattr(settings, "llm_provider", None) or "offline").strip().lower()
    if name not in PROVIDERS:
        raise ValueError(f"unknown LLM provider {name!r} — choose one of: {', '.join(PROVIDERS)}")
    offline = OfflineProvider(pace_seconds=offline_pace)
    if name == "offline":
        return offline
    options: dict[str, Any] = {
        "model": getattr(settings, "llm_model", None),
        "base_url": getattr(settings, "llm_base_url", None),
        "api_key": getattr(settings, "llm_api_key", None),
        "timeout": getattr(settings, "llm_timeout", None) or 60.0,
        **http_options,
    }
    provider: Provider
    if name == "ollama":
        from renubu_tui.llm.ollama import OllamaProvider

        provider = OllamaProvider(**options)
    elif name == "openai":
        from renubu_tui.llm.openai_compat import OpenAICompatProvider

        provider = OpenAICompatProvider(**options)
    else:
        from renubu_tui.llm.anthropic import AnthropicProvider

        provider = AnthropicProvider(**options)
    enabled = bool(getattr(settings, "llm_fallback", False)) if fallback is None else fallback
    if enabled:
        from renubu_tui.llm.fallback import FallbackProvider

        return FallbackProvider(provider, offline, enabled=True)
    return provider
