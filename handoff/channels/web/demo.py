"""Demo-only endpoints: pick a demo customer and get a signed token, as a shop's own login would."""

from __future__ import annotations

from aiohttp import web

from crm_store.db import unit_of_work
from crm_store.demo_data import EXAMPLE_CUSTOMERS
from crm_store.repositories import CustomerRepository
from handoff.channels.web.tokens import sign_customer
from handoff.edge import json_object_body
from handoff.errors import NotFound
from handoff.keys import SESSIONS, SETTINGS


async def list_customers(request: web.Request) -> web.Response:
    customers = []
    async with unit_of_work(request.app[SESSIONS]) as session:
        repository = CustomerRepository(session)
        for _, _, email, _, _ in EXAMPLE_CUSTOMERS:
            customer = await repository.by_email(email)
            if customer is not None:
                customers.append({"email": customer.email, "name": customer.full_name, "tier": customer.tier})
    return web.json_response({"customers": customers})


async def mint_token(request: web.Request) -> web.Response:
    email = (await json_object_body(request)).get("email")
    if not isinstance(email, str) or email not in {entry[2] for entry in EXAMPLE_CUSTOMERS}:
        raise NotFound("email is not one of the demo customers")
    async with unit_of_work(request.app[SESSIONS]) as session:
        customer = await CustomerRepository(session).by_email(email)
    if customer is None:
        raise NotFound("the demo customer is not in the database; run `deskbot seed`")
    return web.json_response({"token": sign_customer(request.app[SETTINGS].widget_secret, customer.id)})


def routes() -> list[web.RouteDef]:
    return [web.get("/api/demo/customers", list_customers), web.post("/api/demo/token", mint_token)]
