"""Which words of a question the knowledge base has never seen."""

from __future__ import annotations

from knowledge_base.vocabulary import Vocabulary

VOCABULARY = Vocabulary(["engraving", "battery", "shipping", "card", "student", "discount", "knives", "shelf"])


def test_other_forms_of_known_words_are_known() -> None:
    assert all(VOCABULARY.knows(word) for word in ("engrave", "engraved", "batteries", "ship", "discounts"))
    assert VOCABULARY.knows("knife") and VOCABULARY.knows("shelves"), "f / ves plurals"


def test_new_words_are_unfamiliar_even_when_they_start_like_a_known_one() -> None:
    assert not any(VOCABULARY.knows(word) for word in ("teacher", "cardigan", "bitcoin", "studio"))


def test_only_informative_words_are_counted() -> None:
    assert VOCABULARY.unfamiliar_share(["do", "you", "offer", "a", "teacher", "discount"]) == 2 / 3  # offer, teacher
    assert VOCABULARY.unfamiliar_share(["is", "it", "ok"]) == 0.0
