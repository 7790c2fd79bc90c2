"""What every page shares: the request's user and language, templates, CSRF-checked forms,
and the security headers of docs/SAFETY.md (CSP with no scripts at all, no framing, no
referrer, nothing cached). Device strings go into page bodies only, autoescaped."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from scanner.compare.labels import CLASSES, KINDS, SEVERITIES, Lang, label, vendor_name
from scanner.console import sessions
from scanner.console.auth import User, get
from scanner.console.config import ConsoleConfig
from scanner.console.i18n import t
from scanner.reporters.html import template_environment
from scanner.reporters.rows import text as clip
from scanner.store.backend import Database

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANG_COOKIE = "biosweep_lang"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class FormError(Exception):
    """A POST without the right CSRF token."""


def environment() -> jinja2.Environment:
    env = template_environment(TEMPLATES)
    env.filters["clip"] = clip
    return env


@dataclass(slots=True)
class Ctx:
    """One request: who, in which language, and the console's store and settings."""

    request: Request
    db: Database
    config: ConsoleConfig
    lang: Lang
    user: User | None
    session: sessions.Session | None
    token: str | None

    def t(self, key: str) -> str:
        return t(key, self.lang)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        env: jinja2.Environment = self.request.app.state.env
        lang = self.lang
        body = env.get_template(template).render(
            t=self.t, lang=lang, user=self.user, csrf=self.session.csrf if self.session else "",
            cls=lambda c: label(CLASSES, c, lang) if c else "—",
            kind=lambda k: label(KINDS, k, lang), sev=lambda s: label(SEVERITIES, s, lang),
            vendor=lambda v: vendor_name(v, lang) if v else "—", qs=urlencode,
            path=self.request.url.path, **values,
        )  # fmt: skip
        return HTMLResponse(body, status_code=status)

    async def form(self) -> dict[str, str]:
        """The POSTed form; FormError unless it carries this session's CSRF token."""
        data = await self.request.form(max_files=0, max_fields=200)
        fields = {k: v for k, v in data.items() if isinstance(v, str)}
        if self.session is None or not sessions.same(self.session.csrf, fields.get("csrf", "")):
            raise FormError
        return fields

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """A blocking store call, off the event loop."""
        return await run_in_threadpool(fn, *args)


def language(request: Request) -> Lang:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if wanted == "en" else "zh"


def _load(db: Database, token: str | None) -> tuple[sessions.Session | None, User | None]:
    with db.read() as tx:
        session = sessions.find(tx, token)
        user = get(tx, session.username) if session else None
    return session, user


async def context(request: Request) -> Ctx:
    db: Database = request.app.state.db
    token = request.cookies.get(sessions.COOKIE)
    session, user = await run_in_threadpool(_load, db, token) if token else (None, None)
    return Ctx(request, db, request.app.state.config, language(request), user, session, token)


Handler = Callable[[Ctx], Awaitable[Response]]


def page(role: str = "viewer") -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A page for users of at least ``role``; others go to /login (or get 403)."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            ctx = await context(request)
            return remember_language(ctx, await _guarded(ctx, handler, role))

        return endpoint

    return wrap


async def _guarded(ctx: Ctx, handler: Handler, role: str) -> Response:
    if ctx.user is None:
        return RedirectResponse("/login", status_code=303)
    if ctx.user.must_change and ctx.request.url.path != "/account/password":
        return RedirectResponse("/account/password", status_code=303)
    if not ctx.user.can(role):
        return ctx.render("message.html.j2", 403, message=ctx.t("forbidden"))
    try:
        return await handler(ctx)
    except FormError:
        return ctx.render("message.html.j2", 403, message=ctx.t("bad_form"))


def remember_language(ctx: Ctx, response: Response) -> Response:
    """``?lang=en`` on any page (the login page too) sticks, in a cookie."""
    if "lang" in ctx.request.query_params:
        response.set_cookie(LANG_COOKIE, ctx.lang, samesite="strict", httponly=True,
                            secure=ctx.config.secure, max_age=365 * 86400)  # fmt: skip
    return response


def back(url: str) -> RedirectResponse:
    """After a POST: see the page again (PRG)."""
    return RedirectResponse(url, status_code=303)


def int_param(raw: str | None, default: int = 0, high: int = 10**9) -> int:
    try:
        return max(0, min(int(raw or default), high))
    except ValueError:
        return default
