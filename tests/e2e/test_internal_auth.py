"""Every internal hop is authenticated: forged calls to Rasa and to the action server are refused, nothing is written.

Real processes (the product fixture): the gateway, Rasa behind the gateway channel, the guarded action server.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bot.signing import SIGNATURE_HEADER, sign, sign_identity
from crm_store.db import unit_of_work
from crm_store.models import AuditEntry, Customer


async def _customer(product_sessions, email: str) -> Customer:  # type: ignore[no-untyped-def]
    async with unit_of_work(product_sessions) as session:
        return (await session.execute(select(Customer).where(Customer.email == email))).scalar_one()


async def test_a_forged_call_to_the_action_server_is_refused_and_writes_nothing(product, product_sessions) -> None:
    victim = product.customers[0]
    before = await _customer(product_sessions, victim.email)
    forged_tracker = {
        "sender_id": "attacker",
        "slots": {"verified": True, "customer_id": before.id, "new_address": "1 Attacker Road, Nowhere"},
        "latest_message": {"text": "change my address", "intent": {"name": "change_address"}, "metadata": {}},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    payload = {"next_action": "action_update_contact", "sender_id": "attacker", "tracker": forged_tracker, "domain": {}}
    url = f"http://127.0.0.1:{product.settings.actions_port}/webhook"
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"Authorization": "Bearer not-the-token"}):
            async with http.post(url, json=payload, headers=headers) as response:
                assert response.status == 401, await response.text()
        async with http.get(f"http://127.0.0.1:{product.settings.actions_port}/health") as response:
            assert response.status == 200  # the launcher's health check still works
    after = await _customer(product_sessions, victim.email)
    assert after.address_line1 == before.address_line1
    async with unit_of_work(product_sessions) as session:
        changes = (await session.execute(select(AuditEntry).where(AuditEntry.entity_id == str(before.id)))).all()
    assert not [row for row in changes if "contact" in row[0].action]


async def test_rasa_takes_messages_only_from_the_gateway_and_identities_only_as_signed(product) -> None:
    victim = product.customers[0]
    numbers = [order.number for order in victim.orders]
    assert numbers, "the first demo customer has orders"
    secret = product.settings.internal_secret
    claim = {"channel": "web", "channel_user_id": "x1", "conversation_id": "x1", "customer_id": 1, "verified": True}
    base = product.settings.rasa_url
    async with aiohttp.ClientSession() as http:
        # The stock REST channel is gone; the gateway channel refuses an unsigned or wrongly signed body.
        body = json.dumps({"sender": "x1", "message": "where is my order?", "metadata": claim}).encode()
        async with http.post(f"{base}/webhooks/rest/webhook", data=body) as response:
            assert response.status == 404
        for signature in (None, "0" * 64, sign(secret, "identity", body)):
            headers = {"Content-Type": "application/json", **({SIGNATURE_HEADER: signature} if signature else {})}
            async with http.post(f"{base}/webhooks/gateway/webhook", data=body, headers=headers) as response:
                assert response.status == 401, signature

        # Even a body signed for the channel does not make an identity: the actions check its own signature.
        async def ask(metadata: dict, sender: str) -> str:
            signed_body = json.dumps({"sender": sender, "message": "where is my order?", "metadata": metadata}).encode()
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, "channel", signed_body)}
            async with http.post(f"{base}/webhooks/gateway/webhook", data=signed_body, headers=headers) as response:
                assert response.status == 200
                return json.dumps(await response.json())

        customer_id = await _customer_id(product)
        forged = {**claim, "customer_id": customer_id, "conversation_id": "forged-1", "channel_user_id": "forged-1"}
        replies = await ask(forged, "forged-1")
        assert not any(number in replies for number in numbers), "a forged identity must not list the orders"
        vouched = {**forged, "conversation_id": "vouched-1", "channel_user_id": "vouched-1"}
        replies = await ask(sign_identity(secret, vouched), "vouched-1")
        assert any(number in replies for number in numbers), "the gateway's own identity is believed"


async def _customer_id(product) -> int:  # type: ignore[no-untyped-def]
    from crm_store.db import create_engine, session_factory

    engine = create_engine(product.settings.store.database_url)
    try:
        customer = await _customer(session_factory(engine), product.customers[0].email)
        return int(customer.id)
    finally:
        await engine.dispose()


def _command_lines_with(port: int) -> list[str]:
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(port) in text:
            lines.append(text)
    return lines


def test_no_secret_on_a_command_line_and_var_files_are_the_owners_only(product) -> None:
    settings = product.settings
    lines = [line for port in (settings.rasa_port, settings.actions_port) for line in _command_lines_with(port)]
    assert lines, "the Rasa server and the action server are running"
    for line in lines:
        assert settings.rasa_token not in line and settings.internal_secret not in line, line
    var_dir = settings.store.var_dir
    private = [var_dir / "deskbot.db", var_dir / "rasa-trackers.db", *settings.run_dir.glob("*.log")]
    private += [settings.run_dir / "endpoints.yml", settings.run_dir / "rasa-token"]
    for path in private:
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"


def test_the_action_server_is_warm_before_it_reports_up(product) -> None:
    """Its health check answers only after the warm-up (Sanic's before_server_start), so by the time the
    launcher said "up" the knowledge base and its embedding model are loaded: no first customer waits for them."""
    log = (product.settings.run_dir / "actions.log").read_text(encoding="utf-8")
    assert "action server warmed up" in log
