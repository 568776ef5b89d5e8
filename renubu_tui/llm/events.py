"""Typed stream events: what every provider yields, so the UI handles one vocabulary.

A stream is zero or more `TextDelta` / `ToolCallRequest`, then exactly one terminal event:
`Done` (the answer is complete) or `StreamError` (it is not; any text already yielded stays
with the caller, who decides whether to keep it as a partial answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

ErrorKind = Literal["config", "connect", "timeout", "http", "protocol", "circuit_open", "cancelled"]

ERROR_KINDS: tuple[ErrorKind, ...] = (
    "config",
    "connect",
    "timeout",
    "http",
    "protocol",
    "circuit_open",
    "cancelled",
)


@dataclass(frozen=True)
class TextDelta:
    """The next piece of the answer; the answer is the concatenation of all deltas."""

    text: str


@dataclass(frozen=True)
class ToolCallRequest:
    """The model asks the caller to run a tool and send the result back as a `tool` message."""

    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Usage:
    """Tokens of one call; `estimated` when the provider did not report them (≈ 4 chars/token)."""

    input_tokens: int
    output_tokens: int
    estimated: bool = False

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Done:
    """The answer is complete. `stop_reason` is normalised: end_turn, max_tokens, tool_use.

    `prompt_tokens` is the prompt as sent, estimated (≈ 4 characters a token), and
    `context_tokens` the window it was fitted to, when known (configured or the server's).
    """

    provider_label: str
    model: str
    stop_reason: str
    usage: Usage
    # measurements beside the answer, not part of what it is (equal answers compare equal)
    prompt_tokens: int | None = field(default=None, compare=False)
    context_tokens: int | None = field(default=None, compare=False)

    def prompt_note(self) -> str:
        """ "prompt ≈2,431 of 4,096 tokens", or "" when the size is not known."""
        if self.prompt_tokens is None:
            return ""
        of = f" of {self.context_tokens:,}" if self.context_tokens else ""
        return f"prompt ≈{self.prompt_tokens:,}{of} tokens"


@dataclass(frozen=True)
class StreamError:
    """The call failed. `message` is one line a person can act on, never a traceback.

    `retryable` means sending the same request again may well succeed (a transient failure)
    and nothing of this answer was streamed yet; after partial text it is always False, since
    a retry would repeat what the reader has already seen.
    """

    kind: ErrorKind
    message: str
    retryable: bool = False

    @classmethod
    def cancelled(cls) -> StreamError:
        """For the caller's records when the reader stopped the answer (Esc)."""
        return cls("cancelled", "stopped by the user", retryable=True)


StreamEvent: TypeAlias = TextDelta | ToolCallRequest | Done | StreamError
TerminalEvent: TypeAlias = Done | StreamError


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace (no newlines reach a one-line message) and cap the length."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
