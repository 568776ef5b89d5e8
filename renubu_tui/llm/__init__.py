"""Model providers behind one stream of typed events (domain.md §11, STYLE "Streaming").

The default is the offline assistant (no network); ollama, OpenAI-compatible servers and
Anthropic are opt-in. Nothing here imports the UI or the database layer, and httpx is loaded
only when an HTTP provider is built.

Rules every provider keeps (tests/llm pins each one):
- a stream ends with exactly one Done or StreamError; StreamError.message is one line;
- retries (connect errors, 429, 5xx; Retry-After obeyed up to 30 s, longer is reported, not
  waited) happen only before anything was yielded; after that a failure is a non-retryable
  StreamError and the caller keeps the partial text. Malformed lines are StreamError(protocol)
  either way: a silently skipped line could be a lost piece of the answer;
- read timeouts are not retried (a slow model stays slow); a per-provider circuit breaker
  turns repeated outages into an immediate circuit_open error; configuration errors (no key,
  bad key, unknown model) neither retry nor trip it;
- usage comes from the provider when reported, else ≈ len/4 and marked estimated.
"""

from renubu_tui.llm.events import (
    Done,
    ErrorKind,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCallRequest,
    Usage,
)
from renubu_tui.llm.factory import PROVIDERS, make_provider
from renubu_tui.llm.messages import ChatMessage, ChatRequest, ToolSpec
from renubu_tui.llm.offline.provider import OfflineProvider
from renubu_tui.llm.provider import Answer, Provider, collect

__all__ = [
    "PROVIDERS",
    "Answer",
    "ChatMessage",
    "ChatRequest",
    "Done",
    "ErrorKind",
    "OfflineProvider",
    "Provider",
    "StreamError",
    "StreamEvent",
    "TextDelta",
    "ToolCallRequest",
    "ToolSpec",
    "Usage",
    "collect",
    "make_provider",
]
