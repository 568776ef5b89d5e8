"""Retries, timeouts, disconnects, the breaker and the one-line messages, shared by every HTTP
provider (exercised here through ollama and the OpenAI-compatible provider)."""

from __future__ import annotations

import datetime as dt
import json
import socket

import httpx
import pytest

from renubu_tui.llm import ChatMessage, ChatRequest, Done, StreamError, TextDelta
from renubu_tui.llm.events import ToolCallRequest
from renubu_tui.llm.ollama import OllamaProvider
from renubu_tui.llm.openai_compat import OpenAICompatProvider
from renubu_tui.llm.resilience import CircuitBreaker, RetryPolicy
from tests.llm.conftest import FakeClock, FakeSleep, Replay, events_of, streamed, text_of

REQUEST = ChatRequest([ChatMessage("user", "How is Bluesoft doing?")])
NOW = dt.datetime(2025, 9, 24, 12, 0, 0, tzinfo=dt.UTC)


def ok_body(*parts: str) -> str:
    lines = [{"message": {"content": p}, "done": False} for p in parts]
    lines.append({"message": {"content": ""}, "done": True, "eval_count": 3})
    return "".join(json.dumps(line) + "\n" for line in lines)


def ollama(replay: Replay, sleep: FakeSleep, **kw: object) -> OllamaProvider:
    return OllamaProvider(
        transport=replay.transport, sleep=sleep, rand=lambda: 0.5, now=lambda: NOW, **kw
    )


def assert_one_line(error: StreamError) -> None:
    assert "\n" not in error.message and "Traceback" not in error.message
    assert len(error.message) <= 300


async def test_429_waits_for_retry_after_then_succeeds(fake_sleep: FakeSleep) -> None:
    limited = streamed("slow down", status=429, headers={"retry-after": "3"})
    replay = Replay(limited, streamed(ok_body("Healthy.")))
    events = await events_of(ollama(replay, fake_sleep), REQUEST)
    assert text_of(events) == "Healthy." and isinstance(events[-1], Done)
    assert fake_sleep.calls == [3.0] and len(replay.requests) == 2


async def test_429_with_an_http_date(fake_sleep: FakeSleep) -> None:
    when = "Wed, 24 Sep 2025 12:00:12 GMT"
    replay = Replay(streamed("", status=429, headers={"retry-after": when}), streamed(ok_body("k")))
    await events_of(ollama(replay, fake_sleep), REQUEST)
    assert fake_sleep.calls == [12.0]


async def test_429_asking_for_longer_than_the_cap_is_reported_not_waited(
    fake_sleep: FakeSleep,
) -> None:
    replay = Replay(streamed("", status=429, headers={"retry-after": "120"}))
    events = await events_of(ollama(replay, fake_sleep), REQUEST)
    assert events == [
        StreamError("http", "ollama · llama3.1: rate limited (HTTP 429) — try again in 120 s", True)
    ]
    assert fake_sleep.calls == [] and len(replay.requests) == 1


async def test_500_then_success_backs_off_with_jitter(fake_sleep: FakeSleep) -> None:
    replay = Replay(streamed("boom", status=500), streamed(ok_body("Recovered.")))
    events = await events_of(ollama(replay, fake_sleep), REQUEST)
    assert text_of(events) == "Recovered."
    assert fake_sleep.calls == [0.25]  # rand 0.5 × base 0.5 s


async def test_persistent_500_gives_up_after_the_attempts(fake_sleep: FakeSleep) -> None:
    body = json.dumps({"error": "llama runner crashed"})
    replay = Replay(streamed(body, status=500))
    events = await events_of(ollama(replay, fake_sleep), REQUEST)
    assert events == [
        StreamError(
            "http",
            "ollama · llama3.1: server error (HTTP 500): llama runner crashed — try again",
            True,
        )
    ]
    assert len(replay.requests) == 3 and fake_sleep.calls == [0.25, 0.5]


async def test_connect_error_is_retried(fake_sleep: FakeSleep) -> None:
    replay = Replay(httpx.ConnectError("refused"), streamed(ok_body("Up.")))
    events = await events_of(ollama(replay, fake_sleep), REQUEST)
    assert text_of(events) == "Up." and len(replay.requests) == 2


async def test_read_timeout_is_one_line_and_not_retried(fake_sleep: FakeSleep) -> None:
    replay = Replay(httpx.ReadTimeout("timed out"))
    events = await events_of(ollama(replay, fake_sleep, timeout=45), REQUEST)
    [error] = events
    assert error == StreamError(
        "timeout",
        "ollama · llama3.1: no reply within 45 s — try again, or raise RENUBU_LLM_TIMEOUT",
        True,
    )
    assert len(replay.requests) == 1 and fake_sleep.calls == []
    assert_one_line(error)


async def test_disconnect_mid_stream_keeps_partial_text_and_never_retries(
    fake_sleep: FakeSleep,
) -> None:
    partial = "".join(
        json.dumps({"message": {"content": p}, "done": False}) + "\n" for p in ("Bluesoft ", "is ")
    )
    cut = streamed(partial, error=httpx.ReadError("connection reset by peer"))
    replay = Replay(cut, streamed(ok_body("should never be fetched")))
    events = await events_of(ollama(replay, fake_sleep), REQUEST)
    assert [type(e) for e in events] == [TextDelta, TextDelta, StreamError]
    assert text_of(events) == "Bluesoft is "
    error = events[-1]
    assert error.kind == "connect" and error.retryable is False
    assert error.message == (
        "ollama · llama3.1: connection lost mid-answer (the partial answer is kept)"
    )
    assert len(replay.requests) == 1 and fake_sleep.calls == []


async def test_no_server_says_where_it_looked(fake_sleep: FakeSleep) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = OllamaProvider(base_url=f"http://127.0.0.1:{port}", sleep=fake_sleep)
    try:
        events = await events_of(provider, REQUEST)
    finally:
        await provider.aclose()
    [error] = events
    assert error.kind == "connect" and error.retryable
    assert error.message == f"cannot reach ollama at http://127.0.0.1:{port} — is it running?"
    assert len(fake_sleep.calls) == 2  # retried twice, without really waiting
    assert_one_line(error)


async def test_breaker_opens_refuses_then_half_opens(fake_sleep: FakeSleep) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, cooldown=30, clock=clock)
    replay = Replay(httpx.ConnectError("refused"))
    provider = ollama(replay, fake_sleep, breaker=breaker, retry=RetryPolicy(max_attempts=1))
    for _ in range(2):
        [error] = await events_of(provider, REQUEST)
        assert error.kind == "connect"
    assert breaker.state == "open"
    [error] = await events_of(provider, REQUEST)
    assert error == StreamError(
        "circuit_open",
        "ollama · llama3.1: paused after 2 failed calls in a row — trying again in 30 s",
        True,
    )
    assert len(replay.requests) == 2  # refused without a request
    clock.advance(30)
    replay.queue = [streamed(ok_body("Back."))]
    events = await events_of(provider, REQUEST)
    assert text_of(events) == "Back." and breaker.state == "closed"


async def test_configuration_errors_do_not_trip_the_breaker(fake_sleep: FakeSleep) -> None:
    breaker = CircuitBreaker(failure_threshold=1)
    replay = Replay(streamed("no", status=401))
    provider = ollama(replay, fake_sleep, breaker=breaker)
    for _ in range(3):
        [error] = await events_of(provider, REQUEST)
        assert error.kind == "config" and "bad API key" in error.message
    assert breaker.state == "closed" and len(replay.requests) == 3


async def test_abandoned_stream_releases_the_half_open_trial(fake_sleep: FakeSleep) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown=5, clock=clock)
    breaker.record_failure()
    clock.advance(5)
    provider = ollama(Replay(streamed(ok_body("a", "b", "c"))), fake_sleep, breaker=breaker)
    stream = provider.stream(REQUEST)
    assert isinstance(await anext(stream), TextDelta)
    await stream.aclose()  # the reader pressed Esc
    assert breaker.state == "half_open" and breaker.allow()


@pytest.mark.parametrize(("timeout", "connect", "read"), [(60.0, 10.0, 60.0), (5.0, 5.0, 5.0)])
async def test_client_timeouts_come_from_the_setting(
    timeout: float, connect: float, read: float
) -> None:
    provider = OpenAICompatProvider(base_url="http://localhost:1", timeout=timeout)
    client = provider.client
    assert provider.client is client  # one client per provider
    assert (client.timeout.connect, client.timeout.read) == (connect, read)
    assert client.timeout.pool is not None and client.timeout.write is not None
    await provider.aclose()


# --- deadlines: keep-alives are not progress --------------------------------------------------


class KeepAlives(httpx.AsyncByteStream):
    """A server that is up but never answers: SSE keep-alive comments every few ms, forever
    (llama.cpp pings like this while a model loads or a long prompt is read), optionally after
    some real events."""

    def __init__(self, first: bytes = b"") -> None:
        self.first = first

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        import asyncio

        if self.first:
            yield self.first
        while True:
            await asyncio.sleep(0.01)
            yield b": keep-alive\n\n"

    async def aclose(self) -> None:
        return None


def keep_alive_server(first: bytes = b"") -> Replay:
    return Replay(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=KeepAlives(first)
        )
    )


async def test_keep_alives_do_not_meet_the_first_token_deadline(fake_sleep: FakeSleep) -> None:
    import time

    from renubu_tui.llm import make_provider
    from renubu_tui.settings import Settings

    replay = keep_alive_server()
    settings = Settings(
        llm_provider="openai",
        llm_base_url="http://127.0.0.1:8080",
        llm_model="smol",
        llm_timeout=10.0,  # the idle timeout never fires: comments keep the socket busy
        llm_first_token_timeout=0.3,
        llm_deadline=30.0,
    )
    provider = make_provider(settings, transport=replay.transport, sleep=fake_sleep)
    started = time.monotonic()
    events = await events_of(provider, REQUEST)
    took = time.monotonic() - started
    assert 0.25 <= took < 2.0
    error = events[-1]
    assert [type(e) for e in events] == [StreamError] and error.kind == "timeout"
    assert error.message == (
        "openai-compatible · smol @ 127.0.0.1:8080: no first token within 0.3 s — the server is "
        "up but the model has not started; raise [llm] first_token_timeout or use a smaller model"
    )
    assert_one_line(error)
    # the window probe (silent too: given up within the same deadline), then one call: a
    # slow model stays slow, so it is not retried
    assert [r.url.path for r in replay.requests] == ["/props", "/v1/chat/completions"]
    await provider.close()


async def test_the_overall_deadline_stops_an_answer_that_stalls(fake_sleep: FakeSleep) -> None:
    first = b'data: {"choices":[{"delta":{"content":"Bluesoft is"}}]}\n\n'
    replay = keep_alive_server(first)
    provider = OpenAICompatProvider(
        base_url="http://127.0.0.1:8080",
        model="smol",
        transport=replay.transport,
        sleep=fake_sleep,
        first_token_timeout=5.0,
        deadline=0.3,
    )
    events = await events_of(provider, REQUEST)
    assert text_of(events) == "Bluesoft is"
    error = events[-1]
    assert isinstance(error, StreamError) and error.kind == "timeout" and not error.retryable
    assert error.message == (
        "openai-compatible · smol @ 127.0.0.1:8080: the answer took longer than 0.3 s and was "
        "stopped — raise [llm] deadline (the partial answer is kept)"
    )
    await provider.aclose()


async def test_a_dropped_connection_is_said_in_words(fake_sleep: FakeSleep) -> None:
    replay = Replay(httpx.RemoteProtocolError("Server disconnected without sending a response."))
    events = await events_of(ollama(replay, fake_sleep, retry=RetryPolicy(max_attempts=1)), REQUEST)
    error = events[-1]
    assert isinstance(error, StreamError) and error.kind == "connect" and error.retryable
    assert error.message == ("ollama · llama3.1: the server closed the connection without a reply")


# --- the context budget ([llm] context_tokens) -------------------------------------------------


def _thread(turns: int) -> ChatRequest:
    messages = [ChatMessage("system", "s" * 400)]  # ≈ 100 tokens
    for n in range(turns):
        messages += [ChatMessage("user", f"q{n} " + "u" * 396), ChatMessage("assistant", "a" * 400)]
    messages.append(ChatMessage("user", "newest question"))
    return ChatRequest(messages, max_tokens=2000)


async def test_old_turns_are_dropped_to_fit_the_context(fake_sleep: FakeSleep) -> None:
    replay = Replay(streamed(ok_body("Fine.")))
    provider = ollama(replay, fake_sleep, context_tokens=1024)
    events = await events_of(provider, _thread(10))
    assert isinstance(events[-1], Done)
    sent = json.loads(replay.requests[0].content)
    contents = [m["content"][:3] for m in sent["messages"]]
    # 512 tokens kept for the answer; the system prompt, the newest question, then whole
    # turns newest first while they fit
    assert contents[0] == "sss" and contents[-1] == "new"
    assert contents[1:-1] == ["q9 ", "aaa"]  # 104 + 8 + 208 of 512; another turn would not fit
    assert 512 <= sent["options"]["num_predict"] <= 2000


async def test_a_prompt_that_cannot_fit_says_so_before_sending(fake_sleep: FakeSleep) -> None:
    replay = Replay(streamed(ok_body("never")))
    request = ChatRequest(
        [ChatMessage("system", "x" * 9000), ChatMessage("user", "hi")], max_tokens=2000
    )
    events = await events_of(ollama(replay, fake_sleep, context_tokens=2048), request)
    assert [type(e) for e in events] == [StreamError] and events[0].kind == "config"
    assert events[0].message == (
        "ollama · llama3.1: the prompt needs about 2,259 tokens but the model's context holds "
        "2,048 with 1,024 kept for the answer — raise [llm] context_tokens, lower [llm] "
        "max_tokens, or use a model with a larger context"
    )
    assert replay.requests == []


async def test_the_lowest_ranked_passages_give_way_before_the_prompt_is_refused(
    fake_sleep: FakeSleep,
) -> None:
    replay = Replay(streamed(ok_body("Fine.")))
    passages = [{"title": f"p{rank}", "text": f"{rank} " + "w" * 400} for rank in range(1, 6)]
    call = ToolCallRequest("c1", "rag_search", {"query": "renewal"})
    request = ChatRequest(
        [
            ChatMessage("system", "s" * 400),  # ≈ 100 tokens
            ChatMessage("user", "what does the playbook say?"),
            ChatMessage("assistant", "", tool_calls=(call,)),
            ChatMessage("tool", json.dumps({"passages": passages}), "rag_search", "c1"),
        ],
        max_tokens=2000,
    )
    # 1 024 tokens: 512 for the answer, ≈ 100 for the system prompt; five passages of ≈ 105
    # tokens each do not fit beside it, three do
    events = await events_of(ollama(replay, fake_sleep, context_tokens=1024), request)
    assert isinstance(events[-1], Done)
    sent = json.loads(replay.requests[0].content)
    tool = json.loads(sent["messages"][-1]["content"])
    assert [p["title"] for p in tool["passages"]] == ["p1", "p2", "p3"]
    assert tool["left_out"] == 2


async def test_a_reply_that_ends_before_any_word_points_at_the_context_window(
    fake_sleep: FakeSleep,
) -> None:
    # llama-cpp-python's server, given a prompt longer than its n_ctx, opens the stream and
    # closes it with nothing in it (its log: "Requested tokens (2958) exceed context window")
    replay = Replay(streamed(""), streamed(""), streamed(""))
    provider = OpenAICompatProvider(
        base_url="http://127.0.0.1:8765",
        model="smol",
        transport=replay.transport,
        sleep=fake_sleep,
        retry=RetryPolicy(max_attempts=1),
    )
    events = await events_of(provider, REQUEST)
    error = events[-1]
    assert isinstance(error, StreamError) and error.kind == "protocol"
    assert "before the model wrote anything" in error.message
    assert "[llm] context_tokens" in error.message
    assert_one_line(error)
    await provider.aclose()
