"""The sensors' API: ``POST /api/v1/runs`` (a finished run, idempotent by run id) and
``POST /api/v1/progress`` (live counters of a sweep under way), both with the sensor's token.

Bodies are read with a cap (413 past it); the run is parsed by the hostile-JSON reader; a bad
token is 401 before the body is read.
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scanner.console import audit, sensors
from scanner.console.config import ConsoleConfig
from scanner.console.ingest import ingest
from scanner.console.sensors import Sensor
from scanner.errors import InputError
from scanner.normalize import clean_text
from scanner.store.backend import Database
from scanner.store.errors import StoreError

MAX_PROGRESS = 4096


class TooLarge(Exception):
    pass


async def _body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _sensor(db: Database, header: str | None) -> Sensor | None:
    with db.read() as tx:
        return sensors.authenticate(tx, header)


async def _authenticated(request: Request) -> Sensor | None:
    db: Database = request.app.state.db
    return await run_in_threadpool(_sensor, db, request.headers.get("authorization"))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": "error", "error": message}, status_code=status)


async def upload_run(request: Request) -> Response:
    sensor = await _authenticated(request)
    if sensor is None:
        return _error(401, "a valid sensor token is required (Authorization: Bearer …)")
    config: ConsoleConfig = request.app.state.config
    try:
        body = await _body(request, config.max_upload)
    except TooLarge:
        return _error(413, f"a run is at most {config.max_upload} bytes")
    try:
        done = await run_in_threadpool(ingest, request.app.state.db, sensor, body)
    except InputError as exc:
        return _error(422, clean_text(str(exc), 300))
    except StoreError as exc:
        return _error(503, clean_text(str(exc), 300))
    return JSONResponse(
        {"status": "stored" if done.created else "duplicate", "run_id": done.run_id,
         "devices": done.devices},
        status_code=201 if done.created else 200,
    )  # fmt: skip


def _progress(db: Database, sensor: Sensor, doc: dict[str, object]) -> None:
    counts = [doc.get(k) for k in ("addresses", "discovered", "probed")]
    values = [c if isinstance(c, int) and 0 <= c < 2**31 else 0 for c in counts]
    phase = clean_text(str(doc.get("phase", "sweeping")), 40)
    with db.write("recording progress") as tx:
        tx.execute(
            "INSERT INTO console_progress (site, sensor_id, phase, addresses, discovered, probed, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site) DO UPDATE SET "
            "sensor_id = excluded.sensor_id, phase = excluded.phase, "
            "addresses = excluded.addresses, discovered = excluded.discovered, "
            "probed = excluded.probed, updated_at = excluded.updated_at",
            (sensor.site, sensor.sensor_id, phase, *values, audit.now()),
        )


async def progress(request: Request) -> Response:
    sensor = await _authenticated(request)
    if sensor is None:
        return _error(401, "a valid sensor token is required (Authorization: Bearer …)")
    try:
        doc = json.loads(await _body(request, MAX_PROGRESS))
    except (TooLarge, ValueError):
        return _error(422, "progress is a small JSON object")
    if not isinstance(doc, dict):
        return _error(422, "progress is a small JSON object")
    await run_in_threadpool(_progress, request.app.state.db, sensor, doc)
    return JSONResponse({"status": "ok"})


ROUTES = [
    Route("/api/v1/runs", upload_run, methods=["POST"]),
    Route("/api/v1/progress", progress, methods=["POST"]),
]
