"""bench faq: reading the bot's replies as a customer sees them, and refusing a malformed held-out file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.faq import HeldOutError, Outcome, Question, Reading, Report, load_heldout, misses, read_replies

SLUGS = {"Refunds take 5-10 business days.": "refund-timeline", "We ship to 40 countries.": "countries-we-ship-to"}


def test_an_article_answered_outright_is_recognised_by_its_text() -> None:
    replies = [
        {"type": "message", "sender": "bot", "text": "Refunds take 5-10 business days.\n"},
        {
            "type": "message",
            "sender": "bot",
            "text": "Did that answer your question?",
            "buttons": [{"payload": "/helpful"}],
        },
    ]
    assert read_replies(replies, SLUGS) == Reading("refund-timeline", ())


def test_suggestions_are_read_from_the_buttons() -> None:
    replies = [
        {
            "text": "Is it one of these?",
            "buttons": [
                {"title": "Refunds", "payload": '/ask_faq{"article_slug":"refund-timeline"}'},
                {"title": "Where we ship", "payload": '/ask_faq{"article_slug":"countries-we-ship-to"}'},
                {"title": "Talk to a person", "payload": "/request_human"},
            ],
        }
    ]
    assert read_replies(replies, SLUGS) == Reading(None, ("refund-timeline", "countries-we-ship-to"))


def test_the_figures_count_right_wrong_suggested_and_declined() -> None:
    refund = Question("money back when", article="refund-timeline")
    two = Question(
        "refund and do you ship to peru", article="refund-timeline", also="countries-we-ship-to", style="multi"
    )
    oos = Question("will it rain", out_of_scope=True, style="near_miss")
    report = Report(
        [
            Outcome(refund, Reading("refund-timeline", ()), 0.1),
            Outcome(refund, Reading("countries-we-ship-to", ()), 0.1),
            Outcome(refund, Reading(None, ("refund-timeline",)), 0.1),
            Outcome(two, Reading("countries-we-ship-to", ()), 0.1),
            Outcome(oos, Reading(None, ("refund-timeline",)), 0.1),
            Outcome(oos, Reading("refund-timeline", ()), 0.1),
            Outcome(refund, Reading(None, ()), 30.0, error="TimeoutError"),
        ]
    )
    figures = report.figures()
    assert figures["right_outright"] == (0.5, 4), "the second article of a two-question message counts"
    assert figures["right_outright_or_suggested"] == (0.75, 4)
    assert figures["confidently_wrong"] == (0.25, 4)
    assert figures["declined"] == (0.5, 2) and figures["declined_without_suggestions"] == (0.0, 2)
    assert len(misses(report)) == 4, "the wrong answer, the suggestion-only, the answered out-of-scope, the error"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "heldout.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("questions: []\n", "non-empty list"),
        ("questions:\n  - text: ''\n    article: refund-timeline\n", r"questions\[1\].text"),
        ("questions:\n  - text: hi\n", "exactly one of"),
        ("questions:\n  - text: hi\n    article: no-such-article\n", r"questions\[1\].article: no article"),
        ("questions:\n  - text: hi\n    article: refund-timeline\n    style: shouty\n", r"questions\[1\].style"),
        ("questions:\n  - {text: hi, out_of_scope: true}\n  - {text: HI , out_of_scope: true}\n", "more than once"),
        ("questions: [", "cannot read"),
    ],
)
def test_a_malformed_heldout_file_names_the_entry_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(HeldOutError, match=message):
        load_heldout(_write(tmp_path, text), {"refund-timeline"})
