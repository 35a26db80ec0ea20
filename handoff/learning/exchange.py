"""What the customer really asked in a conversation, and what the bot said to it.

The last thing a customer types before a person takes over is usually "can I
talk to a person?", a button they clicked or a "thanks": not the question an
agent should see in the queue or a trainer should judge a lesson by. These
functions read the stored messages (oldest first) and pick the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crm_store.models import Message

# The same cue as the teach form's (handoff/web/console/ticket/teach.js): a short message naming a person.
ASKED_FOR_PERSON = re.compile(
    r"\b(person|human|agent|someone|somebody|representative|operator|real people|staff)\b", re.IGNORECASE
)
PERSON_REQUEST_WORDS = 12  # longer messages that mention a person usually carry a question too
# Chinese asks for a person with these words ("我想找人工客服", "转人工", "要真人"); Chinese has no spaces
# between words, so a short request is counted in characters.
ASKED_FOR_PERSON_ZH = re.compile(r"人工|真人|转接|客服人员|工作人员|找人")
PERSON_REQUEST_CHARACTERS = 16
PLEASANTRIES = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "you",
        "thx",
        "ok",
        "okay",
        "yes",
        "no",
        "yep",
        "nope",
        "sure",
        "please",
        "bye",
        "goodbye",
        "cheers",
        "great",
    ]
)
_WORD = re.compile(r"[a-z']+")
# Chinese pleasantries, as whole messages without punctuation; any other Chinese message may be a question
# (the Latin-word test above finds no words in Chinese, which made every Chinese message a pleasantry).
PLEASANTRIES_ZH = frozenset(
    [
        "你好",
        "您好",
        "谢谢",
        "谢谢你",
        "谢谢您",
        "多谢",
        "好",
        "好的",
        "嗯",
        "是",
        "是的",
        "对",
        "不是",
        "没有",
        "再见",
        "拜拜",
    ]
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Exchange:
    """The customer's question and the bot's replies to it (empty when the bot said nothing to it)."""

    question: Message
    bot_replies: tuple[str, ...]


def asked_for_person(message: Message) -> bool:
    """Whether the message only asks for a person (by the bot's own signal, or by its words)."""
    if (message.payload or {}).get("asked_for_agent"):
        return True
    text = message.text or ""
    if ASKED_FOR_PERSON_ZH.search(text) and len(text.strip()) <= PERSON_REQUEST_CHARACTERS:
        return True
    return bool(ASKED_FOR_PERSON.search(text)) and len(text.split()) < PERSON_REQUEST_WORDS


def is_real_question(message: Message) -> bool:
    """A customer's own words that ask something: not a button, a command, a pleasantry or a call for a person."""
    text = (message.text or "").strip()
    if message.sender != "customer" or not text or text.startswith("/"):
        return False
    if (message.payload or {}).get("quick_reply"):
        return False
    if _HAN.search(text):
        if _NOT_WORD.sub("", text) in PLEASANTRIES_ZH:
            return False
    elif set(_WORD.findall(text.lower())) <= PLEASANTRIES:
        return False
    return not asked_for_person(message)


def real_question(messages: Sequence[Message]) -> Message | None:
    """The customer's last real question; failing that, the last thing they typed (so a queue row is never blank)."""
    question = next((m for m in reversed(messages) if is_real_question(m)), None)
    if question is not None:
        return question
    return next((m for m in reversed(messages) if m.sender == "customer" and (m.text or "").strip()), None)


def exchange(messages: Sequence[Message]) -> Exchange | None:
    """The real question and the bot's replies up to the customer's next message."""
    question = real_question(messages)
    if question is None:
        return None
    after = False
    replies: list[str] = []
    for message in messages:
        if message is question:
            after = True
        elif after and message.sender == "customer":
            break
        elif after and message.sender == "bot" and message.text:
            replies.append(message.text)
    return Exchange(question, tuple(replies))


def agent_replies(messages: Sequence[Message]) -> list[str]:
    return [m.text for m in messages if m.sender == "agent" and m.text and m.text.strip()]


def bot_replies(messages: Sequence[Message]) -> list[str]:
    return [m.text for m in messages if m.sender == "bot" and m.text and m.text.strip()]


__all__ = ["Exchange", "agent_replies", "asked_for_person", "bot_replies", "exchange", "real_question"]
