"""`renubu serve` lets no one in without a sign-in, and each tab runs as its signed-in person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from renubu_tui.web.server import COOKIE, PersonalAppService, RenubuServer
from renubu_tui.web.tokens import TokenStore


def _server(tmp_path: Path, user_header: str | None = None) -> tuple[RenubuServer, str]:
    tokens = TokenStore(tmp_path / "tokens.json")
    token = tokens.add("maya@acme.test", "acme-cs")
    server = RenubuServer(
        tokens,
        host="127.0.0.1",
        port=8000,
        environment={"RENUBU_DATABASE_URL": "sqlite+aiosqlite:///x"},
        user_header=user_header,
    )
    return server, token


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[TestClient, str]]:  # type: ignore[type-arg]
    server, token = _server(tmp_path)
    async with TestClient(TestServer(await server._make_app())) as test_client:
        yield test_client, token


async def test_nobody_gets_the_page_or_the_socket_without_signing_in(
    client: tuple[TestClient, str],  # type: ignore[type-arg]
) -> None:
    http, _ = client
    page = await http.get("/")
    assert page.status == 401
    assert "renubu serve --add-user" in await page.text()
    assert (await http.get("/ws")).status == 401
    assert (await http.get("/download/anything")).status == 401
    assert (await http.get("/?token=wrong")).status == 401


async def test_the_static_files_need_no_sign_in(client: tuple[TestClient, str]) -> None:  # type: ignore[type-arg]
    http, _ = client
    assert (await http.get("/static/js/textual.js")).status == 200


async def test_a_link_becomes_a_cookie_and_leaves_the_address_bar(
    client: tuple[TestClient, str],  # type: ignore[type-arg]
) -> None:
    http, token = client
    answer = await http.get(f"/?token={token}&fontsize=14", allow_redirects=False)
    assert answer.status == 303
    assert "token" not in answer.headers["Location"]
    assert "fontsize=14" in answer.headers["Location"]
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    page = await http.get("/")  # the client keeps the cookie, as a browser does
    assert page.status == 200
    assert "textual-terminal" in await page.text()


async def test_a_socket_from_another_site_is_refused_even_when_signed_in(
    client: tuple[TestClient, str],  # type: ignore[type-arg]
) -> None:
    http, token = client
    await http.get(f"/?token={token}")
    answer = await http.get("/ws", headers={"Origin": "http://evil.example"})
    assert answer.status == 403


async def test_behind_a_proxy_the_header_names_the_person(tmp_path: Path) -> None:
    server, _ = _server(tmp_path, user_header="X-Forwarded-Email")
    async with TestClient(TestServer(await server._make_app())) as http:
        assert (await http.get("/")).status == 401
        assert (await http.get("/", headers={"X-Forwarded-Email": "maya@acme.test"})).status == 200


def test_a_tab_runs_as_its_person_with_the_servers_settings() -> None:
    async def nothing(*_: object) -> None:
        return None

    service = PersonalAppService(
        "true",
        write_bytes=nothing,
        write_str=nothing,
        close=nothing,
        download_manager=None,  # type: ignore[arg-type]
        environment={"RENUBU_USER": "maya@acme.test", "RENUBU_DATABASE_URL": "x"},
    )
    environment = service._build_environment(100, 30)
    assert environment["RENUBU_USER"] == "maya@acme.test"
    assert environment["RENUBU_DATABASE_URL"] == "x"
    assert environment["TEXTUAL_DRIVER"].endswith("WebDriver")
