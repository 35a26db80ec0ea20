"""Typed replies to a follow-up, read as Yes / No / a rating only when they are clear."""

from __future__ import annotations

import pytest

from handoff.desk.follow_ups import question_buttons, rating_buttons, read_typed_answer, read_typed_rating
from handoff.desk.typed_answers import NO, YES, rating, yes_or_no


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("yes", YES),
        ("Yes it came, thanks!", YES),
        ("all good now", YES),
        ("No problem, all sorted", YES),
        ("收到了，谢谢", YES),
        ("没问题", YES),
        ("no", NO),
        ("Not yet", NO),
        ("still waiting", NO),
        ("yes but it arrived broken", NO),
        ("the replacement never came", NO),
        ("it hasn’t arrived", NO),
        ("还没收到", NO),
        ("where is my order", None),
        ("is it sorted? I have not checked", None),
        ("能退款吗？", None),
        ("I want a refund", None),
        ("", None),
        (" ".join(["yes"] * 25), None),
    ],
)
def test_yes_or_no(text: str, meant: str | None) -> None:
    assert yes_or_no(text) == meant


@pytest.mark.parametrize(
    ("text", "score"),
    [("5", 5), ("4 stars", 4), ("★★★", 3), ("four", 4), ("0", None), ("10", None), ("1 or 2", None), ("great", None)],
)
def test_rating(text: str, score: int | None) -> None:
    assert rating(text) == score


def test_the_reading_names_the_offered_button() -> None:
    assert read_typed_answer("nope", question_buttons(7)) == question_buttons(7)[1]["payload"]
    assert read_typed_answer("maybe", question_buttons(7)) is None
    assert read_typed_rating("2", rating_buttons(7)) == rating_buttons(7)[1]["payload"]
    assert read_typed_rating("yes", question_buttons(7)) is None, "a rating only among rating buttons"
