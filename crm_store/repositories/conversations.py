from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_store.models import Conversation, Message
from crm_store.models.base import utcnow


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, conversation_id: str) -> Conversation | None:
        return await self.session.get(Conversation, conversation_id)

    async def get_or_create(
        self,
        conversation_id: str,
        channel: str,
        *,
        customer_id: int | None = None,
        channel_identity_id: int | None = None,
    ) -> Conversation:
        conversation = await self.get(conversation_id)
        if conversation is None:
            conversation = Conversation(
                id=conversation_id, channel=channel, customer_id=customer_id, channel_identity_id=channel_identity_id
            )
            self.session.add(conversation)
            await self.session.flush()
        elif customer_id is not None and conversation.customer_id is None:
            conversation.customer_id = customer_id
        return conversation

    async def for_customer(self, customer_id: int, limit: int = 20) -> list[Conversation]:
        result = await self.session.execute(
            select(Conversation)
            .where(Conversation.customer_id == customer_id)
            .order_by(Conversation.last_message_at.desc())
            .limit(limit)
        )
        return list(result.scalars())

    async def add_message(
        self,
        conversation: Conversation,
        sender: str,
        text: str | None,
        *,
        payload: dict[str, Any] | None = None,
        channel_message_id: str | None = None,
        sender_user_id: int | None = None,
        at: datetime | None = None,
    ) -> Message:
        message = Message(
            conversation_id=conversation.id,
            sender=sender,
            sender_user_id=sender_user_id,
            text=text,
            payload=payload,
            channel=conversation.channel,
            channel_message_id=channel_message_id,
            created_at=at or utcnow(),
        )
        self.session.add(message)
        conversation.last_message_at = message.created_at
        await self.session.flush()
        return message

    async def message_by_channel_id(self, channel: str, channel_message_id: str) -> Message | None:
        result = await self.session.execute(
            select(Message).where(Message.channel == channel, Message.channel_message_id == channel_message_id)
        )
        return result.scalar_one_or_none()

    async def messages(self, conversation_id: str, *, after_id: int | None = None, limit: int = 500) -> list[Message]:
        query = select(Message).where(Message.conversation_id == conversation_id)
        if after_id is not None:
            query = query.where(Message.id > after_id)
        result = await self.session.execute(query.order_by(Message.id).limit(limit))
        return list(result.scalars())

    async def buttons_offered_before(self, conversation_id: str, message_id: int) -> list[dict[str, Any]]:
        """The quick replies the bot offered last before message ``message_id``, if nothing else was said since."""
        latest = (
            await self.session.execute(
                select(Message)
                .where(
                    Message.conversation_id == conversation_id, Message.id < message_id, Message.sender != "customer"
                )
                .order_by(Message.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if latest is None or latest.sender != "bot":
            return []
        buttons = (latest.payload or {}).get("buttons")
        return [b for b in buttons if isinstance(b, dict)] if isinstance(buttons, list) else []

    async def set_rating(self, conversation: Conversation, rating: int, comment: str | None = None) -> None:
        conversation.csat = rating
        conversation.csat_comment = comment
        await self.session.flush()

    async def unprocessed_customer_messages(self, conversation_id: str, limit: int = 50) -> list[Message]:
        result = await self.session.execute(
            select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.sender == "customer",
                Message.processed_at.is_(None),
            )
            .order_by(Message.id)
            .limit(limit)
        )
        return list(result.scalars())

    async def conversations_with_unprocessed_messages(self) -> list[str]:
        result = await self.session.execute(
            select(Message.conversation_id)
            .where(Message.sender == "customer", Message.processed_at.is_(None))
            .group_by(Message.conversation_id)
        )
        return list(result.scalars())

    async def undelivered(self, channel: str, since: datetime) -> list[Message]:
        """Outbound messages on a push channel that never reached it, oldest first."""
        result = await self.session.execute(
            select(Message)
            .where(
                Message.channel == channel,
                Message.sender.in_(("bot", "agent", "system")),
                Message.delivered_at.is_(None),
                Message.created_at >= since,
            )
            .order_by(Message.id)
        )
        return list(result.scalars())

    async def message_ids(self, conversation_id: str, *, last: int) -> list[int]:
        """The ids of a conversation's last ``last`` messages, oldest first."""
        result = await self.session.execute(
            select(Message.id).where(Message.conversation_id == conversation_id).order_by(Message.id.desc()).limit(last)
        )
        return sorted(result.scalars())

    async def customer_messages_before(self, conversation_id: str, message_id: int, limit: int) -> list[Message]:
        """The conversation's customer messages before ``message_id``, newest first."""
        result = await self.session.execute(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.sender == "customer", Message.id < message_id)
            .order_by(Message.id.desc())
            .limit(limit)
        )
        return list(result.scalars())

    async def recent_customer_messages(self, limit: int) -> list[Message]:
        """The newest customer messages across all conversations, newest first."""
        result = await self.session.execute(
            select(Message).where(Message.sender == "customer").order_by(Message.id.desc()).limit(limit)
        )
        return list(result.scalars())
