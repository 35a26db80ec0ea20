"""Cutting an answer into the passages a question may be about."""

from __future__ import annotations

from knowledge_base.passages import answer_passages


def test_sentences_and_list_items_become_passages_and_short_pieces_do_not() -> None:
    answer = "We accept:\n- Visa, Mastercard and Amex\n- PayPal and Apple Pay\nWe don't offer cash on delivery. Thanks!"
    assert answer_passages(answer) == (
        "Visa, Mastercard and Amex",
        "PayPal and Apple Pay",
        "We don't offer cash on delivery.",
    )


def test_an_answer_without_a_passage_of_its_own_is_its_only_passage() -> None:
    assert answer_passages("Yes.") == ("Yes.",)


def test_a_repeated_sentence_is_one_passage() -> None:
    assert answer_passages("Call us any day. Call us any day.") == ("Call us any day.",)
