"""What the gateway tells Rasa's channel about a message's delivery, in its metadata (no Rasa import: both sides use it).

See bot/channels/redelivery.py for why a message may reach Rasa twice and how it is answered once.
"""

from __future__ import annotations

MESSAGE_ID = "message_id"  # the gateway's id of the stored customer message
REDELIVERY = "redelivery"  # true when the sending gateway process cannot rule out an earlier send

__all__ = ["MESSAGE_ID", "REDELIVERY"]
