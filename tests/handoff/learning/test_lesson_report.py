"""The retrain's report on taught questions: before → after, and the verdict the trainer reads."""

from __future__ import annotations

from handoff.learning.lesson_report import summary, taught_report, verdict
from handoff.learning.nlu_lessons import Lesson


def lesson(number: int, intent: str, text: str) -> Lesson:
    return Lesson(number, intent, text, automatic=False, approved_by_id=None, approved_at=None)


def test_each_taught_question_is_fixed_still_wrong_already_right_or_broken() -> None:
    assert verdict("ask_faq", "order_status", "ask_faq") == "fixed"
    assert verdict("ask_faq", "order_status", "order_status") == "still wrong"
    assert verdict("ask_faq", "ask_faq", "ask_faq") == "already right"
    assert verdict("ask_faq", "ask_faq", "greet") == "broken"
    assert verdict("ask_faq", None, None) == "unknown"


def test_the_report_lists_every_lesson_and_sums_up() -> None:
    lessons = [lesson(1, "ask_faq", "is there next day delivery"), lesson(2, "request_human", "get me a rep")]
    rows = taught_report(lessons, {1: "order_status", 2: "ask_faq"}, {1: "ask_faq", 2: "ask_faq"})
    assert [(row["text"], row["before"], row["after"], row["verdict"]) for row in rows] == [
        ("is there next day delivery", "order_status", "ask_faq", "fixed"),
        ("get me a rep", "ask_faq", "ask_faq", "still wrong"),
    ]
    assert summary(rows) == "taught questions: 1 fixed, 1 still wrong (of 2)"
