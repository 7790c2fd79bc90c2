"""Sites, the device inventory and one device's page."""

from __future__ import annotations

from datetime import date

from starlette.responses import Response
from starlette.routing import Route

from scanner.compare.labels import CLASSES
from scanner.console import queries
from scanner.console.queries import DeviceFilter
from scanner.console.web import Ctx, page


@page("viewer")
async def sites(ctx: Ctx) -> Response:
    def read() -> list[queries.SiteRow]:
        with ctx.db.read() as tx:
            return queries.sites(tx)

    rows = await ctx.run(read)
    refresh = any(r.progress for r in rows)
    return ctx.render("sites.html.j2", sites=rows, refresh=refresh)


def _filter(ctx: Ctx) -> DeviceFilter:
    q = ctx.request.query_params
    return DeviceFilter(
        site=q.get("site", "")[:120],
        collectors=q.get("collectors") == "1",
        unregistered=q.get("unregistered") == "1",
        device_class=q.get("class", "") if q.get("class", "") in CLASSES else "",
        vendor=q.get("vendor", "")[:120],
        first_after=_date(q.get("first_after", "")),
        last_before=_date(q.get("last_before", "")),
        text=q.get("q", "")[:100],
    )


def _date(raw: str) -> str:
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        return ""


def _key(raw: str | None) -> str:
    return raw if raw and raw.isalnum() and len(raw) <= 64 else ""


@page("viewer")
async def devices(ctx: Ctx) -> Response:
    f = _filter(ctx)
    q = ctx.request.query_params
    after, before = _key(q.get("after")), _key(q.get("before"))

    def read() -> tuple[queries.Page, list[str], list[str]]:
        with ctx.db.read() as tx:
            found = queries.devices(tx, f, ctx.config.page_size, after, before)
            return found, queries.site_names(tx), queries.vendors(tx, f.site)

    found, names, vendors = await ctx.run(read)
    params = {k: v for k, v in q.items() if k not in ("after", "before", "lang")}
    return ctx.render("devices.html.j2", page=found, f=f, sites=names, vendors=vendors,
                      classes=list(CLASSES), params=params)  # fmt: skip


@page("viewer")
async def device(ctx: Ctx) -> Response:
    key = ctx.request.path_params["key"]

    def read() -> queries.DevicePage | None:
        with ctx.db.read() as tx:
            return queries.device_page(tx, key)

    found = await ctx.run(read) if key.isalnum() and len(key) <= 64 else None
    if found is None:
        return ctx.render("message.html.j2", 404, message=ctx.t("not_found"))
    return ctx.render("device.html.j2", d=found, observations=found.device.observations[:300])


ROUTES = [
    Route("/", sites),
    Route("/devices", devices),
    Route("/devices/{key}", device),
]
