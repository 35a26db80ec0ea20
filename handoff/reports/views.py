"""The reports surface: the page (admins and leads), its JSON and a CSV of each of its tables.

- ``GET /reports/``: the page; its script reads the JSON below with the page's own query string
- ``GET /reports/api/report?from=&to=&channel=&tier=``
- ``GET /reports/export.csv?table=<name>&from=&to=&channel=&tier=``
"""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from crm_store.models.base import utcnow
from handoff.errors import InvalidMessage
from handoff.keys import LEARNING, POLICY, SESSIONS
from handoff.pages import PAGE_HEADERS, WEB_DIR, page_values, render
from handoff.reports.query import read_filter
from handoff.reports.report import build_report
from handoff.staff.sessions import require, signed_in_user

REPORT_ROLES = ("admin", "lead")
STATIC = WEB_DIR / "reports"
# A cell a spreadsheet would run as a formula; customers' own words reach the CSV.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def _report(request: web.Request) -> dict[str, Any]:
    policy = request.app[POLICY]
    now = utcnow()
    report = read_filter(request.query, policy.timezone, now)
    scrubber = await request.app[LEARNING].scrubber()
    learning = request.app[LEARNING]
    return await build_report(
        request.app[SESSIONS], report, now, policy.is_open, scrubber.scrub, group_questions=learning.group_by_meaning
    )


@require(*REPORT_ROLES, page=True)
async def page(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    return render(STATIC / "reports.html", page_values(request, user, "Reports"), PAGE_HEADERS)


@require(*REPORT_ROLES)
async def report_json(request: web.Request) -> web.Response:
    return web.json_response(await _report(request))


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_csv(columns: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([[_safe(value) for value in row] for row in rows])
    return out.getvalue()


@require(*REPORT_ROLES)
async def export_csv(request: web.Request) -> web.Response:
    wanted = request.query.get("table", "")
    report = await _report(request)
    tables = {table["name"]: table for table in report["tables"]}
    if wanted not in tables:
        raise InvalidMessage(f"table must be one of {', '.join(tables)}, got {wanted[:40]!r}")
    table = tables[wanted]
    name = f"deskbot-{wanted}-{report['range']['from']}-to-{report['range']['to']}.csv"
    return web.Response(
        text=as_csv(table["columns"], table["rows"]),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


async def to_reports(request: web.Request) -> web.Response:
    raise web.HTTPFound("/reports/")


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/reports", to_reports),
        web.get("/reports/", page),
        web.static("/reports/static", STATIC),
        web.get("/reports/api/report", report_json),
        web.get("/reports/export.csv", export_csv),
    ]


__all__ = ["REPORT_ROLES", "as_csv", "routes"]
