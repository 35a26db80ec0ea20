"""Which language a customer writes in (English or Chinese), and Traditional Chinese read as Simplified.

The script decides: Chinese customers write Han characters, and a message with enough of them is Chinese
whatever Latin words it carries ("order号多少", "refund要多久"). A message with none is English. Only
these two languages are served, so no statistical detector is needed to tell them apart; a message in
neither (digits, emoji, "ok") says nothing, and the conversation keeps the language it had.

Traditional input is converted to Simplified (OpenCC's t2s tables) before the bot reads it; whether the
customer wrote Traditional is reported, so answers can follow a customer who writes it consistently.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import opencc

ENGLISH, CHINESE = "en", "zh"
LANGUAGES = (ENGLISH, CHINESE)
DEFAULT_LANGUAGE = ENGLISH
# Han characters (CJK Unified Ideographs, Extension A, Compatibility Ideographs).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Order numbers, emails and links are in Latin letters in every language: they say nothing.
_IDENTIFIERS = re.compile(r"\S+@\S+|https?://\S+|\b[A-Za-z]{1,4}-?\d+\b")
# One Han character weighs as much as a Latin word: "我的order呢" is Chinese, "my 订单 please" is not clear.
HAN_SHARE = 0.4


@dataclass(frozen=True)
class Detected:
    language: str | None  # None: the text says nothing (digits, emoji, a bare "ok" is English though)
    traditional: bool = False


def detect(text: str) -> Detected:
    han = len(_HAN.findall(text))
    words = len(_LATIN_WORD.findall(_IDENTIFIERS.sub(" ", text)))
    if han == 0:
        return Detected(ENGLISH if words else None)
    if han / (han + words) < HAN_SHARE:
        return Detected(ENGLISH)
    return Detected(CHINESE, traditional=to_simplified(text) != text)


def to_simplified(text: str) -> str:
    """Traditional characters replaced by their Simplified forms; anything else unchanged."""
    if not _HAN.search(text):
        return text
    converter = _converter("t2s")
    with _CONVERTER_LOCK:  # OpenCC's converter is not documented as thread-safe
        return str(converter.convert(text))


def to_traditional(text: str) -> str:
    """Simplified characters replaced by their Traditional forms, for a customer who writes Traditional."""
    if not _HAN.search(text):
        return text
    converter = _converter("s2t")
    with _CONVERTER_LOCK:
        return str(converter.convert(text))


def normalise(language: object) -> str | None:
    """``zh``, ``zh-CN``, ``zh-Hant-TW`` → zh; ``en-GB`` → en; anything else None (Telegram's language_code)."""
    if not isinstance(language, str):
        return None
    base = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else None


_CONVERTER_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _converter(tables: str) -> opencc.OpenCC:
    return opencc.OpenCC(tables)


__all__ = [
    "CHINESE",
    "DEFAULT_LANGUAGE",
    "ENGLISH",
    "LANGUAGES",
    "Detected",
    "detect",
    "normalise",
    "to_simplified",
    "to_traditional",
]
