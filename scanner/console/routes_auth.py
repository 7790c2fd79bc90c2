"""Logging in and out, changing one's password, and the health check."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from scanner.console import auth, sessions
from scanner.console.web import Ctx, FormError, back, context, page, remember_language
from scanner.errors import InputError


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _login_key(ctx: Ctx) -> str:
    with ctx.db.write("reading the console secret") as tx:
        return sessions.secret(tx)


async def login_form(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is not None:
        return RedirectResponse("/", status_code=303)
    return remember_language(ctx, await _show_login(ctx, failed=False))


async def _show_login(ctx: Ctx, failed: bool) -> Response:
    pre = secrets.token_urlsafe(24)
    key = await ctx.run(_login_key, ctx)
    response = ctx.render("login.html.j2", 401 if failed else 200, failed=failed,
                          login_csrf=sessions.login_token(key, pre))  # fmt: skip
    response.set_cookie(sessions.PRE_COOKIE, pre, httponly=True, samesite="strict",
                        secure=ctx.config.secure, max_age=3600)  # fmt: skip
    return response


def _login(ctx: Ctx, username: str, password: str, client: str) -> str | None:
    with ctx.db.write("logging in") as tx:
        user = auth.login(tx, username, password, client)
        return sessions.create(tx, user.username, ctx.config.session_hours) if user else None


async def login(request: Request) -> Response:
    ctx = await context(request)
    data = await request.form(max_files=0, max_fields=10)
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    pre = request.cookies.get(sessions.PRE_COOKIE, "")
    key = await ctx.run(_login_key, ctx)
    if not pre or not sessions.same(sessions.login_token(key, pre), fields.get("csrf", "")):
        return ctx.render("message.html.j2", 403, message=ctx.t("bad_form"))
    token = await ctx.run(
        _login, ctx, fields.get("username", ""), fields.get("password", ""), _client(request)
    )
    if token is None:
        return await _show_login(ctx, failed=True)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="strict",
                        secure=ctx.config.secure, path="/")  # fmt: skip
    response.delete_cookie(sessions.PRE_COOKIE)
    return response


@page("viewer")
async def logout(ctx: Ctx) -> Response:
    await ctx.form()
    user = ctx.user.username if ctx.user else "-"

    def end() -> None:
        with ctx.db.write("logging out") as tx:
            sessions.end(tx, ctx.token, user)

    await ctx.run(end)
    response = back("/login")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@page("viewer")
async def password_form(ctx: Ctx) -> Response:
    return ctx.render("password.html.j2", error="")


@page("viewer")
async def password(ctx: Ctx) -> Response:
    fields = await ctx.form()
    assert ctx.user is not None
    name = ctx.user.username

    def change() -> str | None:
        with ctx.db.write("changing a password") as tx:
            if auth.login(tx, name, fields.get("current", ""), _client(ctx.request)) is None:
                return ctx.t("login_failed")
            auth.set_password(tx, name, name, fields.get("new", ""), must_change=False)
            return None

    try:
        error = await ctx.run(change)
    except InputError as exc:
        error = str(exc)
    if error:
        return ctx.render("password.html.j2", 400, error=error)
    response = back("/login")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


ROUTES = [
    Route("/healthz", healthz),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account/password", password_form, methods=["GET"]),
    Route("/account/password", password, methods=["POST"]),
]

__all__ = ["ROUTES", "FormError"]
