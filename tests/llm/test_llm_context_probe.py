"""The context window asked of the server (issue 17, item 2): ollama's POST /api/show,
llama.cpp's GET /props, vLLM's GET /v1/models — replayed, the exact request checked — asked
once per provider, bounded in time, and always second to a configured [llm] context_tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from renubu_tui.llm import ChatMessage, ChatRequest, Done, StreamError
from renubu_tui.llm.ollama import OllamaProvider
from renubu_tui.llm.openai_compat import OpenAICompatProvider
from tests.llm.conftest import FakeSleep, events_of, streamed

REQUEST = ChatRequest([ChatMessage("system", "Be brief."), ChatMessage("user", "How is Bluesoft?")])
SSE_OK = (
    'data: {"choices":[{"delta":{"content":"Fine."},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
)
OLLAMA_OK = (
    json.dumps({"message": {"content": "Fine."}, "done": False})
    + "\n"
    + json.dumps({"message": {"content": ""}, "done": True, "eval_count": 2})
    + "\n"
)


class Server:
    """A MockTransport handler that answers by path and records every request."""

    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get(request.url.path)
        return route(request) if route else httpx.Response(404, text="not found")

    @property
    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def reply(data: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=data)


def stream(body: str, content_type: str = "text/event-stream") -> Callable[..., httpx.Response]:
    return lambda request: streamed(body, content_type=content_type)


def llama_cpp(server: Server, **kw: Any) -> OpenAICompatProvider:
    return OpenAICompatProvider(
        base_url="http://127.0.0.1:8080",
        model="smol",
        transport=server.transport,
        sleep=FakeSleep(),
        probe_context=True,
        **kw,
    )


def ollama(server: Server, **kw: Any) -> OllamaProvider:
    return OllamaProvider(transport=server.transport, sleep=FakeSleep(), probe_context=True, **kw)


# llama3.1's /api/show, trimmed: the architecture's window and a Modelfile num_ctx
SHOW = {
    "parameters": 'num_ctx                        2048\nstop                       "<|eot_id|>"',
    "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
}


async def test_ollama_says_num_ctx_and_the_prompt_is_fitted_to_it() -> None:
    chat = stream(OLLAMA_OK, "application/x-ndjson")
    server = Server({"/api/show": reply(SHOW), "/api/chat": chat})
    events = await events_of(ollama(server), REQUEST)
    done = events[-1]
    assert isinstance(done, Done)
    assert server.paths == ["/api/show", "/api/chat"]
    assert json.loads(server.requests[0].content) == {"model": "llama3.1"}
    assert server.requests[0].method == "POST"
    sent = json.loads(server.requests[1].content)
    assert sent["options"]["num_predict"] <= 2048 - done.prompt_tokens  # fits the window
    assert "num_ctx" not in sent["options"]  # the server's own setting: nothing to tell it
    assert done.context_tokens == 2048
    assert done.prompt_tokens == 3 + 4 + 4 + 4  # "Be brief." and the question, ≈4 chars each
    assert done.prompt_note() == "prompt ≈15 of 2,048 tokens"


async def test_ollama_without_num_ctx_says_the_architectures_window() -> None:
    show = {"model_info": {"general.architecture": "qwen2", "qwen2.context_length": 32768}}
    server = Server({"/api/show": reply(show), "/api/chat": stream(OLLAMA_OK)})
    events = await events_of(ollama(server), REQUEST)
    assert isinstance(events[-1], Done) and events[-1].context_tokens == 32768


async def test_llama_cpp_props_say_n_ctx_and_too_big_a_prompt_is_refused_in_numbers() -> None:
    props = {"default_generation_settings": {"n_ctx": 2048, "params": {}}, "total_slots": 1}
    server = Server({"/props": reply(props), "/v1/chat/completions": stream(SSE_OK)})
    request = ChatRequest(
        [ChatMessage("system", "facts " * 1500), ChatMessage("user", "hi")], max_tokens=2000
    )
    events = await events_of(llama_cpp(server), request)
    assert [type(e) for e in events] == [StreamError] and events[0].kind == "config"
    assert events[0].message == (
        "openai-compatible · smol @ 127.0.0.1:8080: the prompt needs about 2,259 tokens but the "
        "server runs the model with a context of 2,048 with 1,024 kept for the answer — lower "
        "[llm] max_tokens, or run the model with a larger context"
    )
    assert server.paths == ["/props"]  # nothing sent that could not fit
    assert server.requests[0].method == "GET"


async def test_the_window_is_asked_once_per_provider() -> None:
    props = {"default_generation_settings": {"n_ctx": 4096}}
    server = Server({"/props": reply(props), "/v1/chat/completions": stream(SSE_OK)})
    provider = llama_cpp(server)
    for _ in range(3):
        events = await events_of(provider, REQUEST)
        assert isinstance(events[-1], Done) and events[-1].context_tokens == 4096
    assert server.paths == ["/props"] + ["/v1/chat/completions"] * 3
    await provider.close()


async def test_a_configured_window_wins_and_nothing_is_asked() -> None:
    server = Server({"/props": reply({"n_ctx": 512}), "/v1/chat/completions": stream(SSE_OK)})
    events = await events_of(llama_cpp(server, context_tokens=8192), REQUEST)
    assert isinstance(events[-1], Done) and events[-1].context_tokens == 8192
    assert server.paths == ["/v1/chat/completions"]


async def test_a_server_that_does_not_say_is_asked_once_and_answers_unbudgeted() -> None:
    server = Server({"/v1/chat/completions": stream(SSE_OK)})  # /props and /v1/models: 404
    provider = llama_cpp(server)
    for _ in range(2):
        events = await events_of(provider, REQUEST)
        done = events[-1]
        assert isinstance(done, Done) and done.context_tokens is None
        assert done.prompt_note() == "prompt ≈15 tokens"
    assert server.paths == ["/props", "/v1/models", "/v1/chat/completions", "/v1/chat/completions"]
    await provider.close()


async def test_vllm_says_max_model_len_of_the_model() -> None:
    models = {
        "object": "list",
        "data": [
            {"id": "other", "max_model_len": 99},
            {"id": "smol", "object": "model", "max_model_len": 8192},
        ],
    }
    server = Server({"/v1/models": reply(models), "/v1/chat/completions": stream(SSE_OK)})
    events = await events_of(llama_cpp(server), REQUEST)
    assert isinstance(events[-1], Done) and events[-1].context_tokens == 8192


async def test_an_unreachable_probe_is_asked_again_next_answer() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"default_generation_settings": {"n_ctx": 4096}})

    server = Server({"/props": flaky, "/v1/chat/completions": stream(SSE_OK)})
    provider = llama_cpp(server)
    first = (await events_of(provider, REQUEST))[-1]
    second = (await events_of(provider, REQUEST))[-1]
    assert isinstance(first, Done) and first.context_tokens is None
    assert isinstance(second, Done) and second.context_tokens == 4096
    await provider.close()


async def test_a_silent_probe_is_given_up_within_the_first_token_deadline() -> None:
    import asyncio
    import time

    class Silent(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            await asyncio.sleep(30)
            yield b"{}"

    server = Server(
        {
            "/props": lambda request: httpx.Response(200, stream=Silent()),
            "/v1/chat/completions": stream(SSE_OK),
        }
    )
    provider = llama_cpp(server, first_token_timeout=0.2)
    started = time.monotonic()
    events = await events_of(provider, REQUEST)
    assert time.monotonic() - started < 2.0
    assert isinstance(events[-1], StreamError) and events[-1].kind == "timeout"
    events = await events_of(provider, REQUEST)  # not asked again: it answers at once
    assert isinstance(events[-1], Done) and server.paths.count("/props") == 1
    await provider.close()


async def test_hosted_openai_is_not_asked() -> None:
    server = Server({"/v1/chat/completions": stream(SSE_OK)})
    provider = OpenAICompatProvider(
        api_key="sk", transport=server.transport, sleep=FakeSleep(), probe_context=True
    )
    events = await events_of(provider, REQUEST)
    assert isinstance(events[-1], Done)
    assert server.paths == ["/v1/chat/completions"]


async def test_ollama_is_told_a_configured_window() -> None:
    server = Server({"/api/chat": stream(OLLAMA_OK)})
    await events_of(ollama(server, context_tokens=8192), REQUEST)
    assert json.loads(server.requests[0].content)["options"]["num_ctx"] == 8192
