"""The trainer console's page (role trainer or admin); its data comes from the trainer's JSON API."""

from __future__ import annotations

from aiohttp import web

from handoff.pages import PAGE_HEADERS, WEB_DIR, page_values, render
from handoff.staff.sessions import require, signed_in_user, whoami

TRAINER_ROLES = ("trainer", "admin")
STATIC = WEB_DIR / "trainer"


@require(*TRAINER_ROLES, page=True)
async def page(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    # The trainer page opens no websocket, so its policy allows none.
    headers = {
        **PAGE_HEADERS,
        "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"].replace(" ws: wss:", ""),
    }
    return render(STATIC / "trainer.html", page_values(request, user, "Trainer console"), headers)


@require(*TRAINER_ROLES)
async def me(request: web.Request) -> web.Response:
    return web.json_response(whoami(await signed_in_user(request)))


async def to_trainer(request: web.Request) -> web.Response:
    raise web.HTTPFound("/trainer/")


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/trainer", to_trainer),
        web.get("/trainer/", page),
        web.static("/trainer/static", STATIC),
        web.get("/trainer/api/me", me),
    ]
