"""Cutting a message into the questions it asks."""

from __future__ import annotations

import pytest

from knowledge_base.compound import question_parts


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        (
            "do you ship to canada? how long do refunds take",
            ["do you ship to canada?", "how long do refunds take"],
        ),
        (
            "I want to know the return window, also do you price match",
            ["I want to know the return window", "do you price match"],
        ),
        (
            "Can I pay with PayPal. And also where do you ship from?",
            ["Can I pay with PayPal", "where do you ship from?"],
        ),
    ],
)
def test_two_questions_become_two_parts(message: str, parts: list[str]) -> None:
    assert question_parts(message) == parts


@pytest.mark.parametrize(
    "message",
    [
        "how long do refunds take?",
        "my parcel is late, what can I do",
        "is the jacket waterproof? thanks?",  # the second 'question' is too short to be one
        "a? b? c? d?",
        "one thing? two things here? three things now? four things too? five things more?",  # too many: keep whole
    ],
)
def test_one_question_stays_whole(message: str) -> None:
    assert question_parts(message) == [message]
