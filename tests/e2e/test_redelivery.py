"""A message the gateway sends to Rasa again runs its turn once (bot/channels/redelivery.py).

Real processes (the product fixture): Rasa behind the gateway channel, its SQL tracker store, the action
server. The message starts a form, so running it twice would be seen: the second run reads the question
as the form's answer.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.delivery import MESSAGE_ID, REDELIVERY
from bot.signing import SIGNATURE_HEADER, sign, sign_identity

QUESTION = "where is my order?"  # asks an unverified customer for the order number


async def test_a_message_sent_again_gets_its_first_replies_and_its_turn_runs_once(product) -> None:  # type: ignore[no-untyped-def]
    settings = product.settings
    sender = "redelivery-1"
    identity = {"channel": "web", "channel_user_id": sender, "conversation_id": sender, "verified": False}
    async with aiohttp.ClientSession() as http:

        async def send(text: str, message_id: int, redelivery: bool) -> list[dict[str, Any]]:
            metadata = sign_identity(
                settings.internal_secret, {**identity, MESSAGE_ID: message_id, REDELIVERY: redelivery}
            )
            body = json.dumps({"sender": sender, "message": text, "metadata": metadata}).encode()
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(settings.internal_secret, "channel", body),
            }
            async with http.post(
                f"{settings.rasa_url}/webhooks/gateway/webhook", data=body, headers=headers
            ) as response:
                assert response.status == 200, await response.text()
                replies: list[dict[str, Any]] = await response.json()
                return replies

        async def user_events() -> list[tuple[str, Any]]:
            url = f"{settings.rasa_url}/conversations/{sender}/tracker"
            async with http.get(url, params={"token": settings.rasa_token}) as response:
                tracker = await response.json()
            return [
                (e["text"], (e.get("metadata") or {}).get(MESSAGE_ID))
                for e in tracker["events"]
                if e["event"] == "user"
            ]

        asked = await send(QUESTION, 1, redelivery=False)
        assert "order number" in json.dumps(asked).lower(), asked
        assert await send(QUESTION, 1, redelivery=True) == asked, "the recorded replies, not a second turn"
        assert await user_events() == [(QUESTION, 1)]

        # A marked message Rasa never saw (the first send was lost on the way) runs as usual.
        answered = await send("never mind, thanks", 2, redelivery=True)
        assert answered and answered != asked, answered
        assert await user_events() == [(QUESTION, 1), ("never mind, thanks", 2)]
        # Sent once more, it still gets what it got the first time, not the first message's replies.
        assert await send("never mind, thanks", 2, redelivery=True) == answered
