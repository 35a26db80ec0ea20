"""Who may continue (and read) a conversation by its id, written once.

A conversation id alone opens only a conversation nobody has signed in to. Once a
customer is known, only that customer's signed token opens it: an id that leaked
(a shared screen, a log) shows a stranger nothing. Channels do not mix: a web
client never opens a Telegram conversation, whose id is derived from the chat.
"""

from __future__ import annotations

from crm_store.models import Conversation


def may_join(conversation: Conversation | None, channel: str, customer_id: int | None) -> bool:
    return (
        conversation is not None and conversation.channel == channel and conversation.customer_id in (None, customer_id)
    )


__all__ = ["may_join"]
