"""Our messages in Telegram's terms: HTML-escaped text within the length limit, buttons as inline keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_MESSAGE = 4096
MAX_BUTTON_TITLE = 64
CALLBACK_PREFIX = "b"


def render(text: str, *, agent_name: str | None = None, sender: str = "bot") -> str:
    """HTML for parse_mode=HTML: everything the customer or agent wrote is escaped."""
    body = html.escape(text or "", quote=False)
    if sender == "agent" and agent_name:
        return f"<b>{html.escape(agent_name, quote=False)}</b>: {body}"
    if sender == "system":
        return f"<i>{body}</i>"
    return body


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces within Telegram's limit, cut at paragraph, line or word boundaries where possible."""
    pieces: list[str] = []
    remaining = text
    while len(remaining) > limit:
        window = remaining[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        # Never cut inside an HTML entity such as &amp;
        amp = window.rfind("&", 0, cut)
        if amp != -1 and ";" not in window[amp:cut]:
            cut = amp
        pieces.append(remaining[:cut].rstrip())
        remaining = remaining[cut:].lstrip()
    if remaining or not pieces:
        pieces.append(remaining)
    return pieces


def callback_data(message_id: int, index: int) -> str:
    """Telegram allows 64 bytes of callback data; the payload itself stays in our database."""
    return f"{CALLBACK_PREFIX}:{message_id}:{index}"


def parse_callback_data(data: str | None) -> tuple[int, int] | None:
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != CALLBACK_PREFIX or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[1]), int(parts[2])


def keyboard(message_id: int, buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(
                button["title"][:MAX_BUTTON_TITLE] or "…", callback_data=callback_data(message_id, index)
            )
        ]
        for index, button in enumerate(buttons)
    ]
    return InlineKeyboardMarkup(rows)
