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

# One HTTP provider per configuration for the life of the process: its circuit breaker then
# counts failures across answers (a fresh one per answer never trips) and its httpx client
# pools connections. Values keep the http_options objects alive, so their ids stay unique.
_SHARED: dict[tuple[Any, ...], tuple[Provider, tuple[Any, ...]]] = {}


def _config_key(
    settings: object, offline_pace: float, fallback: bool | None, http_options: dict[str, Any]
) -> tuple[Any, ...]:
    llm = sorted(
        (name, repr(getattr(settings, name, None)))
        for name in dir(settings)
        if name.startswith("llm_")
    )
    options = sorted((name, id(value)) for name, value in http_options.items())
    return (tuple(llm), offline_pace, fallback, tuple(options))


def shared_providers() -> list[Provider]:
    """The providers kept for the process (for closing at exit, and tests)."""
    return [provider for provider, _ in _SHARED.values()]


def forget_shared_providers() -> None:
    """Drop the kept providers (tests; a changed configuration builds new ones anyway)."""
    _SHARED.clear()


def make_provider(
    settings: object,
    *,
    offline_pace: float = DEFAULT_OFFLINE_PACE,
    fallback: bool | None = None,
    shared: bool = True,
    **http_options: Any,
) -> Provider:
    """The provider named by `settings.llm_provider` ("offline" when unset).

    `fallback` (default: `settings.llm_fallback`, else off) wraps an HTTP provider so that
    failures before the first token are answered by the offline assistant, labelled as such.
    `http_options` (transport, retry, breaker, sleep, rand, now) reach the HTTP provider; tests
    use them to inject a mock transport and a fake clock.

    With `shared` (the default) an HTTP provider is built once per configuration and handed
    out again after that: its `aclose()` then keeps the client open for the next answer.
    """
    name = str(getattr(settings, "llm_provider", None) or "offline").strip().lower()
    if name not in PROVIDERS:
        raise ValueError(f"unknown LLM provider {name!r} — choose one of: {', '.join(PROVIDERS)}")
    if name == "offline":
        return OfflineProvider(pace_seconds=offline_pace)
    if not shared:
        return _build(name, settings, offline_pace, fallback, http_options)
    key = _config_key(settings, offline_pace, fallback, http_options)
    kept = _SHARED.get(key)
    if kept is None:
        provider = _build(name, settings, offline_pace, fallback, http_options)
        _keep_open(provider)
        kept = _SHARED[key] = (provider, tuple(http_options.values()))
    return kept[0]


def _keep_open(provider: Provider) -> None:
    from renubu_tui.llm.fallback import FallbackProvider

    inner = provider.primary if isinstance(provider, FallbackProvider) else provider
    if hasattr(inner, "keep_open"):
        inner.keep_open = True


def _build(
    name: str,
    settings: object,
    offline_pace: float,
    fallback: bool | None,
    http_options: dict[str, Any],
) -> Provider:
    offline = OfflineProvider(pace_seconds=offline_pace)
    options: dict[str, Any] = {
        "model": getattr(settings, "llm_model", None),
        "base_url": getattr(settings, "llm_base_url", None),
        "api_key": getattr(settings, "llm_api_key", None),
        "timeout": getattr(settings, "llm_timeout", None) or 60.0,
        "first_token_timeout": getattr(settings, "llm_first_token_timeout", None),
        "deadline": getattr(settings, "llm_deadline", None),
        "max_tokens": getattr(settings, "llm_max_tokens", None),
        "context_tokens": getattr(settings, "llm_context_tokens", None),
        "probe_context": True,  # ask the server for the window when not configured
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
