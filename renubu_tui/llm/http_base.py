"""What the HTTP providers share: one httpx client each, timeouts, retries before the first
token, the circuit breaker, error wording and token accounting.

Subclasses only say how to build the request, how to read their stream format and how to pull
a message out of an error body. The rule that matters most lives here once: a request is
retried only until something of the answer has been yielded; after that a failure ends the
stream with a non-retryable StreamError and the caller keeps the partial text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from renubu_tui.llm.events import (
    Done,
    ErrorKind,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCallRequest,
    Usage,
    one_line,
)
from renubu_tui.llm.messages import ChatMessage, ChatRequest
from renubu_tui.llm.resilience import (
    CircuitBreaker,
    RetryPolicy,
    estimate_tokens,
    is_retryable_status,
    parse_retry_after,
)

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_FIRST_TOKEN_TIMEOUT = 120.0
DEFAULT_DEADLINE = 600.0
PROBE_TIMEOUT = 3.0  # seconds a context-window probe may take; then the budget is unknown
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"})

_STOP_REASONS = {
    "stop": "end_turn",
    "end_turn": "end_turn",
    "stop_sequence": "end_turn",
    "length": "max_tokens",
    "max_tokens": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "tool_use": "tool_use",
}


def normalise_stop_reason(raw: str | None, *, made_tool_calls: bool = False) -> str:
    if made_tool_calls and raw in (None, "stop", "end_turn"):
        return "tool_use"
    if raw is None:
        return "end_turn"
    return _STOP_REASONS.get(raw, raw)


def _broken(exc: httpx.HTTPError) -> str:
    """A failed connection in words (not an exception class name)."""
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection without a reply"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "the connection broke before a reply"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "the base URL is not usable — check RENUBU_LLM_BASE_URL"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy refused the connection — check HTTPS_PROXY / HTTP_PROXY"
    if isinstance(exc, httpx.DecodingError):
        return "the reply could not be decoded"
    return "the connection failed before a reply"


class UpstreamError(Exception):
    """A failure found while reading a reply (bad line, error event); becomes a StreamError.

    `transient` errors (overloaded, server error events) are retried like a 5xx as long as
    nothing has been yielded yet. `garbled` marks text that is not this protocol at all, for
    which the message asks whether the base URL points at the right kind of server.
    """

    def __init__(
        self, kind: ErrorKind, message: str, *, transient: bool = False, garbled: bool = False
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.transient = transient
        self.garbled = garbled


@dataclass
class StreamState:
    """What a parser learns besides the deltas: usage and why the model stopped."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    stop_reason: str | None = None
    text: str = ""
    tool_calls: int = 0
    answer_tool: bool = False  # the answer came as the forced schema tool's input


@dataclass(frozen=True)
class Window:
    """The model's context window in tokens and who says so ("config": [llm] context_tokens,
    "server": the server's own report); `tokens` None when nobody does."""

    tokens: int | None = None
    source: str = ""


@dataclass(frozen=True)
class _Failure:
    """Internal: a terminal error, and whether it says the service is down (for the breaker)."""

    error: StreamError
    outage: bool


def parse_json_line(payload: str, what: str) -> Any:
    try:
        return json.loads(payload)
    except json.JSONDecodeError as exc:
        snippet = one_line(payload, 60)
        raise UpstreamError(
            "protocol", f"unreadable {what}: {snippet!r} ({exc.msg})", garbled=True
        ) from None


def prompt_size(messages: Sequence[ChatMessage]) -> int:
    """The prompt's size in tokens, estimated (≈ 4 characters each, 4 more per message)."""
    return sum(estimate_tokens(m.content) + 4 for m in messages)


def host_of(base_url: str) -> str:
    return urlsplit(base_url).netloc or base_url


def is_local(base_url: str) -> bool:
    return (urlsplit(base_url).hostname or "") in LOCAL_HOSTS


class HttpProvider:
    """Base of the ollama, OpenAI-compatible and Anthropic providers."""

    name: ClassVar[str] = "http"
    display: str = "the model server"  # "cannot reach {display} at …"
    server_noun: str = "a model server"  # "is {base_url} {server_noun}?"
    default_base_url: ClassVar[str] = ""
    default_model: ClassVar[str] = ""
    # how a step's output is held to its schema (`renubu locate`, a step's label)
    schema_mode: ClassVar[str] = "prompt + one repair"

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        first_token_timeout: float | None = None,
        deadline: float | None = None,
        max_tokens: int | None = None,
        context_tokens: int | None = None,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        rand: Callable[[], float] | None = None,
        now: Callable[[], dt.datetime] | None = None,
        monotonic: Callable[[], float] | None = None,
        probe_context: bool = False,
    ) -> None:
        self.model = model or self.default_model
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.api_key = api_key or None
        self.timeout = float(timeout)  # connect / read idle: a silent socket
        # deadlines for the answer, counted from its start (retries included); keep-alive
        # comments and pings are not progress, only text or a tool call is
        self.first_token_timeout = float(first_token_timeout or DEFAULT_FIRST_TOKEN_TIMEOUT)
        self.deadline = float(deadline or DEFAULT_DEADLINE)
        self._monotonic = monotonic or time.monotonic
        self.max_tokens = max_tokens  # [llm] max_tokens: overrides the request's own
        self.context_tokens = context_tokens  # [llm] context_tokens: the model's window
        # without it, ask the server once per model (make_provider turns this on); a probe
        # that got an answer, even "not said", is kept for the process
        self.probe_context = probe_context
        self._probed: dict[str, int | None] = {}
        self.retry = retry or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()
        self._transport = transport
        self._sleep: Sleep = sleep or asyncio.sleep
        self._rand = rand or random.random
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        # a process-wide provider (make_provider's cache) keeps its client across answers
        self.keep_open = False

    # --- what subclasses provide ---------------------------------------------------------

    @property
    def label(self) -> str:
        return self.label_for(self.model)

    def label_for(self, model: str) -> str:
        return f"{self.name} · {model}"

    def model_for(self, request: ChatRequest) -> str:
        """A thread may pin its own model (domain.md §11); else the configured one."""
        return request.model or self.model

    def max_tokens_for(self, request: ChatRequest) -> int:
        if request.fitted:  # fit() has already set the room the window leaves
            return request.max_tokens
        return self.max_tokens or request.max_tokens

    async def probe_window(self, model: str) -> int | None:
        """The context window the server says it runs `model` with, or None when it does not
        say. Raises httpx.HTTPError when the server cannot be asked (then nothing is kept)."""
        return None

    async def window_for(self, model: str) -> Window:
        """[llm] context_tokens when set (it wins), else the server's word, asked once."""
        if self.context_tokens:
            return Window(self.context_tokens, "config")
        if not self.probe_context:
            return Window()
        if model not in self._probed:
            try:
                # a deadline for the whole probe: httpx's timeouts are per read, and a server
                # streaming keep-alives would never trip them
                async with asyncio.timeout(min(PROBE_TIMEOUT, self.first_token_timeout)):
                    found = await self.probe_window(model)
            except (httpx.TimeoutException, TimeoutError):
                found = None  # reachable but silent: not asked again (each answer would wait)
            except httpx.HTTPError:
                return Window()  # not reachable: ask again next answer
            except (ValueError, TypeError, KeyError, AttributeError):
                found = None  # an answer of another shape: the server does not say
            self._probed[model] = found if found and found > 0 else None
        tokens = self._probed[model]
        return Window(tokens, "server") if tokens else Window()

    async def _probe_json(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        """One short request for the probes: its JSON, or None on any refusal."""
        reply = await self.client.request(
            method, url, json=body, headers=self.headers(), timeout=PROBE_TIMEOUT
        )
        if reply.status_code >= 400:
            return None
        return reply.json()

    def config_problem(self) -> str | None:
        """A reason not to send anything at all (missing key), as one line for a person."""
        return None

    def endpoint(self) -> str:
        raise NotImplementedError

    def _url_problem(self) -> str | None:
        parts = urlsplit(self.base_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return None
        return f"{self.name}: {self.base_url!r} is not an http(s) URL — check RENUBU_LLM_BASE_URL"

    def headers(self) -> dict[str, str]:
        return {}

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        raise NotImplementedError

    def parse(
        self, lines: AsyncIterator[str], state: StreamState
    ) -> AsyncIterator[TextDelta | ToolCallRequest]:
        raise NotImplementedError

    def error_detail(self, body: str) -> str:
        """The server's own words from an error body, if it has any."""
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, ValueError):
            return one_line(body, 160)
        error = data.get("error", data) if isinstance(data, dict) else data
        if isinstance(error, dict):
            error = error.get("message") or error.get("error") or json.dumps(error)
        return one_line(str(error), 160)

    # --- shared behaviour ----------------------------------------------------------------

    @property
    def client(self) -> httpx.AsyncClient:
        """One client per provider: connections are pooled across the questions of a session.

        A client belongs to the event loop it was made in; a provider kept for the process
        that is used from a new loop (a second `asyncio.run`) starts a new client there.
        """
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self._client is not None and loop is not self._client_loop:
            self._client = None  # its connections belong to a finished loop: let it go
        if self._client is None:
            self._client_loop = loop
            t = self.timeout
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    connect=min(t, 10.0), read=t, write=min(t, 30.0), pool=min(t, 10.0)
                ),
                transport=self._transport,
                headers={"user-agent": "renubu"},
            )
        return self._client

    async def aclose(self) -> None:
        """Done with this answer: a shared provider keeps its client (and breaker) open."""
        if not self.keep_open:
            await self.close()

    async def close(self) -> None:
        """Close the client for good (the end of the process, or an unshared provider)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def unreachable(self) -> str:
        if is_local(self.base_url):
            return f"cannot reach {self.display} at {self.base_url} — is it running?"
        return (
            f"cannot reach {self.display} at {self.base_url} — check the network and "
            "RENUBU_LLM_BASE_URL"
        )

    def http_error(
        self, status: int, body: str, retry_after: float | None, model: str | None = None
    ) -> tuple[StreamError, bool]:
        """(error, outage) for an HTTP status: auth and missing models are configuration."""
        model = model or self.model
        label = self.label_for(model)
        detail = self.error_detail(body)
        if status in (401, 403):
            return StreamError(
                "config",
                one_line(f"{label}: bad API key (HTTP {status}) — check RENUBU_LLM_API_KEY"),
            ), False
        if status == 404:
            if "model" in detail.lower() or "model" in body.lower():
                return StreamError(
                    "config",
                    one_line(
                        f"{label}: model '{model}' not found on {self.base_url} — "
                        f"check RENUBU_LLM_MODEL{self.pull_hint(model)}"
                    ),
                ), False
            return StreamError(
                "config",
                one_line(
                    f"{label}: {self.endpoint()} not found (HTTP 404) — check RENUBU_LLM_BASE_URL"
                ),
            ), False
        if status == 429:
            later = f"try again in {retry_after:.0f} s" if retry_after else "try again shortly"
            return StreamError(
                "http", one_line(f"{label}: rate limited (HTTP 429) — {later}"), True
            ), True
        if status >= 500:
            return StreamError(
                "http",
                one_line(f"{label}: server error (HTTP {status}): {detail} — try again"),
                is_retryable_status(status),
            ), True
        return StreamError(
            "http", one_line(f"{label}: request refused (HTTP {status}): {detail}")
        ), False

    def pull_hint(self, model: str) -> str:
        return ""

    def _retry_after(self, headers: Mapping[str, str]) -> float | None:
        return parse_retry_after(
            headers.get("retry-after"), self._now(), milliseconds=headers.get("retry-after-ms")
        )

    def _retry_wait(self, asked: float | None, retry_number: int) -> float | None:
        """Seconds before the next try, or None when the server asks for longer than we wait."""
        if asked is None:
            return self.retry.backoff(retry_number, self._rand)
        return asked if asked <= self.retry.max_retry_after else None

    def _done(self, request: ChatRequest, state: StreamState) -> Done:
        done = self._done_usage(request, state)
        return dataclasses.replace(
            done,
            prompt_tokens=prompt_size(request.messages),
            context_tokens=request.window,
        )

    def _done_usage(self, request: ChatRequest, state: StreamState) -> Done:
        estimated = state.input_tokens is None or state.output_tokens is None
        input_tokens = state.input_tokens
        if input_tokens is None:
            input_tokens = estimate_tokens("".join(m.content for m in request.messages))
        raw_stop = state.stop_reason
        if state.answer_tool and raw_stop == "tool_use":
            raw_stop = None  # the forced answer tool was the answer: it ended the turn
        output_tokens = state.output_tokens
        if output_tokens is None:
            output_tokens = estimate_tokens(state.text)
        return Done(
            provider_label=self.label_for(self.model_for(request)),
            model=self.model_for(request),
            stop_reason=normalise_stop_reason(raw_stop, made_tool_calls=state.tool_calls > 0),
            usage=Usage(input_tokens, output_tokens, estimated=estimated),
        )

    def fit(
        self, request: ChatRequest, window: Window | None = None
    ) -> tuple[ChatRequest, str | None]:
        """The request made to fit the window (when known), or why even the least does not.

        The answer gets room first (its max_tokens, at most half the window); the prompt gets
        the rest: system messages (the customer's facts, the step) and the newest turn (the
        question, with any tool replies it drew) always — its knowledge passages, ranked best
        first, give way from the lowest rank when even that does not fit —, then older turns
        newest first (whole turns, so a tool reply never loses the call it answers). Tokens
        are estimated (≈ 4 characters each), so the budget is a guide, not a guarantee.
        """
        if window is None:
            window = Window(self.context_tokens, "config") if self.context_tokens else Window()
        size_of = window.tokens
        if not size_of:
            return request, None
        wanted = self.max_tokens or request.max_tokens
        room = min(wanted, size_of // 2)
        budget = size_of - room
        messages = list(request.messages)
        system = [m for m in messages if m.role == "system"]
        rest = [m for m in messages if m.role != "system"]
        turns: list[list[ChatMessage]] = []
        for message in rest:
            if message.role == "user" or not turns:
                turns.append([message])
            else:
                turns[-1].append(message)

        kept = [turns.pop()] if turns else []
        used = prompt_size(system) + sum(prompt_size(t) for t in kept)
        if used > budget and kept:
            kept[0] = _fewer_passages(kept[0], used - budget)
            used = prompt_size(system) + prompt_size(kept[0])
        if used > budget:
            label = self.label_for(self.model_for(request))
            if window.source == "server":
                return request, one_line(
                    f"{label}: the prompt needs about {used:,} tokens but the server runs the "
                    f"model with a context of {size_of:,} with {room:,} kept for the answer — "
                    "lower [llm] max_tokens, or run the model with a larger context"
                )
            return request, one_line(
                f"{label}: the prompt needs about {used:,} "
                f"tokens but the model's context holds {size_of:,} with {room:,} kept for the "
                "answer — raise [llm] context_tokens, lower [llm] max_tokens, or use a model "
                "with a larger context"
            )
        while turns and used + prompt_size(turns[-1]) <= budget:
            turn = turns.pop()
            used += prompt_size(turn)
            kept.insert(0, turn)
        fitted = [*system, *(m for turn in kept for m in turn)]
        answer_room = max(room, min(wanted, size_of - used))
        return dataclasses.replace(
            request, messages=fitted, max_tokens=answer_room, fitted=True, window=size_of
        ), None

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Events of one answer; always ends with exactly one Done or StreamError."""
        problem = self._url_problem() or self.config_problem()
        if problem:
            yield StreamError("config", one_line(problem))
            return
        if not self.breaker.allow():
            yield StreamError(
                "circuit_open",
                one_line(
                    f"{self.label}: paused after {self.breaker.consecutive_failures} failed "
                    f"calls in a row — trying again in {self.breaker.retry_in():.0f} s"
                ),
                retryable=True,
            )
            return
        verdict: bool | None = None  # True: worked; False: the service failed; None: no verdict
        started = self._monotonic()  # the deadlines count the probe too
        try:
            window = await self.window_for(self.model_for(request))
            request, too_big = self.fit(request, window)
            if too_big:
                yield StreamError("config", too_big)
                return
            async for item in self._attempts(request, started):
                if isinstance(item, _Failure):
                    verdict = not item.outage
                    yield item.error
                    return
                if isinstance(item, Done):
                    verdict = True
                yield item
        finally:
            if verdict is True:
                self.breaker.record_success()
            elif verdict is False:
                self.breaker.record_failure()
            else:
                self.breaker.release()

    async def _within_deadlines(
        self, lines: AsyncIterator[str], state: StreamState, started: float
    ) -> AsyncIterator[str]:
        """The reply's lines, ended with a timeout error when the first token or the whole
        answer is late. Only text or a tool call counts as progress: a server that sends
        keep-alive comments (or pings) and nothing else still meets the first-token deadline.
        """
        iterator = aiter(lines)
        while True:
            progressed = bool(state.text) or state.tool_calls > 0
            first_due = started + self.first_token_timeout
            end = started + self.deadline
            due = end if progressed else min(first_due, end)
            remaining = due - self._monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                async with asyncio.timeout(remaining):
                    line = await anext(iterator)
            except StopAsyncIteration:
                return
            except TimeoutError:
                if not progressed and first_due <= end:
                    raise UpstreamError(
                        "timeout",
                        f"no first token within {self.first_token_timeout:g} s — the server "
                        "is up but the model has not started; raise [llm] first_token_timeout "
                        "or use a smaller model",
                    ) from None
                raise UpstreamError(
                    "timeout",
                    f"the answer took longer than {self.deadline:g} s and was stopped — "
                    "raise [llm] deadline",
                ) from None
            yield line

    async def _attempts(
        self, request: ChatRequest, started: float
    ) -> AsyncIterator[StreamEvent | _Failure]:
        url = self.endpoint()
        label = self.label_for(self.model_for(request))
        body = self.payload(request)
        headers = self.headers()
        retry_number = 0
        while True:
            state = StreamState()
            streamed = False
            can_retry = retry_number + 1 < self.retry.max_attempts
            failure: _Failure | None = None
            wait: float | None = None
            try:
                async with self.client.stream("POST", url, json=body, headers=headers) as reply:
                    if reply.status_code >= 400:
                        text = (await reply.aread()).decode("utf-8", "replace")[:4000]
                        asked = self._retry_after(reply.headers)
                        wait = self._retry_wait(asked, retry_number)
                        error, outage = self.http_error(
                            reply.status_code, text, asked, self.model_for(request)
                        )
                        if not (error.retryable and can_retry and wait is not None):
                            yield _Failure(error, outage)
                            return
                    else:
                        try:
                            lines = self._within_deadlines(reply.aiter_lines(), state, started)
                            async for event in self.parse(lines, state):
                                streamed = True
                                if (
                                    isinstance(event, ToolCallRequest)
                                    and request.json_schema is not None
                                    and event.name == request.schema_name
                                ):
                                    # the forced answer tool (Anthropic): its input is the answer
                                    event = TextDelta(json.dumps(event.arguments))
                                    state.answer_tool = True
                                if isinstance(event, TextDelta):
                                    state.text += event.text
                                else:
                                    state.tool_calls += 1
                                yield event
                        except (TypeError, AttributeError, KeyError, ValueError) as exc:
                            # valid JSON of an unexpected shape: a reply, not a crash
                            shape = f"unexpected reply shape ({type(exc).__name__})"
                            raise UpstreamError("protocol", shape, garbled=True) from None
                        yield self._done(request, state)
                        return
            except UpstreamError as exc:
                retry = exc.transient and not streamed
                message = self._unreadable(exc.message) if exc.garbled else exc.message
                failure = _Failure(
                    StreamError(exc.kind, one_line(f"{label}: {message}"), retry), True
                )
            except httpx.TimeoutException as exc:
                connecting = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                if connecting:
                    failure = _Failure(StreamError("connect", self.unreachable(), True), True)
                else:
                    failure = _Failure(
                        StreamError(
                            "timeout",
                            one_line(
                                f"{label}: no reply within {self.timeout:.0f} s — try "
                                "again, or raise RENUBU_LLM_TIMEOUT"
                            ),
                            not streamed,
                        ),
                        True,
                    )
                    can_retry = False  # a slow model stays slow; do not double the wait
            except httpx.ConnectError:
                failure = _Failure(StreamError("connect", self.unreachable(), True), True)
            except httpx.HTTPError as exc:  # read errors, a server that hung up mid-reply
                what = "connection lost mid-answer" if streamed else _broken(exc)
                failure = _Failure(
                    StreamError("connect", one_line(f"{label}: {what}"), not streamed), True
                )
            if failure is not None:
                if streamed or not failure.error.retryable or not can_retry:
                    if streamed:
                        kept = f"{failure.error.message} (the partial answer is kept)"
                        failure = _Failure(
                            StreamError(failure.error.kind, one_line(kept), False),
                            failure.outage,
                        )
                    yield failure
                    return
                wait = self.retry.backoff(retry_number, self._rand)
            assert wait is not None
            await self._sleep(wait)
            retry_number += 1

    def _unreadable(self, detail: str) -> str:
        return f"{detail} — is {self.base_url} {self.server_noun}?"


def _fewer_passages(turn: list[ChatMessage], over: int) -> list[ChatMessage]:
    """`turn` with knowledge passages (a tool reply `{"passages": [...]}`, best first) left
    out from the lowest rank until about `over` tokens are saved or none is left; the reply
    says how many were left out, so the model knows the list is not complete."""
    out = list(turn)
    for index in reversed(range(len(out))):
        message = out[index]
        if message.role != "tool" or over <= 0:
            continue
        try:
            payload = json.loads(message.content)
        except ValueError:
            continue
        passages = payload.get("passages") if isinstance(payload, dict) else None
        if not isinstance(passages, list) or not passages:
            continue
        before = prompt_size([message])
        shorter = message
        while passages and prompt_size([shorter]) > before - over:
            passages.pop()
            payload["left_out"] = int(payload.get("left_out", 0)) + 1
            shorter = dataclasses.replace(message, content=json.dumps(payload, ensure_ascii=False))
        out[index] = shorter
        over -= before - prompt_size([shorter])
    return out
