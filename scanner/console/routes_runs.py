"""Findings with their workflow, runs with their diff, and report and 12339-package downloads.

Downloads are named after the run's row number, never after anything a device or a sensor
said (no device strings in headers)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import Route

from scanner.console import findings, queries
from scanner.console.registries import registry_of
from scanner.console.web import Ctx, back, int_param, page
from scanner.errors import InputError
from scanner.models import ScanRun
from scanner.registry import Registry
from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.package import build_package
from scanner.store import runs
from scanner.store.codec import RunInfo
from scanner.store.diff import RunDiff, diff_runs


def _site(ctx: Ctx, names: list[str]) -> str:
    wanted = ctx.request.query_params.get("site", "")
    return wanted if wanted in names else (names[0] if names else "")


@page("viewer")
async def finding_list(ctx: Ctx) -> Response:
    def read() -> tuple[list[str], str, RunInfo | None, list[findings.Row]]:
        with ctx.db.read() as tx:
            names = queries.site_names(tx)
            site = _site(ctx, names)
            latest = queries.latest_run(tx, site) if site else None
            if latest is None:
                return names, site, None, []
            info, run = latest
            return names, site, info, findings.rows(tx, site, info, run.findings)

    names, site, info, rows = await ctx.run(read)
    state = ctx.request.query_params.get("state", "")
    shown = [r for r in rows if not state or r.effective == state]
    return ctx.render("findings.html.j2", sites=names, site=site, run=info, rows=shown,
                      state=state, states=findings.STATES, error="")  # fmt: skip


@page("officer")
async def finding_move(ctx: Ctx) -> Response:
    fields = await ctx.form()
    site, fkey = fields.get("site", ""), ctx.request.path_params["key"]
    assert ctx.user is not None
    actor = ctx.user.username

    def write() -> None:
        with ctx.db.write("updating a finding") as tx:
            findings.move(tx, actor, site, fkey, fields.get("to", ""), fields.get("note", ""),
                          fields.get("reference", ""), fields.get("filed_on", ""))  # fmt: skip

    try:
        await ctx.run(write)
    except InputError as exc:
        return ctx.render("message.html.j2", 400, message=str(exc))
    return back(f"/findings?site={quote(site, safe='')}")


@page("viewer")
async def run_list(ctx: Ctx) -> Response:
    offset = int_param(ctx.request.query_params.get("offset"))

    def read() -> tuple[list[str], str, list[RunInfo]]:
        with ctx.db.read() as tx:
            names = queries.site_names(tx)
            site = ctx.request.query_params.get("site", "")
            listed = runs.runs(tx, site if site in names else None, offset + 50)[offset:]
            return names, site, listed

    names, site, listed = await ctx.run(read)
    return ctx.render("runs.html.j2", sites=names, site=site, runs=listed, offset=offset)


def _run_and_diff(ctx: Ctx, pk: int) -> tuple[RunInfo, ScanRun, RunDiff | None] | None:
    with ctx.db.read() as tx:
        info = runs.info_by_pk(tx, pk)
        if info is None or info.status == "running":
            return None
        run = runs.load(tx, info)
        before = runs.previous(tx, info)
        diff = diff_runs(runs.load(tx, before), run) if before else None
        return info, run, diff


@page("viewer")
async def run_page(ctx: Ctx) -> Response:
    pk = int(ctx.request.path_params["pk"])
    found = await ctx.run(_run_and_diff, ctx, pk)
    if found is None:
        return ctx.render("message.html.j2", 404, message=ctx.t("not_found"))
    info, run, diff = found
    return ctx.render("run.html.j2", info=info, run=run, diff=diff, formats=list(REPORTERS))


def _load(ctx: Ctx, pk: int) -> tuple[RunInfo, ScanRun, Registry | None] | None:
    with ctx.db.read() as tx:
        info = runs.info_by_pk(tx, pk)
        if info is None or info.status == "running":
            return None
        return info, runs.load(tx, info), registry_of(tx, info.site or "")


def _download(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@page("viewer")
async def report(ctx: Ctx) -> Response:
    pk = int(ctx.request.path_params["pk"])
    fmt = ctx.request.path_params["fmt"]
    reporter = REPORTERS.get(fmt)
    found = await ctx.run(_load, ctx, pk) if reporter else None
    if found is None or reporter is None:
        return ctx.render("message.html.j2", 404, message=ctx.t("not_found"))
    _info, run, registry = found
    options = ReportOptions(lang=ctx.lang, registry=registry, generated_at=datetime.now(UTC))
    data = await ctx.run(reporter.render, run, options)
    media = reporter.media_type + ("; charset=utf-8" if fmt in ("html", "md", "csv") else "")
    return _download(data, media, f"biosweep-run-{pk}{reporter.suffix}")


@page("officer")
async def package(ctx: Ctx) -> Response:
    pk = int(ctx.request.path_params["pk"])
    found = await ctx.run(_load, ctx, pk)
    if found is None:
        return ctx.render("message.html.j2", 404, message=ctx.t("not_found"))
    _info, run, registry = found
    try:
        data = await ctx.run(build_package, run, registry)
    except InputError as exc:
        return ctx.render("message.html.j2", 400, message=str(exc))
    return _download(data, "application/zip", f"biosweep-12339-run-{pk}.zip")


ROUTES = [
    Route("/findings", finding_list),
    Route("/findings/{key}", finding_move, methods=["POST"]),
    Route("/runs", run_list),
    Route("/runs/{pk:int}", run_page),
    Route("/runs/{pk:int}/report.{fmt}", report),
    Route("/runs/{pk:int}/package.zip", package),
]
