"""Reading a typed reply as one of the quick replies just offered: "yes it came" for "Yes, all sorted".

Customers often type instead of pressing a button, in English or Chinese. Only short, clear replies
are read: a question, or a reply that says neither yes nor no, is left to the bot (the buttons stay).
Negative words win over a bare "yes" ("yes but it's broken" is not sorted), and set phrases that carry
"no" but mean yes ("no problem", "没问题") are recognised first.
"""

from __future__ import annotations

import re

YES, NO = "yes", "no"
MAX_WORDS = 20  # longer than this is a new question or a story: the bot reads it
RATING_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

_YES_PHRASES = ("no problem", "no problems", "no worries", "no issues", "not bad", "all good", "没问题", "沒問題")
_YES_WORDS = {
    "yes", "yeah", "yep", "yup", "ya", "sure", "ok", "okay", "fine", "sorted", "solved", "resolved", "fixed",
    "arrived", "received", "great", "perfect", "good", "thanks", "thank", "done", "correct", "indeed", "y",
}  # fmt: skip
_YES_ZH = ("是", "对", "對", "好了", "可以", "收到", "解决", "解決", "谢谢", "謝謝", "没事", "沒事", "嗯")
_NO_WORDS = {
    "no", "nope", "nah", "not", "never", "still", "missing", "broken", "wrong", "damaged", "didnt", "didn't",
    "hasnt", "hasn't", "havent", "haven't", "isnt", "isn't", "wasnt", "wasn't", "dont", "don't", "doesnt",
    "doesn't", "cant", "can't", "wont", "won't", "n", "nothing", "yet",
}  # fmt: skip
_NO_ZH = ("没", "沒", "不", "还没", "還沒", "未", "坏", "壞", "错", "錯")
_WORD = re.compile(r"[a-z']+|\d+")


def yes_or_no(text: str) -> str | None:
    """YES, NO, or None when the reply is long, says neither, or is not clear."""
    lowered = text.casefold().strip()
    if not lowered or len(lowered.split()) > MAX_WORDS or "?" in lowered or "？" in lowered:
        return None  # a question is for the bot, whatever words it holds
    for phrase in _YES_PHRASES:
        lowered = lowered.replace(phrase, " yes ")
    words = set(_WORD.findall(lowered.replace("’", "'")))
    if words & _NO_WORDS or any(mark in lowered for mark in _NO_ZH):
        return NO
    if words & _YES_WORDS or any(mark in lowered for mark in _YES_ZH):
        return YES
    return None


def rating(text: str) -> int | None:
    """A typed 1-5 rating ("4", "5 stars", "★★★", "four"), or None."""
    lowered = text.casefold().strip()
    if not lowered or len(lowered.split()) > 4:
        return None
    stars = lowered.count("★") + lowered.count("⭐")
    if stars and not re.search(r"\d", lowered):
        return stars if 1 <= stars <= 5 else None
    found = [int(n) for n in re.findall(r"\b\d+\b", lowered)] + [
        RATING_WORDS[w] for w in _WORD.findall(lowered) if w in RATING_WORDS
    ]
    if len(found) == 1 and 1 <= found[0] <= 5:
        return found[0]
    return None


__all__ = ["NO", "YES", "rating", "yes_or_no"]
