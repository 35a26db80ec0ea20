"""The gateway's notices to customers (queue position, offline hours, an agent joining, "one moment"), in
the conversation's language, from the bot's one catalogue of words (knowledge_base.catalogue)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_datetime, format_timedelta

from crm_store.models import Conversation
from knowledge_base import catalogue
from knowledge_base.language import DEFAULT_LANGUAGE, LANGUAGES

BABEL_LOCALES = {"en": "en", "zh": "zh_CN"}


def language_of(conversation: Conversation | None) -> str:
    language = conversation.language if conversation is not None else None
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def notice(conversation: Conversation | None, response: str, **values: Any) -> str:
    return catalogue.text(response, language_of(conversation), **values)


def minutes(count: int, language: str) -> str:
    """ "1 minute", "5 minutes", "5分钟" (an hour or more in hours, as Babel rounds)."""
    return str(format_timedelta(timedelta(minutes=count), locale=BABEL_LOCALES[language]))


def opening(moment: datetime, language: str) -> dict[str, str]:
    """The next opening time as the offline notice names it: weekday, time, time zone."""
    locale = BABEL_LOCALES[language]
    return {
        "day": str(format_datetime(moment, "EEEE", locale=locale)),
        "time": f"{moment:%H:%M}",
        "zone": moment.tzname() or "",
    }


# The English texts, for what compares with them (tests, the fault tests' transcripts).
BOT_UNAVAILABLE_TEXT = catalogue.text("utter_gateway_one_moment", DEFAULT_LANGUAGE)
NO_REPLY_TEXT = catalogue.text("utter_gateway_no_reply", DEFAULT_LANGUAGE)

__all__ = ["BOT_UNAVAILABLE_TEXT", "NO_REPLY_TEXT", "language_of", "minutes", "notice", "opening"]
