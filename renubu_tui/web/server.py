"""renubu in a browser: textual-serve's server, with no page or session for anyone unknown.

textual-serve runs one app process per browser tab and relays the terminal over a WebSocket; it
has no notion of who is at the browser. Here every request but the static files (fonts, the
terminal's JavaScript) must come from a known person: either a sign-in link's token, exchanged
once for a session cookie (HttpOnly, SameSite=Strict), or the header a team's reverse proxy sets
after its own sign-in (`--user-header`). The app process of a tab runs as that person
(RENUBU_USER in its environment, never on a shell command line). A WebSocket from another
origin is refused, so a page elsewhere cannot drive a signed-in person's app.
"""

from __future__ import annotations

import secrets
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from renubu_tui.web.tokens import Login, TokenStore

COOKIE = "renubu_session"
SIGN_IN_HELP = (
    "renubu: sign in with your own link (an admin prints it with "
    "`renubu serve --add-user EMAIL`), or through your team's proxy."
)


class PersonalAppService(AppService):
    """One tab's app process, with the signed-in person (and the server's settings) in its
    environment."""

    def __init__(self, *args: Any, environment: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._personal = dict(environment)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self._personal)
        return environment


class RenubuServer(Server):
    def __init__(
        self,
        tokens: TokenStore,
        *,
        host: str,
        port: int,
        environment: Mapping[str, str],
        user_header: str | None = None,
        public_url: str | None = None,
    ) -> None:
        command = f"{shlex.quote(sys.executable)} -m renubu_tui.web.child"
        static = Path(sys.modules[Server.__module__].__file__ or ".").parent
        super().__init__(
            command,
            host=host,
            port=port,
            title="renubu",
            public_url=public_url,
            statics_path=static / "static",
            templates_path=static / "templates",
        )
        self.tokens = tokens
        self.environment = dict(environment)  # the server's settings, passed to every tab
        self.user_header = user_header
        self.sessions: dict[str, Login] = {}

    async def on_startup(self, app: web.Application) -> None:
        who = (
            f"signed in by the {self.user_header} header"
            if self.user_header
            else f"{len(self.tokens.emails())} people with a sign-in link"
        )
        self.console.print(f"renubu: serving on {self.public_url} ({who}); Ctrl+C stops")

    def login_of(self, request: web.Request) -> Login | None:
        if self.user_header:
            email = request.headers.get(self.user_header, "").strip()
            return Login(email=email, tenant=None) if email else None
        return self.sessions.get(request.cookies.get(COOKIE, ""))

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._require_login)
        return app

    @web.middleware
    async def _require_login(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/static/"):
            return await handler(request)
        token = request.query.get("token")
        if token is not None and request.path == "/":
            raise self._sign_in(request, token)
        if self.login_of(request) is None:
            raise web.HTTPUnauthorized(text=SIGN_IN_HELP + "\n")
        return await handler(request)

    def _sign_in(self, request: web.Request, token: str) -> web.HTTPSeeOther:
        """A redirect to the same page without the token, carrying the session cookie."""
        login = self.tokens.login(token)
        if login is None:
            raise web.HTTPUnauthorized(
                text="renubu: this sign-in link is not (or no longer) valid.\n"
            )
        session = secrets.token_urlsafe(32)
        self.sessions[session] = login
        query = {k: v for k, v in request.query.items() if k != "token"}
        response = web.HTTPSeeOther(request.rel_url.with_query(query))  # the token leaves the URL
        response.set_cookie(
            COOKIE,
            session,
            httponly=True,
            samesite="Strict",
            secure=self.public_url.startswith("https"),
            path="/",
        )
        return response

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser's cross-site request: browsers always send Origin
        return urlsplit(origin).netloc == request.host

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with the tab's app run as the signed-in person."""
        login = self.login_of(request)
        if login is None or not self._same_origin(request):
            raise web.HTTPForbidden(text=SIGN_IN_HELP + "\n")
        environment = {**self.environment, "RENUBU_USER": login.email}
        if login.tenant:
            environment["RENUBU_TENANT"] = login.tenant
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        app_service = PersonalAppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
            environment=environment,
        )
        try:
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        finally:
            await app_service.stop()
        return websocket
