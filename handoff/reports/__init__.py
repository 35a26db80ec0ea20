"""Reports for the people who run the desk: KPIs with charts, definitions and CSV exports, under /reports."""

from __future__ import annotations

from aiohttp import web


def routes() -> list[web.AbstractRouteDef]:
    from handoff.reports import views

    return views.routes()
