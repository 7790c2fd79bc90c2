"""The registry editor (officers), accounts and sensors (admins), the audit log (admins)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import Route

from scanner.console import audit, auth, queries, registries, sensors
from scanner.console.web import Ctx, back, int_param, page
from scanner.errors import InputError
from scanner.registry.model import RegistryError


def _registry_site(ctx: Ctx, names: list[str], wanted: str) -> str:
    return wanted if wanted in names else (names[0] if names else "")


@page("viewer")
async def registry_page(ctx: Ctx) -> Response:
    def read() -> tuple[list[str], str, str | None]:
        with ctx.db.read() as tx:
            names = queries.site_names(tx)
            site = _registry_site(ctx, names, ctx.request.query_params.get("site", ""))
            return names, site, registries.text_of(tx, site) if site else None

    names, site, text = await ctx.run(read)
    saved = ctx.request.query_params.get("saved") == "1"
    return ctx.render("registry.html.j2", sites=names, site=site, text=text or "",
                      exists=text is not None, problems=[], saved=saved)  # fmt: skip


@page("officer")
async def registry_save(ctx: Ctx) -> Response:
    fields = await ctx.form()
    text = fields.get("body", "")
    assert ctx.user is not None
    actor = ctx.user.username

    def write() -> tuple[list[str], str]:
        with ctx.db.write("saving a registry") as tx:
            names = queries.site_names(tx)
            site = fields.get("site", "")
            if site not in names:
                raise InputError("unknown site")
            registries.save(tx, actor, site, text)
            return names, site

    try:
        _names, site = await ctx.run(write)
    except RegistryError as exc:
        names = await ctx.run(_names_of, ctx)
        return ctx.render("registry.html.j2", 400, sites=names, site=fields.get("site", ""),
                          text=text, exists=True, problems=exc.problems, saved=False)  # fmt: skip
    except InputError as exc:
        return ctx.render("message.html.j2", 400, message=str(exc))
    return back(f"/registry?site={quote(site, safe='')}&saved=1")


def _names_of(ctx: Ctx) -> list[str]:
    with ctx.db.read() as tx:
        return queries.site_names(tx)


@page("admin")
async def users_page(ctx: Ctx) -> Response:
    def read() -> list[auth.User]:
        with ctx.db.read() as tx:
            return auth.users(tx)

    return ctx.render("users.html.j2", users=await ctx.run(read), roles=auth.ROLES,
                      created=None, password=None, error="")  # fmt: skip


@page("admin")
async def users_add(ctx: Ctx) -> Response:
    fields = await ctx.form()
    assert ctx.user is not None
    actor = ctx.user.username
    password = auth.one_time_password()

    def write() -> tuple[auth.User, list[auth.User]]:
        with ctx.db.write("adding a user") as tx:
            made = auth.add(tx, actor, fields.get("username", ""), fields.get("role", ""),
                            password, must_change=True)  # fmt: skip
            return made, auth.users(tx)

    try:
        made, listed = await ctx.run(write)
    except InputError as exc:
        listed = await ctx.run(_users, ctx)
        return ctx.render("users.html.j2", 400, users=listed, roles=auth.ROLES, created=None,
                          password=None, error=str(exc))  # fmt: skip
    return ctx.render("users.html.j2", users=listed, roles=auth.ROLES, created=made,
                      password=password, error="")  # fmt: skip


def _users(ctx: Ctx) -> list[auth.User]:
    with ctx.db.read() as tx:
        return auth.users(tx)


@page("admin")
async def users_update(ctx: Ctx) -> Response:
    fields = await ctx.form()
    assert ctx.user is not None
    actor, name = ctx.user.username, ctx.request.path_params["name"]
    if name == actor:
        return ctx.render("message.html.j2", 400, message="you cannot change your own role")

    def write() -> None:
        with ctx.db.write("updating a user") as tx:
            auth.update(tx, actor, name, fields.get("role", ""), fields.get("disabled") == "1")

    try:
        await ctx.run(write)
    except InputError as exc:
        return ctx.render("message.html.j2", 400, message=str(exc))
    return back("/users")


@page("admin")
async def sensors_page(ctx: Ctx) -> Response:
    def read() -> list[sensors.Sensor]:
        with ctx.db.read() as tx:
            return sensors.all_sensors(tx)

    return ctx.render("sensors.html.j2", sensors=await ctx.run(read), token=None, error="")


@page("admin")
async def sensors_add(ctx: Ctx) -> Response:
    fields = await ctx.form()
    assert ctx.user is not None
    actor = ctx.user.username

    def write() -> tuple[str, list[sensors.Sensor]]:
        with ctx.db.write("adding a sensor") as tx:
            _sensor, token = sensors.add(tx, actor, fields.get("site", ""))
            return token, sensors.all_sensors(tx)

    try:
        token, listed = await ctx.run(write)
    except InputError as exc:
        return ctx.render("message.html.j2", 400, message=str(exc))
    return ctx.render("sensors.html.j2", sensors=listed, token=token, error="")


@page("admin")
async def sensors_revoke(ctx: Ctx) -> Response:
    await ctx.form()
    assert ctx.user is not None
    actor, sensor_id = ctx.user.username, ctx.request.path_params["sensor_id"]

    def write() -> None:
        with ctx.db.write("revoking a sensor") as tx:
            sensors.revoke(tx, actor, sensor_id)

    await ctx.run(write)
    return back("/sensors")


@page("admin")
async def audit_page(ctx: Ctx) -> Response:
    offset = int_param(ctx.request.query_params.get("offset"))

    def read() -> list[audit.Entry]:
        with ctx.db.read() as tx:
            return audit.entries(tx, 200, offset)

    return ctx.render("audit.html.j2", entries=await ctx.run(read), offset=offset)


ROUTES = [
    Route("/registry", registry_page, methods=["GET"]),
    Route("/registry", registry_save, methods=["POST"]),
    Route("/users", users_page, methods=["GET"]),
    Route("/users", users_add, methods=["POST"]),
    Route("/users/{name}", users_update, methods=["POST"]),
    Route("/sensors", sensors_page, methods=["GET"]),
    Route("/sensors", sensors_add, methods=["POST"]),
    Route("/sensors/{sensor_id}/revoke", sensors_revoke, methods=["POST"]),
    Route("/audit", audit_page),
]
