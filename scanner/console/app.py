"""The console's application factory: routes per area, the security headers on every
response, static CSS (no scripts anywhere), and the store opened once for the process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scanner.console import routes_admin, routes_api, routes_auth, routes_runs, routes_sites
from scanner.console.config import ConsoleConfig
from scanner.console.web import HEADERS, environment
from scanner.store.backend import Database, open_database

STATIC = Path(__file__).resolve().parent / "static"


class SecurityHeaders:
    """Adds :data:`~scanner.console.web.HEADERS` (and HSTS over HTTPS) to every response."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        extra = dict(HEADERS)
        if secure:
            extra["Strict-Transport-Security"] = "max-age=31536000"
        self.headers = [(k.lower().encode(), v.encode()) for k, v in extra.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _v in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in self.headers if k not in names),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    return Response("not found", status_code=404, media_type="text/plain")


def create_app(config: ConsoleConfig, db: Database | None = None) -> Starlette:
    """The console over ``config.store`` (or an already open ``db``, which the caller closes)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = app.state.db is None
        if owned:
            app.state.db = open_database(config.store)
        try:
            yield
        finally:
            if owned:
                app.state.db.close()

    app = Starlette(
        routes=[
            *routes_auth.ROUTES, *routes_sites.ROUTES, *routes_runs.ROUTES,
            *routes_admin.ROUTES, *routes_api.ROUTES,
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders, secure=config.secure)],
        exception_handlers={404: _not_found},
        lifespan=lifespan,
    )  # fmt: skip
    app.state.db = db
    app.state.config = config
    app.state.env = environment()
    return app
