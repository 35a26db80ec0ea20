"""Placeholders left by scrubbing never reach live text: dropped on request, otherwise refused."""

from __future__ import annotations

import pytest

from handoff.learning.placeholders import PlaceholderLeft, drop_placeholders, placeholders_in, without_placeholders


@pytest.mark.parametrize(
    ("scrubbed", "dropped"),
    [
        ("do you accept amex? my email is [EMAIL]", "do you accept amex?"),
        ("where is my order [ORDER]?", "where is my order?"),
        ("hi I'm [NAME], do you ship to canada?", "hi do you ship to canada?"),
        ("my number is [PHONE], call me about the refund", "call me about the refund"),
        ("my order number is [ORDER]. can i cancel it?", "can i cancel it?"),
        ("can you send it to [ADDRESS] by friday", "can you send it by friday"),
        ("Thanks, [NAME].", "Thanks."),
    ],
)
def test_dropping_takes_the_words_that_led_up_to_the_placeholder(scrubbed: str, dropped: str) -> None:
    assert drop_placeholders(scrubbed) == dropped
    assert not placeholders_in(drop_placeholders(scrubbed))


def test_a_placeholder_refuses_the_approval_and_names_the_field() -> None:
    with pytest.raises(PlaceholderLeft) as refused:
        without_placeholders({"question": "do you accept amex? my email is [EMAIL]", "answer": None}, drop=False)
    assert "question" in refused.value.message and "[EMAIL]" in refused.value.message
    assert refused.value.code == "placeholder_left"


def test_dropping_cleans_every_field_and_keeps_clean_ones() -> None:
    cleaned = without_placeholders(
        {"question": "is my parcel [ORDER] late? thanks [NAME]", "answer": "Yes."}, drop=True
    )
    assert cleaned == {"question": "is my parcel late?", "answer": "Yes."}


def test_a_field_that_is_only_a_placeholder_must_be_written() -> None:
    with pytest.raises(PlaceholderLeft, match="question is only"):
        without_placeholders({"question": "[EMAIL]"}, drop=True)
